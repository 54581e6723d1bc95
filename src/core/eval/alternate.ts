// The exported file's onnxruntime time beside the unpruned model's, measured the way a benchmark
// would: both sides warmed up untimed (long enough for a JIT such as WebAssembly's to leave its first
// tier), then ROUNDS rounds, each timing two chunks of the samples in the order A B B A (a chunk on
// the original then the same chunk on the exported file, the next chunk the other way round), and the
// median of the per-round ratios; a chunk covers its share of the set and lasts at least
// MIN_CHUNK_MS (the samples taken again in turn when the set is short). Whatever changes the speed
// of the runtime or the machine over time (tier-up, caches, other work) falls on both sides of a
// round alike, and so does any cost of running second (threads of the other session still
// spinning). Batch 1 and the large batch.

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

/** A set of fewer samples than this gives no ratio (too few for a stable figure). */
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

/** Milliseconds a chunk should last at least (many timer ticks, even at a browser's coarse clock). */
export const MIN_CHUNK_MS = 20;

/** Runs of one chunk at most (a runtime too fast for the clock). */
const MAX_CHUNK_RUNS = 20_000;

/** The set's runs in order: run j takes `size` samples from `at`. */
interface Plan {
  runs: { at: number; size: number }[];
}

/** The n samples in runs of `batch` (1: one sample a run). */
function plan(n: number, batch: number): Plan {
  const b = Math.max(1, Math.min(batch, n));
  return { runs: Array.from({ length: Math.ceil(n / b) }, (_, j) => ({ at: j * b, size: Math.min(b, n - j * b) })) };
}

/** A chunk: `count` runs from run `first` on, the set's runs in turn (wrapping round). */
type Chunk = { first: number; count: number };

/**
 * The 2·ROUNDS chunks: together they cover the set's runs at least once, and each lasts about
 * MIN_CHUNK_MS at `msPerRun` (the samples taken again in turn when the set is short).
 */
function chunks(p: Plan, msPerRun: number): Chunk[] {
  const base = Math.ceil(p.runs.length / (2 * ROUNDS));
  const count = Math.min(MAX_CHUNK_RUNS, Math.max(base, msPerRun > 0 ? Math.ceil(MIN_CHUNK_MS / msPerRun) : base));
  return Array.from({ length: 2 * ROUNDS }, (_, i) => ({ first: (i * count) % p.runs.length, count }));
}

/** The two sides, the samples and the context one timing runs with. */
interface Sides {
  original: Runner;
  exported: Runner;
  data: EvalData;
  ctx: EvalContext;
  report(message: string): void;
}

/** Milliseconds of a chunk on one runner (the clock read once before and once after). */
async function timeChunk(s: Sides, r: Runner, p: Plan, c: Chunk): Promise<number> {
  const ss = s.data.sampleSize;
  const inputs = Array.from({ length: c.count }, (_, k) => {
    const x = p.runs[(c.first + k) % p.runs.length];
    return { input: s.data.images.subarray(x.at * ss, (x.at + x.size) * ss), size: x.size };
  });
  const t0 = s.ctx.now();
  for (const x of inputs) await run(r, x.input, x.size);
  return s.ctx.now() - t0;
}

/** Samples of a chunk. */
function chunkSamples(p: Plan, c: Chunk): number {
  let n = 0;
  for (let k = 0; k < c.count; k++) n += p.runs[(c.first + k) % p.runs.length].size;
  return n;
}

/**
 * The untimed warm-up of both sides in turn, WARM_STEP runs at a time, over the set's runs; gives
 * the milliseconds of a run of the slower side in its second half (the first tier left behind).
 */
async function warmUp(s: Sides, p: Plan, minRuns: number): Promise<number> {
  const ss = s.data.sampleSize;
  const sides = [s.original, s.exported];
  const runs = [0, 0];
  const ms = [0, 0];
  const late: { runs: number; ms: number }[] = [{ runs: 0, ms: 0 }, { runs: 0, ms: 0 }];
  const done = (i: number): boolean => ms[i] >= WARM_UP.maxMs || (runs[i] >= minRuns && ms[i] >= WARM_UP.ms);
  let j = 0;
  while (!done(0) || !done(1)) {
    for (let i = 0; i < 2; i++) {
      if (done(i)) continue;
      for (let k = 0; k < WARM_STEP && !done(i); k++) {
        const x = p.runs[j++ % p.runs.length];
        const t0 = s.ctx.now();
        await run(sides[i], s.data.images.subarray(x.at * ss, (x.at + x.size) * ss), x.size);
        const t = s.ctx.now() - t0;
        ms[i] += t;
        runs[i]++;
        // The second half of the warm-up (by its minimum time) is the speed the rounds will see.
        if (ms[i] >= WARM_UP.ms / 2) {
          late[i].runs++;
          late[i].ms += t;
        }
      }
      throwIfCancelled(s.ctx.cancel);
      await s.ctx.yieldNow?.();
    }
  }
  return Math.max(...late.map((x) => (x.runs > 0 ? x.ms / x.runs : 0)));
}

/** Milliseconds of a chunk on the original and on the exported file, `exportedFirst` or not. */
async function timePair(s: Sides, p: Plan, c: Chunk, exportedFirst: boolean): Promise<{ o: number; e: number }> {
  const a = await timeChunk(s, exportedFirst ? s.exported : s.original, p, c);
  const b = await timeChunk(s, exportedFirst ? s.original : s.exported, p, c);
  return exportedFirst ? { o: b, e: a } : { o: a, e: b };
}

/** Warm-up, then the rounds in alternation; the median ratio unless the set is too small. */
async function alternate(s: Sides, p: Plan, n: number, minWarmRuns: number, label: string): Promise<AlternatedTiming> {
  s.report(`${label}: warming up both`);
  const cs = chunks(p, await warmUp(s, p, minWarmRuns));
  const ratios: number[] = [];
  let originalMs = 0;
  let exportedMs = 0;
  let runs = 0;
  let samples = 0;
  const rounds = ROUNDS;
  for (let i = 0; i < rounds; i++) {
    s.report(`${label}: round ${i + 1}/${rounds}`);
    // A B, then B A on the next chunk.
    const x = await timePair(s, p, cs[2 * i], false);
    const y = await timePair(s, p, cs[2 * i + 1], true);
    originalMs += x.o + y.o;
    exportedMs += x.e + y.e;
    if (x.o + y.o > 0) ratios.push((x.e + y.e) / (x.o + y.o));
    for (const c of [cs[2 * i], cs[2 * i + 1]]) {
      runs += c.count;
      samples += chunkSamples(p, c);
    }
    throwIfCancelled(s.ctx.cancel);
    await s.ctx.yieldNow?.();
  }
  const timing: AlternatedTiming = { rounds, runs, samples, originalSeconds: originalMs / 1000, exportedSeconds: exportedMs / 1000 };
  if (n < MIN_TIMED_SAMPLES) return { ...timing, tooFew: `${n} samples, fewer than ${MIN_TIMED_SAMPLES}` };
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
    out.batch1 = await alternate(sides, plan(n, 1), n, WARM_UP.runs, 'batch 1 in alternation with the original');
    step++;
  }
  if (batch > 0) {
    const t = await alternate(sides, plan(n, batch), n, WARM_UP.batchRuns, `batch ${batch} in alternation with the original`);
    out.batch = { ...t, batch, workers };
  }
  return out;
}
