// The large batch of evaluate and sweep on several threads: the sparse runtime's batch 1 runs in
// the engine's thread, its large batches on the platform's ParallelRunner (started once per
// request, given each point's model), and onnxruntime runs them with as many intra-op threads.
// Platform-neutral: the threads come from EnginePlatform.parallelWorkers / parallelRunner.

import type { Runner } from '../../core/eval';
import type { JobContext } from '../context';
import type { ParallelRunner } from '../platform';
import type { EvalOptions, RuntimeName } from '../protocol';

export interface LargeBatch {
  /** Threads for the large batch (the sparse runtime's workers when `runner` is set; onnxruntime's intra-op threads). */
  readonly workers: number;
  /** The sparse runtime of a point's model: batch 1 in this thread, large batches on the workers when there are. */
  sparse(run: Runner['runBatch'], modelBytes: () => Uint8Array, images: Float32Array, sampleDims?: number[]): Promise<Runner>;
  dispose(): Promise<void>;
}

/**
 * Starts the request's large-batch threads: `options.workers`, else the platform's setting, else 1.
 * The workers boot while the first point is pruned and its batch 1 measured.
 */
export function largeBatch(ctx: JobContext, options: EvalOptions | undefined, runtimes: readonly RuntimeName[], label: string): LargeBatch {
  const workers = ctx.platform.parallelWorkers?.(options?.workers) ?? options?.workers ?? 1;
  const wanted = workers > 1 && runtimes.includes('sparse') && options?.batch !== 0;
  let runner: ParallelRunner | undefined = wanted ? ctx.platform.parallelRunner?.(workers, label) : undefined;
  let shared: { from: Float32Array; to: Float32Array } | undefined;
  /** The shared copy's view of `x` when it views the dataset's images; else `x` (the runner copies it). */
  const inPlace = (x: Float32Array): Float32Array => {
    if (!shared || x.buffer !== shared.from.buffer) return x;
    const at = (x.byteOffset - shared.from.byteOffset) / 4;
    return at >= 0 && at + x.length <= shared.from.length ? shared.to.subarray(at, at + x.length) : x;
  };
  return {
    workers,
    async sparse(run, modelBytes, images, sampleDims) {
      const single: Runner = { name: 'sparse', runBatch: run, workers: 1 };
      const r = runner;
      if (!r) return single;
      try {
        await r.load(modelBytes(), sampleDims);
      } catch {
        // The workers cannot run it (or died): this thread runs the large batch, and the results say 1.
        runner = undefined;
        await r.dispose();
        return single;
      }
      // One shared copy per request (each point gets a new view of the same samples).
      const same = shared && shared.from.buffer === images.buffer && shared.from.byteOffset === images.byteOffset && shared.from.length === images.length;
      if (!same) shared = { from: images, to: r.share(images) };
      return {
        name: 'sparse',
        workers: r.workers,
        runBatch: (x, batch) => (batch > 1 ? r.runBatch(inPlace(x), batch) : run(x, batch)),
        runBatchOneWorker: (x, batch) => r.runBatch(inPlace(x), batch, 1),
      };
    },
    async dispose() {
      await runner?.dispose();
      runner = undefined;
    },
  };
}
