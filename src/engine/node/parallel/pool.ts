// Node only: the large-batch pool on worker threads (the pool itself: src/engine/parallel/batch-pool.ts).
// Each worker runs parallel-worker.js (worker-entry.ts), found next to this code.

import type { Worker } from 'node:worker_threads';
import { BatchPool, type BatchPoolOptions, type PoolThread } from '../../parallel/batch-pool';
import type { FromWorker, ToWorker } from '../../parallel/messages';
import { findWorkerFile, startWorker } from './worker-file';

export { chunkSize } from '../../parallel/batch-pool';

export interface PoolOptions extends BatchPoolOptions {
  /** Number of workers (default 2: the cores of the machines Prunescope is benchmarked on). */
  workers?: number;
  /** The worker script: a built parallel-worker.js, or worker-entry.ts (run under tsx). Default: found next to this code. */
  workerFile?: string;
}

/** The worker script next to this code: out/cli/parallel-worker.js in the CLI bundle, worker-entry.ts from source. */
export function defaultWorkerFile(): string {
  return findWorkerFile('parallel-worker.js', 'worker-entry.ts');
}

/** A worker thread as a PoolThread. */
function thread(w: Worker): PoolThread {
  return {
    postMessage: (m: ToWorker) => w.postMessage(m),
    listen(onMessage, onFail) {
      w.on('message', (m: FromWorker) => onMessage(m));
      w.on('error', (e) => onFail(`failed: ${e.message}`));
      w.on('messageerror', (e) => onFail(`sent a message that could not be read: ${e.message}`));
      w.on('exit', (code) => onFail(`exited (code ${code})`));
    },
    terminate: () => w.terminate(),
  };
}

export class SessionPool extends BatchPool {
  /**
   * Starts the workers without a model (they boot while the caller does other work); load() gives
   * them one. Throws at once only when no worker script is found.
   */
  static start(options: PoolOptions = {}): SessionPool {
    const n = Math.max(1, Math.floor(options.workers ?? 2));
    const file = options.workerFile ?? defaultWorkerFile();
    const threads: PoolThread[] = [];
    for (let i = 0; i < n; i++) threads.push(thread(startWorker(file)));
    return new SessionPool(threads, options);
  }

  /** Starts the workers and builds a Session in each from the model's encoded bytes; rejects naming a worker's problem. */
  static async create(modelBytes: Uint8Array, options: PoolOptions = {}): Promise<SessionPool> {
    const pool = SessionPool.start(options);
    try {
      await pool.load(modelBytes);
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }
}
