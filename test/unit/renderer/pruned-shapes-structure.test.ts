// What the app says about a channel prune: the removed channels as compact ranges and counts, and
// the graph's weight lines `B ⟨1000×784⟩ → ⟨400×784⟩` laid out from a PruneReport (hand-written
// here, with the numbers of a prune worked out by hand on the sample MLP 784→1000→1000→10).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { summarizeGraph } from '../../../src/engine/summary';
import type { LayerPruneReport, PruneReport } from '../../../src/engine/protocol';
import { changedWeightLabel, formatRanges, keptShapeText, removedChannelsOf, removedCount, shapeChangesOf } from '../../../src/renderer/pruned-shapes';
import { estimateWidth, layoutGraph } from '../../../src/renderer/views/graph/layout';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('formatRanges', () => {
  it('joins runs of consecutive indices with an en dash', () => {
    expect(formatRanges([0, 1, 2, 3, 7, 12, 13, 14, 15])).toBe('0–3, 7, 12–15');
    expect(formatRanges([5])).toBe('5');
    expect(formatRanges([])).toBe('');
  });
  it('lists two neighbours, sorts and drops repeats', () => {
    expect(formatRanges([9, 4, 5, 5, 1])).toBe('1, 4, 5, 9');
    expect(formatRanges([...range(600, 1000), ...range(0, 3)])).toBe('0–2, 600–999');
  });
});

// fc1 loses output neurons 0..599 (600 of 1000); fc2's input columns shrink with it, as does fc1's bias.
const removed = range(0, 600);
const fc1: LayerPruneReport = { tensor: 'fc1.weight', nodes: ['/fc1/Gemm'], dims: [1000, 784], n: 784000, kept: 313600, ratio: 0.6, threshold: 0, structure: 'channels', removedChannels: removed, keptDims: [400, 784] };
const report: PruneReport = {
  layers: [fc1],
  structure: 'channels',
  shapeChanges: [
    { tensor: 'fc1.weight', before: [1000, 784], after: [400, 784], axis: 0, removed },
    { tensor: 'fc1.bias', before: [1000], after: [400], axis: 0, removed },
    { tensor: 'fc2.weight', before: [1000, 1000], after: [1000, 400], axis: 1, removed },
  ],
  totalParams: 1_796_010,
  prunableParams: 784000,
  keptParams: 313600,
  denseBytes: 0,
  sparseBytes: 0,
};

describe('removed channels of a weight', () => {
  it('reads the pruned layer: count of output channels, kept dims', () => {
    const r = removedChannelsOf(report, 'fc1.weight')!;
    expect(r).toMatchObject({ axis: 0, total: 1000, before: [1000, 784], after: [400, 784], pruned: true });
    expect(removedCount(r)).toBe('removed 600 of 1,000 output channels');
    expect(formatRanges(r.removed)).toBe('0–599');
  });
  it('reads a follower from its shape change, along the axis that shrank', () => {
    const r = removedChannelsOf(report, 'fc2.weight')!;
    expect(r).toMatchObject({ axis: 1, total: 1000, after: [1000, 400], pruned: false });
    expect(removedCount(r)).toBe('removed 600 of 1,000 entries along axis 1');
  });
  it('finds the axis from keptDims when the report has no shape change for the layer', () => {
    const conv: LayerPruneReport = { tensor: 'w', nodes: [], dims: [16, 8, 3, 3], n: 1152, kept: 720, ratio: 0.375, threshold: 0, removedChannels: [1, 2, 3, 9, 10, 11], keptDims: [10, 8, 3, 3] };
    const r = removedChannelsOf({ ...report, layers: [conv], shapeChanges: [] }, 'w')!;
    expect(r.axis).toBe(0);
    expect(removedCount(r)).toBe('removed 6 of 16 output channels');
    expect(formatRanges(r.removed)).toBe('1–3, 9–11');
  });
  it('is null for a tensor that kept its shape, and without a report', () => {
    expect(removedChannelsOf(report, 'fc3.weight')).toBeNull();
    expect(removedChannelsOf(null, 'fc1.weight')).toBeNull();
  });
});

describe('new widths on the graph', () => {
  const graph = summarizeGraph(decodeModel(new Uint8Array(readFileSync(resolve(__dirname, '../../../resources/sample-mlp.onnx'))), 'sample-mlp.onnx').graph);
  const weightRows = (changed?: ReturnType<typeof shapeChangesOf>): string[][] =>
    layoutGraph(graph, estimateWidth, changed)
      .nodes.filter((n) => n.title === 'Gemm')
      .sort((a, b) => a.y - b.y)
      .map((n) => n.rows.filter((r) => r.kind === 'weight').map((r) => `${r.text}${r.changed ? ' *' : ''}`));

  it('labels the changed weights of each Gemm as before → after, the others as before', () => {
    expect(weightRows(shapeChangesOf(report))).toEqual([
      ['B ⟨1000×784⟩ → ⟨400×784⟩ *', 'C ⟨1000⟩ → ⟨400⟩ *'],
      ['B ⟨1000×1000⟩ → ⟨1000×400⟩ *', 'C ⟨1000⟩'],
      ['B ⟨10×1000⟩', 'C ⟨10⟩'],
    ]);
    expect(changedWeightLabel('W', { before: [16, 8, 3, 3], after: [10, 8, 3, 3] })).toBe('W ⟨16×8×3×3⟩ → ⟨10×8×3×3⟩');
  });
  it('is the plain graph without a report, or with an unstructured one', () => {
    const plain = [['B ⟨1000×784⟩', 'C ⟨1000⟩'], ['B ⟨1000×1000⟩', 'C ⟨1000⟩'], ['B ⟨10×1000⟩', 'C ⟨10⟩']];
    expect(weightRows()).toEqual(plain);
    expect(weightRows(shapeChangesOf(null))).toEqual(plain);
    expect(weightRows(shapeChangesOf({ ...report, structure: undefined, shapeChanges: undefined }))).toEqual(plain);
  });
  it('widens a box to hold its longer line', () => {
    const width = (changed?: ReturnType<typeof shapeChangesOf>): number => layoutGraph(graph, estimateWidth, changed).nodes.find((n) => n.id === 'n1')!.width;
    expect(width(shapeChangesOf(report))).toBeGreaterThanOrEqual(estimateWidth('B ⟨1000×784⟩ → ⟨400×784⟩', 'body'));
    expect(width(shapeChangesOf(report))).toBeGreaterThan(width());
  });
  it("the live table's shape column: kept shape for channels only", () => {
    expect(keptShapeText(fc1)).toBe('1000×784 → 400×784');
    expect(keptShapeText({ dims: [1000, 784] })).toBe('1000×784');
  });
});
