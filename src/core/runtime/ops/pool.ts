// Pooling: MaxPool (with Indices), AveragePool, LpPool and their Global forms, over 1 to 3
// spatial dims. Windows are listed per output position and per spatial axis once, then each
// (batch × channel) plane is reduced with plain loops.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, floatToHalf, halfToFloat, isBigType, isHalfType, size } from '../tensor';
import { type Pool2d, avgPool2d, maxPool2d, pool2dFits } from '../kernels/pool-2d';
import { floatOnly } from './nn';
import { type OpContext, type OpImpl, floatAttr, intAttr, intsAttr, need, stringAttr } from './types';

/**
 * Where the windows of one spatial axis sit: output o reads the `count[o]` input indices
 * first[o], first[o] + d, … (those inside the input); `padded[o]` also counts padding positions.
 */
interface AxisWindows {
  inLen: number;
  outLen: number;
  d: number;
  /** Kernel length, stride and begin pad. */
  k: number;
  s: number;
  pb: number;
  first: Int32Array;
  count: Int32Array;
  padded: Int32Array;
}

export interface WindowSpec {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, as in ONNX. */
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

/** Kernel, strides, dilations, pads, auto_pad and ceil_mode of a windowed node, checked against the input's spatial rank. */
export function windowSpec(ctx: OpContext, spatial: number, kernel: number[]): WindowSpec {
  const node = ctx.node;
  const strides = intsAttr(node, 'strides') ?? kernel.map(() => 1);
  const dilations = intsAttr(node, 'dilations') ?? kernel.map(() => 1);
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (kernel.length !== spatial || strides.length !== spatial || dilations.length !== spatial || pads.length !== 2 * spatial) {
    throw new RuntimeError(`${ctx.label}: kernel_shape, strides, dilations or pads do not match the ${spatial} spatial dims of the input`);
  }
  if (kernel.some((k) => k < 1) || strides.some((s) => s < 1) || dilations.some((d) => d < 1) || pads.some((p) => p < 0)) {
    throw new RuntimeError(`${ctx.label}: kernel_shape, strides and dilations must be positive and pads non-negative`);
  }
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad)) {
    throw new RuntimeError(`${ctx.label}: auto_pad "${autoPad}" is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  }
  return { kernel, strides, dilations, pads, autoPad, ceil: intAttr(node, 'ceil_mode', 0) === 1 };
}

/** Output length and begin/end pads of one axis (ONNX sliding-window rules, ceil_mode included). */
export function axisGeometry(inLen: number, k: number, s: number, d: number, pb: number, pe: number, autoPad: string, ceil: boolean): [number, number, number] {
  const ek = (k - 1) * d + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const out = Math.ceil(inLen / s);
    const total = Math.max(0, (out - 1) * s + ek - inLen);
    const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    return [out, begin, total - begin];
  }
  if (autoPad === 'VALID') return [Math.max(0, Math.floor((inLen - ek) / s) + 1), 0, 0];
  const span = inLen + pb + pe - ek;
  if (span < 0) return [0, pb, pe];
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A last window starting inside the end padding is dropped.
  if (ceil && (out - 1) * s >= inLen + pb) out--;
  return [out, pb, pe];
}

function axisWindows(inLen: number, outLen: number, k: number, s: number, d: number, pb: number, pe: number): AxisWindows {
  const first = new Int32Array(outLen);
  const count = new Int32Array(outLen);
  const padded = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    let n = 0;
    let inPad = 0;
    for (let j = 0; j < k; j++) {
      const i = o * s - pb + j * d;
      if (i >= 0 && i < inLen && n++ === 0) first[o] = i;
      if (i >= -pb && i < inLen + pe) inPad++;
    }
    count[o] = n;
    padded[o] = inPad;
  }
  return { inLen, outLen, d, k, s, pb, first, count, padded };
}

type Reduce = 'max' | 'avg' | 'lp';

interface PoolPlan {
  /** Three axes (leading ones of length 1 when the input has fewer spatial dims). */
  axes: AxisWindows[];
  outSpatial: number[];
  /** Set for 2-D windows without dilation where every window holds an input element (the fast kernels). */
  g2?: Pool2d;
}

function one(): AxisWindows {
  return { inLen: 1, outLen: 1, d: 1, k: 1, s: 1, pb: 0, first: Int32Array.of(0), count: Int32Array.of(1), padded: Int32Array.of(1) };
}

/** The last plan of each node, reused while the input dims stay the same. */
const plans = new WeakMap<object, { key: string; plan: PoolPlan }>();

function cachedPlan(x: RtTensor, ctx: OpContext, global: boolean): PoolPlan {
  const key = x.dims.join(',');
  const hit = plans.get(ctx.node);
  if (hit && hit.key === key) return hit.plan;
  const plan = poolPlan(x, ctx, global);
  plans.set(ctx.node, { key, plan });
  return plan;
}

function poolPlan(x: RtTensor, ctx: OpContext, global: boolean): PoolPlan {
  const spatial = x.dims.length - 2;
  if (spatial < 1 || spatial > 3) {
    throw new RuntimeError(`${ctx.label}: input of rank ${x.dims.length} is not supported (1 to 3 spatial dims after N and C)`);
  }
  const inSp = x.dims.slice(2);
  let real: AxisWindows[];
  if (global) {
    real = inSp.map((n) => axisWindows(n, 1, n, 1, 1, 0, 0));
  } else {
    const kernel = intsAttr(ctx.node, 'kernel_shape');
    if (!kernel) throw new RuntimeError(`${ctx.label}: kernel_shape is missing`);
    const w = windowSpec(ctx, spatial, kernel);
    real = inSp.map((n, i) => {
      const [out, pb, pe] = axisGeometry(n, w.kernel[i], w.strides[i], w.dilations[i], w.pads[i], w.pads[i + spatial], w.autoPad, w.ceil);
      return axisWindows(n, out, w.kernel[i], w.strides[i], w.dilations[i], pb, pe);
    });
  }
  const axes = [...new Array<AxisWindows>(3 - spatial).fill(one()), ...real];
  const plan: PoolPlan = { axes, outSpatial: real.map((a) => a.outLen) };
  if (spatial === 2) {
    const [B, C] = real;
    const g: Pool2d = { kh: B.k, kw: C.k, sy: B.s, sx: C.s, pt: B.pb, pl: C.pb, OH: B.outLen, OW: C.outLen };
    if (B.d === 1 && C.d === 1 && pool2dFits(B.inLen, C.inLen, g)) plan.g2 = g;
  }
  return plan;
}

type Out = Float32Array | Float64Array | Uint8Array | Int8Array;

/** Max of every window of every (batch × channel) plane; `idx` (MaxPool's Indices) gets flat input positions. */
function maxPlanes(src: Out, y: Out, planes: number, plan: PoolPlan, idx: BigInt64Array | undefined, colMajor: boolean): void {
  const [A, B, C] = plan.axes;
  const BC = B.inLen * C.inLen;
  const inPlane = A.inLen * BC;
  const [dA, dB, dC, inC] = [A.d * BC, B.d * C.inLen, C.d, C.inLen];
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const ib = pl * inPlane;
    for (let oa = 0; oa < A.outLen; oa++) {
      const fa = ib + A.first[oa] * BC;
      const na = A.count[oa];
      for (let ob = 0; ob < B.outLen; ob++) {
        const fb = B.first[ob] * inC;
        const nb = B.count[ob];
        for (let oc = 0; oc < C.outLen; oc++, o++) {
          const fc = C.first[oc];
          const nc = C.count[oc];
          let m = -Infinity;
          let arg = -1;
          for (let a = 0; a < na; a++) {
            const ra = fa + a * dA + fb + fc;
            for (let b = 0; b < nb; b++) {
              const rb = ra + b * dB;
              for (let c = 0; c < nc; c++) {
                const v = src[rb + c * dC];
                if (v > m || arg < 0) {
                  m = v;
                  arg = rb + c * dC;
                }
              }
            }
          }
          y[o] = arg < 0 ? 0 : m;
          if (idx) {
            let flat = arg;
            if (colMajor && arg >= 0) {
              // Column-major within the plane: the first spatial index varies fastest.
              const r = arg - ib;
              flat = ib + Math.floor(r / BC) + (Math.floor(r / C.inLen) % B.inLen) * A.inLen + (r % C.inLen) * A.inLen * B.inLen;
            }
            idx[o] = BigInt(flat);
          }
        }
      }
    }
  }
}

/**
 * One axis of a separable pool: src is [outer, ax.inLen, inner], dst [outer, ax.outLen, inner];
 * each output is the max or the sum (divided by `div[o]` when given) of its window along the axis.
 */
function poolAxis(src: Out, dst: Out, outer: number, ax: AxisWindows, inner: number, max: boolean, div: Int32Array | undefined): void {
  const { inLen, outLen, first, count } = ax;
  const step = ax.d * inner;
  for (let p = 0; p < outer; p++) {
    const ib = p * inLen * inner;
    for (let o = 0; o < outLen; o++) {
      const ob = (p * outLen + o) * inner;
      const n = count[o];
      const f = ib + first[o] * inner;
      const q = div ? div[o] : 1;
      if (n === 0) {
        dst.fill(0, ob, ob + inner);
      } else if (inner === 1) {
        let acc = src[f];
        if (max) {
          for (let k = 1; k < n; k++) {
            const v = src[f + k * step];
            if (v > acc) acc = v;
          }
        } else {
          for (let k = 1; k < n; k++) acc += src[f + k * step];
        }
        dst[ob] = q === 1 ? acc : acc / q;
      } else {
        for (let i = 0; i < inner; i++) dst[ob + i] = src[f + i];
        for (let k = 1; k < n; k++) {
          const r = f + k * step;
          if (max) {
            for (let i = 0; i < inner; i++) {
              const v = src[r + i];
              if (v > dst[ob + i]) dst[ob + i] = v;
            }
          } else {
            for (let i = 0; i < inner; i++) dst[ob + i] += src[r + i];
          }
        }
        if (q !== 1) for (let i = 0; i < inner; i++) dst[ob + i] /= q;
      }
    }
  }
}

/**
 * Max, mean or p-norm pooling as one pass per spatial axis (windows are boxes, so the reduction
 * separates; the mean's divisor is the product of the per-axis window sizes).
 */
function separablePool(x: Out, y: Out, planes: number, plan: PoolPlan, how: Reduce, countPad: boolean, p: number): void {
  const Ctor = x.constructor as new (n: number) => Out;
  let src = x;
  if (how === 'lp') {
    src = new Ctor(x.length);
    for (let i = 0; i < x.length; i++) src[i] = Math.abs(x[i]) ** p;
  }
  const [A, B, C] = plan.axes;
  // Passes in the order last axis, middle, first; identity axes (length 1, window 1) are skipped.
  const passes = [
    { ax: C, outer: planes * A.inLen * B.inLen, inner: 1 },
    { ax: B, outer: planes * A.inLen, inner: C.outLen },
    { ax: A, outer: planes, inner: B.outLen * C.outLen },
  ].filter((t) => !(t.ax.inLen === 1 && t.ax.outLen === 1 && t.ax.count[0] === 1 && t.ax.padded[0] === 1));
  if (passes.length === 0) y.set(src as Float32Array);
  for (const [k, t] of passes.entries()) {
    const div = how === 'avg' ? (countPad ? t.ax.padded : t.ax.count) : undefined;
    const dst = k === passes.length - 1 ? y : new Ctor(t.outer * t.ax.outLen * t.inner);
    poolAxis(src, dst, t.outer, t.ax, t.inner, how === 'max', div);
    src = dst;
  }
  if (how === 'lp') for (let i = 0; i < y.length; i++) y[i] = y[i] ** (1 / p);
}

function pool(how: Reduce, global: boolean): OpImpl {
  const body = (inputs: (RtTensor | undefined)[], ctx: OpContext): RtTensor[] => {
    const x = need(inputs, 0, ctx);
    const plan = cachedPlan(x, ctx, global);
    const planes = x.dims[0] * x.dims[1];
    const dims = [x.dims[0], x.dims[1], ...plan.outSpatial];
    const n = size(dims);
    const y = ctx.out(0, ctorOf(x.dataType), n);
    const countPad = intAttr(ctx.node, 'count_include_pad', 0) === 1;
    const p = how === 'lp' ? floatAttr(ctx.node, 'p', 2) : 2;
    const wantIdx = how === 'max' && ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
    const idx = wantIdx ? (ctx.out(1, BigInt64Array, n) as BigInt64Array) : undefined;
    const colMajor = intAttr(ctx.node, 'storage_order', 0) === 1;
    const g2 = plan.g2;
    if (idx) maxPlanes(x.data as Out, y as Out, planes, plan, idx, colMajor);
    else if (g2 && how === 'max' && x.data instanceof Float32Array) maxPool2d(x.data, 0, y as Float32Array, 0, planes, x.dims[2], x.dims[3], g2);
    else if (g2 && how === 'avg' && x.data instanceof Float32Array) {
      const [, B, C] = plan.axes;
      avgPool2d(x.data, 0, y as Float32Array, 0, planes, x.dims[2], x.dims[3], g2, countPad ? B.padded : B.count, countPad ? C.padded : C.count);
    } else separablePool(x.data as Out, y as Out, planes, plan, how, countPad, p);
    const out: RtTensor[] = [{ dims, data: y, dataType: x.dataType }];
    if (idx) out.push({ dims, data: idx, dataType: DataType.INT64 });
    return out;
  };
  if (how !== 'max') return floatOnly(body);
  // MaxPool also takes 8-bit integers (opset 12); half types are computed in float32.
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    if (isBigType(x.dataType) || x.dataType === DataType.BOOL) {
      throw new RuntimeError(`${ctx.label}: element type ${x.dataType} is not supported`);
    }
    if (isHalfType(x.dataType)) {
      const r = body([halfToFloat(x)], ctx);
      return [floatToHalf(r[0], x.dataType), r[1]];
    }
    return body(inputs, ctx);
  };
}

export const MaxPool = pool('max', false);
export const AveragePool = pool('avg', false);
export const LpPool = pool('lp', false);
export const GlobalMaxPool = pool('max', true);
const globalAverage = pool('avg', true);

/**
 * GlobalAveragePool: float32/float64 inputs of rank ≥ 3 are averaged plane by plane straight into the
 * reusable output buffer (no plan, no window tables); other types take the general path.
 */
export const GlobalAveragePool: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const d = x.dims;
  if ((x.dataType !== DataType.FLOAT && x.dataType !== DataType.DOUBLE) || d.length < 3 || d.length > 5 || x.data.length === 0) return globalAverage(inputs, ctx);
  const planes = d[0] * d[1];
  const len = x.data.length / planes;
  const src = x.data as Float32Array | Float64Array;
  const y = ctx.out(0, x.dataType === DataType.FLOAT ? Float32Array : Float64Array, planes) as Float32Array | Float64Array;
  const len4 = len & ~3;
  for (let c = 0; c < planes; c++) {
    // Four partial sums (independent additions run side by side).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const o = c * len;
    let i = 0;
    for (; i < len4; i += 4) {
      s0 += src[o + i];
      s1 += src[o + i + 1];
      s2 += src[o + i + 2];
      s3 += src[o + i + 3];
    }
    for (; i < len; i++) s0 += src[o + i];
    y[c] = (s0 + s1 + s2 + s3) / len;
  }
  const dims = [d[0], d[1]];
  for (let i = 2; i < d.length; i++) dims.push(1);
  return [{ dims, data: y, dataType: x.dataType }];
};
export const GlobalLpPool = pool('lp', true);

export const POOL: Readonly<Record<string, OpImpl>> = {
  MaxPool, AveragePool, LpPool, GlobalMaxPool, GlobalAveragePool, GlobalLpPool,
};
