// What the app says about a channel prune: the removed channels as compact ranges and counts, and
// the graph's weight lines `B ⟨1000×784⟩ → ⟨400×784⟩` laid out from a PruneReport (hand-written
// here in the form core's channel plan gives, with the numbers worked out by hand on the sample MLP).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { applyPrune } from '../../../src/core/prune/apply';
import { planPrune } from '../../../src/core/prune/plan';
import { summarizeGraph } from '../../../src/engine/summary';
import type { LayerPruneReport, PruneReport } from '../../../src/engine/protocol';
import { changedWeightLabel, cutTexts, formatRanges, keptShapeText, prunedShapes, weightShapes } from '../../../src/renderer/pruned-shapes';
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

// A channel prune of fc1 and fc2 by hand: fc1 loses output neurons 0..599, fc2 loses neurons 100..149
// and, with fc1's outputs, its input columns 0..599; fc3 (feeding the graph output) keeps its 10
// outputs and loses fc2's 50 columns. The report lists one entry per axis cut, in order.
const removed1 = range(0, 600);
const removed2 = range(100, 150);
const fc1: LayerPruneReport = { tensor: 'fc1.weight', nodes: ['/fc1/Gemm'], dims: [1000, 784], n: 784000, kept: 313600, ratio: 0.6, threshold: 0, structure: 'channels', removedChannels: removed1, keptDims: [400, 784] };
const fc2: LayerPruneReport = { tensor: 'fc2.weight', nodes: ['/fc2/Gemm'], dims: [1000, 1000], n: 1e6, kept: 380000, ratio: 0.62, threshold: 0, structure: 'channels', removedChannels: removed2, keptDims: [950, 400] };
const fc3: LayerPruneReport = { tensor: 'fc3.weight', nodes: ['/fc3/Gemm'], dims: [10, 1000], n: 10000, kept: 9500, ratio: 0.05, threshold: 0, structure: 'channels', removedChannels: [], keptDims: [10, 950] };
const report: PruneReport = {
  layers: [fc1, fc2, fc3],
  structure: 'channels',
  shapeChanges: [
    { tensor: 'fc1.weight', before: [1000, 784], after: [400, 784], axis: 0, removed: removed1 },
    { tensor: 'fc1.bias', before: [1000], after: [400], axis: 0, removed: removed1 },
    { tensor: 'fc2.weight', before: [1000, 1000], after: [950, 1000], axis: 0, removed: removed2 },
    { tensor: 'fc2.weight', before: [950, 1000], after: [950, 400], axis: 1, removed: removed1 },
    { tensor: 'fc2.bias', before: [1000], after: [950], axis: 0, removed: removed2 },
    { tensor: 'fc3.weight', before: [10, 1000], after: [10, 950], axis: 1, removed: removed2 },
  ],
  totalParams: 1_796_010,
  prunableParams: 1_794_000,
  keptParams: 703_100,
  denseBytes: 0,
  sparseBytes: 0,
};

describe('what a prune changed in each weight', () => {
  const shapes = weightShapes(report);
  it('merges the cuts of one tensor: first dims before, last dims after', () => {
    expect(shapes.get('fc2.weight')).toEqual({ tensor: 'fc2.weight', before: [1000, 1000], after: [950, 400], cuts: [{ axis: 0, removed: removed2, total: 1000 }, { axis: 1, removed: removed1, total: 1000 }], values: [] });
    expect([...shapes.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight']);
    expect(weightShapes(null).size).toBe(0);
  });
  it('names the output-channel cut of a pruned layer, counts it and lists its ranges', () => {
    expect(cutTexts(report, shapes.get('fc2.weight')!)).toEqual([
      { label: 'Output channels', count: 'removed 50 of 1,000', ranges: '100–149' },
      { label: 'Inputs (axis 1)', count: 'removed 600 of 1,000', ranges: '0–599' },
    ]);
    // fc3 keeps its outputs: only its input columns went.
    expect(cutTexts(report, shapes.get('fc3.weight')!)).toEqual([{ label: 'Inputs (axis 1)', count: 'removed 50 of 1,000', ranges: '100–149' }]);
    expect(cutTexts(report, shapes.get('fc1.bias')!)).toEqual([{ label: 'Axis 0', count: 'removed 600 of 1,000', ranges: '0–599' }]);
  });
  it('a shape constant keeps its dims and says which entry changes', () => {
    const reshape: PruneReport = { ...report, shapeChanges: [{ tensor: 'shape', before: [2], after: [2], axis: 0, removed: [], value: { index: 1, before: 400, after: 200 } }] };
    const w = weightShapes(reshape).get('shape')!;
    expect(w.cuts).toEqual([]);
    expect(changedWeightLabel('shape', w)).toBe('shape ⟨2⟩ [1] 400 → 200');
  });
});

describe('new widths on the graph', () => {
  const graph = summarizeGraph(decodeModel(new Uint8Array(readFileSync(resolve(__dirname, '../../../resources/sample-mlp.onnx'))), 'sample-mlp.onnx').graph);
  const weightRows = (changed?: ReturnType<typeof prunedShapes>): string[][] =>
    layoutGraph(graph, estimateWidth, changed)
      .nodes.filter((n) => n.title === 'Gemm')
      .sort((a, b) => a.y - b.y)
      .map((n) => n.rows.filter((r) => r.kind === 'weight').map((r) => `${r.text}${r.changed ? ' *' : ''}`));

  it('labels the changed weights of each Gemm as before → after', () => {
    expect(weightRows(prunedShapes(report))).toEqual([
      ['B ⟨1000×784⟩ → ⟨400×784⟩ *', 'C ⟨1000⟩ → ⟨400⟩ *'],
      ['B ⟨1000×1000⟩ → ⟨950×400⟩ *', 'C ⟨1000⟩ → ⟨950⟩ *'],
      ['B ⟨10×1000⟩ → ⟨10×950⟩ *', 'C ⟨10⟩'],
    ]);
    expect(changedWeightLabel('W', { before: [16, 8, 3, 3], after: [10, 8, 3, 3] })).toBe('W ⟨16×8×3×3⟩ → ⟨10×8×3×3⟩');
  });
  it('is the plain graph without a report, or with an unstructured one', () => {
    const plain = [['B ⟨1000×784⟩', 'C ⟨1000⟩'], ['B ⟨1000×1000⟩', 'C ⟨1000⟩'], ['B ⟨10×1000⟩', 'C ⟨10⟩']];
    expect(weightRows()).toEqual(plain);
    expect(weightRows(prunedShapes(null))).toEqual(plain);
    expect(weightRows(prunedShapes({ ...report, structure: undefined, shapeChanges: undefined }))).toEqual(plain);
  });
  it('widens a box to hold its longer line', () => {
    const width = (changed?: ReturnType<typeof prunedShapes>): number => layoutGraph(graph, estimateWidth, changed).nodes.find((n) => n.id === 'n1')!.width;
    expect(width(prunedShapes(report))).toBeGreaterThanOrEqual(estimateWidth('B ⟨1000×784⟩ → ⟨400×784⟩', 'body'));
    expect(width(prunedShapes(report))).toBeGreaterThan(width());
  });
  it("the live table's shape column: kept shape for channels only", () => {
    expect(keptShapeText(fc1)).toBe('1000×784 → 400×784');
    expect(keptShapeText({ dims: [1000, 784] })).toBe('1000×784');
  });
});

describe("core's channel plan of the sample MLP, as the app reads it", () => {
  it('channels 0.5 per layer: half of each hidden layer goes, the output layer keeps its 10 outputs', () => {
    const model = decodeModel(new Uint8Array(readFileSync(resolve(__dirname, '../../../resources/sample-mlp.onnx'))), 'sample-mlp.onnx');
    const plan = planPrune(model, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const shapes = weightShapes({ ...plan, layers: plan.layers, denseBytes: 0, sparseBytes: 0 });
    const text = (t: string): string => changedWeightLabel('B', shapes.get(t)!);
    expect(text('fc1.weight')).toBe('B ⟨1000×784⟩ → ⟨500×784⟩');
    expect(text('fc2.weight')).toBe('B ⟨1000×1000⟩ → ⟨500×500⟩');
    expect(text('fc3.weight')).toBe('B ⟨10×1000⟩ → ⟨10×500⟩');
    const fc2 = cutTexts({ ...plan, denseBytes: 0, sparseBytes: 0 }, shapes.get('fc2.weight')!);
    expect(fc2.map((c) => [c.label, c.count])).toEqual([['Output channels', 'removed 500 of 1,000'], ['Inputs (axis 1)', 'removed 500 of 1,000']]);
  });
});

describe("core's channel plan of LeNet, on the graph", () => {
  it('Conv weights lose output channels, the Gemm after Flatten loses columns in blocks of 5×5', () => {
    const path = resolve(__dirname, '../../../test/models/cnn/lenet.onnx');
    const model = decodeModel(new Uint8Array(readFileSync(path)), 'lenet.onnx');
    const plan = planPrune(model, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const rows = layoutGraph(summarizeGraph(model.graph), estimateWidth, prunedShapes({ ...plan, denseBytes: 0, sparseBytes: 0 }))
      .nodes.flatMap((n) => n.rows.filter((r) => r.changed).map((r) => r.text));
    // conv1 6 → 3 channels; conv2 16 → 8 outputs and 6 → 3 inputs; fc1 reads 16·5·5 = 400 → 8·5·5 = 200
    // columns and keeps 60 of 120 outputs; fc2 84 → 42 of 120 → 60; fc3 keeps its 10 outputs.
    expect(rows).toEqual(expect.arrayContaining(['W ⟨6×1×5×5⟩ → ⟨3×1×5×5⟩', 'W ⟨16×6×5×5⟩ → ⟨8×3×5×5⟩', 'B ⟨120×400⟩ → ⟨60×200⟩', 'B ⟨84×120⟩ → ⟨42×60⟩', 'B ⟨10×84⟩ → ⟨10×42⟩']));
  });
});

describe('a shared constant each reader got a copy of (test/models/structured/shared_bias.onnx: torch merged the zero biases)', () => {
  const path = resolve(__dirname, '../../../test/models/structured/shared_bias.onnx');
  const model = decodeModel(new Uint8Array(readFileSync(path)), 'shared_bias.onnx');
  const graph = summarizeGraph(model.graph);
  // Each Conv's bias row on the graph, against the dims of the tensor that Conv reads in the pruned
  // model itself (through the Identity torch writes for the second reader).
  const biasRows = (select?: string[]): { row: string; actual: string }[] => {
    const plan = planPrune(model, { ratio: 0.5, mode: 'layer', structure: 'channels', ...(select ? { select } : {}) });
    const pruned = applyPrune(model, plan);
    const dims = (name: string): string => {
      const renamed = pruned.graph.nodes.find((n) => n.opType === 'Identity' && n.outputs[0] === name)?.inputs[0] ?? name;
      return pruned.graph.initializers.find((t) => t.name === renamed)!.dims.join('×');
    };
    const layout = layoutGraph(graph, estimateWidth, prunedShapes({ ...plan, denseBytes: 0, sparseBytes: 0 }));
    return graph.nodes.filter((n) => n.opType === 'Conv').map((n) => ({
      row: layout.nodes.find((b) => b.id === `n${n.index}`)!.rows.find((r) => r.text.startsWith('B '))!.text,
      actual: dims(pruned.graph.nodes[n.index].inputs[2]),
    }));
  };
  it('both Convs pruned: each bias row says what its own copy became', () => {
    const rows = biasRows();
    expect(rows.slice(0, 2).map((r) => r.row)).toEqual(['B ⟨12⟩ → ⟨6⟩', 'B ⟨12⟩ → ⟨6⟩']);
    for (const r of rows) expect(r.row).toMatch(new RegExp(`⟨${r.actual}⟩$`));
  });
  it("only the first Conv pruned: the second's bias keeps its 12 channels and reads so", () => {
    const rows = biasRows(['c1.weight']);
    expect(rows.map((r) => r.row)).toEqual(['B ⟨12⟩ → ⟨6⟩', 'B ⟨12⟩', 'B ⟨16⟩']);
    for (const r of rows) expect(r.row).toMatch(new RegExp(`⟨${r.actual}⟩$`));
  });
});

describe('activation widths on the edges after a channel prune', () => {
  const edges = (path: string, select?: string[]): Map<string, string> => {
    const model = decodeModel(new Uint8Array(readFileSync(resolve(__dirname, '../../..', path))), path);
    const plan = planPrune(model, { ratio: 0.5, mode: 'layer', structure: 'channels', ...(select ? { select } : {}) });
    const layout = layoutGraph(summarizeGraph(model.graph), estimateWidth, prunedShapes({ ...plan, denseBytes: 0, sparseBytes: 0 }));
    return new Map(layout.edges.map((e) => [e.tensor, `${e.label}${e.changed ? ' *' : ''}`]));
  };
  it('MLP: each hidden layer carries 500 features, the output still 10', () => {
    const e = edges('resources/sample-mlp.onnx');
    expect(e.get('/Flatten_output_0')).toBe('N×784');
    expect(e.get('/fc1/Gemm_output_0')).toBe('N×500 *');
    expect(e.get('/Relu_output_0')).toBe('N×500 *');
    expect(e.get('/Relu_1_output_0')).toBe('N×500 *');
    expect(e.get('logits')).toBe('N×10');
  });
  it('LeNet: half the channels through Relu and MaxPool, Flatten of 8×5×5', () => {
    const e = edges('test/models/cnn/lenet.onnx');
    expect(e.get('/c1/Conv_output_0')).toBe('N×3×28×28 *');
    expect(e.get('/MaxPool_output_0')).toBe('N×3×14×14 *');
    expect(e.get('/MaxPool_1_output_0')).toBe('N×8×5×5 *');
    expect(e.get('/Flatten_output_0')).toBe('N×200 *');
    expect(e.get('/f2/Gemm_output_0')).toBe('N×42 *');
    expect(e.get('logits')).toBe('N×10');
  });
  it('channels last: 12 → 6 channels permuted to N×6×6×6 and flattened to 216', () => {
    const e = edges('test/models/structured/channels_last.onnx');
    expect(e.get('/Transpose_1_output_0')).toBe('N×6×6×6 *');
    expect(e.get('/Flatten_output_0')).toBe('N×216 *');
  });
  it('ReduceMean over H, W: the pooled vector carries 8 of 16 channels (the shapes torch did not record stay blank)', () => {
    const e = edges('test/models/structured/reduce_squeeze.onnx');
    expect(e.get('/ReduceMean_output_0')).toBe('N×8 *');
  });
  it('ConvTranspose 8 → 4 outputs, concatenated with the skip (8 → 4): 8 channels', () => {
    const e = edges('test/models/structured/conv_transpose.onnx', ['a.weight', 'b.weight', 'up.weight', 'd.weight']);
    expect(e.get('/up/ConvTranspose_output_0')).toBe('N×4×12×12 *');
    expect(e.get('/Concat_output_0')).toBe('N×8×12×12 *');
  });
});
