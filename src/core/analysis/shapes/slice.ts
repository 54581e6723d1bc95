// Shapes of Slice (attributes before opset 10, inputs from 10) and Split (split attribute before 13,
// input from 13, num_outputs from 18, equal parts otherwise). The clamping rules are the runtime's.
import type { Dim } from '../../onnx/model';
import { sliceAxis } from '../../runtime/ops/slice';
import { type InferFn, attrInt, attrInts, norm, num } from './dims';

/** Ends at least this large (INT32_MAX, INT64_MAX) mean "to the end" whatever the axis length. */
const TO_END = 2 ** 31 - 1;

/** A symbolic axis keeps its name only when sliced whole (forwards or reversed). */
function symbolicSlice(d: Dim, start: number, end: number, step: number): Dim {
  if (step === 1 && start === 0 && end >= TO_END) return d;
  if (step === -1 && start >= TO_END && end <= -TO_END) return d;
  return null;
}

const slice: InferFn = (n, ins, opset) => {
  const x = ins[0];
  const xs = x?.s;
  if (!xs) return [];
  const r = xs.length;
  let starts: Dim[] | undefined, ends: Dim[] | undefined, axes: Dim[] | undefined, steps: Dim[] | undefined;
  if (opset < 10) {
    starts = attrInts(n, 'starts');
    ends = attrInts(n, 'ends');
    axes = attrInts(n, 'axes');
  } else {
    starts = ins[1]?.v;
    ends = ins[2]?.v;
    axes = n.inputs[3] ? ins[3]?.v : undefined;
    steps = n.inputs[4] ? ins[4]?.v : undefined;
    if ((n.inputs[3] && !axes) || (n.inputs[4] && !steps)) return [];
  }
  // Starts or ends computed at run time (Swin's window partition): the rank stays; the sliced axes,
  // when known, lose their sizes, and with unknown axes every size is unknown.
  const rankOnly = (): ReturnType<InferFn> => {
    if (axes === undefined || !axes.every(num)) return [{ t: x.t, s: xs.map(() => null) }];
    const s = [...xs];
    for (const a of axes) {
      const k = norm(a as number, r);
      if (k !== undefined) s[k] = null;
    }
    return [{ t: x.t, s }];
  };
  if (opset >= 10 && (!starts || !ends || !starts.every(num) || !ends.every(num))) return rankOnly();
  if (!starts || !ends || starts.length !== ends.length) return [];
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (![starts, ends, axes, steps].every((a) => a.length === starts.length && a.every(num))) return [];
  const s = [...xs];
  let v = x.v && r === 1 ? [...x.v] : undefined;
  for (let j = 0; j < starts.length; j++) {
    const axis = norm(axes[j] as number, r);
    const step = steps[j] as number;
    if (axis === undefined || step === 0) return [];
    const d = xs[axis];
    const [st, en] = [starts[j] as number, ends[j] as number];
    if (!num(d)) {
      s[axis] = symbolicSlice(d, st, en, step);
      v = undefined;
      continue;
    }
    const a = sliceAxis(d, st, en, step);
    s[axis] = a.count;
    if (v) v = Array.from({ length: a.count }, (_, i) => v![a.start + i * a.step]);
  }
  return [{ t: x.t, s, v }];
};

const split: InferFn = (n, ins, opset) => {
  const xs = ins[0]?.s;
  if (!xs) return [];
  const axis = norm(attrInt(n, 'axis') ?? 0, xs.length);
  if (axis === undefined) return [];
  const parts = n.outputs.length;
  let sizes: Dim[] | undefined = opset >= 13 ? (n.inputs[1] ? ins[1]?.v : undefined) : attrInts(n, 'split');
  if (opset >= 13 && n.inputs[1] && !sizes) return [];
  if (!sizes) {
    // Equal parts, or (num_outputs, opset 18) chunks of ceil(d / n) with a smaller last one.
    const d = xs[axis];
    if (!num(d)) return [];
    const chunk = Math.ceil(d / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  }
  return sizes.map((d) => ({ t: ins[0]?.t, s: xs.map((e, i) => (i === axis ? d : e)) }));
};

export const SLICE_OPS: Record<string, InferFn> = { Slice: slice, Split: split };
