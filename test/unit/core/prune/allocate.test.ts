// Ratio allocation: hand-made curves with a known optimum, and the issue's claim on real models:
// at 90% overall sparsity the allocation beats uniform per-layer magnitude pruning (sample MLP on
// its bundled MNIST test split, Fashion-MNIST MLP on t10k), within 0.5% of the target sparsity.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { allocate, monotoneCurve } from '../../../../src/core/prune/allocate';
import { compareAllocation } from '../../../../src/core/prune/allocate-compare';
import { sensitivity, SENSITIVITY_RATIOS, type SensitivityResult } from '../../../../src/core/prune/sensitivity';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { ROOT, SAMPLE, sampleDataset } from '../../../support/engine';

function curves(list: { tensor: string; params: number; losses: [number, number][] }[], baseline = 1): SensitivityResult {
  return {
    samples: 1, structure: 'unstructured', baseline: { accuracy: 1, loss: baseline }, totalNodes: 1,
    curves: list.map((c) => ({ tensor: c.tensor, params: c.params, nodes: [], nodesRun: 1, points: c.losses.map(([ratio, loss]) => ({ ratio, loss, accuracy: 0, pruned: ratio })) })),
  };
}

describe('allocate (hand-made curves)', () => {
  it('prunes the insensitive tensor first', () => {
    // a: flat up to 1; b: Δloss = 2r. 50% of 200 parameters: all of a, none of b, Δ = 0.
    const r = allocate(curves([
      { tensor: 'a', params: 100, losses: [[0.5, 1], [1, 1]] },
      { tensor: 'b', params: 100, losses: [[0.5, 2], [1, 3]] },
    ]), 0.5);
    expect(r.overrides).toEqual({ a: 1, b: 0 });
    expect(r.predictedLossIncrease).toBe(0);
    expect(r.sparsity).toBe(0.5);
  });

  it('equalises marginal cost per parameter: the cheaper slope first, the last segment in part', () => {
    // a (100 params): Δ 0.1 per 0.5 ratio = 0.002 per parameter; b (300 params): Δ 0.3 per 0.5 = 0.002 too, then steeper.
    // c (100): Δ 1 at 0.5 = 0.02 per parameter. Target 45% of 500 = 225 parameters:
    // a and b's first segments (50 + 150 = 200) at 0.002, then 25 more at the next cheapest:
    // a's second segment (Δ 0.9 over 50 = 0.018) beats b's (Δ 3 over 150 = 0.02) and c's (0.02): a → 0.75.
    const r = allocate(curves([
      { tensor: 'a', params: 100, losses: [[0.5, 0.1], [1, 1]] },
      { tensor: 'b', params: 300, losses: [[0.5, 0.3], [1, 3.3]] },
      { tensor: 'c', params: 100, losses: [[0.5, 1], [1, 2]] },
    ], 0), 0.45);
    expect(r.overrides).toEqual({ a: 0.75, b: 0.5, c: 0 });
    expect(r.predictedLossIncrease).toBeCloseTo(0.55 + 0.3, 12);
  });

  it('monotone-izes a noisy curve (a running maximum, never below 0)', () => {
    expect(monotoneCurve([{ ratio: 0.2, loss: 0.9 }, { ratio: 0.4, loss: 1.2 }, { ratio: 0.6, loss: 1.1 }], 1)).toEqual([
      { r: 0, d: 0 }, { r: 0.2, d: 0 }, { r: 0.4, d: 1.2 - 1 }, { r: 0.6, d: 1.2 - 1 },
    ]);
  });

  it('reads the curves against the fraction actually pruned: a tensor kept whole gets nothing', () => {
    const r = curves([
      { tensor: 'kept', params: 100, losses: [[0.5, 1], [0.9, 1]] },
      { tensor: 'b', params: 100, losses: [[0.5, 1.5], [0.9, 2]] },
    ]);
    r.curves[0].points.forEach((p) => (p.pruned = 0));
    // b prunes 0.5 of itself when asked 0.5 and 0.8 when asked 0.9 (say, whole channels): 40% of 200 = b at 0.8, asked 0.9
    r.curves[1].points[1].pruned = 0.8;
    const a = allocate(r, 0.4);
    expect(a.overrides).toEqual({ kept: 0, b: 0.9 });
  });

  it('refuses a target beyond the measured ratios', () => {
    expect(() => allocate(curves([{ tensor: 'a', params: 10, losses: [[0.5, 1]] }]), 0.8)).toThrow(/beyond the measured curves/);
  });
});

function fashionTest(): Dataset {
  const dir = '/usr/share/datasets/fashion-mnist';
  return parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })));
}

describe('allocation at 90% on real models', () => {
  const cases: [string, string, () => Dataset][] = [
    ['sample MLP, bundled MNIST test split', SAMPLE, sampleDataset],
    ['Fashion-MNIST MLP, t10k', join(ROOT, 'resources/fashion-mlp.onnx'), fashionTest],
  ];
  for (const [name, file, data] of cases) {
    it(`beats uniform per-layer magnitude pruning: ${name}`, async () => {
      const model = decodeModel(new Uint8Array(readFileSync(file)));
      const ds = data();
      const n = 2000;
      const result = await sensitivity(model, ds, { ratios: SENSITIVITY_RATIOS, limit: n }, { now: () => performance.now() });
      const a = allocate(result, 0.9);
      expect(Math.abs(a.sparsity - 0.9)).toBeLessThan(0.005);
      // measured on all the samples of the test set, not only those the curves were made on
      const [allocated, uniform, global] = compareAllocation(model, ds, ds.count, a);
      console.log(`${name}: ratios ${a.rows.map((r) => `${r.tensor} ${r.ratio}`).join(', ')}; on ${ds.count} samples: ` +
        [allocated, uniform, global].map((c) => `${c.name} ${(c.accuracy * 100).toFixed(2)}% (loss ${c.loss.toFixed(3)}, sparsity ${(c.sparsity * 100).toFixed(2)}%)`).join('; '));
      expect(Math.abs(allocated.sparsity - 0.9)).toBeLessThan(0.005);
      expect(uniform.sparsity).toBeCloseTo(0.9, 4);
      expect(allocated.accuracy).toBeGreaterThan(uniform.accuracy);
      expect(allocated.loss).toBeLessThan(uniform.loss);
    });
  }
});
