// Accuracy and time of one or more runtimes on a labelled dataset: top-1 accuracy (argmax of each
// sample's output vs its label), seconds for the whole set at batch 1 (after one untimed sample), throughput at a large batch (the
// fastest of a few passes; on several threads, also on one of them for reference).
// The clock, progress, cancellation and event-loop yielding are injected (see EvalContext).

import { isCancelled, ProblemError } from '../errors';
import { throwIfCancelled } from './cancel';
import {
  isAvailable,
  type EvalContext,
  type EvalData,
  type EvalSettings,
  type Runner,
  type RunnerSlot,
  type RuntimeMeasure,
} from './types';

export const DEFAULT_BATCH = 1000;

/**
 * A large batch on several threads is timed over `min` passes over the samples, more while the
 * passes so far took under `ms`, at most `max`; the fastest pass is the throughput. One thread: one pass.
 */
export const LARGE_BATCH_PASSES = { min: 2, max: 6, ms: 300 };
const { min: MIN_PASSES, max: MAX_PASSES, ms: PASSES_MS } = LARGE_BATCH_PASSES;

/** Index of the largest value in out[from, from + len) (first one on ties; NaN never wins). */
export function argmax(out: ArrayLike<number>, from: number, len: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let j = 0; j < len; j++) {
    const v = out[from + j];
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/** Number of samples evaluated with these settings. */
export function sampleCount(data: EvalData, settings: EvalSettings): number {
  const limit = settings.limit;
  return limit !== undefined && limit >= 0 ? Math.min(limit, data.count) : data.count;
}

/** Work units of one runtime on the data (one unit per sample per pass). */
export function unitsPerRunner(data: EvalData, settings: EvalSettings): number {
  const n = sampleCount(data, settings);
  const batch = settings.batch ?? DEFAULT_BATCH;
  return (settings.batch1 === false ? 0 : n) + (batch > 0 ? n : 0) || n;
}

/** Tracks progress, yields to the event loop and checks cancellation between samples. */
export class Ticker {
  private lastReport: number;
  private lastYield: number;
  constructor(
    private readonly ctx: EvalContext,
    public total: number,
    public base = 0,
  ) {
    this.lastReport = ctx.now();
    this.lastYield = this.lastReport;
  }

  report(done: number, message: string): void {
    this.lastReport = this.ctx.now();
    this.ctx.onProgress?.({ done: this.base + done, total: this.total, message });
  }

  /** Call between samples: `done` is the work done since `base`. */
  async tick(done: number, message: () => string): Promise<void> {
    throwIfCancelled(this.ctx.cancel);
    const t = this.ctx.now();
    if (t - this.lastReport >= (this.ctx.progressEveryMs ?? 100)) this.report(done, message());
    if (this.ctx.yieldNow && t - this.lastYield >= (this.ctx.yieldEveryMs ?? 50)) {
      await this.ctx.yieldNow();
      this.lastYield = this.ctx.now();
      throwIfCancelled(this.ctx.cancel);
    }
  }
}

/** A runner's answer that is a promise (onnxruntime) rather than a value (our runtime); shared with language-model.ts. */
export function isPromise<T>(v: Promise<T> | T): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** The message of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Evaluates each runtime in turn on the first `limit` samples. A runtime whose slot is unavailable
 * is reported with `unavailable`; one that throws while running is reported the same way (unless
 * the job was cancelled, which propagates as CancelledError).
 */
export async function evaluate(
  slots: readonly RunnerSlot[],
  data: EvalData,
  settings: EvalSettings,
  ctx: EvalContext,
  ticker = new Ticker(ctx, slots.filter(isAvailable).length * unitsPerRunner(data, settings)),
): Promise<RuntimeMeasure[]> {
  const n = sampleCount(data, settings);
  // No accuracy or speed can be measured on nothing: refuse rather than report NaN and Infinity.
  if (n === 0) {
    const file = data.file ?? data.name;
    throw new ProblemError('bad-dataset', `${file ?? 'the dataset'}: no samples`, file);
  }
  const ss = data.sampleSize;
  const batch = settings.batch ?? DEFAULT_BATCH;
  const doBatch1 = settings.batch1 !== false;
  const units = unitsPerRunner(data, settings);
  const results: RuntimeMeasure[] = [];
  let runnerIndex = 0;
  for (const slot of slots) {
    if (!isAvailable(slot)) {
      results.push({ runtime: slot.name, accuracy: NaN, unavailable: slot.unavailable });
      continue;
    }
    const offset = runnerIndex++ * units;
    const measure: RuntimeMeasure = { runtime: slot.name, accuracy: 0 };
    try {
      let correct = 0;
      let done = 0;
      if (doBatch1 || batch <= 0) {
        if (doBatch1) {
          // One untimed sample first: a session's first run pays its one-time set-up (onnxruntime's
          // lazy initialisation, WebAssembly compilation), which is no inference's cost; without this
          // the runtime measured first in a request would look slower than the same model later.
          const warm = slot.runBatch(data.images.subarray(0, ss), 1);
          if (isPromise(warm)) await warm;
        }
        let ms = 0;
        for (let i = 0; i < n; i++) {
          const input = data.images.subarray(i * ss, (i + 1) * ss);
          const t0 = ctx.now();
          let out = slot.runBatch(input, 1);
          if (isPromise(out)) out = await out;
          ms += ctx.now() - t0;
          if (argmax(out, 0, out.length) === data.labels[i]) correct++;
          done++;
          await ticker.tick(offset + done, () => `${slot.name}: batch 1, ${done}/${n}`);
        }
        measure.accuracy = n > 0 ? correct / n : NaN;
        if (doBatch1) measure.batch1Seconds = ms / 1000;
      }
      if (batch > 0) {
        const workers = slot.workers ?? 1;
        let batchCorrect = 0;
        /** Milliseconds of one pass over the samples in batches; counts correct answers when asked. */
        const pass = async (run: Runner['runBatch'], message: string, count: boolean): Promise<number> => {
          let ms = 0;
          for (let start = 0; start < n; start += batch) {
            const b = Math.min(batch, n - start);
            const input = data.images.subarray(start * ss, (start + b) * ss);
            const t0 = ctx.now();
            let out = run(input, b);
            if (isPromise(out)) out = await out;
            ms += ctx.now() - t0;
            if (count) {
              const per = out.length / b;
              for (let k = 0; k < b; k++) if (argmax(out, k * per, per) === data.labels[start + k]) batchCorrect++;
              done += b;
            }
            await ticker.tick(offset + done, () => `${slot.name}: ${message}, ${Math.min(start + b, n)}/${n}`);
          }
          return ms;
        };
        if (workers > 1 && n > 0) {
          // Untimed warm-up of every thread (first allocations, a lazily made multi-threaded session).
          const b = Math.min(batch, n);
          const out = slot.runBatch(data.images.subarray(0, b * ss), b);
          if (isPromise(out)) await out;
          await ctx.settle?.();
        }
        const one = workers > 1 ? slot.runBatchOneWorker : undefined;
        const all = (x: Float32Array, b: number): Promise<Float32Array> | Float32Array => slot.runBatch(x, b);
        let best = await pass(all, `batch ${batch}`, true);
        let bestOne = one ? await pass((x, b) => one.call(slot, x, b), `batch ${batch} on one worker`, false) : Infinity;
        // On several threads, more passes (all workers, then one, in turn) while they are short: the
        // fastest of each is reported, the figure least disturbed by other work on the machine (two
        // threads are what other work disturbs; one thread is timed in one pass, as always).
        let spent = best + (one ? bestOne : 0);
        for (let k = 1; workers > 1 && k < MAX_PASSES && (k < MIN_PASSES || spent < PASSES_MS); k++) {
          const t = await pass(all, `batch ${batch}, pass ${k + 1}`, false);
          best = Math.min(best, t);
          spent += t;
          if (one) {
            const t1 = await pass((x, b) => one.call(slot, x, b), `batch ${batch} on one worker, pass ${k + 1}`, false);
            bestOne = Math.min(bestOne, t1);
            spent += t1;
          }
        }
        if (!doBatch1) measure.accuracy = n > 0 ? batchCorrect / n : NaN;
        measure.batchThroughput = best > 0 ? n / (best / 1000) : Infinity;
        measure.workers = workers;
        if (one) measure.oneWorkerThroughput = bestOne > 0 ? n / (bestOne / 1000) : Infinity;
      }
      results.push(measure);
    } catch (e) {
      if (isCancelled(e)) throw e;
      results.push({ runtime: slot.name, accuracy: NaN, unavailable: `failed while running: ${errorText(e)}` });
    }
  }
  return results;
}
