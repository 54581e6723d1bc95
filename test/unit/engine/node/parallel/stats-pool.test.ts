// StatsPool with real worker threads running the real worker bundle (out/cli/stats-worker.js, built
// once per run by test/global-setup.ts), on values in shared memory: the same
// statistics as tensorStats on one thread, refusals of memory it cannot share, and a worker that
// cannot start turns into a rejection that names it (the engine then counts on its own thread).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorStats, type Stats } from '../../../../../src/core/stats';
import { mulberry32 as rng } from '../../../../../src/core/train/random';
import { StatsPool } from '../../../../../src/engine/node/parallel';
import { CLI_OUT } from '../../../../support/paths';

const dir = mkdtempSync(join(tmpdir(), 'prunescope-stats-pool-'));
const workerFile = join(CLI_OUT, 'stats-worker.js');
let pool: StatsPool;

beforeAll(async () => {
  pool = StatsPool.start({ workers: 2, workerFile });
});

afterAll(async () => {
  await pool?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** `n` values in shared memory, starting `offset` floats into the buffer. */
function sharedValues(n: number, offset: number, fill: (i: number) => number): Float32Array {
  const v = new Float32Array(new SharedArrayBuffer((n + offset) * 4), offset * 4, n);
  for (let i = 0; i < n; i++) v[i] = fill(i);
  return v;
}

function expectSame(par: Stats, one: Stats): void {
  expect({ ...par, mean: 0, std: 0 }).toEqual({ ...one, mean: 0, std: 0 });
  const scale = Math.max(Math.abs(one.min), Math.abs(one.max));
  expect(Math.abs(par.mean - one.mean)).toBeLessThanOrEqual(1e-12 * scale);
  expect(Math.abs(par.std - one.std)).toBeLessThanOrEqual(1e-10 * one.std);
}

describe('StatsPool', () => {
  it('gives the statistics tensorStats gives on one thread (pruned weights, NaN, ±Inf, -0, a view at an offset)', async () => {
    const r = rng(7);
    const v = sharedValues(2_500_003, 5, (i) => (i % 5 < 3 ? 0 : (r() - 0.5) * 0.3));
    v[0] = NaN;
    v[1_000_000] = Infinity;
    v[2_000_001] = -Infinity;
    v[77] = -0;
    const par = await pool.stats(v, { bins: 50 });
    const one = tensorStats(Float32Array.from(v), { bins: 50 });
    expectSame(par, one);
    expect(par.nonFinite).toBe(3);
    expect(par.zeros).toBeGreaterThan(1_400_000);
  });

  it('agrees on dense values with a large mean and on an explicit narrow range', async () => {
    const r = rng(11);
    const v = sharedValues(1_300_000, 0, () => 1000 + r());
    expectSame(await pool.stats(v), tensorStats(Float32Array.from(v)));
    expectSame(await pool.stats(v, { bins: 7, range: [1000.25, 1000.5] }), tensorStats(Float32Array.from(v), { bins: 7, range: [1000.25, 1000.5] }));
  });

  it('answers several tensors asked for at once', async () => {
    const r = rng(3);
    const tensors = [1_000_000, 600_000, 2_000_000].map((n) => sharedValues(n, 0, () => (r() - 0.5) * n));
    const all = await Promise.all(tensors.map((v) => pool.stats(v, { bins: 16 })));
    all.forEach((s, i) => expectSame(s, tensorStats(Float32Array.from(tensors[i]), { bins: 16 })));
  });

  it('refuses values that are not in shared memory', async () => {
    await expect(pool.stats(new Float32Array(10))).rejects.toThrow(/not in shared memory/);
  });

  it('rejects, naming the worker, when a worker cannot start; the pool is then broken', async () => {
    const bad = join(dir, 'bad-worker.js');
    writeFileSync(bad, "throw new Error('cannot load the statistics code');\n");
    const broken = StatsPool.start({ workers: 2, workerFile: bad });
    try {
      await expect(broken.stats(sharedValues(1000, 0, (i) => i))).rejects.toThrow(/statistics worker \d failed: cannot load the statistics code/);
      expect(broken.broken).toMatch(/statistics worker/);
      await expect(broken.stats(sharedValues(10, 0, (i) => i))).rejects.toThrow(/statistics worker/);
    } finally {
      await broken.dispose();
    }
  });
});
