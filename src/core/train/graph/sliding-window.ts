// Geometry of a sliding window (Conv, MaxPool, AveragePool) over 1-D or 2-D spatial dims, with
// ONNX's pads / strides / dilations / auto_pad / ceil_mode. 1-D is handled as 2-D with height 1.
import type { Node } from '../../onnx/model';
import type { WindowSpec } from '../../runtime/ops/pool';
import { attrInt, attrInts, attrString, GraphTrainError } from './value';

export interface SlidingWindow {
  H: number;
  W: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Padding at the top and left (the output grid starts at −pt, −pl). */
  pt: number;
  pl: number;
  /** Padding at the bottom and right. */
  pb: number;
  pr: number;
  OH: number;
  OW: number;
}

/** The window attributes of a node; `kernel` from kernel_shape, else `fallback` (Conv: the weight's dims). */
export function windowSpec(node: Node, label: string, fallback?: number[]): WindowSpec {
  const kernel = attrInts(node, 'kernel_shape') ?? fallback;
  if (kernel === undefined) throw new GraphTrainError(`${label} has no kernel_shape`);
  const r = kernel.length;
  if (r < 1 || r > 2) throw new GraphTrainError(`${label} has a ${r}-D window; fine-tuning handles 1-D and 2-D windows`);
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const dilations = attrInts(node, 'dilations') ?? kernel.map(() => 1);
  const pads = attrInts(node, 'pads') ?? kernel.map(() => 0).concat(kernel.map(() => 0));
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw new GraphTrainError(`${label} has auto_pad "${autoPad}"`);
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r) throw new GraphTrainError(`${label}: strides, dilations or pads do not match its ${r}-D kernel`);
  if ([...kernel, ...strides, ...dilations].some((v) => v < 1) || pads.some((p) => p < 0)) throw new GraphTrainError(`${label} has a non-positive kernel, stride or dilation, or a negative pad`);
  return { kernel, strides, dilations, pads, autoPad, ceil: attrInt(node, 'ceil_mode', 0) !== 0 };
}

function axis(size: number, k: number, s: number, d: number, pb: number, pe: number, mode: string, ceil: boolean): [number, number, number] {
  const span = (k - 1) * d + 1;
  if (mode === 'VALID') return [0, 0, Math.floor((size - span) / s) + 1];
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + span - size);
    const begin = mode === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    return [begin, total - begin, out];
  }
  const room = size + pb + pe - span;
  let out = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  // A window must start inside the input or the leading padding (as onnxruntime and PyTorch).
  if (ceil && (out - 1) * s >= size + pb) out--;
  return [pb, pe, out];
}

/** The window over an input whose spatial dims are `spatial` ([H, W] or [L]). */
export function windowOver(spec: WindowSpec, spatial: number[], label: string): SlidingWindow {
  const two = spec.kernel.length === 2;
  if (spatial.length !== spec.kernel.length) throw new GraphTrainError(`${label}: a ${spec.kernel.length}-D window over an input of ${spatial.length} spatial dims`);
  const [H, W] = two ? spatial : [1, spatial[0]];
  const [kh, kw] = two ? spec.kernel : [1, spec.kernel[0]];
  const [sh, sw] = two ? spec.strides : [1, spec.strides[0]];
  const [dh, dw] = two ? spec.dilations : [1, spec.dilations[0]];
  const [ph0, pw0, ph1, pw1] = two ? spec.pads : [0, spec.pads[0], 0, spec.pads[1]];
  const [pt, pb, OH] = axis(H, kh, sh, dh, ph0, ph1, spec.autoPad, spec.ceil);
  const [pl, pr, OW] = axis(W, kw, sw, dw, pw0, pw1, spec.autoPad, spec.ceil);
  if (OH < 1 || OW < 1) throw new GraphTrainError(`${label}: the window does not fit the input of spatial size [${spatial.join(', ')}]`);
  return { H, W, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW };
}

/** Output dims [N, C, OH, OW] (or [N, C, OW] for 1-D). */
export function windowDims(n: number, c: number, w: SlidingWindow, rank: number): number[] {
  return rank === 4 ? [n, c, w.OH, w.OW] : [n, c, w.OW];
}
