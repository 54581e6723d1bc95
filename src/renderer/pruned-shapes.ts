// What a channel prune did to the weights, as the graph and the Properties panel say it: the new
// widths of each changed tensor (`B ⟨1000×784⟩ → ⟨400×784⟩`), the removed output channels as
// compact ranges ("0–3, 7, 12–15"), and their count ("removed 40 of 100"). Pure: no DOM.

import type { LayerPruneReport, PruneReport, ShapeChange } from '../engine/protocol';
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

/** The shape change of every tensor a prune changed, by name (empty for an unstructured prune). */
export function shapeChangesOf(report: PruneReport | null | undefined): Map<string, ShapeChange> {
  return new Map((report?.shapeChanges ?? []).map((c) => [c.tensor, c]));
}

/** The text of a folded weight in a graph box after a prune: `B ⟨1000×784⟩ → ⟨400×784⟩`. */
export function changedWeightLabel(role: string, change: { before: readonly number[]; after: readonly number[] }): string {
  return `${role} ⟨${formatDims(change.before)}⟩ → ⟨${formatDims(change.after)}⟩`;
}

/** The live table's shape: the weight's, and for channels the shape it keeps (`1000×784 → 400×784`). */
export function keptShapeText(layer: Pick<LayerPruneReport, 'dims' | 'keptDims'>): string {
  const before = formatDims(layer.dims);
  return layer.keptDims && layer.keptDims.join() !== layer.dims.join() ? `${before} → ${formatDims(layer.keptDims)}` : before;
}

export interface RemovedChannels {
  tensor: string;
  /** The axis that lost entries (0: output channels / neurons of Conv and Gemm transB=1). */
  axis: number;
  removed: number[];
  /** Entries along that axis before the prune. */
  total: number;
  before: number[];
  after: number[];
  /** True for the pruned weight itself, false for a tensor that shrank with it (the next layer, a bias…). */
  pruned: boolean;
}

/**
 * What was removed from one tensor: from the pruned layer's removedChannels / keptDims, else from
 * the report's shape change of that tensor (a follower); null when the tensor kept its shape.
 */
export function removedChannelsOf(report: PruneReport | null | undefined, tensor: string): RemovedChannels | null {
  if (!report) return null;
  const change = report.shapeChanges?.find((c) => c.tensor === tensor);
  const layer = report.layers.find((l) => l.tensor === tensor && l.removedChannels !== undefined);
  if (layer) return fromLayer(layer, change);
  if (!change || change.removed.length === 0) return null;
  return { tensor, axis: change.axis, removed: change.removed, total: change.before[change.axis] ?? change.removed.length, before: change.before, after: change.after, pruned: false };
}

function fromLayer(layer: LayerPruneReport, change: ShapeChange | undefined): RemovedChannels {
  const removed = layer.removedChannels ?? [];
  const after = layer.keptDims ?? change?.after ?? layer.dims;
  // The axis that shrank: the shape change's, else the one where keptDims differs from dims.
  let axis = change?.axis ?? layer.dims.findIndex((d, i) => after[i] !== d);
  if (axis < 0) axis = 0;
  return { tensor: layer.tensor, axis, removed, total: layer.dims[axis] ?? removed.length, before: layer.dims, after, pruned: true };
}

/** "removed 40 of 100 output channels" (a follower of the pruned weight: "entries along axis 1"). */
export function removedCount(r: RemovedChannels): string {
  const noun = r.pruned ? 'output channels' : `entries along axis ${r.axis}`;
  return `removed ${r.removed.length.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} ${noun}`;
}

