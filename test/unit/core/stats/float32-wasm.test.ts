// The WebAssembly SIMD loops of the float32 statistics (float32-wasm.ts) against the JS loops they
// stand for: pass 1 must give the same key counts, bit for bit the same sums (same lanes, same
// order), the same min/max (the sign of a zero included) and zeros; pass 2 the same histogram and
// gathered values; and the statistics those of the generic path (float64 input).
import { afterAll, describe, expect, it } from 'vitest';
import { float32Pass, gatherSizes, planFinish, scanShard } from '../../../../src/core/stats/float32-stats';
import { statsKernels, useStatsKernels } from '../../../../src/core/stats/float32-wasm';
import { tensorStats } from '../../../../src/core/stats';

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** pass 1, plan and pass 2 of `v`, with or without the WebAssembly kernels. */
function run(v: Float32Array, wasm: boolean, bins: number) {
  useStatsKernels(wasm);
  const pass = float32Pass(v);
  const plan = planFinish(pass, bins, pass.finite ? pass.min : 0, pass.finite ? pass.max : 1, pass.finite ? [0.5, 0.9, 0.99] : []);
  const scan = scanShard(v, plan, gatherSizes(pass.keys, plan.gatherKeys));
  const stats = tensorStats(v, { bins });
  return { pass, scan: { ...scan, counts: Array.from(scan.counts), gathered: Array.from(scan.gathered) }, stats };
}

describe('float32 statistics: WebAssembly SIMD loops and JS loops agree exactly', () => {
  afterAll(() => useStatsKernels(true));
  const r = rng(11);
  const cases: { name: string; data: Float32Array; bins: number }[] = [];
  {
    const a = new Float32Array(3 * 4096 + 3); // a tail of 3 after the last group of four
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.5) * 0.1 + (i % 7 === 0 ? 3 : 0);
    cases.push({ name: 'dense weights with a large mean, length not a multiple of 4', data: a, bins: 64 });
  }
  {
    const a = new Float32Array(5 * 4096 + 1);
    for (let i = 0; i < a.length; i++) a[i] = i % 2 === 0 ? 0 : (r() - 0.5) * 2;
    cases.push({ name: 'pruned: half zeros', data: a, bins: 37 });
  }
  for (const sign of [1, -1]) {
    // Values of one sign whose min (max) is a zero: within a chunk, -0 comes first but sits in a
    // later lane than a +0 (and the other way round in the next chunk), so only the order of the
    // elements decides the sign of the result.
    const a = new Float32Array(3 * 4096);
    for (let i = 0; i < a.length; i++) a[i] = sign * (r() * 5 + 1);
    a[4096 + 6] = -0 * sign;
    a[4096 + 9] = 0 * sign;
    a[2 * 4096 + 1] = 0 * sign;
    a[2 * 4096 + 3] = -0 * sign;
    cases.push({ name: `${sign > 0 ? 'non-negative values with a zero min' : 'non-positive values with a zero max'}, zeros of both signs`, data: a, bins: 16 });
  }
  {
    const a = new Float32Array(4 * 4096 + 2);
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.5) * 8;
    a[5] = NaN;
    a[4096] = Infinity; // a non-finite chunk start
    a[2 * 4096 + 4095] = -Infinity;
    a[a.length - 1] = NaN; // in the tail
    cases.push({ name: 'NaN and ±Inf in groups, at a chunk start and in the tail', data: a, bins: 20 });
  }
  {
    const a = new Float32Array(2 * 4096);
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(r() * 5) / 4;
    cases.push({ name: 'values on the bin edges', data: a, bins: 4 });
  }
  {
    // A range narrower than one key: each key holds many edges (binned by JS), next to keys that
    // hold one (counted by WebAssembly on either side of a threshold).
    const a = new Float32Array(3 * 4096 + 1);
    for (let i = 0; i < a.length; i++) a[i] = i % 3 === 0 ? 1 + r() * 1e-3 : 1 + r() * 0.5;
    cases.push({ name: 'keys holding many edges beside keys holding one', data: a, bins: 64 });
  }
  it('has the WebAssembly kernels on this platform (Node)', () => {
    useStatsKernels(true);
    expect(statsKernels()).toBeDefined();
  });
  for (const { name, data, bins } of cases) {
    it(name, () => {
      const js = run(data, false, bins);
      const wasm = run(data, true, bins);
      expect(Array.from(wasm.pass.keys)).toEqual(Array.from(js.pass.keys));
      expect({ ...wasm.pass, keys: 0 }).toEqual({ ...js.pass, keys: 0 }); // Object.is: -0 ≠ 0, bits of mean and m2
      expect(wasm.scan).toEqual(js.scan);
      expect(wasm.stats).toEqual(js.stats);
      // And the generic path (float64 input), mean and std up to rounding.
      const g = tensorStats(Float64Array.from(data), { bins });
      expect({ ...wasm.stats, mean: 0, std: 0 }).toEqual({ ...g, mean: 0, std: 0 });
      expect(Math.abs(wasm.stats.std - g.std)).toBeLessThanOrEqual(1e-10 * g.std);
    });
  }
});
