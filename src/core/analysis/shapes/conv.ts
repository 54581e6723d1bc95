// Shapes of the spatial ops of CNNs: Conv (groups, auto_pad, dilations), ConvTranspose
// (output_padding, output_shape), MaxPool/AveragePool/LpPool (ceil_mode), global pools, Pad,
// Resize and Upsample (constant scales or sizes). A symbolic spatial dim survives where the op
// keeps that axis's size (stride 1 with "same" padding, scale 1); otherwise it becomes unknown.
import { DataType, type Dim, type Node } from '../../onnx/model';
import { type InferFn, type Known, arith, attrFloats, attrInt, attrInts, attrString, norm, num } from './dims';

interface Window {
  k: number[];
  strides: number[];
  dil: number[];
  pads: number[];
  autoPad: string;
}

function windowOf(n: Node, k: number[]): Window {
  const sp = k.length;
  return {
    k,
    strides: attrInts(n, 'strides') ?? new Array<number>(sp).fill(1),
    dil: attrInts(n, 'dilations') ?? new Array<number>(sp).fill(1),
    pads: attrInts(n, 'pads') ?? new Array<number>(2 * sp).fill(0),
    autoPad: attrString(n, 'auto_pad') ?? 'NOTSET',
  };
}

const isSame = (autoPad: string): boolean => autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';

/** Output size of a sliding window (conv, pool) along one axis, or null when not computable. */
export function slidingWindowDim(inp: Dim, k: number, s: number, d: number, pb: number, pe: number, autoPad: string, ceil: boolean): Dim {
  const eff = (k - 1) * d + 1;
  if (!num(inp)) {
    // A symbolic size survives when the window keeps it: stride 1 and padding that adds eff - 1.
    if (inp !== null && s === 1 && (isSame(autoPad) || (autoPad === 'NOTSET' && pb + pe === eff - 1))) return inp;
    return null;
  }
  if (isSame(autoPad)) return Math.ceil(inp / s);
  if (autoPad === 'VALID') return Math.floor((inp - eff) / s) + 1;
  const span = inp + pb + pe - eff;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A last window starting in the end padding is dropped (ceil_mode).
  if (ceil && (out - 1) * s >= inp + pb) out--;
  return out;
}

/**
 * What Conv and ConvTranspose both need: the input and weight shapes (same rank, at least 3), the
 * number of spatial axes and the window (kernel from kernel_shape or the weight); null when unknown.
 */
function convInputs(n: Node, ins: (Known | undefined)[]): { xs: Dim[]; w: Dim[]; sp: number; win: Window } | null {
  const xs = ins[0]?.s;
  const w = ins[1]?.s;
  if (!xs || !w || xs.length < 3 || w.length !== xs.length) return null;
  const k = attrInts(n, 'kernel_shape') ?? w.slice(2);
  if (!k.every(num)) return null;
  return { xs, w, sp: xs.length - 2, win: windowOf(n, k) };
}

const conv: InferFn = (n, ins) => {
  const c = convInputs(n, ins);
  if (!c) return [];
  const { xs, w, sp, win } = c;
  const out = xs.slice(2).map((d, i) => slidingWindowDim(d, win.k[i], win.strides[i], win.dil[i], win.pads[i], win.pads[i + sp], win.autoPad, false));
  return [{ t: ins[0]?.t, s: [xs[0], w[0], ...out] }];
};

const convTranspose: InferFn = (n, ins) => {
  const c = convInputs(n, ins);
  if (!c) return [];
  const { xs, w, sp, win } = c;
  const group = attrInt(n, 'group') ?? 1;
  const m = num(w[1]) ? w[1] * group : null;
  const outShape = attrInts(n, 'output_shape');
  if (outShape) return [{ t: ins[0]?.t, s: [xs[0], m, ...outShape.slice(-sp)] }];
  const outPad = attrInts(n, 'output_padding') ?? new Array<number>(sp).fill(0);
  const out = xs.slice(2).map((d, i): Dim => {
    const s = win.strides[i];
    // stride·(d−1) + output_padding + (k−1)·dilation + 1 − pads: with stride 1, d plus a constant.
    const extra = outPad[i] + (win.k[i] - 1) * win.dil[i] - (win.autoPad === 'NOTSET' ? win.pads[i] + win.pads[i + sp] : 0);
    if (isSame(win.autoPad)) return arith('Mul', d, s);
    if (!num(d)) return s === 1 && extra === 0 ? d : null;
    return s * (d - 1) + extra + 1;
  });
  return [{ t: ins[0]?.t, s: [xs[0], m, ...out] }];
};

const pool: InferFn = (n, ins) => {
  const xs = ins[0]?.s;
  const k = attrInts(n, 'kernel_shape');
  if (!xs || !k || xs.length !== k.length + 2) return [];
  const sp = k.length;
  const win = windowOf(n, k);
  const ceil = (attrInt(n, 'ceil_mode') ?? 0) === 1;
  const s = [xs[0], xs[1], ...xs.slice(2).map((d, i) => slidingWindowDim(d, k[i], win.strides[i], win.dil[i], win.pads[i], win.pads[i + sp], win.autoPad, ceil))];
  return [{ t: ins[0]?.t, s }, { t: DataType.INT64, s }];
};

const globalPool: InferFn = (_n, ins) => {
  const xs = ins[0]?.s;
  return xs && xs.length >= 3 ? [{ t: ins[0]?.t, s: [xs[0], xs[1], ...xs.slice(2).map(() => 1)] }] : [];
};

const pad: InferFn = (n, ins, opset) => {
  const xs = ins[0]?.s;
  const pads = opset >= 11 ? ins[1]?.v : attrInts(n, 'pads') ?? attrInts(n, 'paddings');
  if (!xs) return [];
  // Pads computed at run time (Swin pads to a multiple of its window with Mod of the shape): the
  // rank stays, the padded sizes are unknown.
  if (!pads) return opset >= 11 && ins[1]?.s !== undefined ? [{ t: ins[0]?.t, s: xs.map(() => null) }] : [];
  const r = xs.length;
  let axes = xs.map((_, i) => i);
  if (opset >= 18 && n.inputs[3]) {
    const a = ins[3]?.v;
    if (!a || !a.every(num)) return [];
    const normed = a.map((x) => norm(x, r));
    if (normed.some((x) => x === undefined)) return [];
    axes = normed as number[];
  }
  if (pads.length !== 2 * axes.length) return [];
  const s = [...xs];
  axes.forEach((a, j) => {
    s[a] = arith('Add', arith('Add', xs[a], pads[j]), pads[j + axes.length]);
  });
  return [{ t: ins[0]?.t, s }];
};

/** floor(d · scale) for each axis; a symbolic dim survives a scale of 1. */
function scaled(xs: Dim[], scales: number[]): Dim[] {
  return xs.map((d, i) => (scales[i] === 1 ? d : num(d) ? Math.floor(d * scales[i]) : null));
}

/** Resize (opset 10: scales; 11+: roi, scales, sizes; 18: axes, keep_aspect_ratio_policy) and Upsample. */
const resize: InferFn = (n, ins, opset) => {
  const x: Known | undefined = ins[0];
  const xs = x?.s;
  if (!xs) return [];
  const r = xs.length;
  if (n.opType === 'Upsample') {
    const scales = opset >= 9 ? ins[1]?.f : attrFloats(n, 'scales');
    return scales && scales.length === r ? [{ t: x.t, s: scaled(xs, scales) }] : [];
  }
  if (attrString(n, 'coordinate_transformation_mode') === 'tf_crop_and_resize') return [];
  const axes = (attrInts(n, 'axes') ?? xs.map((_, i) => i)).map((a) => norm(a, r));
  if (axes.some((a) => a === undefined)) return [];
  const scalesIn = opset >= 11 ? ins[2] : ins[1];
  const scales = scalesIn?.f;
  if (scales && scales.length > 0) {
    if (scales.length !== axes.length) return [];
    const all = xs.map(() => 1);
    axes.forEach((a, j) => (all[a!] = scales[j]));
    return [{ t: x.t, s: scaled(xs, all) }];
  }
  const sizes = opset >= 11 ? ins[3]?.v : undefined;
  if (!sizes || sizes.length !== axes.length) return [];
  const s = [...xs];
  const policy = attrString(n, 'keep_aspect_ratio_policy') ?? 'stretch';
  if (policy === 'stretch') {
    axes.forEach((a, j) => (s[a!] = sizes[j]));
    return [{ t: x.t, s }];
  }
  // not_larger / not_smaller: one scale for all axes, out = round(d · scale).
  if (!sizes.every(num) || !axes.every((a) => num(xs[a!]))) return [];
  const ratios = axes.map((a, j) => (sizes[j] as number) / (xs[a!] as number));
  const k = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  axes.forEach((a) => (s[a!] = Math.round((xs[a!] as number) * k)));
  return [{ t: x.t, s }];
};

export const CONV: Record<string, InferFn> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Pad: pad,
  Resize: resize,
  Upsample: resize,
};
