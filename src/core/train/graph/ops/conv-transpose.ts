// ConvTranspose (1-D and 2-D, any group, strides, dilations, pads, output_padding, bias) as the
// transpose of a Conv: with the same weight [C, M/group, k…], a Conv from the ConvTranspose's
// output space (M channels) to its input space (C channels) has the same geometry, and
//   forward   y  = col2im(Wᵀ·x)          (what a Conv's input gradient is),
//   backward  dx = W·im2col(dy)          (a Conv's forward), dW = x·im2col(dy)ᵀ, db = Σ dy.
// auto_pad and output_shape are refused (torch.onnx.export writes neither).
import type { KernelFactory } from '../kernel';
import { matmul, matmulABt, transposed } from '../matmul';
import { windowOver, windowSpec } from '../sliding-window';
import { GraphTrainError, attrInt, attrInts, attrString, value, type Value } from '../value';
import { CHUNK_FLOATS, patches, type Geometry } from './conv';

export const convTranspose: KernelFactory = ({ node, label }) => {
  const group = attrInt(node, 'group', 1);
  if (group < 1) throw new GraphTrainError(`${label} has group ${group}`);
  if (attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new GraphTrainError(`${label} has auto_pad; fine-tuning needs explicit pads`);
  if (attrInts(node, 'output_shape') !== undefined) throw new GraphTrainError(`${label} has output_shape; fine-tuning needs pads and output_padding`);

  /** The Conv geometry from the output space (y) to the input space (x), and y's dims. */
  const geometry = (x: Value, wt: Value): { g: Geometry; yDims: number[] } => {
    const r = x.dims.length;
    if (r !== 3 && r !== 4) throw new GraphTrainError(`${label}: input of rank ${r}; fine-tuning handles 1-D and 2-D ConvTranspose`);
    if (wt.dims.length !== r) throw new GraphTrainError(`${label}: a weight of rank ${wt.dims.length} for an input of rank ${r}`);
    const [N, C] = x.dims;
    if (wt.dims[0] !== C || C % group !== 0) throw new GraphTrainError(`${label}: ${C} input channels, weight [${wt.dims.join(', ')}] and group ${group} do not fit`);
    const M = wt.dims[1] * group;
    const spec = windowSpec(node, label, wt.dims.slice(2));
    const k = wt.dims.slice(2);
    const outPad = attrInts(node, 'output_padding') ?? k.map(() => 0);
    const spatial = x.dims.slice(2).map((n, i) => (n - 1) * spec.strides[i] - spec.pads[i] - spec.pads[i + k.length] + spec.dilations[i] * (k[i] - 1) + outPad[i] + 1);
    const w = windowOver(spec, spatial, label);
    const xSpatial = r === 4 ? [w.OH, w.OW] : [w.OW];
    if (xSpatial.some((v, i) => v !== x.dims[2 + i])) throw new GraphTrainError(`${label}: output_padding [${outPad.join(', ')}] is not smaller than the strides`);
    const Cg = M / group;
    const K = Cg * w.kh * w.kw;
    const P = w.OH * w.OW;
    const g: Geometry = { w, N, C: M, M: C, G: group, Cg, Mg: C / group, K, P, chunk: Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / (K * P)))) };
    return { g, yDims: [N, M, ...spatial] };
  };

  /** Samples n0..n1 of the group's x channels as a [Mg, Q] block (each channel's positions, sample after sample). */
  const block = (x: Float32Array, g: Geometry, grp: number, n0: number, n1: number, out: Float32Array): void => {
    const Q = (n1 - n0) * g.P;
    for (let m = 0; m < g.Mg; m++) {
      for (let n = n0; n < n1; n++) out.set(x.subarray((n * g.M + grp * g.Mg + m) * g.P, (n * g.M + grp * g.Mg + m + 1) * g.P), m * Q + (n - n0) * g.P);
    }
  };

  return {
    forward([x, wt, b]) {
      const { g, yDims } = geometry(x!, wt!);
      const { N, G, Mg, K, P, chunk } = g;
      const out = value(yDims);
      const xb = new Float32Array(Mg * chunk * P);
      const dcol = new Float32Array(K * chunk * P);
      for (let grp = 0; grp < G; grp++) {
        const wT = transposed(wt!.data, grp * Mg * K, Mg, K);
        for (let n0 = 0; n0 < N; n0 += chunk) {
          const n1 = Math.min(N, n0 + chunk);
          const Q = (n1 - n0) * P;
          block(x!.data, g, grp, n0, n1, xb);
          dcol.fill(0, 0, K * Q);
          matmul(wT, 0, xb, 0, dcol, 0, K, Mg, Q);
          patches(out.data, dcol, g, grp, n0, n1, true);
        }
      }
      if (b !== undefined) {
        const plane = out.data.length / (N * g.C);
        for (let i = 0; i < out.data.length; i++) out.data[i] += b.data[Math.floor(i / plane) % g.C];
      }
      return { outputs: [out] };
    },

    backward(dOut, [x, wt, b], _outs, _saved, need) {
      const { g } = geometry(x!, wt!);
      const { N, G, Mg, K, P, chunk } = g;
      const dx = need[0] ? new Float32Array(x!.data.length) : undefined;
      const dw = need[1] ? new Float32Array(wt!.data.length) : undefined;
      let db: Float32Array | undefined;
      if (need[2] && b !== undefined) {
        const sums = new Float64Array(g.C);
        const plane = dOut.length / (N * g.C);
        for (let i = 0; i < dOut.length; i++) sums[Math.floor(i / plane) % g.C] += dOut[i];
        db = Float32Array.from(sums);
      }
      const col = new Float32Array(K * chunk * P);
      const xb = new Float32Array(Mg * chunk * P);
      const yb = new Float32Array(Mg * chunk * P);
      for (let grp = 0; grp < G; grp++) {
        for (let n0 = 0; n0 < N; n0 += chunk) {
          const n1 = Math.min(N, n0 + chunk);
          const Q = (n1 - n0) * P;
          patches(dOut, col, g, grp, n0, n1, false);
          if (dw !== undefined) {
            block(x!.data, g, grp, n0, n1, xb);
            matmulABt(xb, 0, col, 0, dw, grp * Mg * K, Mg, Q, K);
          }
          if (dx !== undefined) {
            yb.fill(0, 0, Mg * Q);
            matmul(wt!.data, grp * Mg * K, col, 0, yb, 0, Mg, K, Q);
            for (let m = 0; m < Mg; m++) {
              for (let n = n0; n < n1; n++) dx.set(yb.subarray(m * Q + (n - n0) * P, m * Q + (n - n0 + 1) * P), (n * g.M + grp * Mg + m) * P);
            }
          }
        }
      }
      return [dx, dw, db];
    },
  };
};
