// tensorStats, histogram and the |w| quantiles against an independent reference: a naive two-pass
// float64 computation and a full sort, done here in the test.
import { describe, expect, it } from 'vitest';
import { absQuantile, absQuantiles, binEdges, float32Pass, histogram, quantilesInPlace, scanShard, shardedFloat32Stats, tensorStats } from '../../../../src/core/stats';
import { mulberry32 as rng } from '../../../../src/core/train/random';

interface Reference {
  finite: number[];
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  nonFinite: number;
  sortedAbs: number[];
}

/** Two passes in float64 over a plain array, and a full sort of |w|. */
function reference(values: ArrayLike<number>): Reference {
  const finite: number[] = [];
  let nonFinite = 0;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isFinite(x)) finite.push(x);
    else nonFinite++;
    if (x === 0) zeros++;
  }
  let sum = 0;
  for (const x of finite) sum += x;
  const mean = sum / finite.length;
  let ss = 0;
  for (const x of finite) ss += (x - mean) * (x - mean);
  const sortedAbs = finite.map(Math.abs).sort((a, b) => a - b);
  return {
    finite,
    min: finite.reduce((a, b) => (b < a ? b : a), Infinity),
    max: finite.reduce((a, b) => (b > a ? b : a), -Infinity),
    mean,
    std: Math.sqrt(ss / finite.length),
    zeros,
    nonFinite,
    sortedAbs,
  };
}

/** Type-7 quantile of a sorted array. */
function sortedQuantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const k = Math.floor(pos);
  const frac = pos - k;
  return frac > 0 ? sorted[k] + (sorted[k + 1] - sorted[k]) * frac : sorted[k];
}

function minMax(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

describe('tensorStats on small hand-checked arrays', () => {
  it('[-2, 0, 0, 1, 3]', () => {
    const s = tensorStats(Float32Array.from([-2, 0, 0, 1, 3]), { bins: 5 });
    expect(s.count).toBe(5);
    expect(s.min).toBe(-2);
    expect(s.max).toBe(3);
    expect(s.mean).toBeCloseTo(0.4, 12);
    // deviations: -2.4, -0.4, -0.4, 0.6, 2.6 → squares sum 5.76+0.16+0.16+0.36+6.76 = 13.2 → var 2.64
    expect(s.std).toBeCloseTo(Math.sqrt(2.64), 12);
    expect(s.zeros).toBe(2);
    expect(s.nonFinite).toBe(0);
    // |w| sorted: 0 0 1 2 3 → p50 = 1, p90 at position 3.6 → 2 + 0.6 = 2.6, p99 at 3.96 → 2.96
    expect(s.absP50).toBe(1);
    expect(s.absP90).toBeCloseTo(2.6, 6);
    expect(s.absP99).toBeCloseTo(2.96, 6);
    // 5 bins of width 1 over [-2, 3]: [-2,-1) [-1,0) [0,1) [1,2) [2,3]
    expect(s.histogram.min).toBe(-2);
    expect(s.histogram.max).toBe(3);
    expect(s.histogram.counts).toEqual([1, 0, 2, 1, 1]);
  });

  it('NaN and ±Inf are counted apart and excluded from everything else', () => {
    const s = tensorStats(Float32Array.from([NaN, 1, -Infinity, 2, Infinity, 3, NaN]), { bins: 2 });
    expect(s.count).toBe(7);
    expect(s.nonFinite).toBe(4);
    expect(s.finite).toBe(3);
    expect([s.min, s.max, s.mean]).toEqual([1, 3, 2]);
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.histogram.counts).toEqual([1, 2]);
    expect(s.absP50).toBe(2);
  });

  it('all values non-finite, empty input, constant input', () => {
    const allBad = tensorStats([NaN, Infinity]);
    expect(allBad.nonFinite).toBe(2);
    expect(allBad.min).toBeNaN();
    expect(allBad.absP50).toBeNaN();
    expect(allBad.histogram.counts.reduce((a, b) => a + b, 0)).toBe(0);
    const empty = tensorStats(new Float32Array(0));
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
    const constant = tensorStats(new Float32Array(10).fill(0.25), { bins: 4 });
    expect(constant.std).toBe(0);
    expect(constant.histogram.min).toBe(-0.25);
    expect(constant.histogram.max).toBe(0.75);
    expect(constant.histogram.counts).toEqual([0, 0, 10, 0]);
  });

  it('-0 counts as a zero', () => {
    expect(tensorStats(Float32Array.from([-0, 0, 1])).zeros).toBe(2);
    // A -0 or a +0 alone in a later block of 4096 values, with no other zero in the array.
    for (const zero of [-0, 0]) {
      const a = new Float32Array(3 * 4096).map((_, i) => 1 + i);
      a[4096 + 9] = zero;
      expect(tensorStats(a).zeros).toBe(1);
    }
  });

  it('a large mean with a tiny spread keeps its precision', () => {
    const v = new Float64Array(100_000);
    for (let i = 0; i < v.length; i++) v[i] = 1e9 + (i % 2 === 0 ? 1 : -1);
    const s = tensorStats(v);
    expect(s.mean).toBe(1e9);
    expect(s.std).toBeCloseTo(1, 9);
  });
});

describe('tensorStats against the two-pass / full-sort reference', () => {
  const cases: { name: string; data: ArrayLike<number> }[] = [];
  const r = rng(7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  {
    const a = new Float32Array(200_003);
    for (let i = 0; i < a.length; i++) a[i] = i % 5 === 0 ? 0 : gauss() * 0.05;
    cases.push({ name: 'float32 weights with 20% zeros', data: a });
  }
  {
    const a = new Float32Array(50_000);
    for (let i = 0; i < a.length; i++) a[i] = Math.round(gauss() * 3) / 4; // many ties
    a[17] = NaN;
    a[100] = -Infinity;
    cases.push({ name: 'float32 with ties and non-finite values', data: a });
  }
  {
    const a = new Float64Array(30_001);
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.3) * 1e6;
    cases.push({ name: 'float64', data: a });
  }
  {
    const a = new Int8Array(10_000);
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(r() * 256) - 128;
    cases.push({ name: 'int8', data: a });
  }
  cases.push({ name: 'plain array', data: Array.from({ length: 999 }, () => gauss()) });

  for (const { name, data } of cases) {
    it(name, () => {
      const ref = reference(data);
      const s = tensorStats(data, { bins: 37 });
      expect(s.count).toBe(data.length);
      expect(s.finite).toBe(ref.finite.length);
      expect(s.nonFinite).toBe(ref.nonFinite);
      expect(s.zeros).toBe(ref.zeros);
      const [lo, hi] = minMax(ref.finite);
      expect(s.min).toBe(ref.min);
      expect(s.max).toBe(ref.max);
      expect(Math.abs(s.mean - ref.mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(hi), Math.abs(lo)));
      expect(Math.abs(s.std - ref.std) / ref.std).toBeLessThan(1e-10);
      expect(s.absP50).toBe(sortedQuantile(ref.sortedAbs, 0.5));
      expect(s.absP90).toBe(sortedQuantile(ref.sortedAbs, 0.9));
      expect(s.absP99).toBe(sortedQuantile(ref.sortedAbs, 0.99));
      // Histogram: counts sum to the finite count, and each value sits between its bin's edges.
      const counts = s.histogram.counts;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ref.finite.length);
      const edges = binEdges(s.histogram.min, s.histogram.max, 37);
      const expected = new Array<number>(37).fill(0);
      for (const x of ref.finite) {
        let b = 0;
        while (b < 36 && x >= edges[b + 1]) b++;
        expected[b]++;
      }
      expect(counts).toEqual(expected);
    });
  }
});

describe('histogram', () => {
  it('bins at exact edges go right, the top edge goes into the last bin', () => {
    const h = histogram([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 10, [0, 1]);
    const edges = binEdges(0, 1, 10);
    // Each value i/10 equals edge i when computed the same way; check against the edges.
    const expected = new Array<number>(10).fill(0);
    for (const x of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
      let b = 0;
      while (b < 9 && x >= edges[b + 1]) b++;
      expected[b]++;
    }
    expect(h.counts).toEqual(expected);
    expect(h.counts[9]).toBeGreaterThanOrEqual(2); // 0.9 and 1
  });

  it('a given range excludes values outside it and reports them', () => {
    const h = histogram(Float32Array.from([-5, -1, 0, 1, 5, NaN]), 2, [-1, 1]);
    expect(h.counts).toEqual([1, 2]);
    expect(h.below).toBe(1);
    expect(h.above).toBe(1);
  });

  it('rejects bad bins and ranges', () => {
    expect(() => histogram([1], 0)).toThrow(/bins/);
    expect(() => histogram([1], 4, [2, 1])).toThrow(/range/);
  });
});

describe('quantiles by selection', () => {
  it('absQuantile matches a full sort at many q, for float32 (radix path) and float64', () => {
    const r = rng(99);
    const f32 = new Float32Array(65_537);
    for (let i = 0; i < f32.length; i++) f32[i] = (r() - 0.5) * (i % 3 === 0 ? 1e-30 : 10);
    f32[5] = NaN;
    const sorted = Array.from(f32)
      .filter(Number.isFinite)
      .map(Math.abs)
      .sort((a, b) => a - b);
    const f64 = Float64Array.from(f32);
    for (const q of [0, 0.001, 0.25, 0.5, 0.8, 0.95, 0.999, 1]) {
      expect(absQuantile(f32, q)).toBe(sortedQuantile(sorted, q));
      expect(absQuantile(f64, q)).toBe(sortedQuantile(sorted, q));
    }
    expect(absQuantiles(f32, [0.9, 0.1])).toEqual([sortedQuantile(sorted, 0.9), sortedQuantile(sorted, 0.1)]);
  });

  it('quantilesInPlace on mostly equal values and tiny inputs', () => {
    const a = new Float32Array(100_000); // pruned: 90% zeros
    for (let i = 0; i < a.length; i += 10) a[i] = i;
    expect(quantilesInPlace(a.slice(), [0.5])[0]).toBe(0);
    expect(quantilesInPlace(a.slice(), [0.95])[0]).toBe(
      sortedQuantile(Array.from(a).sort((x, y) => x - y), 0.95),
    );
    expect(quantilesInPlace(Float64Array.from([3]), [0, 0.5, 1])).toEqual([3, 3, 3]);
    expect(quantilesInPlace(new Float64Array(0), [0.5])[0]).toBeNaN();
    expect(() => absQuantile([1, 2], 1.5)).toThrow(/quantile/);
  });
});

describe('histogram at the limits of float64', () => {
  it('a range wider than the largest double still bins every value', () => {
    const v = Float64Array.from([-1.7e308, -1e308, 0, 1e308, 1.7e308]);
    const h = histogram(v, 4);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.counts).toEqual([2, 0, 1, 2]);
  });
});

describe('tensorStats on float32 (two passes over the bits) against the reference', () => {
  const r = rng(2024);
  /** Bins every finite value by the exact edges, as numpy does; counts outside the range apart. */
  function refHistogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): { counts: number[]; below: number; above: number } {
    const edges = binEdges(lo, hi, bins);
    const counts = new Array<number>(bins).fill(0);
    let below = 0;
    let above = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) continue;
      if (x < lo) below++;
      else if (x > hi) above++;
      else {
        let b = 0;
        while (b < bins - 1 && x >= edges[b + 1]) b++;
        counts[b]++;
      }
    }
    return { counts, below, above };
  }
  const cases: { name: string; data: Float32Array; range?: [number, number]; bins: number }[] = [];
  {
    const a = new Float32Array(120_001);
    for (let i = 0; i < a.length; i++) a[i] = i % 10 === 0 ? (r() - 0.5) * 0.2 : 0; // pruned: 90% zeros
    for (let i = 3; i < a.length; i += 1000) a[i] = -0;
    cases.push({ name: '90% zeros (pruned) with -0', data: a, bins: 64 });
  }
  {
    const a = new Float32Array(40_000);
    for (let i = 0; i < a.length; i++) a[i] = -Math.exp(r() * 40 - 20); // all negative, 17 decades
    cases.push({ name: 'all negative over many decades', data: a, bins: 50 });
  }
  {
    const a = new Float32Array(30_000);
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.5) * (i % 4 === 0 ? 1e-42 : i % 4 === 1 ? 3e38 : 1);
    a[7] = Infinity;
    a[8] = NaN;
    cases.push({ name: 'denormals, values near the float32 limit, non-finite', data: a, bins: 33 });
  }
  {
    // Chunks of 4096 that start with NaN or ±Inf, hold one late, or are wholly non-finite; zeros
    // in chunks of their own and next to a non-finite value; tiny denormals that share ±0's key.
    const a = new Float32Array(9 * 4096 + 17);
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.5) * 3;
    a[0] = NaN;
    a[4096] = -Infinity;
    a[2 * 4096 + 4095] = Infinity;
    a.fill(NaN, 3 * 4096, 4 * 4096);
    for (let i = 5 * 4096; i < 6 * 4096; i += 3) a[i] = 0;
    a[2 * 4096 + 5] = -0;
    a[6 * 4096 + 9] = -0; // the only zero of its chunk
    a[7 * 4096 + 1] = 1e-44;
    a[7 * 4096 + 2] = -1e-44;
    a[a.length - 1] = NaN;
    cases.push({ name: 'non-finite values at chunk starts, ends and filling a chunk; zeros beside them', data: a, bins: 40 });
  }
  {
    const a = new Float32Array(60_000);
    for (let i = 0; i < a.length; i++) a[i] = (r() - 0.5) * 4;
    cases.push({ name: 'explicit range narrower than the data', data: a, range: [-1, 0.75], bins: 7 });
  }
  {
    const a = new Float32Array(10_000);
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(r() * 5) / 4; // values exactly on the edges
    cases.push({ name: 'values on the bin edges', data: a, bins: 4 });
  }
  for (const { name, data, range, bins } of cases) {
    it(name, async () => {
      const ref = reference(data);
      const s = tensorStats(data, range ? { bins, range } : { bins });
      expect(s.finite).toBe(ref.finite.length);
      expect(s.nonFinite).toBe(ref.nonFinite);
      expect(s.zeros).toBe(ref.zeros);
      expect(s.min).toBe(ref.min);
      expect(s.max).toBe(ref.max);
      const scale = Math.max(Math.abs(ref.min), Math.abs(ref.max));
      expect(Math.abs(s.mean - ref.mean)).toBeLessThanOrEqual(1e-12 * scale);
      expect(Math.abs(s.std - ref.std)).toBeLessThanOrEqual(1e-10 * ref.std);
      expect(s.absP50).toBe(sortedQuantile(ref.sortedAbs, 0.5));
      expect(s.absP90).toBe(sortedQuantile(ref.sortedAbs, 0.9));
      expect(s.absP99).toBe(sortedQuantile(ref.sortedAbs, 0.99));
      const [lo, hi] = range ?? [ref.min, ref.max];
      const h = refHistogram(data, lo, hi, bins);
      expect(s.histogram.counts).toEqual(h.counts);
      expect(s.histogram.below).toBe(h.below);
      expect(s.histogram.above).toBe(h.above);
      // The generic path (float64 input) agrees on everything.
      const g = tensorStats(Float64Array.from(data), range ? { bins, range } : { bins });
      expect({ ...s, mean: 0, std: 0 }).toEqual({ ...g, mean: 0, std: 0 });
      // Counted in shards (as the engine's worker threads do): uneven cuts, one inside a block of
      // 4096 values, one empty shard; everything equal, mean and std up to rounding.
      const n = data.length;
      const cuts = [0, 1, Math.floor(n / 3) + 5, Math.floor(n / 3) + 5, n - 2, n];
      const shard = (i: number): Float32Array => data.subarray(cuts[i], cuts[i + 1]);
      const sharded = await shardedFloat32Stats(
        n,
        {
          shards: cuts.length - 1,
          pass: async (i) => float32Pass(shard(i)),
          scan: async (i, plan, sizes) => scanShard(shard(i), plan, sizes),
        },
        range ? { bins, range } : { bins },
      );
      expect({ ...sharded, mean: 0, std: 0 }).toEqual({ ...s, mean: 0, std: 0 });
      expect(Math.abs(sharded.mean - ref.mean)).toBeLessThanOrEqual(1e-12 * scale);
      expect(Math.abs(sharded.std - ref.std)).toBeLessThanOrEqual(1e-10 * ref.std);
    });
  }
});
