// The exported file's onnxruntime time beside the unpruned model's, measured the way a benchmark
// would: both sides warmed up untimed (long enough for a JIT such as WebAssembly's to leave its first
// tier), then ROUNDS rounds, each timing two chunks of the samples in the order A B B A (a chunk on
// the original then the same chunk on the exported file, the next chunk the other way round), and the
// median of the per-round ratios. Whatever changes the speed of the runtime or the machine over time
// (tier-up, caches, other work) falls on both sides of a round alike, and so does any cost of running
// second (threads of the other session still spinning). Batch 1 and the large batch.

import { throwIfCancelled } from './cancel';
import { DEFAULT_BATCH, sampleCount } from './evaluate';
import type { AlternatedTiming, EvalContext, EvalData, EvalSettings, OriginalMeasure, Runner } from './types';

/** Rounds of alternation, two chunks each (odd: the median is one round's ratio). */
export const ROUNDS = 7;

/**
 * The untimed warm-up of each side: at least `runs` runs and `ms` milliseconds, stopping at `maxMs`
 * (a model whose runs are long has left the first tier within its first runs). The large batch needs
 * fewer runs (`batchRuns`).
 */
export const WARM_UP = { runs: 50, batchRuns: 3, ms: 200, maxMs: 1000 };

/** Fewer timed samples than this on each side give no ratio (too few for a stable figure). */
export const MIN_TIMED_SAMPLES = 100;

/** Runs of one side between switches in the warm-up. */
const WARM_STEP = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One run of a runner, awaited when it is asynchronous. */
async function run(r: Runner, input: Float32Array, batch: number): Promise<void> {
  const out = r.runBatch(input, batch);
  if (typeof (out as { then?: unknown }).then === 'function') await out;
}

/** A chunk of work on one side: the runs of samples [from, to) in batches of `batch`. */
type Chunk = { from: number; to: number };

interface Plan {
  batch: number;
  chunks: Chunk[];
}

/** Batch 1: the n samples cut into 2·ROUNDS consecutive chunks (fewer, an even number, when n is smaller). */
function batch1Plan(n: number): Plan {
  const k = Math.min(2 * ROUNDS, n - (n % 2));
  return { batch: 1, chunks: Array.from({ length: k }, (_, i) => ({ from: Math.floor((i * n) / k), to: Math.floor(((i + 1) * n) / k) })) };
}

/** Large batch: one batch per chunk, the set's batches in turn (the whole set when it is one batch). */
function largePlan(n: number, batch: number): Plan {
  const b = Math.min(batch, n);
  const count = Math.ceil(n / b);
  return {
    batch: b,
    chunks: Array.from({ length: 2 * ROUNDS }, (_, i) => {
      const from = (i % count) * b;
      return { from, to: Math.min(n, from + b) };
    }),
  };
}

/** The two sides, the samples and the context one timing runs with. */
interface Sides {
  original: Runner;
  exported: Runner;
  data: EvalData;
  ctx: EvalContext;
  report(message: string): void;
}

/** Milliseconds of a chunk on one runner. */
async function timeChunk(s: Sides, r: Runner, plan: Plan, c: Chunk): Promise<number> {
  const ss = s.data.sampleSize;
  let ms = 0;
  for (let at = c.from; at < c.to; at += plan.batch) {
    const b = Math.min(plan.batch, c.to - at);
    const input = s.data.images.subarray(at * ss, (at + b) * ss);
    const t0 = s.ctx.now();
    await run(r, input, b);
    ms += s.ctx.now() - t0;
  }
  return ms;
}

/** The untimed warm-up of both sides in turn, WARM_STEP runs at a time, over the set's batches. */
async function warmUp(s: Sides, plan: Plan, n: number, minRuns: number): Promise<void> {
  const ss = s.data.sampleSize;
  const sides = [s.original, s.exported];
  const runs = [0, 0];
  const ms = [0, 0];
  const done = (i: number): boolean => ms[i] >= WARM_UP.maxMs || (runs[i] >= minRuns && ms[i] >= WARM_UP.ms);
  let at = 0;
  while (!done(0) || !done(1)) {
    for (let i = 0; i < 2; i++) {
      if (done(i)) continue;
      for (let k = 0; k < WARM_STEP && !done(i); k++) {
        if (at >= n) at = 0;
        const b = Math.min(plan.batch, n - at);
        const t0 = s.ctx.now();
        await run(sides[i], s.data.images.subarray(at * ss, (at + b) * ss), b);
        ms[i] += s.ctx.now() - t0;
        runs[i]++;
        at += b;
      }
      throwIfCancelled(s.ctx.cancel);
      await s.ctx.yieldNow?.();
    }
  }
}

/** Milliseconds of a chunk on the original and on the exported file, `exportedFirst` or not. */
async function timePair(s: Sides, plan: Plan, c: Chunk, exportedFirst: boolean): Promise<{ o: number; e: number }> {
  const a = await timeChunk(s, exportedFirst ? s.exported : s.original, plan, c);
  const b = await timeChunk(s, exportedFirst ? s.original : s.exported, plan, c);
  return exportedFirst ? { o: b, e: a } : { o: a, e: b };
}

/** Warm-up, then the rounds in alternation; the median ratio unless too few samples were timed. */
async function alternate(s: Sides, plan: Plan, n: number, minWarmRuns: number, label: string): Promise<AlternatedTiming> {
  s.report(`${label}: warming up both`);
  await warmUp(s, plan, n, minWarmRuns);
  const ratios: number[] = [];
  let originalMs = 0;
  let exportedMs = 0;
  let runs = 0;
  let samples = 0;
  const rounds = plan.chunks.length >> 1;
  for (let i = 0; i < rounds; i++) {
    s.report(`${label}: round ${i + 1}/${rounds}`);
    // A B, then B A on the next chunk.
    const x = await timePair(s, plan, plan.chunks[2 * i], false);
    const y = await timePair(s, plan, plan.chunks[2 * i + 1], true);
    originalMs += x.o + y.o;
    exportedMs += x.e + y.e;
    if (x.o + y.o > 0) ratios.push((x.e + y.e) / (x.o + y.o));
    for (const c of [plan.chunks[2 * i], plan.chunks[2 * i + 1]]) {
      runs += Math.ceil((c.to - c.from) / plan.batch);
      samples += c.to - c.from;
    }
    throwIfCancelled(s.ctx.cancel);
    await s.ctx.yieldNow?.();
  }
  const timing: AlternatedTiming = { rounds, runs, samples, originalSeconds: originalMs / 1000, exportedSeconds: exportedMs / 1000 };
  if (samples < MIN_TIMED_SAMPLES) return { ...timing, tooFew: `${samples} samples timed on each side, fewer than ${MIN_TIMED_SAMPLES}` };
  if (ratios.length < rounds) return { ...timing, tooFew: 'runs too short for the clock' };
  return { ...timing, ratio: median(ratios) };
}

/**
 * The exported file (`exported`) against the unpruned model (`original`), both in onnxruntime, on
 * the first `limit` samples: batch 1 (unless settings.batch1 is false) and the large batch (unless
 * settings.batch is 0, on `workers` threads). Throws CancelledError when cancelled.
 */
export async function timeAgainstOriginal(
  original: Runner,
  exported: Runner,
  data: EvalData,
  settings: EvalSettings,
  ctx: EvalContext,
  workers = 1,
): Promise<OriginalMeasure> {
  const n = sampleCount(data, settings);
  const batch = settings.batch ?? DEFAULT_BATCH;
  const steps = (settings.batch1 !== false ? 1 : 0) + (batch > 0 ? 1 : 0);
  let step = 0;
  // No pause between the sides (EvalContext.settle): in A B B A each side runs right after the
  // other once per round, so threads the other left spinning cost both alike.
  const sides: Sides = { original, exported, data, ctx, report: (message) => ctx.onProgress?.({ done: step, total: steps, message }) };
  const out: OriginalMeasure = {};
  if (n === 0) return out;
  if (settings.batch1 !== false) {
    out.batch1 = await alternate(sides, batch1Plan(n), n, WARM_UP.runs, 'batch 1 in alternation with the original');
    step++;
  }
  if (batch > 0) {
    const t = await alternate(sides, largePlan(n, batch), n, WARM_UP.batchRuns, `batch ${batch} in alternation with the original`);
    out.batch = { ...t, batch, workers };
  }
  return out;
}
