// The browser engine's large-batch threads: Web Workers (browser/session-worker.ts) behind the same
// BatchPool as Node's worker threads. They need SharedArrayBuffer, which a page has only when it is
// cross-origin isolated (served with COOP: same-origin and COEP: require-corp, as `npm run web` and
// the dev server do); otherwise the engine's own worker runs the large batch alone.

import { defaultWorkers } from '../../core/eval/workers';
import { BatchPool, type PoolThread } from '../parallel/batch-pool';
import type { FromWorker, ToWorker } from '../parallel/messages';
import type { ParallelRunner } from '../platform';

interface WebWorker {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: FromWorker }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  onmessageerror: (() => void) | null;
  terminate(): void;
}

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
  navigator?: { hardwareConcurrency?: number };
  Worker?: unknown;
}

const g = globalThis as unknown as BrowserGlobals;

/** The global Web Worker constructor (typed here: this file is also type-checked without the DOM). */
declare const Worker: new (url: URL, options: { type: 'module'; name?: string }) => WebWorker;

/** True where workers can share memory (a cross-origin isolated page) and start workers. */
export function canShareMemory(): boolean {
  return g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === 'function' && typeof g.Worker === 'function';
}

/** The request's count, else one per core (at most 4), where memory can be shared; 1 otherwise. */
export function browserParallelWorkers(requested?: number): number {
  if (!canShareMemory()) return 1;
  return requested ?? defaultWorkers(g.navigator?.hardwareConcurrency ?? 1);
}

function thread(w: WebWorker): PoolThread {
  return {
    postMessage: (m: ToWorker) => w.postMessage(m),
    listen(onMessage, onFail) {
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = (e) => onFail(`failed: ${e.message ?? 'error'}`);
      w.onmessageerror = () => onFail('sent a message that could not be read');
    },
    terminate: () => w.terminate(),
  };
}

export function browserParallelRunner(workers: number, label: string): ParallelRunner | undefined {
  if (!canShareMemory()) return undefined;
  const threads: PoolThread[] = [];
  // Written as `new Worker(new URL(…, import.meta.url))` so that Vite bundles the worker.
  for (let i = 0; i < workers; i++) threads.push(thread(new Worker(new URL('./session-worker.ts', import.meta.url), { type: 'module', name: `large batch ${i}` })));
  const pool = new BatchPool(threads, { kernels: 'sparse', label });
  return {
    workers: pool.size,
    load: (bytes, sampleDims) => pool.load(bytes, sampleDims),
    runBatch: (x, batch, use) => pool.runBatch(x, batch, use),
    share: (images) => {
      const copy = new Float32Array(new SharedArrayBuffer(images.byteLength));
      copy.set(images);
      return copy;
    },
    dispose: () => pool.dispose(),
  };
}
