// Gemm (alpha, beta, transA, transB, C broadcast to [M, N]) and MatMul of an [.., K] input by a
// 2-D [K, N] weight: products through matmul.ts, with the transposes made once.
import type { KernelFactory } from '../kernel';
import { matmul, matmulABt, transposed } from '../matmul';
import { GraphTrainError, attrFloat, attrInt, value } from '../value';
import { broadcast, eachBroadcast, type Broadcast } from './binary';

export const gemm: KernelFactory = ({ node, label }) => {
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const tA = attrInt(node, 'transA', 0) !== 0;
  const tB = attrInt(node, 'transB', 0) !== 0;
  const sizes = (a: number[], b: number[]): [number, number, number] => {
    if (a.length !== 2 || b.length !== 2) throw new GraphTrainError(`${label}: Gemm of [${a.join(', ')}] by [${b.join(', ')}], both must be 2-D`);
    const [M, K] = tA ? [a[1], a[0]] : a;
    const [K2, N] = tB ? [b[1], b[0]] : b;
    if (K !== K2) throw new GraphTrainError(`${label}: inner sizes ${K} and ${K2} differ`);
    return [M, K, N];
  };
  return {
    forward([a, b, c]) {
      const [M, K, N] = sizes(a!.dims, b!.dims);
      const A = tA ? transposed(a!.data, 0, K, M) : a!.data;
      const out = value([M, N]);
      // transB (torch's Linear): B is N × K as stored, multiplied as is — no transposed copy.
      if (tB) matmulABt(A, 0, b!.data, 0, out.data, 0, M, K, N);
      else matmul(A, 0, b!.data, 0, out.data, 0, M, K, N);
      const y = out.data;
      if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= alpha;
      let bc: Broadcast | undefined;
      if (c !== undefined && beta !== 0) {
        bc = broadcast([M, N], c.dims, label);
        if (bc.dims.length !== 2 || bc.dims[0] !== M || bc.dims[1] !== N) throw new GraphTrainError(`${label}: C of [${c.dims.join(', ')}] does not broadcast to [${M}, ${N}]`);
        const cd = c.data;
        eachBroadcast(bc, (o, _i, j) => (y[o] += beta * cd[j]));
      }
      return { outputs: [out], saved: bc };
    },
    backward(dOut, [a, b, c], _o, saved, need) {
      const [M, K, N] = sizes(a!.dims, b!.dims);
      const g = alpha === 1 ? dOut : Float32Array.from(dOut, (v) => v * alpha);
      let da: Float32Array | undefined;
      let db: Float32Array | undefined;
      let dc: Float32Array | undefined;
      if (need[0]) {
        // d op(A) [M, K] = g [M, N] · op(B)ᵀ; op(B)ᵀ is B itself when transB.
        const Bt = tB ? b!.data : transposed(b!.data, 0, K, N);
        const d = new Float32Array(M * K);
        matmul(g, 0, Bt, 0, d, 0, M, N, K);
        da = tA ? transposed(d, 0, M, K) : d;
      }
      if (need[1]) {
        // transB: dB [N, K] = gᵀ · op(A); else dB [K, N] = op(A)ᵀ · g.
        const gt = transposed(g, 0, M, N);
        const opA = tA ? transposed(a!.data, 0, K, M) : a!.data;
        db = new Float32Array(K * N);
        if (tB) matmul(gt, 0, opA, 0, db, 0, N, M, K);
        else {
          const opAt = tA ? a!.data : transposed(a!.data, 0, M, K);
          matmul(opAt, 0, g, 0, db, 0, K, M, N);
        }
      }
      if (need[2] && c !== undefined && saved !== undefined) {
        const acc = new Float64Array(c.data.length);
        eachBroadcast(saved as Broadcast, (o, _i, j) => (acc[j] += beta * dOut[o]));
        dc = Float32Array.from(acc);
      }
      return [da, db, dc];
    },
  };
};

export const matMul: KernelFactory = (ctx) => {
  const { label } = ctx;
  const sizes = (x: number[], w: number[]): [number, number, number] => {
    if (w.length !== 2 || x.length < 1) throw new GraphTrainError(`${label}: fine-tuning handles MatMul by a 2-D weight, here [${w.join(', ')}]`);
    const K = x[x.length - 1];
    if (K !== w[0]) throw new GraphTrainError(`${label}: inner sizes ${K} and ${w[0]} differ`);
    return [x.slice(0, -1).reduce((p, d) => p * d, 1), K, w[1]];
  };
  return {
    forward([x, w]) {
      const [M, K, N] = sizes(x!.dims, w!.dims);
      const out = value([...x!.dims.slice(0, -1), N]);
      matmul(x!.data, 0, w!.data, 0, out.data, 0, M, K, N);
      return { outputs: [out] };
    },
    backward(dOut, [x, w], _o, _s, need) {
      const [M, K, N] = sizes(x!.dims, w!.dims);
      let dx: Float32Array | undefined;
      let dw: Float32Array | undefined;
      if (need[0]) {
        dx = new Float32Array(M * K);
        matmul(dOut, 0, transposed(w!.data, 0, K, N), 0, dx, 0, M, N, K);
      }
      if (need[1]) {
        dw = new Float32Array(K * N);
        matmul(transposed(x!.data, 0, M, K), 0, dOut, 0, dw, 0, K, M, N);
      }
      return [dx, dw];
    },
  };
};
