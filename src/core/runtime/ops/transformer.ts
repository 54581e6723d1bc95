// Operators transformers add: LayerNormalization (opset 17), Gelu (opset 20, exact and tanh),
// Range, Trilu, CumSum (position ids from an attention mask).
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtData, type RtTensor, alloc, ctorOf, floatToHalf, halfToFloat, isHalfType, size, toNumbers, writeNumber } from '../tensor';
import { erf, unaryOp } from './elementwise';
import { broadcastIndex } from './broadcast';
import { floatOnly } from './nn';
import { type OpContext, type OpImpl, floatAttr, intAttr, need, normAxis, stringAttr } from './types';

type FArray = Float32Array | Float64Array;

/**
 * LayerNormalization: normalizes over the axes from `axis` on (mean and variance in float64), then
 * Y = normalized × Scale + B with Scale and B broadcast to the normalized shape. Outputs Y, Mean
 * and InvStdDev (the last two with the normalized axes kept as 1, in float32 unless stash_type says otherwise).
 */
export const LayerNormalization: OpImpl = floatOnly((inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const scale = need(inputs, 1, ctx);
  const bias = inputs[2];
  const r = x.dims.length;
  const axis = normAxis(intAttr(ctx.node, 'axis', -1), r, ctx);
  const eps = floatAttr(ctx.node, 'epsilon', 1e-5);
  const stash = intAttr(ctx.node, 'stash_type', DataType.FLOAT);
  const inner = x.dims.slice(axis);
  const len = size(inner);
  const outer = size(x.dims.slice(0, axis));
  const sMap = broadcastIndex(scale.dims, inner);
  const bMap = bias ? broadcastIndex(bias.dims, inner) : null;
  const src = x.data as FArray;
  const sd = scale.data as FArray;
  const bd = bias ? (bias.data as FArray) : null;
  const y = ctx.out(0, ctorOf(x.dataType), src.length) as FArray;
  const statType = stash === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
  const mean = ctx.out(1, ctorOf(statType), outer) as FArray;
  const inv = ctx.out(2, ctorOf(statType), outer) as FArray;
  for (let o = 0; o < outer; o++) {
    const off = o * len;
    let s = 0;
    for (let i = 0; i < len; i++) s += src[off + i];
    const mu = s / len;
    let v = 0;
    for (let i = 0; i < len; i++) {
      const d = src[off + i] - mu;
      v += d * d;
    }
    const k = 1 / Math.sqrt(v / len + eps);
    mean[o] = mu;
    inv[o] = k;
    for (let i = 0; i < len; i++) {
      const n = (src[off + i] - mu) * k * sd[sMap[i]];
      y[off + i] = bd && bMap ? n + bd[bMap[i]] : n;
    }
  }
  const statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  return [
    { dims: x.dims, data: y, dataType: x.dataType },
    { dims: statDims, data: mean, dataType: statType },
    { dims: statDims, data: inv, dataType: statType },
  ];
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Gelu: 0.5·x·(1 + erf(x/√2)), or with approximate="tanh" 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const Gelu: OpImpl = floatOnly((inputs, ctx) => {
  const mode = stringAttr(ctx.node, 'approximate', 'none');
  if (mode !== 'none' && mode !== 'tanh') throw new RuntimeError(`${ctx.label}: approximate="${mode}" is not one of none, tanh`);
  const f =
    mode === 'tanh'
      ? (v: number): number => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)))
      : (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));
  return unaryOp(() => f)(inputs, ctx) as RtTensor[];
});

/** Why a Gelu node cannot run (an approximation it does not know), or undefined. */
export function geluProblem(node: OpContext['node']): string | undefined {
  const mode = stringAttr(node, 'approximate', 'none');
  return mode === 'none' || mode === 'tanh' ? undefined : `approximate "${mode}"`;
}

/** Range(start, limit, delta): max(ceil((limit − start) / delta), 0) values of start's type. */
export const Range: OpImpl = (inputs, ctx) => {
  const [s, l, d] = [0, 1, 2].map((i) => need(inputs, i, ctx));
  const dt = s.dataType;
  if (l.dataType !== dt || d.dataType !== dt) throw new RuntimeError(`${ctx.label}: start, limit and delta have different element types`);
  if (s.data.length !== 1 || l.data.length !== 1 || d.data.length !== 1) throw new RuntimeError(`${ctx.label}: start, limit and delta must be scalars`);
  if (s.data instanceof BigInt64Array || s.data instanceof BigUint64Array) {
    const [a, b, c] = [s.data[0], l.data[0] as bigint, d.data[0] as bigint];
    if (c === 0n) throw new RuntimeError(`${ctx.label}: delta is 0`);
    const diff = b - a;
    // ceil(diff / c) for bigints of either sign.
    let n = diff / c;
    if (n * c !== diff && (diff > 0n) === (c > 0n)) n += 1n;
    const count = n > 0n ? Number(n) : 0;
    const out = alloc(dt, count) as BigInt64Array;
    for (let i = 0; i < count; i++) out[i] = a + BigInt(i) * c;
    return [{ dims: [count], data: out, dataType: dt }];
  }
  const [a, b, c] = [toNumbers(s)[0], toNumbers(l)[0], toNumbers(d)[0]];
  if (c === 0) throw new RuntimeError(`${ctx.label}: delta is 0`);
  const count = Math.max(Math.ceil((b - a) / c), 0);
  if (!Number.isFinite(count) || count > 2 ** 31) throw new RuntimeError(`${ctx.label}: ${count} elements is too many`);
  const out = alloc(dt, count) as Exclude<RtData, BigInt64Array | BigUint64Array>;
  // Each element as start + i·delta, in the output's own precision (as onnxruntime computes it).
  for (let i = 0; i < count; i++) out[i] = a + i * c;
  return [{ dims: [count], data: out, dataType: dt }];
};

/** Trilu(input, k): keeps the upper (upper=1: j − i ≥ k) or lower (j − i ≤ k) triangle of the last two dims. */
export const Trilu: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const k = inputs[1] ? Number(inputs[1].data[0]) : 0;
  const upper = intAttr(ctx.node, 'upper', 1) === 1;
  const r = x.dims.length;
  if (r < 2) throw new RuntimeError(`${ctx.label}: input must have at least 2 dims, got [${x.dims.join(', ')}]`);
  const rows = x.dims[r - 2];
  const cols = x.dims[r - 1];
  const n = x.data.length;
  const out = ctx.out(0, ctorOf(x.dataType), n) as RtData;
  const zero = (x.data instanceof BigInt64Array || x.data instanceof BigUint64Array ? 0n : 0) as never;
  const mats = rows * cols === 0 ? 0 : n / (rows * cols);
  for (let m = 0; m < mats; m++) {
    for (let i = 0; i < rows; i++) {
      const off = (m * rows + i) * cols;
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= k : j - i <= k;
        out[off + j] = keep ? (x.data[off + j] as never) : zero;
      }
    }
  }
  return [{ dims: x.dims, data: out, dataType: x.dataType }];
};

/** CumSum(x, axis): running sums along one axis (exclusive: without the element itself; reverse: from the end), accumulated in float64. */
export const CumSum: OpImpl = (inputs, ctx) => {
  let x = need(inputs, 0, ctx);
  const half = isHalfType(x.dataType) ? x.dataType : 0;
  if (half) x = halfToFloat(x);
  const r = x.dims.length;
  const axis = normAxis(Number(need(inputs, 1, ctx).data[0]), r, ctx);
  const exclusive = intAttr(ctx.node, 'exclusive', 0) === 1;
  const reverse = intAttr(ctx.node, 'reverse', 0) === 1;
  const len = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const out = alloc(x.dataType, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let s = 0; s < len; s++) {
        const k = reverse ? len - 1 - s : s;
        const at = (o * len + k) * inner + i;
        const v = Number(x.data[at]);
        if (!exclusive) acc += v;
        writeNumber(out, at, acc);
        if (exclusive) acc += v;
      }
    }
  }
  const res: RtTensor = { dims: x.dims, data: out, dataType: x.dataType };
  return [half ? floatToHalf(res, half) : res];
};

export const TRANSFORMER: Record<string, OpImpl> = { LayerNormalization, Gelu, Range, Trilu, CumSum };
