// The per-node error results as data (evaluate-node-errors-data.ts) on hand-made reports: the
// overlay's value of a node is the largest rel L2 of its outputs (none for a changed shape), the
// highlighted count, the cell texts and the summary lines.
import { describe, expect, it } from 'vitest';
import type { NodeErrorReport } from '../../../../src/engine/protocol';
import { cosineText, errorValues, outputsText, relText, worstCount } from '../../../../src/renderer/views/evaluate-node-errors-data';

const report: NodeErrorReport = {
  samples: 10,
  requested: 16,
  nodes: [
    { index: 0, name: 'conv', opType: 'Conv', outputs: [{ value: 'c', shapeChanged: { original: [10, 8, 24, 24], pruned: [10, 4, 24, 24] } }] },
    { index: 1, name: 'split', opType: 'Split', outputs: [{ value: 's0', relL2: 0.25, cosine: 0.97 }, { value: 's1', relL2: 0.5, cosine: 0.9 }] },
    { index: 2, name: 'gone', opType: 'Relu', outputs: [{ value: 'g', missing: true }] },
    { index: 3, name: 'fc', opType: 'Gemm', outputs: [{ value: 'y', relL2: 0.125, cosine: 0.99 }] },
  ],
  outputs: [{ value: 'y', relL2: 0.125, cosine: 0.99 }],
  top1Agreement: 0.7,
};

describe('per-node error table', () => {
  it('overlay values: the largest of a node’s outputs; nothing for a changed shape or a missing value', () => {
    expect([...errorValues(report)]).toEqual([
      [1, 0.5],
      [3, 0.125],
    ]);
  });

  it('highlights at most a quarter of the measured rows, at least one, at most five', () => {
    expect([0, 1, 4, 5, 8, 20, 21, 400].map(worstCount)).toEqual([0, 1, 1, 2, 2, 5, 5, 5]);
  });

  it('cells: a shape change names both shapes without the batch; a missing value says so', () => {
    expect(relText(report.nodes[0].outputs[0])).toBe('shape 8×24×24 → 4×24×24');
    expect(relText(report.nodes[2].outputs[0])).toBe('not in the pruned model');
    expect(relText({ value: 'v', relL2: 0.000012345 })).toBe('1.234e-5');
    expect(cosineText({ value: 'v', cosine: 0.99996 })).toBe('1.0000');
    expect(cosineText(report.nodes[0].outputs[0])).toBe('–');
  });

  it('summary: each model output, then the top-1 agreement with its count', () => {
    expect(outputsText(report)).toEqual(['Model output y: rel L2 0.125, cosine 0.9900', 'Top-1 agreement: 70.0% (7 of 10 samples)']);
  });
});
