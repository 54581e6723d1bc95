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
import { type OpContext, type OpImpl, floatAttr, intAttr, need } from './types';

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

/** Coefficients of erf's Taylor series in x²: (−1)ⁿ / (n! (2n + 1)), times 2/√π. */
const ERF_C = ((): Float64Array => {
  const c = new Float64Array(90);
  let f = 1;
  for (let n = 0; n < c.length; n++) {
    if (n > 0) f *= -1 / n;
    c[n] = (2 / Math.sqrt(Math.PI)) * (f / (2 * n + 1));
  }
  return c;
})();

/** erf by its Taylor series by Horner's rule, as many terms as |x| needs for float64 accuracy (|x| < 4; beyond, ±1). */
export function erfSeries(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 4) return x > 0 ? 1 : -1;
  const terms = ax < 0.5 ? 14 : ax < 1.5 ? 28 : ax < 3 ? 55 : 90;
  const x2 = x * x;
  let p = ERF_C[terms - 1];
  for (let n = terms - 2; n >= 0; n--) p = p * x2 + ERF_C[n];
  return x * p;
}

/**
 * erf for float32 results: the series below |x| = 0.5 (8 terms, full relative accuracy near 0),
 * above it Abramowitz & Stegun 7.1.26, 1 − (a₁t + … + a₅t⁵)·e^(−x²) with t = 1/(1 + 0.3275911|x|),
 * absolute error ≤ 1.5e-7 (a few float32 ulps where erf ≥ 0.52): one exp instead of up to 90 terms
 * (a transformer's GELU runs it on every MLP activation).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    // Eight terms: the ninth is below 3e-11 of the sum there.
    const x2 = x * x;
    let p = ERF_C[7];
    for (let n = 6; n >= 0; n--) p = p * x2 + ERF_C[n];
    return x * p;
  }
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return x > 0 ? y : -y;
}

// Erf and Tanh (a transformer's GELU) on float32 with loops of their own: unaryOp's shared loop
// calls a different function per op and inlines none. Other types take unaryOp.
const erfOp = unaryOp(() => erf);
const tanhOp = unaryOp(() => Math.tanh);

const Erf: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  if (!(x.data instanceof Float32Array)) return erfOp(inputs, ctx);
  const src = x.data;
  const y = ctx.out(0, Float32Array, src.length) as Float32Array;
  for (let i = 0; i < src.length; i++) y[i] = erf(src[i]);
  return [{ dims: x.dims, data: y, dataType: x.dataType }];
};

const Tanh: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  if (!(x.data instanceof Float32Array)) return tanhOp(inputs, ctx);
  const src = x.data;
  const y = ctx.out(0, Float32Array, src.length) as Float32Array;
  for (let i = 0; i < src.length; i++) y[i] = Math.tanh(src[i]);
  return [{ dims: x.dims, data: y, dataType: x.dataType }];
};

export const UNARY: Record<string, OpImpl> = {
  Relu: unaryOp(() => (v) => (v > 0 ? v : 0)),
  LeakyRelu: unaryOp((_, ctx) => {
    const a = floatAttr(ctx.node, 'alpha', 0.01);
    return (v) => (v >= 0 ? v : a * v);
  }),
  Sigmoid: unaryOp(() => (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)))),
  Tanh,
  Sin: unaryOp(() => Math.sin),
  Cos: unaryOp(() => Math.cos),
  Exp: unaryOp(() => Math.exp),
  Log: unaryOp(() => Math.log),
  Sqrt: unaryOp(() => Math.sqrt),
  Neg: unaryOp(() => (v) => -v),
  Abs: unaryOp(() => Math.abs),
  Erf,
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

/** The four arithmetic ops get their own loops (a shared loop calling `f` cannot inline it). */
type Arith = '+' | '-' | '*' | '/';

/** buf[y + k] = a[oa + k·ka] (op) b[ob + k·kb] for k < len. */
function arithRun(op: Arith, ad: NumData, oa: number, ka: number, bd: NumData, ob: number, kb: number, buf: NumData, y: number, len: number): void {
  switch (op) {
    case '+':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] + bd[ob + k * kb];
      break;
    case '-':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] - bd[ob + k * kb];
      break;
    case '*':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] * bd[ob + k * kb];
      break;
    default:
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] / bd[ob + k * kb];
  }
}

/** arithRun on float32 only: a loop whose element accesses see one array type (arithRun sees all). */
function arithRun32(op: Arith, ad: Float32Array, oa: number, ka: number, bd: Float32Array, ob: number, kb: number, buf: Float32Array, y: number, len: number): void {
  switch (op) {
    case '+':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] + bd[ob + k * kb];
      break;
    case '-':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] - bd[ob + k * kb];
      break;
    case '*':
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] * bd[ob + k * kb];
      break;
    default:
      for (let k = 0; k < len; k++) buf[y + k] = ad[oa + k * ka] / bd[ob + k * kb];
  }
}

/** out = f(a, b) with broadcasting; output type is a's type. `op` names f when it is one of + − × ÷. */
export function binaryCompute(a0: RtTensor, b0: RtTensor, f: Bin, ctx: OpContext, slot = 0, op?: Arith): RtTensor {
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
  const { runs, len, starts, steps } = broadcastRuns([a.dims, b.dims], dims);
  const [sa, sb] = starts;
  const [ka, kb] = steps;
  // Integer types keep the closure (its rounding); floats with a named op take its loop.
  const fast = op !== undefined && !big && (buf instanceof Float32Array || buf instanceof Float64Array);
  if (fast && buf instanceof Float32Array && ad instanceof Float32Array && bd instanceof Float32Array) {
    for (let o = 0, y = 0; o < runs; o++, y += len) arithRun32(op, ad, sa[o], ka, bd, sb[o], kb, buf, y, len);
  } else {
    for (let o = 0, y = 0; o < runs; o++, y += len) {
      const oa = sa[o];
      const ob = sb[o];
      if (fast) arithRun(op, ad, oa, ka, bd, ob, kb, buf, y, len);
      else for (let k = 0; k < len; k++) buf[y + k] = f(ad[oa + k * ka], bd[ob + k * kb]);
    }
  }
  const r = finish(dims, a.dataType, buf, big);
  return half ? floatToHalf(r, half) : r;
}

function binaryOp(f: Bin, sameType = true, op?: Arith): OpImpl {
  return (inputs, ctx) => {
    const a = need(inputs, 0, ctx);
    const b = need(inputs, 1, ctx);
    if (sameType && a.dataType !== b.dataType) {
      throw new RuntimeError(`${ctx.label}: inputs have different element types (${a.dataType} and ${b.dataType})`);
    }
    return [binaryCompute(a, b, f, ctx, 0, op)];
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

const pow = binaryOp((x, y) => Math.pow(x, y), false);

/** Pow; a float base to a scalar 2 or 3 (decomposed LayerNorm, tanh GELU) by multiplication. */
const Pow: OpImpl = (inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  const b = need(inputs, 1, ctx);
  const e = b.data.length === 1 ? Number(b.data[0]) : NaN;
  if ((a.data instanceof Float32Array || a.data instanceof Float64Array) && !isHalfType(a.dataType) && (e === 2 || e === 3) && b.dims.length <= a.dims.length) {
    const x = a.data;
    const y = ctx.out(0, ctorOf(a.dataType), x.length) as Float32Array | Float64Array;
    if (e === 2) for (let i = 0; i < x.length; i++) y[i] = x[i] * x[i];
    else for (let i = 0; i < x.length; i++) y[i] = x[i] * x[i] * x[i];
    return [{ dims: a.dims, data: y, dataType: a.dataType }];
  }
  return pow(inputs, ctx);
};

/**
 * Mod: fmod 1 the C fmod (the sign of the dividend: JavaScript's %), required for floats; fmod 0
 * (the default, integers) the remainder with the sign of the divisor, as Python's %. A zero
 * divisor gives 0 for integers (the remainder is undefined; the typed array takes 0 for NaN).
 */
const Mod: OpImpl = (inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  const b = need(inputs, 1, ctx);
  if (a.dataType !== b.dataType) throw new RuntimeError(`${ctx.label}: inputs have different element types (${a.dataType} and ${b.dataType})`);
  const fmod = intAttr(ctx.node, 'fmod', 0) === 1;
  const f: Bin = fmod
    ? (x, y) => x % y
    : (x, y) => {
        const r = x % y;
        return r !== 0 && r < 0 !== y < 0 ? r + y : r;
      };
  return [binaryCompute(a, b, f, ctx)];
};

export const BINARY: Record<string, OpImpl> = {
  Add: binaryOp((x, y) => x + y, true, '+'),
  Sub: binaryOp((x, y) => x - y, true, '-'),
  Mul: binaryOp((x, y) => x * y, true, '*'),
  Div: binaryOp((x, y) => x / y, true, '/'),
  Pow,
  Max: variadic(max),
  Min: variadic(min),
  Sum: variadic((x, y) => x + y),
  Mean: variadic((x, y) => x + y, true),
  PRelu: binaryOp((x, s) => (x < 0 ? s * x : x)),
  Mod,
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
