// From the channels each space loses to the edits of the model: every constant cut along an axis
// (the pruned weights, the next layers' inputs, biases, BatchNormalization parameters, per-channel
// constants; a grouped Conv's weight the same input columns in every group), Reshape shape entries,
// depthwise group attributes and the new channel count of every activation. One function, used by
// the plan (to list the shape changes) and by apply (to make them).
import { PruneError, type ShapeChange } from '../types';
import { type Analysis, type ChannelDesc, find } from './spaces';
import { type GraphIndex, count, label } from './graph';

export interface ChannelEdits {
  /** Per (tensor, axis), in the order to apply: a tensor cut on two axes appears twice, chained. */
  slices: ShapeChange[];
  values: { tensor: string; index: number; before: number; after: number }[];
  groups: { node: number; group: number }[];
  /** Activations whose channel axis shrinks: the axis and its new length. */
  activations: Map<string, { axis: number; size: number }>;
}

/** The indices removed along the axis `desc` describes, ascending. */
export function removedIndices(a: Analysis, desc: ChannelDesc, removed: Map<number, number[]>): number[] {
  const one: number[] = [];
  let offset = 0;
  for (const seg of desc.segs) {
    const r = seg.space < 0 ? undefined : removed.get(find(a, seg.space));
    if (r !== undefined) for (const c of r) for (let b = 0; b < desc.block; b++) one.push((offset + c) * desc.block + b);
    offset += seg.size;
  }
  // `one` is ascending; each repeat of the layout follows the previous one.
  const period = offset * desc.block;
  const out: number[] = [];
  for (let t = 0; t < desc.repeat; t++) for (const j of one) out.push(t * period + j);
  return out;
}

function lengthOf(desc: ChannelDesc): number {
  return desc.segs.reduce((s, g) => s + g.size, 0) * desc.block * desc.repeat;
}

function sameList(x: number[], y: number[]): boolean {
  return x.length === y.length && x.every((v, k) => v === y[k]);
}

/**
 * The input columns a Conv in `groups` groups loses when channels `r` (ascending, of `channels`)
 * leave its input: the same columns of every group (the space's tie guarantees it; checked).
 */
function groupColumns(ix: GraphIndex, node: number, r: number[], channels: number, groups: number): number[] {
  const per = channels / groups;
  const cols = r.filter((c) => c < per);
  const same = r.length === cols.length * groups && r.every((c, k) => c === Math.floor(k / cols.length) * per + cols[k % cols.length]);
  if (!same) throw new PruneError(`channels: ${label(ix, node)} would lose different channels in its ${groups} groups`, 'unsupported');
  return cols;
}

/** Every node that reads a constant, directly or through Identity nodes. */
function readers(ix: GraphIndex, name: string, out: Set<number> = new Set()): Set<number> {
  for (const u of ix.uses.get(name) ?? []) {
    const n = ix.nodes[u.node];
    if (n.opType === 'Identity') readers(ix, n.outputs[0], out);
    else out.add(u.node);
  }
  return out;
}

/** The edits for `removed` (root space → channels removed, ascending); a PruneError when two cuts disagree. */
export function channelEdits(a: Analysis, removed: Map<number, number[]>): ChannelEdits {
  const ix = a.ix;
  const cuts = new Map<string, { removed: number[]; nodes: Set<number> }>();
  const values: ChannelEdits['values'] = [];
  const groups: ChannelEdits['groups'] = [];
  for (const cut of a.cuts) {
    const r = removedIndices(a, cut.desc, removed);
    if (r.length === 0) continue;
    if (cut.kind === 'group') {
      groups.push({ node: cut.node, group: lengthOf(cut.desc) - r.length });
    } else if (cut.kind === 'value') {
      const t = ix.constants.get(cut.tensor)!.tensor;
      const before = Number((t.data as ArrayLike<number | bigint>)[cut.index]);
      values.push({ tensor: cut.tensor, index: cut.index, before, after: before - r.length });
      if (readers(ix, cut.tensor).size > 1) throw new PruneError(`channels: the shape "${cut.tensor}" of ${label(ix, cut.node)} is shared with other nodes`, 'unsupported');
    } else {
      const axis = cut.kind === 'grouped' ? 1 : cut.axis;
      const cols = cut.kind === 'grouped' ? groupColumns(ix, cut.node, r, lengthOf(cut.desc), cut.groups) : r;
      const key = `${cut.tensor}\u0000${axis}`;
      const prev = cuts.get(key);
      if (prev === undefined) cuts.set(key, { removed: cols, nodes: new Set([cut.node]) });
      else if (!sameList(prev.removed, cols)) {
        throw new PruneError(`channels: "${cut.tensor}" is used by ${label(ix, cut.node)} and another node that would remove different channels from it`, 'unsupported');
      } else prev.nodes.add(cut.node);
    }
  }
  const slices: ShapeChange[] = [];
  const byTensor = new Map<string, { axis: number; removed: number[]; nodes: Set<number> }[]>();
  for (const [key, v] of cuts) {
    const [tensor, axis] = key.split('\u0000');
    const list = byTensor.get(tensor) ?? [];
    list.push({ axis: Number(axis), ...v });
    byTensor.set(tensor, list);
  }
  for (const [tensor, list] of byTensor) {
    const accounted = new Set(list.flatMap((x) => [...x.nodes]));
    for (const reader of readers(ix, tensor)) {
      if (!accounted.has(reader)) throw new PruneError(`channels: "${tensor}" would shrink, but ${label(ix, reader)} also reads it`, 'unsupported');
    }
    let dims = [...ix.constants.get(tensor)!.tensor.dims];
    for (const c of list.sort((x, y) => x.axis - y.axis)) {
      const after = [...dims];
      after[c.axis] -= c.removed.length;
      slices.push({ tensor, before: dims, after, axis: c.axis, removed: c.removed });
      dims = after;
    }
  }
  const activations = new Map<string, { axis: number; size: number }>();
  for (const [name, d] of a.descs) {
    const r = removedIndices(a, d, removed);
    if (r.length > 0) activations.set(name, { axis: d.axis, size: lengthOf(d) - r.length });
  }
  return { slices, values, groups, activations };
}

/** The final dims of a tensor after the edits' slices. */
export function finalDims(edits: ChannelEdits, tensor: string, dims: number[]): number[] {
  let out = dims;
  for (const s of edits.slices) if (s.tensor === tensor) out = s.after;
  return out;
}

export function elementsRemoved(edits: ChannelEdits, tensor: string, dims: number[]): number {
  return count(dims) - count(finalDims(edits, tensor, dims));
}
