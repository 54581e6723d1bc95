// The exported file timed in alternation with the original (core/eval/alternate.ts), on fake
// runners and a virtual clock: a runtime whose speed changes while it runs (a JIT shared by both
// sessions that tiers up, like onnxruntime-web's WebAssembly) must not make equal models look
// different, as it did when each side was timed on its own, one after the other.
import { describe, expect, it } from 'vitest';
import { timeAgainstOriginal, MIN_CHUNK_MS, MIN_TIMED_SAMPLES, ROUNDS } from '../../../../src/core/eval/alternate';
import { evaluate } from '../../../../src/core/eval/evaluate';
import { ortTimeRatio } from '../../../../src/core/eval/original';
import type { EvalContext, EvalData, EvalSettings, Runner } from '../../../../src/core/eval/types';
import { isCancelled } from '../../../../src/core/errors';

/** A runtime both runners share: the virtual clock and the count of runs made on it. */
class FakeRuntime {
  t = 0;
  calls = 0;
  last: Runner | undefined;
  constructor(
    /** Slow-down factor of the run made as the `calls`-th (1-based). */
    readonly slowness: (calls: number) => number,
    /** Extra milliseconds for a run right after the other runner ran (its threads still spinning). */
    readonly switchCost = 0,
  ) {}
  /** A runner costing `msPerSample` (times the slowness) per sample. */
  runner(msPerSample: number): Runner {
    const r: Runner = {
      name: 'onnxruntime',
      runBatch: (_x, b) => {
        this.calls++;
        this.t += b * msPerSample * this.slowness(this.calls) + (this.last !== undefined && this.last !== r ? this.switchCost : 0);
        this.last = r;
        return new Float32Array(b * 10);
      },
    };
    return r;
  }
  ctx(cancel?: { cancelled: boolean }): EvalContext {
    return { now: () => this.t, cancel };
  }
}

function data(n: number): EvalData {
  return { images: new Float32Array(n * 4), labels: new Int32Array(n), count: n, sampleSize: 4 };
}

const SETTINGS: EvalSettings = { batch: 50, limit: 200 };
/** 3× slower until the runtime's 20th run. */
const tiersUpAt20 = (calls: number): number => (calls <= 20 ? 3 : 1);

describe('the exported file timed in alternation with the original', () => {
  it('a runtime that gets 3× faster after its 20th run: equal models read 1×, where timing one after the other did not', async () => {
    // The old way: the exported file timed first, then the original on its own.
    const old = new FakeRuntime(tiersUpAt20);
    const [e] = await evaluate([old.runner(1)], data(200), SETTINGS, old.ctx());
    const [o] = await evaluate([old.runner(1)], data(200), SETTINGS, old.ctx());
    expect(e.batch1Seconds! / o.batch1Seconds!).toBeGreaterThan(1.15);

    const rt = new FakeRuntime(tiersUpAt20);
    const m = await timeAgainstOriginal(rt.runner(1), rt.runner(1), data(200), SETTINGS, rt.ctx());
    expect(m.batch1!.ratio).toBeGreaterThan(0.97);
    expect(m.batch1!.ratio).toBeLessThan(1.03);
    expect(m.batch!.ratio).toBeGreaterThan(0.97);
    expect(m.batch!.ratio).toBeLessThan(1.03);
    // The absolute figures are kept. Batch 1: a chunk lasts MIN_CHUNK_MS = 20 ms, 20 runs at 1 ms
    // (more than the 200/14 that cover the set), 2·ROUNDS chunks a side.
    expect(MIN_CHUNK_MS).toBe(20);
    expect(m.batch1).toMatchObject({ rounds: ROUNDS, samples: 20 * 2 * ROUNDS, runs: 20 * 2 * ROUNDS });
    expect(m.batch1!.originalSeconds).toBeCloseTo(0.02 * 2 * ROUNDS, 9);
    expect(m.batch1!.exportedSeconds).toBeCloseTo(0.02 * 2 * ROUNDS, 9);
    // Large batch: one batch of 50 (50 ms) per chunk.
    expect(m.batch).toMatchObject({ rounds: ROUNDS, runs: 2 * ROUNDS, samples: 50 * 2 * ROUNDS, batch: 50, workers: 1 });
  });

  it('a speed-up in the middle of the timed rounds changes one round at most: the median stays at 1×', async () => {
    // The warm-up of each side takes 70 runs (≥ 200 ms at 3 ms); the rounds (chunks of 200/14 → 15
    // runs, over the 7 runs of 3 ms that last 20 ms) make runs 141 to 560 and the 3× change comes at
    // run 300, in their middle.
    const rt = new FakeRuntime((calls) => (calls <= 300 ? 3 : 1));
    const m = await timeAgainstOriginal(rt.runner(1), rt.runner(1), data(200), { ...SETTINGS, batch: 0 }, rt.ctx());
    expect(m.batch1!.ratio).toBeGreaterThan(0.97);
    expect(m.batch1!.ratio).toBeLessThan(1.03);
    // Some of the 210 timed runs a side were slow ones, some fast ones (0.21 s all fast, 0.63 s all slow).
    expect(m.batch1!.runs).toBe(210);
    expect(m.batch1!.originalSeconds).toBeGreaterThan(0.3);
    expect(m.batch1!.originalSeconds).toBeLessThan(0.5);
    expect(m.batch).toBeUndefined();
  });

  it('a cost for running right after the other side falls on both (original, exported, exported, original)', async () => {
    const rt = new FakeRuntime(() => 1, 5);
    const m = await timeAgainstOriginal(rt.runner(1), rt.runner(1), data(200), SETTINGS, rt.ctx());
    expect(m.batch1!.ratio).toBeCloseTo(1, 9);
    expect(m.batch!.ratio).toBeCloseTo(1, 9);
  });

  it('an exported file that costs half per sample reads 0.5× through the tier-up', async () => {
    const rt = new FakeRuntime(tiersUpAt20);
    const m = await timeAgainstOriginal(rt.runner(2), rt.runner(1), data(200), SETTINGS, rt.ctx());
    expect(m.batch1!.ratio).toBeCloseTo(0.5, 2);
    expect(m.batch!.ratio).toBeCloseTo(0.5, 2);
  });

  it('too few samples: no ratio, the reason instead', async () => {
    const rt = new FakeRuntime(() => 1);
    const n = MIN_TIMED_SAMPLES - 10;
    const m = await timeAgainstOriginal(rt.runner(1), rt.runner(1), data(n), { batch: 50 }, rt.ctx());
    expect(m.batch1!.ratio).toBeUndefined();
    expect(m.batch1!.tooFew).toContain(`fewer than ${MIN_TIMED_SAMPLES}`);
    expect(m.batch!.ratio).toBeUndefined();
    expect(m.batch!.originalSeconds).toBeGreaterThan(0);
    expect(ortTimeRatio({ ratio: 0.5, sparsity: 0.5, samples: n, results: [], original: m })).toEqual({});
    const enough = await timeAgainstOriginal(rt.runner(1), rt.runner(1), data(MIN_TIMED_SAMPLES), { batch: 50 }, rt.ctx());
    expect(enough.batch1!.ratio).toBeCloseTo(1, 9);
  });

  it('cancel stops it', async () => {
    const rt = new FakeRuntime(() => 1);
    const cancel = { cancelled: false };
    const exported = rt.runner(1);
    const slow: Runner = { name: 'onnxruntime', runBatch: (x, b) => (rt.calls > 100 && (cancel.cancelled = true), exported.runBatch(x, b)) };
    const e = await timeAgainstOriginal(rt.runner(1), slow, data(200), SETTINGS, rt.ctx(cancel)).catch((x: unknown) => x);
    expect(isCancelled(e)).toBe(true);
  });
});
