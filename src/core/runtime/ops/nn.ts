// Neural-network operators: Gemm, MatMul, Softmax, LogSoftmax, Hardmax, BatchNormalization.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, floatToHalf, halfToFloat, isHalfType, size } from '../tensor';
import { type FArray, fillRows, mmAccumulate, transpose2d } from '../kernels/dense';
import { broadcastDims, broadcastIndex } from './broadcast';
import { scratch } from '../kernels/scratch';
import { WASM_MATMUL_MIN_MACS, matmulBatches } from '../kernels/matmul-batched';
import { type OpContext, type OpImpl, floatAttr, intAttr, need, normAxis } from './types';

/** Runs f on float32/float64 data; float16/bfloat16 inputs are computed in float32. */
export function floatOnly(f: (ins: (RtTensor | undefined)[], ctx: OpContext) => RtTensor[]): OpImpl {
  return (inputs, ctx) => {
    const first = inputs.find((t) => t !== undefined);
    if (first && isHalfType(first.dataType)) {
      const dt = first.dataType;
      const conv = inputs.map((t) => (t && isHalfType(t.dataType) ? halfToFloat(t) : t));
      return f(conv, ctx).map((t) => (t.dataType === DataType.FLOAT ? floatToHalf(t, dt) : t));
    }
    for (const t of inputs) {
      if (t && t.dataType !== DataType.FLOAT && t.dataType !== DataType.DOUBLE) {
        throw new RuntimeError(`${ctx.label}: element type ${t.dataType} is not supported (float only)`);
      }
    }
    return f(inputs, ctx);
  };
}

function farray(t: RtTensor): FArray {
  return t.data as FArray;
}

export const Gemm: OpImpl = floatOnly((inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  const b = need(inputs, 1, ctx);
  const c = inputs[2];
  const transA = intAttr(ctx.node, 'transA', 0) === 1;
  const transB = intAttr(ctx.node, 'transB', 0) === 1;
  const alpha = floatAttr(ctx.node, 'alpha', 1);
  const beta = floatAttr(ctx.node, 'beta', 1);
  if (a.dims.length !== 2 || b.dims.length !== 2) {
    throw new RuntimeError(`${ctx.label}: Gemm needs 2-D inputs, got [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
  }
  const [M, K] = transA ? [a.dims[1], a.dims[0]] : a.dims;
  const [K2, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
  if (K !== K2) throw new RuntimeError(`${ctx.label}: inner dimensions ${K} and ${K2} differ`);
  const Ctor = ctorOf(a.dataType) as Float32ArrayConstructor;
  const ad = transA ? transpose2d(farray(a), a.dims[0], a.dims[1], new Ctor(M * K)) : farray(a);
  const bd = transB ? transpose2d(farray(b), b.dims[0], b.dims[1], new Ctor(K * N)) : farray(b);
  const y = ctx.out(0, Ctor, M * N) as FArray;
  fillRows(y, M, N, null);
  mmAccumulate(ad, 0, bd, 0, y, 0, M, K, N);
  if (alpha !== 1) for (let i = 0; i < M * N; i++) y[i] *= alpha;
  if (c && beta !== 0) {
    const dims = [M, N];
    broadcastDims(c.dims, dims, ctx.label);
    const map = broadcastIndex(c.dims, dims);
    const cd = farray(c);
    for (let i = 0; i < M * N; i++) y[i] += beta * cd[map[i]];
  }
  return [{ dims: [M, N], data: y, dataType: a.dataType }];
});

export const MatMul: OpImpl = floatOnly((inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  const b = need(inputs, 1, ctx);
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const M = ad[ad.length - 2];
  const K = ad[ad.length - 1];
  const N = bd[bd.length - 1];
  if (bd[bd.length - 2] !== K) {
    throw new RuntimeError(`${ctx.label}: cannot multiply [${a.dims.join(', ')}] by [${b.dims.join(', ')}]`);
  }
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2), ctx.label);
  const nb = size(batch);
  const ia = broadcastIndex(ad.slice(0, -2), batch);
  const ib = broadcastIndex(bd.slice(0, -2), batch);
  const Ctor = ctorOf(a.dataType) as Float32ArrayConstructor;
  const y = ctx.out(0, Ctor, nb * M * N) as FArray;
  // float32 products of some size on the WebAssembly GEMM (attention), else the JS loop.
  const wasm = y instanceof Float32Array && nb * M * K * N >= WASM_MATMUL_MIN_MACS &&
    matmulBatches(farray(a), ia.map((i) => i * M * K), farray(b), ib.map((i) => i * K * N), y, nb, M, K, N);
  if (!wasm) {
    y.fill(0);
    for (let i = 0; i < nb; i++) mmAccumulate(farray(a), ia[i] * M * K, farray(b), ib[i] * K * N, y, i * M * N, M, K, N);
  }
  const dims = [...batch];
  if (a.dims.length > 1) dims.push(M);
  if (b.dims.length > 1) dims.push(N);
  return [{ dims, data: y, dataType: a.dataType }];
});

type SoftmaxKind = 'softmax' | 'log' | 'hard';

function softmaxLike(kind: SoftmaxKind): OpImpl {
  return floatOnly((inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const r = x.dims.length;
    const legacy = ctx.opset < 13;
    const axis = normAxis(intAttr(ctx.node, 'axis', legacy ? 1 : -1), Math.max(r, 1), ctx);
    // Before opset 13 the input is coerced to 2-D at axis; from 13 the op runs along one axis.
    const outer = size(x.dims.slice(0, axis));
    const len = legacy ? size(x.dims.slice(axis)) : x.dims[axis] ?? 1;
    const inner = legacy ? 1 : size(x.dims.slice(axis + 1));
    const src = farray(x);
    const y = ctx.out(0, ctorOf(x.dataType) as Float32ArrayConstructor, src.length) as FArray;
    if (kind === 'softmax' && inner === 1 && src instanceof Float32Array && y instanceof Float32Array) {
      softmaxRows(src, y, outer, len);
      return [{ dims: x.dims, data: y, dataType: x.dataType }];
    }
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let mx = -Infinity;
        let at = 0;
        for (let k = 0; k < len; k++) {
          const v = src[base + k * inner];
          if (v > mx) {
            mx = v;
            at = k;
          }
        }
        if (kind === 'hard') {
          // One-hot at the first maximum.
          for (let k = 0; k < len; k++) y[base + k * inner] = k === at ? 1 : 0;
          continue;
        }
        let sum = 0;
        if (kind === 'log') {
          for (let k = 0; k < len; k++) sum += Math.exp(src[base + k * inner] - mx);
          const ls = Math.log(sum);
          for (let k = 0; k < len; k++) y[base + k * inner] = src[base + k * inner] - mx - ls;
        } else {
          // Each exponential once, kept in float64 until divided.
          const e = scratch(len);
          for (let k = 0; k < len; k++) {
            const v = Math.exp(src[base + k * inner] - mx);
            e[k] = v;
            sum += v;
          }
          const inv = 1 / sum;
          for (let k = 0; k < len; k++) y[base + k * inner] = e[k] * inv;
        }
      }
    }
    return [{ dims: x.dims, data: y, dataType: x.dataType }];
  });
}

/** Softmax along contiguous rows of float32 (the last axis, attention's): a monomorphic loop of its own. */
function softmaxRows(src: Float32Array, y: Float32Array, rows: number, len: number): void {
  const e = scratch(len);
  for (let base = 0; base < rows * len; base += len) {
    let mx = -Infinity;
    for (let k = 0; k < len; k++) if (src[base + k] > mx) mx = src[base + k];
    let sum = 0;
    for (let k = 0; k < len; k++) {
      const v = Math.exp(src[base + k] - mx);
      e[k] = v;
      sum += v;
    }
    const inv = 1 / sum;
    for (let k = 0; k < len; k++) y[base + k] = e[k] * inv;
  }
}

export const Softmax = softmaxLike('softmax');
export const LogSoftmax = softmaxLike('log');
export const Hardmax = softmaxLike('hard');

export const BatchNormalization: OpImpl = floatOnly((inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => farray(need(inputs, i, ctx)));
  const eps = floatAttr(ctx.node, 'epsilon', 1e-5);
  const C = x.dims.length > 1 ? x.dims[1] : 1;
  const inner = size(x.dims.slice(2));
  const outer = x.dims.length > 0 ? x.dims[0] : 1;
  const src = farray(x);
  const y = ctx.out(0, ctorOf(x.dataType) as Float32ArrayConstructor, src.length) as FArray;
  for (let c = 0; c < C; c++) {
    const k = scale[c] / Math.sqrt(variance[c] + eps);
    const mu = mean[c];
    const b = bias[c];
    for (let n = 0; n < outer; n++) {
      const off = (n * C + c) * inner;
      for (let i = 0; i < inner; i++) y[off + i] = (src[off + i] - mu) * k + b;
    }
  }
  return [{ dims: x.dims, data: y, dataType: x.dataType }];
});
