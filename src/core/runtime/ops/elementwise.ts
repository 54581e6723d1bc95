// Elementwise operators: unary math, binary arithmetic with broadcasting, variadic Max/Min/Sum/Mean.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import {
  type RtData,
  type RtTensor,
  ctorOf,
  floatToHalf,
  halfToFloat,
  isBigType,
  isHalfType,
  size,
} from '../tensor';
import { broadcastDims, broadcastRuns } from './broadcast';
import { type OpContext, type OpImpl, floatAttr, need } from './types';

type NumData = Exclude<RtData, BigInt64Array | BigUint64Array>;

function numeric(d: RtData): NumData {
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, Number);
  return d;
}

/** Writes computed numbers into an output of type dt (bigint types via a temporary). */
function finish(dims: number[], dt: number, tmp: NumData, big: boolean): RtTensor {
  if (!big) return { dims, data: tmp, dataType: dt };
  const out = new (ctorOf(dt) as BigInt64ArrayConstructor)(tmp.length);
  for (let i = 0; i < tmp.length; i++) {
    const v = tmp[i];
    out[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  }
  return { dims, data: out, dataType: dt };
}

function outBuffer(ctx: OpContext, slot: number, dt: number, n: number): { buf: NumData; big: boolean } {
  if (isBigType(dt)) return { buf: new Float64Array(n), big: true };
  return { buf: ctx.out(slot, ctorOf(dt), n) as NumData, big: false };
}

// ---- unary ---------------------------------------------------------------------------------

export function unaryOp(f: (x: number, node: OpContext) => (v: number) => number): OpImpl {
  return (inputs, ctx) => {
    let x = need(inputs, 0, ctx);
    const half = isHalfType(x.dataType) ? x.dataType : 0;
    if (half) x = halfToFloat(x);
    const fn = f(0, ctx);
    const src = numeric(x.data);
    const { buf, big } = outBuffer(ctx, 0, x.dataType, src.length);
    for (let i = 0; i < src.length; i++) buf[i] = fn(src[i]);
    const r = finish(x.dims, x.dataType, buf, big);
    return [half ? floatToHalf(r, half) : r];
  };
}

/** erf by its Taylor series (|x| < 4; beyond, ±1 to float32 precision). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 4) return x > 0 ? 1 : -1;
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export const UNARY: Record<string, OpImpl> = {
  Relu: unaryOp(() => (v) => (v > 0 ? v : 0)),
  LeakyRelu: unaryOp((_, ctx) => {
    const a = floatAttr(ctx.node, 'alpha', 0.01);
    return (v) => (v >= 0 ? v : a * v);
  }),
  Sigmoid: unaryOp(() => (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)))),
  Tanh: unaryOp(() => Math.tanh),
  Exp: unaryOp(() => Math.exp),
  Log: unaryOp(() => Math.log),
  Sqrt: unaryOp(() => Math.sqrt),
  Neg: unaryOp(() => (v) => -v),
  Abs: unaryOp(() => Math.abs),
  Erf: unaryOp(() => erf),
  Reciprocal: unaryOp(() => (v) => 1 / v),
  Floor: unaryOp(() => Math.floor),
  Ceil: unaryOp(() => Math.ceil),
  Elu: unaryOp((_, ctx) => {
    const a = floatAttr(ctx.node, 'alpha', 1);
    return (v) => (v >= 0 ? v : a * (Math.exp(v) - 1));
  }),
  Selu: unaryOp((_, ctx) => {
    const a = floatAttr(ctx.node, 'alpha', 1.67326319217681884765625);
    const g = floatAttr(ctx.node, 'gamma', 1.05070102214813232421875);
    return (v) => (v > 0 ? g * v : g * a * (Math.exp(v) - 1));
  }),
  Softplus: unaryOp(() => (v) => (v > 30 ? v : Math.log1p(Math.exp(v)))),
  HardSigmoid: unaryOp((_, ctx) => {
    const a = floatAttr(ctx.node, 'alpha', 0.2);
    const b = floatAttr(ctx.node, 'beta', 0.5);
    return (v) => Math.max(0, Math.min(1, a * v + b));
  }),
  HardSwish: unaryOp(() => (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
};

// ---- binary --------------------------------------------------------------------------------

type Bin = (a: number, b: number) => number;

/** out = f(a, b) with broadcasting; output type is a's type. */
export function binaryCompute(a0: RtTensor, b0: RtTensor, f: Bin, ctx: OpContext, slot = 0): RtTensor {
  let a = a0;
  let b = b0;
  const half = isHalfType(a.dataType) ? a.dataType : 0;
  if (half) a = halfToFloat(a);
  if (isHalfType(b.dataType)) b = halfToFloat(b);
  const dims = broadcastDims(a.dims, b.dims, ctx.label);
  const n = size(dims);
  const ad = numeric(a.data);
  const bd = numeric(b.data);
  const { buf, big } = outBuffer(ctx, slot, a.dataType, n);
  const na = ad.length;
  const nb = bd.length;
  if (na === n && nb === n) {
    for (let i = 0; i < n; i++) buf[i] = f(ad[i], bd[i]);
  } else if (nb === 1) {
    const bv = bd[0];
    for (let i = 0; i < n; i++) buf[i] = f(ad[i], bv);
  } else if (na === 1) {
    const av = ad[0];
    for (let i = 0; i < n; i++) buf[i] = f(av, bd[i]);
  } else if (na === n && nb === dims[dims.length - 1] && b.dims[b.dims.length - 1] === nb) {
    for (let i = 0; i < n; i += nb) for (let j = 0; j < nb; j++) buf[i + j] = f(ad[i + j], bd[j]);
  } else {
    const { runs, len, starts, steps } = broadcastRuns([a.dims, b.dims], dims);
    const [sa, sb] = starts;
    const [ka, kb] = steps;
    for (let o = 0, y = 0; o < runs; o++, y += len) {
      const oa = sa[o];
      const ob = sb[o];
      if (kb === 0) {
        const bv = bd[ob];
        for (let k = 0; k < len; k++) buf[y + k] = f(ad[oa + k * ka], bv);
      } else if (ka === 0) {
        const av = ad[oa];
        for (let k = 0; k < len; k++) buf[y + k] = f(av, bd[ob + k * kb]);
      } else {
        for (let k = 0; k < len; k++) buf[y + k] = f(ad[oa + k * ka], bd[ob + k * kb]);
      }
    }
  }
  const r = finish(dims, a.dataType, buf, big);
  return half ? floatToHalf(r, half) : r;
}

function binaryOp(f: Bin, sameType = true): OpImpl {
  return (inputs, ctx) => {
    const a = need(inputs, 0, ctx);
    const b = need(inputs, 1, ctx);
    if (sameType && a.dataType !== b.dataType) {
      throw new RuntimeError(`${ctx.label}: inputs have different element types (${a.dataType} and ${b.dataType})`);
    }
    return [binaryCompute(a, b, f, ctx)];
  };
}

function variadic(f: Bin, mean = false): OpImpl {
  return (inputs, ctx) => {
    const present = inputs.filter((t): t is RtTensor => t !== undefined);
    if (present.length === 0) throw new RuntimeError(`${ctx.label}: needs at least one input`);
    let acc = present[0];
    if (present.length === 1) {
      acc = binaryCompute(acc, { dims: [], data: new Float64Array([0]), dataType: DataType.DOUBLE }, (x) => x, ctx);
    }
    for (let i = 1; i < present.length; i++) acc = binaryCompute(acc, present[i], f, ctx, i === present.length - 1 ? 0 : 1);
    if (mean) {
      const k = present.length;
      acc = binaryCompute(acc, { dims: [], data: new Float64Array([k]), dataType: DataType.DOUBLE }, (x, y) => x / y, ctx, 1);
    }
    return [acc];
  };
}

const max: Bin = (x, y) => (x !== x || y !== y ? NaN : x >= y ? x : y);
const min: Bin = (x, y) => (x !== x || y !== y ? NaN : x <= y ? x : y);

export const BINARY: Record<string, OpImpl> = {
  Add: binaryOp((x, y) => x + y),
  Sub: binaryOp((x, y) => x - y),
  Mul: binaryOp((x, y) => x * y),
  Div: binaryOp((x, y) => x / y),
  Pow: binaryOp((x, y) => Math.pow(x, y), false),
  Max: variadic(max),
  Min: variadic(min),
  Sum: variadic((x, y) => x + y),
  Mean: variadic((x, y) => x + y, true),
  PRelu: binaryOp((x, s) => (x < 0 ? s * x : x)),
};

/** Clip: bounds are attributes before opset 11, optional inputs from 11 on. */
export const Clip: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = floatAttr(ctx.node, 'min', -3.4028234663852886e38);
    hi = floatAttr(ctx.node, 'max', 3.4028234663852886e38);
  } else {
    if (inputs[1]) lo = Number(inputs[1].data[0]);
    if (inputs[2]) hi = Number(inputs[2].data[0]);
  }
  const f = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  return unaryOp(() => f)([x], ctx);
};
