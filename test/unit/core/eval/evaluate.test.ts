// Core evaluation: accuracy, timing with an injected clock, progress cadence, cancellation, sweeps.
// The runner here is a real (tiny) linear classifier, so accuracies are facts of its weights.
import { describe, expect, it } from 'vitest';
import {
  CancelSource,
  DEFAULT_RATIOS,
  evaluate,
  LARGE_BATCH_PASSES,
  parseRatioList,
  sweep,
  type EvalData,
  type EvalProgress,
  type Runner,
} from '../../../../src/core/eval';

/** 3 classes, 2 features: class = index of the largest of (x0, x1, 0.5). */
function linear(name: Runner['name'], onCall?: () => void): Runner & { calls: number } {
  const r = {
    name,
    calls: 0,
    runBatch(input: Float32Array, batch: number): Float32Array {
      r.calls++;
      onCall?.();
      const out = new Float32Array(batch * 3);
      for (let i = 0; i < batch; i++) {
        out[i * 3] = input[i * 2];
        out[i * 3 + 1] = input[i * 2 + 1];
        out[i * 3 + 2] = 0.5;
      }
      return out;
    },
  };
  return r;
}

/** n samples whose true class is known; `wrong` of them get a label the classifier will miss. */
function data(n: number, wrong: number): EvalData {
  const images = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    images[i * 2] = c === 0 ? 1 : 0;
    images[i * 2 + 1] = c === 1 ? 1 : 0;
    labels[i] = i < wrong ? (c + 1) % 3 : c;
  }
  return { images, labels, count: n, sampleSize: 2 };
}

function clock(stepMs: number): { now(): number; tick(): void } {
  let t = 0;
  return { now: () => t, tick: () => (t += stepMs) };
}

describe('default ratios', () => {
  it('are the experiment’s 37 exact decimals', () => {
    const expected = [
      0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.81, 0.82, 0.83, 0.84,
      0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1,
    ];
    expect([...DEFAULT_RATIOS]).toEqual(expected);
    expect(DEFAULT_RATIOS.map(String)).toContain('0.15');
  });

  it('parses lists and ranges and rejects nonsense', () => {
    expect(parseRatioList('0, 0.5,0.8')).toEqual([0, 0.5, 0.8]);
    expect(parseRatioList('0.8:0.9:0.05')).toEqual([0.8, 0.85, 0.9]);
    expect(parseRatioList('0:0.3:0.1')).toEqual([0, 0.1, 0.2, 0.3]);
    expect(() => parseRatioList('1.5')).toThrow(/1\.5/);
    expect(() => parseRatioList('abc')).toThrow(/abc/);
    expect(() => parseRatioList('')).toThrow(/no ratios/);
  });
});

describe('evaluate', () => {
  it('measures accuracy, batch-1 time and throughput with the injected clock', async () => {
    const c = clock(2);
    const r = linear('sparse', c.tick);
    const d = data(30, 6);
    const [m] = await evaluate([r], d, { batch: 8 }, { now: c.now });
    expect(m.accuracy).toBeCloseTo(24 / 30, 12);
    // 30 single calls of 2 ms each; 4 batches (8, 8, 8, 6) of 2 ms each per pass over the set.
    expect(m.batch1Seconds).toBeCloseTo(0.06, 12);
    expect(m.batchThroughput).toBeCloseTo(30 / 0.008, 6);
    expect(m.workers).toBe(1);
    expect(m.oneWorkerThroughput).toBeUndefined();
    // One untimed batch-1 warm-up call, 30 timed ones; one thread: one pass of 4 batches, as ever.
    expect(r.calls).toBe(35);
  });

  it('reports the fastest pass of the large batch; on several workers, also the fastest on one, after an untimed warm-up and a settle', async () => {
    let t = 0;
    const log: string[] = [];
    // Per call: the first timed pass over the set is slow (disturbed), the others fast; one worker is slower.
    let allCalls = 0;
    const r: Runner = {
      name: 'sparse',
      workers: 2,
      runBatch(x, b) {
        if (b > 1) {
          allCalls++;
          // Call 1 is the warm-up, calls 2–3 the first pass (batches of 10), then 2 ms a batch.
          t += allCalls === 1 ? 1000 : allCalls <= 3 ? 10 : 2;
          log.push('all');
        }
        return linear('sparse').runBatch(x, b);
      },
      runBatchOneWorker(x, b) {
        t += 3;
        log.push('one');
        return linear('sparse').runBatch(x, b);
      },
    };
    const [m] = await evaluate([r], data(20, 2), { batch: 10, batch1: false }, {
      now: () => t,
      settle: async () => {
        log.push('settle');
      },
    });
    expect(m.accuracy).toBeCloseTo(18 / 20, 12);
    expect(m.workers).toBe(2);
    expect(m.batchThroughput).toBeCloseTo(20 / 0.004, 6); // 2 batches × 2 ms
    expect(m.oneWorkerThroughput).toBeCloseTo(20 / 0.006, 6); // 2 batches × 3 ms
    // Warm-up, settle, then passes on all workers and on one in turn; passes of a few ms are short: the most are made.
    expect(log.slice(0, 6)).toEqual(['all', 'settle', 'all', 'all', 'one', 'one']);
    expect(log.filter((e) => e === 'one').length).toBe(2 * LARGE_BATCH_PASSES.max);
  });

  it('reports unavailable runtimes and uses the batched run when batch 1 is off', async () => {
    const c = clock(1);
    const res = await evaluate(
      [{ name: 'dense', unavailable: 'Conv is not supported' }, linear('onnxruntime', c.tick)],
      data(10, 1),
      { batch: 4, batch1: false, limit: 9 },
      { now: c.now },
    );
    expect(res[0]).toMatchObject({ runtime: 'dense', unavailable: 'Conv is not supported' });
    expect(res[1].accuracy).toBeCloseTo(8 / 9, 12);
    expect(res[1].batch1Seconds).toBeUndefined();
  });

  it('reports progress at least every 250 ms of clock time and stops when cancelled', async () => {
    const c = clock(30);
    const cancel = new CancelSource();
    const seen: EvalProgress[] = [];
    const times: number[] = [];
    const r = linear('sparse', () => {
      c.tick();
      if (r.calls === 50) cancel.cancel();
    });
    let yields = 0;
    await expect(
      evaluate([r], data(200, 0), { batch: 0 }, {
        now: c.now,
        cancel,
        onProgress: (p) => {
          seen.push(p);
          times.push(c.now());
        },
        yieldNow: async () => void yields++,
      }),
    ).rejects.toMatchObject({ name: 'CancelledError' });
    expect(r.calls).toBe(50);
    expect(seen.length).toBeGreaterThan(5);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeLessThanOrEqual(250);
    expect(yields).toBeGreaterThan(10);
  });
});

describe('sweep', () => {
  it('makes runners per ratio and reports each point as it finishes', async () => {
    const c = clock(1);
    const made: number[] = [];
    const points: number[] = [];
    const res = await sweep(
      [0, 0.5, 0.9],
      (ratio) => {
        made.push(ratio);
        return { slots: [linear('sparse', c.tick)], sparsity: ratio };
      },
      data(12, 3),
      { batch: 5 },
      { now: c.now, onProgress: (p) => p.point && points.push(p.point.ratio) },
    );
    expect(made).toEqual([0, 0.5, 0.9]);
    expect(points).toEqual([0, 0.5, 0.9]);
    expect(res.map((p) => [p.ratio, p.sparsity, p.samples, p.results[0].accuracy])).toEqual([
      [0, 0, 12, 0.75],
      [0.5, 0.5, 12, 0.75],
      [0.9, 0.9, 12, 0.75],
    ]);
  });
});
