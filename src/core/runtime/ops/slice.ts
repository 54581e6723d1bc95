// Slicing operators: Slice (attribute form before opset 10, input form from 10), Split (split as
// attribute before 13, as input from 13, num_outputs from 18), Tile.
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, size, stridesOf, toNumbers } from '../tensor';
import { type OpContext, type OpImpl, intAttr, intsAttr, need, normAxis } from './types';

/** One axis of a slice: the first index, the step and the number of elements taken. */
export interface SliceAxis {
  start: number;
  step: number;
  count: number;
}

/**
 * Resolves start/end/step on an axis of length dim as ONNX Slice does: negative values count from
 * the end, then start and end are clamped ([0, dim] for positive steps, [0, dim-1] and [-1, dim-1]
 * for negative ones), so INT_MAX / INT_MIN ends mean "to the end".
 */
export function sliceAxis(dim: number, start0: number, end0: number, step: number): SliceAxis {
  let start = start0 < 0 ? start0 + dim : start0;
  let end = end0 < 0 ? end0 + dim : end0;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  return { start, step, count };
}

/** The per-axis slice of a Slice node, from its attributes (opset < 10) or inputs. */
function sliceSpec(inputs: (RtTensor | undefined)[], x: RtTensor, ctx: OpContext): SliceAxis[] {
  const r = x.dims.length;
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = intsAttr(ctx.node, 'starts') ?? [];
    ends = intsAttr(ctx.node, 'ends') ?? [];
    axes = intsAttr(ctx.node, 'axes');
  } else {
    starts = toNumbers(need(inputs, 1, ctx));
    ends = toNumbers(need(inputs, 2, ctx));
    axes = inputs[3] ? toNumbers(inputs[3]) : undefined;
    steps = inputs[4] ? toNumbers(inputs[4]) : undefined;
  }
  const ax = axes ?? starts.map((_, i) => i);
  if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw new RuntimeError(`${ctx.label}: starts, ends, axes and steps must have the same length`);
  }
  const spec: SliceAxis[] = x.dims.map((d) => ({ start: 0, step: 1, count: d }));
  const seen = new Set<number>();
  for (let i = 0; i < ax.length; i++) {
    const a = normAxis(ax[i], r, ctx);
    if (seen.has(a)) throw new RuntimeError(`${ctx.label}: axis ${ax[i]} is repeated`);
    seen.add(a);
    const step = steps ? steps[i] : 1;
    if (step === 0) throw new RuntimeError(`${ctx.label}: step 0 on axis ${ax[i]}`);
    spec[a] = sliceAxis(x.dims[a], starts[i], ends[i], step);
  }
  return spec;
}

/** Copies the strided region `spec` of x into a fresh output of slot `slot`. */
function copyRegion(x: RtTensor, spec: SliceAxis[], ctx: OpContext, slot: number): RtTensor {
  const dims = spec.map((s) => s.count);
  const n = size(dims);
  const out = ctx.out(slot, ctorOf(x.dataType), n) as Float32Array;
  const src = x.data as Float32Array;
  const r = dims.length;
  if (n === 0) return { dims, data: out, dataType: x.dataType };
  const inStr = stridesOf(x.dims);
  const st = spec.map((s, i) => s.step * inStr[i]);
  let off = spec.reduce((acc, s, i) => acc + s.start * inStr[i], 0);
  if (r === 0) {
    out[0] = src[off];
    return { dims, data: out, dataType: x.dataType };
  }
  // The innermost axis is copied in runs; the outer axes advance like an odometer.
  const last = r - 1;
  const inner = dims[last];
  const innerStep = st[last];
  const idx = new Array<number>(r).fill(0);
  for (let w = 0; w < n; w += inner) {
    if (innerStep === 1) out.set(src.subarray(off, off + inner), w);
    else for (let j = 0, o = off; j < inner; j++, o += innerStep) out[w + j] = src[o];
    for (let i = last - 1; i >= 0; i--) {
      idx[i]++;
      off += st[i];
      if (idx[i] < dims[i]) break;
      off -= st[i] * idx[i];
      idx[i] = 0;
    }
  }
  return { dims, data: out, dataType: x.dataType };
}

export const Slice: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  return [copyRegion(x, sliceSpec(inputs, x, ctx), ctx, 0)];
};

/**
 * The chunk lengths of a Split along an axis of length dim into `outputs` pieces: the explicit
 * split, or num_outputs chunks of ceil(dim / n) with a smaller last one (opset 18), or equal parts.
 */
export function splitSizes(dim: number, outputs: number, split: number[] | undefined, numOutputs: number | undefined, label: string): number[] {
  if (split) {
    if (split.length !== outputs) throw new RuntimeError(`${label}: split has ${split.length} entries for ${outputs} outputs`);
    const total = split.reduce((a, b) => a + b, 0);
    if (split.some((s) => s < 0) || total !== dim) {
      throw new RuntimeError(`${label}: split [${split.join(', ')}] does not add up to the axis length ${dim}`);
    }
    return split;
  }
  if (numOutputs !== undefined) {
    if (numOutputs !== outputs) throw new RuntimeError(`${label}: num_outputs ${numOutputs} but ${outputs} outputs`);
    const chunk = Math.ceil(dim / numOutputs);
    return Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (dim % outputs !== 0) throw new RuntimeError(`${label}: axis length ${dim} does not split into ${outputs} equal parts`);
  return new Array<number>(outputs).fill(dim / outputs);
}

export const Split: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axis = normAxis(intAttr(ctx.node, 'axis', 0), x.dims.length, ctx);
  const split = ctx.opset < 13 ? intsAttr(ctx.node, 'split') : inputs[1] ? toNumbers(inputs[1]) : undefined;
  const num = ctx.opset >= 18 && intAttr(ctx.node, 'num_outputs', 0) > 0 ? intAttr(ctx.node, 'num_outputs', 0) : undefined;
  const sizes = splitSizes(x.dims[axis], ctx.node.outputs.length, split, num, ctx.label);
  let start = 0;
  return sizes.map((len, k) => {
    const spec = x.dims.map((d, i) => (i === axis ? { start, step: 1, count: len } : { start: 0, step: 1, count: d }));
    start += len;
    return copyRegion(x, spec, ctx, k);
  });
};

export const Tile: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const reps = toNumbers(need(inputs, 1, ctx));
  const r = x.dims.length;
  if (reps.length !== r || reps.some((v) => v < 0)) {
    throw new RuntimeError(`${ctx.label}: repeats [${reps.join(', ')}] do not fit input rank ${r}`);
  }
  const dims = x.dims.map((d, i) => d * reps[i]);
  const n = size(dims);
  const out = ctx.out(0, ctorOf(x.dataType), n) as Float32Array;
  const src = x.data as Float32Array;
  const inStr = stridesOf(x.dims);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += (idx[i] % x.dims[i]) * inStr[i];
    out[k] = src[off];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return [{ dims, data: out, dataType: x.dataType }];
};
