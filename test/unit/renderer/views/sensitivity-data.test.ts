// The Sensitivity panel's pure helpers (sensitivity-data.ts): points merged into curves as they
// arrive, the overlay's default ratio, the accuracy drop per graph node (hand-computed on a small
// graph summary: a node reading two analysed tensors takes the larger drop), the target parser.
import { describe, expect, it } from 'vitest';
import type { ModelSummary, SensitivityPoint } from '../../../../src/engine/protocol';
import { accuracyDropByNode, allocatedSparsity, curveRatios, defaultOverlayRatio, mergeSensitivityPoint, parseTarget, type LiveCurve } from '../../../../src/renderer/views/sensitivity-data';

const pt = (ratio: number, accuracy: number): SensitivityPoint => ({ ratio, pruned: ratio, accuracy, loss: 1 - accuracy });

describe('mergeSensitivityPoint', () => {
  it('places points by curve index, sorted by ratio, replacing one at the same ratio', () => {
    let curves: LiveCurve[] = [];
    curves = mergeSensitivityPoint(curves, 1, 'b', pt(0.9, 0.5));
    expect(curves.length).toBe(2);
    expect(curves[1].tensor).toBe('b');
    curves = mergeSensitivityPoint(curves, 0, 'a', pt(0.9, 0.7));
    curves = mergeSensitivityPoint(curves, 0, 'a', pt(0.5, 0.8));
    curves = mergeSensitivityPoint(curves, 0, 'a', pt(0.9, 0.6));
    expect(curves[0].points.map((p) => [p.ratio, p.accuracy])).toEqual([[0.5, 0.8], [0.9, 0.6]]);
    expect(curveRatios(curves)).toEqual([0.5, 0.9]);
  });
});

describe('defaultOverlayRatio', () => {
  it('takes the highest ratio ≤ 0.9, else the lowest', () => {
    expect(defaultOverlayRatio([0.1, 0.5, 0.9, 0.95])).toBe(0.9);
    expect(defaultOverlayRatio([0.3, 0.7])).toBe(0.7);
    expect(defaultOverlayRatio([0.95, 0.99])).toBe(0.95);
    expect(defaultOverlayRatio([])).toBeUndefined();
  });
});

describe('accuracyDropByNode', () => {
  const node = (index: number, name: string, inputs: string[]): ModelSummary['graph']['nodes'][number] => ({ index, name, opType: 'Gemm', domain: '', inputs, outputs: [`${name}_out`], attributes: [], subgraphs: [] });
  const model = { graph: { nodes: [node(0, 'n0', ['x', 'w1']), node(1, 'n1', ['n0_out', 'w2', 'w3']), node(2, 'n2', ['n1_out'])] } } as unknown as Pick<ModelSummary, 'graph'>;
  it('gives each reading node baseline − accuracy at the ratio, the largest of several tensors', () => {
    const curves: LiveCurve[] = [
      { tensor: 'w1', params: 10, nodes: ['n0'], points: [pt(0.5, 0.9), pt(0.9, 0.8)] },
      { tensor: 'w2', params: 10, nodes: [], points: [pt(0.9, 0.75)] },
      { tensor: 'w3', params: 10, nodes: ['n1'], points: [pt(0.9, 0.85)] },
    ];
    const drops = accuracyDropByNode(model, curves, 0.95, 0.9);
    expect([...drops.keys()].sort()).toEqual([0, 1]);
    expect(drops.get(0)).toBeCloseTo(0.15, 12);
    // n1 reads w2 (0.95 − 0.75 = 0.2, found from the inputs) and w3 (0.1): the larger
    expect(drops.get(1)).toBeCloseTo(0.2, 12);
    expect(accuracyDropByNode(model, curves, 0.95, 0.5).get(0)).toBeCloseTo(0.05, 12);
    expect(accuracyDropByNode(model, curves, 0.95, 0.5).has(1)).toBe(false);
  });
});

describe('parseTarget and allocatedSparsity', () => {
  it('reads percents and refuses the rest', () => {
    expect(parseTarget('90')).toBeCloseTo(0.9, 12);
    expect(parseTarget(' 75 % ')).toBeCloseTo(0.75, 12);
    expect(parseTarget('100')).toHaveProperty('error');
    expect(parseTarget('abc')).toHaveProperty('error');
    expect(parseTarget('0')).toHaveProperty('error');
  });
  it('weights the ratios by parameters, rounding each count', () => {
    // round(0.5·3) = 2 of 3, round(0.9·7) = 6 of 7: 8 / 10
    expect(allocatedSparsity([{ params: 3, ratio: 0.5 }, { params: 7, ratio: 0.9 }])).toBeCloseTo(0.8, 12);
  });
});
