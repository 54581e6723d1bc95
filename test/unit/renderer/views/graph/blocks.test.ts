// Repeated-block detection (blocks.ts) on generated graphs: a BERT-shaped encoder with torch names
// (the name rule) and without (the structural rule), a chain of identical residual blocks, two
// interleaved block kinds, runs of two kinds one after the other, and graphs with no repetition.

import { describe, expect, it } from 'vitest';
import { summarizeGraph } from '../../../../../src/engine/summary';
import type { GraphSummary, NodeSummary } from '../../../../../src/engine/protocol';
import { findBlocks, nameBlock, periodicRuns, runTitle } from '../../../../../src/renderer/views/graph/blocks';
import { bertGraph } from '../../../../support/bert-graph';

function chain(kinds: string[][], residual = true): GraphSummary {
  const nodes: NodeSummary[] = [];
  let prev = 'x';
  for (const ops of kinds) {
    const start = prev;
    ops.forEach((op, k) => {
      const out = `t${nodes.length}`;
      const inputs = k === ops.length - 1 && residual && op === 'Add' ? [prev, start] : [prev];
      nodes.push({ index: nodes.length, name: `node${nodes.length}`, opType: op, domain: '', inputs, outputs: [out], attributes: [], subgraphs: [] });
      prev = out;
    });
  }
  return { name: 'g', inputs: [{ name: 'x', type: 'float32' }], outputs: [{ name: prev, type: 'float32' }], values: [], nodes, initializers: [] };
}

describe('findBlocks', () => {
  it('names: one run of 24 encoder layers in a BERT-shaped graph, parameters counted by hand', () => {
    const g = summarizeGraph(bertGraph({ layers: 24, hidden: 8 }).graph);
    const runs = findBlocks(g);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.rule).toBe('name');
    expect(run.blocks).toHaveLength(24);
    expect(runTitle(run)).toBe('Encoder layer × 24');
    // Every node named /encoder/layer.k/… is in block k.
    for (const [k, block] of run.blocks.entries()) {
      const expected = g.nodes.filter((n) => n.name.startsWith(`/encoder/layer.${k}/`)).map((n) => n.index);
      expect(block).toEqual(expected);
    }
    // Per layer, H = 8, F = 32: Q, K, V, output (H·H + H each), two LayerNorms (2H each, plus a
    // pow and an eps scalar each), up (H·F + F), down (F·H + H), scale, sqrt2, half; shared by all
    // layers: scalar_one, axes_0, index_0, index_1, head_dims (2), flat_dims.
    const H = 8;
    const F = 32;
    const perLayer = 4 * (H * H + H) + 2 * (2 * H + 2) + (H * F + F) + (F * H + H) + 3;
    expect(run.params).toBe(24 * perLayer + 7);
  });

  it('structure: the same graph without names still collapses its layers', () => {
    const g = summarizeGraph(bertGraph({ layers: 12, names: false }).graph);
    const runs = findBlocks(g);
    expect(runs).toHaveLength(1);
    expect(runs[0].rule).toBe('structure');
    const perLayer = g.nodes.filter((n) => n.opType === 'Softmax').length === 12 ? runs[0].blocks[0].length : -1;
    // Layer 0 takes its input from further back (the mask ops sit between it and the embeddings):
    // it joins the run as a block of the same ops.
    expect(runs[0].blocks).toHaveLength(12);
    for (const b of runs[0].blocks) expect(b.filter((i) => g.nodes[i].opType === 'Softmax')).toHaveLength(1);
    expect(perLayer).toBe(runs[0].blocks[1].length);
  });

  it('a chain of k identical blocks with a residual is one run of k', () => {
    const block = ['Conv', 'Relu', 'Conv', 'Relu', 'Add'];
    const g = chain([['Conv'], ...Array.from({ length: 7 }, () => block), ['Gemm']]);
    const runs = findBlocks(g);
    expect(runs).toHaveLength(1);
    expect(runs[0].blocks).toHaveLength(7);
    expect(runs[0].blocks[0]).toEqual([1, 2, 3, 4, 5]);
  });

  it('two interleaved block kinds repeat as one block of both', () => {
    const a = ['MatMul', 'Softmax', 'MatMul', 'Add'];
    const b = ['LayerNormalization', 'MatMul', 'Gelu', 'MatMul', 'Add'];
    const g = chain(Array.from({ length: 6 }, () => [a, b]).flat());
    const runs = findBlocks(g);
    expect(runs).toHaveLength(1);
    expect(runs[0].blocks).toHaveLength(6);
    expect(runs[0].blocks[0]).toHaveLength(9);
  });

  it('two kinds one after the other are two runs', () => {
    const a = ['Conv', 'BatchNormalization', 'Relu', 'Add'];
    const b = ['MatMul', 'Add', 'Tanh', 'MatMul', 'Add'];
    const g = chain([...Array.from({ length: 4 }, () => a), ...Array.from({ length: 3 }, () => b)]);
    const runs = findBlocks(g);
    expect(runs.map((r) => [r.blocks.length, r.blocks[0].length])).toEqual([[4, 4], [3, 5]]);
  });

  it('a repeated chain without a layer (two decomposed LayerNorms in a row) is not a block; with a MatMul each, it is', () => {
    const ln = ['ReduceMean', 'Sub', 'Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Mul', 'Add'];
    expect(findBlocks(chain([['Conv'], ln, ln, ['Gemm']], false))).toEqual([]);
    const runs = findBlocks(chain([['Conv'], [...ln, 'MatMul'], [...ln, 'MatMul'], ['Gemm']], false));
    expect(runs.map((r) => [r.blocks.length, r.blocks[0].length])).toEqual([[2, 10]]);
  });

  it('no repetition, no groups', () => {
    const ops = ['Conv', 'Relu', 'MaxPool', 'Conv', 'Sigmoid', 'AveragePool', 'Flatten', 'Gemm', 'Tanh', 'Gemm', 'Softmax'];
    expect(findBlocks(chain([ops]))).toEqual([]);
    expect(findBlocks(chain([['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']]))).toEqual([]);
  });
});

describe('nameBlock and periodicRuns', () => {
  it('reads the family and number of torch-style names', () => {
    expect(nameBlock('/encoder/layer.3/attention/self/MatMul')).toEqual({ family: '/encoder/layer.#', number: 3, label: 'encoder layer' });
    expect(nameBlock('/transformer/h.11/attn/Softmax')).toMatchObject({ family: '/transformer/h.#', number: 11 });
    expect(nameBlock('/blocks/blocks.0/a/Conv')).toMatchObject({ family: '/blocks/blocks.#', number: 0, label: 'blocks' });
    expect(nameBlock('Conv_12')).toBeUndefined();
  });

  it('finds the longest periodic stretch, smaller period on ties', () => {
    const seq = [9, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 8];
    expect(periodicRuns(seq.length, (i, j) => seq[i] === seq[j])).toEqual([{ start: 1, period: 4, count: 4 }]);
  });
});
