// Pooling: MaxPool (with Indices), AveragePool, LpPool and their Global forms, over 1 to 3
// spatial dims. Windows are listed per output position and per spatial axis once, then each
// (batch × channel) plane is reduced with plain loops.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, floatToHalf, halfToFloat, isBigType, isHalfType, size } from '../tensor';
import { floatOnly } from './nn';
import { type OpContext, type OpImpl, floatAttr, intAttr, intsAttr, need, stringAttr } from './types';

/** Where the windows of one spatial axis sit: per output index, the valid input indices and the padded window size. */
interface AxisWindows {
  inLen: number;
  outLen: number;
  /** taps[o] = input indices (inside the input) read by output o. */
  taps: Int32Array[];
  /** Positions of window o inside the padded input (count_include_pad's divisor). */
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
  const taps: Int32Array[] = [];
  const padded = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const list: number[] = [];
    let inPad = 0;
    for (let j = 0; j < k; j++) {
      const i = o * s - pb + j * d;
      if (i >= 0 && i < inLen) list.push(i);
      if (i >= -pb && i < inLen + pe) inPad++;
    }
    taps.push(Int32Array.from(list));
    padded[o] = inPad;
  }
  return { inLen, outLen, taps, padded };
}

type Reduce = 'max' | 'avg' | 'lp';

interface PoolPlan {
  /** Three axes (leading ones of length 1 when the input has fewer spatial dims). */
  axes: AxisWindows[];
  outSpatial: number[];
}

function one(): AxisWindows {
  return { inLen: 1, outLen: 1, taps: [Int32Array.of(0)], padded: Int32Array.of(1) };
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
  return { axes, outSpatial: real.map((a) => a.outLen) };
}

/** Reduces every (batch × channel) plane; `idx` (MaxPool's Indices) receives flat input positions. */
function poolPlanes(
  src: ArrayLike<number>, y: { [i: number]: number }, planes: number, plan: PoolPlan, how: Reduce, opts: { countPad: boolean; p: number; idx?: BigInt64Array; colMajor: boolean },
): void {
  const [A, B, C] = plan.axes;
  const inPlane = A.inLen * B.inLen * C.inLen;
  const outPlane = A.outLen * B.outLen * C.outLen;
  const { countPad, p, idx, colMajor } = opts;
  for (let pl = 0; pl < planes; pl++) {
    const ib = pl * inPlane;
    let o = pl * outPlane;
    for (let oa = 0; oa < A.outLen; oa++) {
      const ta = A.taps[oa];
      for (let ob = 0; ob < B.outLen; ob++) {
        const tb = B.taps[ob];
        for (let oc = 0; oc < C.outLen; oc++, o++) {
          const tc = C.taps[oc];
          let acc = how === 'max' ? -Infinity : 0;
          let arg = -1;
          for (let a = 0; a < ta.length; a++) {
            const ra = ib + ta[a] * B.inLen * C.inLen;
            for (let b = 0; b < tb.length; b++) {
              const rb = ra + tb[b] * C.inLen;
              if (how === 'max') {
                for (let c = 0; c < tc.length; c++) {
                  const v = src[rb + tc[c]];
                  if (v > acc || arg < 0) {
                    acc = v;
                    arg = rb + tc[c];
                  }
                }
              } else if (how === 'avg') {
                for (let c = 0; c < tc.length; c++) acc += src[rb + tc[c]];
              } else {
                for (let c = 0; c < tc.length; c++) acc += Math.abs(src[rb + tc[c]]) ** p;
              }
            }
          }
          if (how === 'avg') {
            const n = countPad ? A.padded[oa] * B.padded[ob] * C.padded[oc] : ta.length * tb.length * tc.length;
            y[o] = n > 0 ? acc / n : 0;
          } else if (how === 'lp') {
            y[o] = acc ** (1 / p);
          } else {
            y[o] = arg < 0 ? 0 : acc;
            if (idx) {
              let flat = arg;
              if (colMajor && arg >= 0) {
                const r = arg - ib;
                const ia = Math.floor(r / (B.inLen * C.inLen));
                const ibb = Math.floor(r / C.inLen) % B.inLen;
                const ic = r % C.inLen;
                // Column-major within the plane: the first spatial index varies fastest.
                flat = ib + ia + ibb * A.inLen + ic * A.inLen * B.inLen;
              }
              idx[o] = BigInt(flat);
            }
          }
        }
      }
    }
  }
}

function pool(how: Reduce, global: boolean): OpImpl {
  const body = (inputs: (RtTensor | undefined)[], ctx: OpContext): RtTensor[] => {
    const x = need(inputs, 0, ctx);
    const plan = poolPlan(x, ctx, global);
    const planes = x.dims[0] * x.dims[1];
    const dims = [x.dims[0], x.dims[1], ...plan.outSpatial];
    const n = size(dims);
    const y = ctx.out(0, ctorOf(x.dataType), n);
    const countPad = intAttr(ctx.node, 'count_include_pad', 0) === 1;
    const p = how === 'lp' ? floatAttr(ctx.node, 'p', 2) : 2;
    const wantIdx = how === 'max' && ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
    const idx = wantIdx ? (ctx.out(1, BigInt64Array, n) as BigInt64Array) : undefined;
    const colMajor = intAttr(ctx.node, 'storage_order', 0) === 1;
    poolPlanes(x.data as ArrayLike<number>, y as unknown as { [i: number]: number }, planes, plan, how, { countPad, p, idx, colMajor });
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
export const GlobalAveragePool = pool('avg', true);
export const GlobalLpPool = pool('lp', true);

export const POOL: Readonly<Record<string, OpImpl>> = {
  MaxPool, AveragePool, LpPool, GlobalMaxPool, GlobalAveragePool, GlobalLpPool,
};
