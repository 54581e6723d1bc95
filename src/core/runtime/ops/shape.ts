// Shape and data-movement operators: Reshape, Flatten, (Un)Squeeze, Shape, Concat, Transpose,
// Gather, Expand, Identity, Dropout.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, alloc, ctorOf, int64Tensor, size, toNumbers } from '../tensor';
import { broadcastDims, broadcastIndex } from './broadcast';
import { transposeRuns } from '../kernels/transpose-runs';
import { type OpImpl, intAttr, intsAttr, need, normAxis } from './types';

const view = (t: RtTensor, dims: number[]): RtTensor => ({ dims, data: t.data, dataType: t.dataType });

export const Reshape: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const spec = ctx.opset < 5 ? intsAttr(ctx.node, 'shape') ?? [] : toNumbers(need(inputs, 1, ctx));
  const allowZero = intAttr(ctx.node, 'allowzero', 0) === 1;
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  const neg = dims.indexOf(-1);
  if (neg >= 0) {
    let known = 1;
    dims.forEach((d, i) => {
      if (i !== neg) known *= d;
    });
    dims[neg] = known === 0 ? 0 : size(x.dims) / known;
  }
  if (dims.some((d) => d === undefined || d < 0 || !Number.isInteger(d)) || size(dims) !== size(x.dims)) {
    throw new RuntimeError(`${ctx.label}: cannot reshape [${x.dims.join(', ')}] to [${spec.join(', ')}]`);
  }
  return [view(x, dims)];
};

export const Flatten: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const r = x.dims.length;
  let axis = intAttr(ctx.node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw new RuntimeError(`${ctx.label}: axis ${axis} is out of range for rank ${r}`);
  const outer = size(x.dims.slice(0, axis));
  return [view(x, [outer, size(x.dims.slice(axis))])];
};

function axesOf(inputs: (RtTensor | undefined)[], opsetSplit: number, ctx: Parameters<OpImpl>[1]): number[] | undefined {
  if (ctx.opset < opsetSplit) return intsAttr(ctx.node, 'axes');
  return inputs[1] ? toNumbers(inputs[1]) : undefined;
}

export const Squeeze: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axes = axesOf(inputs, 13, ctx);
  const r = x.dims.length;
  const drop = new Set(axes ? axes.map((a) => normAxis(a, r, ctx)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) {
    if (x.dims[a] !== 1) throw new RuntimeError(`${ctx.label}: cannot squeeze axis ${a} of size ${x.dims[a]}`);
  }
  return [view(x, x.dims.filter((_, i) => !drop.has(i)))];
};

export const Unsqueeze: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axes = axesOf(inputs, 13, ctx);
  if (!axes) throw new RuntimeError(`${ctx.label}: axes are missing`);
  const r = x.dims.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(a, r, ctx)));
  if (ins.size !== axes.length) throw new RuntimeError(`${ctx.label}: repeated axes`);
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) dims.push(ins.has(i) ? 1 : x.dims[k++]);
  return [view(x, dims)];
};

export const Shape: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const r = x.dims.length;
  const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(intAttr(ctx.node, 'start', 0));
  const end = clamp(intAttr(ctx.node, 'end', r));
  const dims = x.dims.slice(start, Math.max(start, end));
  return [int64Tensor([dims.length], dims)];
};

export const Size: OpImpl = (inputs, ctx) => [int64Tensor([], [size(need(inputs, 0, ctx).dims)])];

export const Identity: OpImpl = (inputs, ctx) => [need(inputs, 0, ctx)];

export const Dropout: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const training = inputs[2] !== undefined && Number(inputs[2].data[0]) !== 0;
  const ratio = inputs[1] !== undefined ? Number(inputs[1].data[0]) : 0.5;
  if (training && ratio > 0) throw new RuntimeError(`${ctx.label}: training mode (random dropout) is not supported`);
  const outs: (RtTensor | undefined)[] = [x];
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') {
    const mask = alloc(ctx.opset >= 10 ? DataType.BOOL : x.dataType, size(x.dims));
    mask.fill(1 as never);
    outs.push({ dims: x.dims, data: mask, dataType: ctx.opset >= 10 ? DataType.BOOL : x.dataType });
  }
  return outs;
};

export const Concat: OpImpl = (inputs, ctx) => {
  const parts = inputs.filter((t): t is RtTensor => t !== undefined);
  if (parts.length === 0) throw new RuntimeError(`${ctx.label}: no inputs`);
  const r = parts[0].dims.length;
  const axis = normAxis(intAttr(ctx.node, 'axis', 0), r, ctx);
  const dims = [...parts[0].dims];
  dims[axis] = 0;
  for (const p of parts) {
    if (p.dims.length !== r || p.dims.some((d, i) => i !== axis && d !== parts[0].dims[i])) {
      throw new RuntimeError(`${ctx.label}: input shapes [${p.dims.join(', ')}] and [${parts[0].dims.join(', ')}] do not concatenate on axis ${axis}`);
    }
    dims[axis] += p.dims[axis];
  }
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  const out = ctx.out(0, ctorOf(parts[0].dataType), size(dims));
  const rowOut = dims[axis] * inner;
  let col = 0;
  for (const p of parts) {
    const chunk = p.dims[axis] * inner;
    for (let o = 0; o < outer; o++) {
      (out as Float32Array).set((p.data as Float32Array).subarray(o * chunk, (o + 1) * chunk), o * rowOut + col);
    }
    col += chunk;
  }
  return [{ dims, data: out, dataType: parts[0].dataType }];
};

export const Transpose: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const r = x.dims.length;
  const perm = intsAttr(ctx.node, 'perm') ?? x.dims.map((_, i) => r - 1 - i);
  if (perm.length !== r) throw new RuntimeError(`${ctx.label}: perm has ${perm.length} entries for rank ${r}`);
  const sorted = [...perm].sort((u, v) => u - v);
  if (sorted.some((p, i) => p !== i)) throw new RuntimeError(`${ctx.label}: perm [${perm.join(', ')}] is not a permutation of 0..${r - 1}`);
  const dims = perm.map((p) => x.dims[p]);
  const out = ctx.out(0, ctorOf(x.dataType), size(dims)) as Float32Array;
  transposeRuns(x.data as Float32Array, out, x.dims, perm);
  return [{ dims, data: out, dataType: x.dataType }];
};

export const Gather: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const ind = need(inputs, 1, ctx);
  const r = x.dims.length;
  const axis = normAxis(intAttr(ctx.node, 'axis', 0), r, ctx);
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const len = x.dims[axis];
  const idx = toNumbers(ind);
  const dims = [...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)];
  const out = ctx.out(0, ctorOf(x.dataType), size(dims)) as Float32Array;
  const src = x.data as Float32Array;
  let w = 0;
  for (let o = 0; o < outer; o++) {
    for (const i0 of idx) {
      const i = i0 < 0 ? i0 + len : i0;
      if (i < 0 || i >= len) throw new RuntimeError(`${ctx.label}: index ${i0} is out of range for size ${len}`);
      const s = (o * len + i) * inner;
      for (let j = 0; j < inner; j++) out[w++] = src[s + j];
    }
  }
  return [{ dims, data: out, dataType: x.dataType }];
};

export const Expand: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const shape = toNumbers(need(inputs, 1, ctx));
  const dims = broadcastDims(x.dims, shape, ctx.label);
  const map = broadcastIndex(x.dims, dims);
  const out = ctx.out(0, ctorOf(x.dataType), map.length) as Float32Array;
  const src = x.data as Float32Array;
  for (let i = 0; i < map.length; i++) out[i] = src[map[i]];
  return [{ dims, data: out, dataType: x.dataType }];
};
