// What a channel prune did to the weights, as the graph and the Properties panel say it: the new
// widths of each changed tensor (`B ⟨1000×784⟩ → ⟨400×784⟩`), the indices removed along each axis
// as compact ranges ("0–3, 7, 12–15") with their count ("removed 40 of 100"). Pure: no DOM.
//
// The report lists one ShapeChange per axis cut, in order (a weight that loses output rows and
// input columns has two, the second starting from the first's result), and one per changed entry
// of a shape constant (`value`: a Reshape's target shape; its dims stay).

import type { LayerPruneReport, PruneReport, ShapeChange } from '../engine/protocol';
import type { Folding } from './folded-nodes';
import { formatDims } from './format';

/** Ascending integers as compact ranges: [0,1,2,3,7,12,13,14,15] → "0–3, 7, 12–15" (en dash). */
export function formatRanges(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = sorted[i]!;
    const b = sorted[j]!;
    // Two neighbours read better listed ("4, 5") than as a range.
    parts.push(a === b ? String(a) : b === a + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** One axis a tensor lost entries along: which, of how many. */
export interface AxisCut {
  axis: number;
  removed: number[];
  /** Entries along the axis before this cut. */
  total: number;
}

/** Everything a prune changed in one tensor: its dims before and after, the cuts, shape-constant entries. */
export interface WeightShape {
  tensor: string;
  before: number[];
  after: number[];
  cuts: AxisCut[];
  /** A shape constant's entries that change (its dims stay). */
  values: { index: number; before: number; after: number }[];
}

/** The report's shape changes merged per tensor, in the report's order (empty for an unstructured prune). */
export function weightShapes(report: PruneReport | null | undefined): Map<string, WeightShape> {
  const out = new Map<string, WeightShape>();
  for (const c of report?.shapeChanges ?? []) out.set(c.tensor, merge(out.get(c.tensor), c));
  return out;
}

function merge(w: WeightShape | undefined, c: ShapeChange): WeightShape {
  const next: WeightShape = w ? { ...w, cuts: [...w.cuts], values: [...w.values] } : { tensor: c.tensor, before: [...c.before], after: [...c.before], cuts: [], values: [] };
  if (c.value) next.values.push(c.value);
  else {
    next.after = [...c.after];
    if (c.removed.length > 0) next.cuts.push({ axis: c.axis, removed: c.removed, total: c.before[c.axis] ?? c.removed.length });
  }
  return next;
}

/** A changed tensor as the graph labels it. */
export type ChangedTensor = Pick<WeightShape, 'tensor' | 'before' | 'after' | 'values'>;

/**
 * What a prune changed in each tensor and which tensor each reader reads: by tensor name, and the
 * readers that a channel prune gave their own copy of a shared constant (`node:slot` → the copy's
 * name; the copy's change, or none, is that reader's).
 */
export interface PrunedShapes {
  tensors: ReadonlyMap<string, ChangedTensor>;
  copies: ReadonlyMap<string, string>;
}

/** The report's changes as PrunedShapes (empty for an unstructured prune or none). */
export function prunedShapes(report: PruneReport | null | undefined): PrunedShapes {
  return { tensors: weightShapes(report), copies: new Map((report?.copies ?? []).map((c) => [readerKey(c.node, c.slot), c.copy])) };
}

export function readerKey(node: number, slot: number): string {
  return `${node}:${slot}`;
}

/** The tensor node `node` reads at input `slot` after the prune: `tensor`, or the copy it was given. */
export function readTensor(shapes: PrunedShapes | undefined, node: number, slot: number, tensor: string): string {
  return shapes?.copies.get(readerKey(node, slot)) ?? tensor;
}

/** What the prune changed in the tensor node `node` reads at input `slot` (through its copy, if it has one). */
export function changeAt(shapes: PrunedShapes | undefined, node: number, slot: number, tensor: string): ChangedTensor | undefined {
  return shapes?.tensors.get(readTensor(shapes, node, slot, tensor));
}

/**
 * What a prune did to the weight node `node` reads at input `slot`: the change of its own copy of a
 * shared constant (none when the copy kept its shape), else of the tensor, else, for a folded
 * Identity's output, of what that Identity reads (the copy may be the Identity's).
 */
export function foldedChange(changed: PrunedShapes | undefined, fold: Pick<Folding, 'renames'>, node: number, slot: number, tensor: string): ChangedTensor | undefined {
  if (!changed) return undefined;
  for (let [n, s, t] = [node, slot, tensor]; ; ) {
    const own = readTensor(changed, n, s, t);
    if (own !== t) return changed.tensors.get(own);
    const c = changed.tensors.get(t);
    const r = fold.renames.get(t);
    if (c || !r) return c;
    [n, s, t] = [r.node, 0, r.input];
  }
}

/**
 * The text of a folded weight in a graph box after a prune: `B ⟨1000×784⟩ → ⟨400×784⟩`; a shape
 * constant whose entries change: `shape ⟨2⟩ [1] 400 → 200`.
 */
export function changedWeightLabel(role: string, w: Pick<WeightShape, 'before' | 'after'> & { values?: WeightShape['values'] }): string {
  const dims = `${role} ⟨${formatDims(w.before)}⟩`;
  const values = (w.values ?? []).map((v) => `[${v.index}] ${v.before} → ${v.after}`).join(', ');
  const same = w.before.join() === w.after.join();
  if (same) return values ? `${dims} ${values}` : dims;
  return `${dims} → ⟨${formatDims(w.after)}⟩${values ? ` ${values}` : ''}`;
}

/** The live table's shape: the weight's, and for channels the shape it keeps (`1000×784 → 400×784`). */
export function keptShapeText(layer: Pick<LayerPruneReport, 'dims' | 'keptDims'>): string {
  const before = formatDims(layer.dims);
  return layer.keptDims && layer.keptDims.join() !== layer.dims.join() ? `${before} → ${formatDims(layer.keptDims)}` : before;
}

/** One line of the Properties panel about a cut: what it is called, the count, the ranges. */
export interface CutText {
  label: string;
  count: string;
  ranges: string;
}

/**
 * What Properties lists for one tensor: the output-channel cut of a pruned layer first ("Output
 * channels"), then its other cut ("Inputs (axis 1)": the inputs that went with the previous layer's
 * outputs); a tensor that only followed (a bias, an unselected weight) by axis ("Axis 0").
 */
export function cutTexts(report: PruneReport | null | undefined, w: WeightShape): CutText[] {
  const layer = report?.layers.find((l) => l.tensor === w.tensor);
  const outputs = layer?.removedChannels;
  const isOutputCut = (c: AxisCut): boolean => outputs !== undefined && outputs.length > 0 && c.removed.length === outputs.length && c.removed.every((v, i) => v === outputs[i]);
  const ordered = [...w.cuts.filter(isOutputCut), ...w.cuts.filter((c) => !isOutputCut(c))];
  return ordered.map((c) => ({
    label: isOutputCut(c) ? 'Output channels' : layer ? `Inputs (axis ${c.axis})` : `Axis ${c.axis}`,
    count: `removed ${c.removed.length.toLocaleString('en-US')} of ${c.total.toLocaleString('en-US')}`,
    ranges: formatRanges(c.removed),
  }));
}
