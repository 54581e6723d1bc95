// Node only: the engine's large-batch threads (EnginePlatform.parallelWorkers / parallelRunner):
// a SessionPool of sparse-runtime workers, started once per request and given each point's model.

import { availableParallelism } from 'node:os';
import { defaultWorkers, parseWorkerCount } from '../../../core/eval/workers';
import type { ParallelRunner } from '../../platform';
import { SessionPool } from './pool';

/** $PRUNESCOPE_WORKERS as a worker count, undefined when unset; throws a one-line message when it is not a count. */
export function envWorkers(): number | undefined {
  const v = process.env.PRUNESCOPE_WORKERS;
  if (v === undefined || v.trim() === '') return undefined;
  try {
    return parseWorkerCount(v, 'PRUNESCOPE_WORKERS');
  } catch (e) {
    throw Object.assign(new Error((e as Error).message), { name: 'EngineFailure', code: 'bad-request' });
  }
}

/** The request's count, else $PRUNESCOPE_WORKERS, else one per core (at most 4). */
export function nodeParallelWorkers(requested?: number): number {
  return requested ?? envWorkers() ?? defaultWorkers(availableParallelism());
}

/** Copies samples into shared memory, which every worker reads in place. */
export function sharedCopy(images: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(images.byteLength));
  copy.set(images);
  return copy;
}

/**
 * Starts `workers` worker threads (they boot while the request prunes and measures batch 1), or
 * undefined when no worker script is found beside this code (the engine then runs one thread).
 */
export function nodeParallelRunner(workers: number, label: string, workerFile?: string): ParallelRunner | undefined {
  let pool: SessionPool;
  try {
    pool = SessionPool.start({ workers, label, kernels: 'sparse', workerFile });
  } catch {
    return undefined;
  }
  return {
    workers: pool.size,
    load: (bytes, sampleDims) => pool.load(bytes, sampleDims),
    runBatch: (x, batch, use) => pool.runBatch(x, batch, use),
    share: sharedCopy,
    dispose: () => pool.dispose(),
  };
}
