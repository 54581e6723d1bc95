// Resize (opsets 10-19) and Upsample (7, 9). Interpolation is separable: each resized axis is one
// pass that reads, for every output index, a few input indices with weights (nearest: one tap;
// linear: 2; cubic: 4; more when antialiasing a downscale). Nearest copies any element type.
import { RuntimeError } from '../errors';
import { DataType, type Node } from '../../onnx/model';
import { type RtData, type RtTensor, ctorOf, floatToHalf, halfToFloat, isHalfType, size, toNumbers } from '../tensor';
import { PAD_MODES } from './pad';
import { type OpContext, type OpImpl, attr, floatAttr, floatsAttr, intAttr, intsAttr, need, normAxis, stringAttr } from './types';

interface Settings {
  mode: 'nearest' | 'linear' | 'cubic';
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  antialias: boolean;
}

/** Per output index of one axis: `count` input indices and weights, and whether it is extrapolated. */
export interface Taps {
  count: number;
  idx: Int32Array;
  w: Float64Array;
  extrap: Uint8Array;
}

const COORDS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

const MODES: Record<string, [string, string[]][]> = {
  Resize: [['mode', ['nearest', 'linear', 'cubic']], ['coordinate_transformation_mode', COORDS], ['nearest_mode', NEAREST]],
  Upsample: [['mode', ['nearest', 'linear', 'bilinear', 'trilinear']]],
  Pad: [['mode', PAD_MODES]],
};

/** A Resize, Upsample or Pad mode the runtime does not know (named before anything runs), or undefined. */
export function modeProblem(node: Node): string | undefined {
  for (const [name, known] of MODES[node.opType] ?? []) {
    const a = attr(node, name);
    if (a && (a.type !== 'string' || !known.includes(a.value))) return `${name} ${a.type === 'string' ? `"${a.value}"` : 'is not a string'}`;
  }
  return undefined;
}

function settings(ctx: Pick<OpContext, 'node' | 'opset' | 'label'>, upsample: boolean): Settings {
  const node = ctx.node;
  let mode = stringAttr(node, 'mode', 'nearest');
  if (mode === 'bilinear' || mode === 'trilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear' && (mode !== 'cubic' || upsample || ctx.opset < 11)) {
    throw new RuntimeError(`${ctx.label}: mode "${mode}" is not supported`);
  }
  // Upsample and Resize-10 use asymmetric coordinates and nearest rounding down (up when shrinking).
  const legacy = upsample || ctx.opset < 11;
  const s: Settings = {
    mode,
    coord: legacy ? 'asymmetric' : stringAttr(node, 'coordinate_transformation_mode', 'half_pixel'),
    nearest: legacy ? 'simple' : stringAttr(node, 'nearest_mode', 'round_prefer_floor'),
    cubicA: floatAttr(node, 'cubic_coeff_a', -0.75),
    excludeOutside: intAttr(node, 'exclude_outside', 0) === 1,
    extrapolation: floatAttr(node, 'extrapolation_value', 0),
    antialias: intAttr(node, 'antialias', 0) === 1,
  };
  if (!COORDS.includes(s.coord) || (s.coord === 'half_pixel_symmetric' && ctx.opset < 19)) {
    throw new RuntimeError(`${ctx.label}: coordinate_transformation_mode "${s.coord}" is not supported`);
  }
  if (!legacy && !NEAREST.includes(s.nearest)) throw new RuntimeError(`${ctx.label}: nearest_mode "${s.nearest}" is not supported`);
  return s;
}

/** Input coordinate of output index x along an axis (ONNX coordinate_transformation_mode). */
function original(x: number, st: Settings, scale: number, inLen: number, outLen: number, roi: [number, number]): number {
  switch (st.coord) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / (scale * inLen);
      const offset = (inLen / 2) * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize':
      return outLen > 1 ? roi[0] * (inLen - 1) + (x * (roi[1] - roi[0]) * (inLen - 1)) / (outLen - 1) : 0.5 * (roi[0] + roi[1]) * (inLen - 1);
    default:
      return x / scale;
  }
}

function nearestIndex(v: number, st: Settings, scale: number): number {
  switch (st.nearest) {
    case 'round_prefer_ceil':
      return Math.round(v);
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    case 'simple':
      return scale < 1 ? Math.ceil(v) : Math.floor(v);
    default:
      return v === Math.floor(v) + 0.5 ? Math.floor(v) : Math.round(v);
  }
}

function cubicWeight(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

function axisTaps(inLen: number, outLen: number, scale: number, roi: [number, number], st: Settings): Taps {
  // Antialiasing stretches the filter by 1/scale when shrinking (linear and cubic only).
  const aa = st.antialias && st.mode !== 'nearest' ? Math.min(scale, 1) : 1;
  const reach = st.mode === 'cubic' ? 2 : 1;
  const start = st.mode === 'nearest' ? 0 : Math.floor(-reach / aa) + 1;
  const count = st.mode === 'nearest' ? 1 : 2 - 2 * start;
  const idx = new Int32Array(outLen * count);
  const w = new Float64Array(outLen * count);
  const extrap = new Uint8Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const v = original(o, st, scale, inLen, outLen, roi);
    if (st.coord === 'tf_crop_and_resize' && (v < 0 || v > inLen - 1)) {
      extrap[o] = 1;
      continue;
    }
    const t0 = o * count;
    if (st.mode === 'nearest') {
      idx[t0] = Math.min(Math.max(nearestIndex(v, st, scale), 0), inLen - 1);
      w[t0] = 1;
      continue;
    }
    const base = Math.floor(v);
    const ratio = v - base;
    let sum = 0;
    for (let t = 0; t < count; t++) {
      const i = base + start + t;
      const arg = (start + t - ratio) * aa;
      let wt = st.mode === 'cubic' ? cubicWeight(arg, st.cubicA) : Math.max(0, 1 - Math.abs(arg));
      if (st.excludeOutside && (i < 0 || i >= inLen)) wt = 0;
      idx[t0 + t] = Math.min(Math.max(i, 0), inLen - 1);
      w[t0 + t] = wt;
      sum += wt;
    }
    if (sum !== 0 && (aa !== 1 || st.excludeOutside)) for (let t = 0; t < count; t++) w[t0 + t] /= sum;
  }
  return { count, idx, w, extrap };
}

/** One pass along `axis` of x (dims) into a new array. */
function pass(src: RtData, dims: number[], axis: number, taps: Taps, outLen: number, st: Settings, dst: RtData): void {
  const outer = size(dims.slice(0, axis));
  const len = dims[axis];
  const inner = size(dims.slice(axis + 1));
  const { count, idx, w, extrap } = taps;
  const s = src as Float32Array;
  const d = dst as Float32Array;
  const big = dst instanceof BigInt64Array || dst instanceof BigUint64Array;
  const fill = big ? BigInt(Math.trunc(st.extrapolation)) : st.extrapolation;
  const nearest = st.mode === 'nearest';
  for (let p = 0; p < outer; p++) {
    const ib = p * len * inner;
    for (let o = 0; o < outLen; o++) {
      const ob = (p * outLen + o) * inner;
      if (extrap[o]) {
        for (let i = 0; i < inner; i++) dst[ob + i] = fill;
      } else if (nearest) {
        const from = ib + idx[o] * inner;
        if (inner >= 64) (dst as Float32Array).set((src as Float32Array).subarray(from, from + inner), ob);
        else for (let i = 0; i < inner; i++) dst[ob + i] = src[from + i];
      } else if (inner === 1) {
        const t0 = o * count;
        let acc = 0;
        for (let t = 0; t < count; t++) acc += w[t0 + t] * s[ib + idx[t0 + t]];
        d[ob] = acc;
      } else {
        // Contiguous rows: the first tap sets, the others accumulate.
        const t0 = o * count;
        const w0 = w[t0];
        const r0 = ib + idx[t0] * inner;
        for (let i = 0; i < inner; i++) d[ob + i] = w0 * s[r0 + i];
        for (let t = 1; t < count; t++) {
          const wt = w[t0 + t];
          if (wt === 0) continue;
          const r = ib + idx[t0 + t] * inner;
          for (let i = 0; i < inner; i++) d[ob + i] += wt * s[r + i];
        }
      }
    }
  }
}

interface Target {
  outDims: number[];
  scales: number[];
  roi: [number, number][];
}

/** Output dims, per-axis scales and roi from the op's inputs or attributes. */
function target(x: Pick<RtTensor, 'dims'>, inputs: (RtTensor | undefined)[], ctx: Pick<OpContext, 'node' | 'opset' | 'label'>, upsample: boolean): Target {
  const r = x.dims.length;
  const legacy = upsample || ctx.opset < 11;
  let scalesIn: number[] | undefined;
  let sizesIn: number[] | undefined;
  let roiIn: number[] | undefined;
  if (legacy) {
    scalesIn = upsample && ctx.opset < 9 ? floatsAttr(ctx.node, 'scales') : inputs[1] && toNumbers(inputs[1]);
  } else {
    roiIn = inputs[1] && inputs[1].data.length > 0 ? toNumbers(inputs[1]) : undefined;
    scalesIn = inputs[2] && inputs[2].data.length > 0 ? toNumbers(inputs[2]) : undefined;
    sizesIn = inputs[3] && inputs[3].data.length > 0 ? toNumbers(inputs[3]) : undefined;
  }
  if (!!scalesIn === !!sizesIn) throw new RuntimeError(`${ctx.label}: exactly one of scales and sizes must be given`);
  const axesAttr = ctx.opset >= 18 ? intsAttr(ctx.node, 'axes') : undefined;
  const axes = axesAttr ? axesAttr.map((a) => normAxis(a, r, ctx)) : [...Array(r).keys()];
  const given = (scalesIn ?? sizesIn)!;
  if (given.length !== axes.length) {
    throw new RuntimeError(`${ctx.label}: ${scalesIn ? 'scales' : 'sizes'} has ${given.length} values for ${axes.length} axes of [${x.dims.join(', ')}]`);
  }
  const scales = new Array<number>(r).fill(1);
  const outDims = [...x.dims];
  if (scalesIn) {
    axes.forEach((a, i) => {
      if (!(scalesIn[i] > 0)) throw new RuntimeError(`${ctx.label}: scale ${scalesIn[i]} is not positive`);
      scales[a] = scalesIn[i];
      outDims[a] = Math.floor(x.dims[a] * scalesIn[i]);
    });
  } else if (sizesIn) {
    const policy = ctx.opset >= 18 ? stringAttr(ctx.node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch';
    const ratios = axes.map((a, i) => sizesIn[i] / x.dims[a]);
    if (policy === 'stretch') {
      axes.forEach((a, i) => {
        outDims[a] = sizesIn[i];
        scales[a] = ratios[i];
      });
    } else if (policy === 'not_larger' || policy === 'not_smaller') {
      const k = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      for (const a of axes) {
        scales[a] = k;
        outDims[a] = Math.round(k * x.dims[a]);
      }
    } else {
      throw new RuntimeError(`${ctx.label}: keep_aspect_ratio_policy "${policy}" is not supported`);
    }
  }
  const roi: [number, number][] = x.dims.map(() => [0, 1]);
  if (roiIn) {
    if (roiIn.length !== 2 * axes.length) throw new RuntimeError(`${ctx.label}: roi has ${roiIn.length} values for ${axes.length} axes`);
    axes.forEach((a, i) => {
      roi[a] = [roiIn[i], roiIn[i + axes.length]];
    });
  }
  return { outDims, scales, roi };
}

/** One separable pass of a resize: along `axis`, `inLen` → `outLen` entries through `taps`. */
export interface ResizePass {
  axis: number;
  inLen: number;
  outLen: number;
  taps: Taps;
}

/**
 * The passes of a float Resize / Upsample of an input of `dims` (the op's other inputs as given,
 * constant scales or sizes), one per resized axis in order: what the graph trainer runs forward and
 * transposes backward. Extrapolated outputs (tf_crop_and_resize outside the roi) are refused.
 */
export function resizePasses(dims: number[], inputs: (RtTensor | undefined)[], ctx: Pick<OpContext, 'node' | 'opset' | 'label'>, upsample: boolean): { outDims: number[]; passes: ResizePass[] } {
  const st = settings(ctx, upsample);
  const { outDims, scales, roi } = target({ dims }, inputs, ctx, upsample);
  const passes = dims.flatMap((len, a) => {
    if (outDims[a] === len && scales[a] === 1 && st.coord !== 'tf_crop_and_resize') return [];
    const taps = axisTaps(len, outDims[a], scales[a], roi[a], st);
    if (taps.extrap.some((e) => e !== 0)) throw new RuntimeError(`${ctx.label}: outputs outside the crop (tf_crop_and_resize) are not supported here`);
    return [{ axis: a, inLen: len, outLen: outDims[a], taps }];
  });
  return { outDims, passes };
}

function resizeOp(upsample: boolean): OpImpl {
  const run = (inputs: (RtTensor | undefined)[], ctx: OpContext, st: Settings): RtTensor[] => {
    const x = need(inputs, 0, ctx);
    const { outDims, scales, roi } = target(x, inputs, ctx, upsample);
    const Ctor = ctorOf(x.dataType);
    const todo = x.dims.map((_, a) => a).filter((a) => outDims[a] !== x.dims[a] || scales[a] !== 1 || st.coord === 'tf_crop_and_resize');
    let cur: RtData = x.data;
    const dims = [...x.dims];
    if (todo.length === 0) {
      const y = ctx.out(0, Ctor, cur.length);
      (y as Float32Array).set(cur as Float32Array);
      return [{ dims, data: y, dataType: x.dataType }];
    }
    for (const [k, a] of todo.entries()) {
      const taps = axisTaps(x.dims[a], outDims[a], scales[a], roi[a], st);
      const next = dims.slice();
      next[a] = outDims[a];
      const n = size(next);
      const dst = k === todo.length - 1 ? ctx.out(0, Ctor, n) : new Ctor(n);
      pass(cur, dims, a, taps, outDims[a], st, dst);
      cur = dst;
      dims[a] = outDims[a];
    }
    return [{ dims, data: cur, dataType: x.dataType }];
  };
  return (inputs, ctx) => {
    const st = settings(ctx, upsample);
    const x = need(inputs, 0, ctx);
    // Half types are computed in float32; nearest copies elements of any other type.
    if (isHalfType(x.dataType)) {
      const [y] = run([halfToFloat(x), ...inputs.slice(1)], ctx, st);
      return [floatToHalf(y, x.dataType)];
    }
    if (st.mode !== 'nearest' && x.dataType !== DataType.FLOAT && x.dataType !== DataType.DOUBLE) {
      throw new RuntimeError(`${ctx.label}: ${st.mode} interpolation needs float data, got element type ${x.dataType}`);
    }
    return run(inputs, ctx, st);
  };
}

export const Resize = resizeOp(false);
export const Upsample = resizeOp(true);
