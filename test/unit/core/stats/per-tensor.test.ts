// Per-tensor cost of statistics: a model of 100,000 one-element weights took 138 s in `stats`
// (info 2 s). The cost was fixed-size work per tensor (1.5 MB of key tables and a 65,536-bin
// quantile table, scanned in full) and a scan of every weight for every requested name. Counted
// here, not timed: small tensors make no such tables, and the lookup reads each name a bounded
// number of times.
import { describe, expect, test } from 'vitest';
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { binEdges, keyTables, tensorStats } from '../../../../src/core/stats';
import { weightTensors } from '../../../../src/engine/handlers/model';

/** Type-7 quantile of the sorted values (numpy's default), independent of the code under test. */
function sortedQuantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const k = Math.floor(pos);
  const frac = pos - k;
  return frac > 0 ? sorted[k] + (sorted[k + 1] - sorted[k]) * frac : sorted[k];
}

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

describe('per-tensor cost of statistics', () => {
  test('10,000 small float32 tensors make no key or quantile tables, and their statistics are right', () => {
    const r = rng(7);
    const before = { ...keyTables };
    for (let i = 0; i < 10_000; i++) {
      const n = 1 + (i % 37);
      const v = Float32Array.from({ length: n }, () => (r() - 0.5) * 4);
      if (i % 5 === 0) v[0] = 0;
      const s = tensorStats(v, { bins: 8 });
      if (i % 500 !== 0) continue;
      // Checked against a plain reference on a sample of them.
      const sorted = Array.from(v, Math.abs).sort((a, b) => a - b);
      expect(s.count).toBe(n);
      expect(s.min).toBe(Math.min(...v));
      expect(s.max).toBe(Math.max(...v));
      expect(s.zeros).toBe(v.filter((x) => x === 0).length);
      expect(s.absP50).toBe(sortedQuantile(sorted, 0.5));
      expect(s.absP99).toBe(sortedQuantile(sorted, 0.99));
      const mean = v.reduce((a, b) => a + b, 0) / n;
      expect(s.mean).toBeCloseTo(mean, 6);
      // The range: min..max, widened by histogramRange when they are equal (one element).
      if (s.min < s.max) expect([s.histogram.min, s.histogram.max]).toEqual([s.min, s.max]);
      const edges = binEdges(s.histogram.min, s.histogram.max, 8);
      const counts = new Array<number>(8).fill(0);
      for (const x of v) {
        let b = 0;
        while (b < 7 && x >= edges[b + 1]) b++;
        counts[b]++;
      }
      expect(s.histogram.counts).toEqual(counts);
    }
    expect(keyTables.made - before.made).toBe(0);
    expect(keyTables.quantileTables - before.quantileTables).toBe(0);
  });

  test('a large float32 tensor still takes the two passes over the bits', () => {
    const before = { ...keyTables };
    const v = Float32Array.from({ length: 1 << 17 }, (_, i) => Math.sin(i));
    tensorStats(v);
    expect(keyTables.made - before.made).toBe(1);
  });

  test('looking up N requested weights reads each tensor name a bounded number of times (not N times)', () => {
    for (const n of [1_000, 4_000]) {
      let reads = 0;
      const initializers: Tensor[] = Array.from({ length: n }, (_, i) => {
        const t = { dataType: DataType.FLOAT, dims: [1], data: Float32Array.of(i) } as unknown as Tensor;
        Object.defineProperty(t, 'name', {
          get: () => {
            reads++;
            return `w${i}`;
          },
          enumerable: true,
        });
        return t;
      });
      const model: Model = {
        irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: '', producerVersion: '', domain: '', modelVersion: 0,
        docString: '', metadataProps: [], functions: [],
        graph: { name: 'g', inputs: [], outputs: [], valueInfo: [], nodes: [], initializers, sparseInitializers: [] },
      };
      const refs = Array.from({ length: n }, (_, i) => ({ graph: '', name: `w${n - 1 - i}` }));
      const got = weightTensors(model, refs, 'many.onnx');
      expect(got.length).toBe(n);
      expect((got[0].data as Float32Array)[0]).toBe(n - 1);
      expect(reads).toBeLessThanOrEqual(4 * n);
    }
  });
});
