// A pool of workers, each holding one Session of the same model (sent as encoded bytes; load()
// replaces it, so one pool serves every point of a sweep), that runs a large batch by splitting it
// across the workers (all of them, or the first few for a reference measurement). Inputs and
// outputs travel in SharedArrayBuffers (one message per worker and run, none per sample), and the
// outputs are those a single Session gives for the whole batch. A worker's failure rejects the
// pending and later calls with a message naming the worker; dispose() terminates the workers.
// Platform-neutral: the workers are Node worker threads (node/parallel/pool.ts) or Web Workers
// (browser/parallel.ts) behind PoolThread.

import type { Runner } from '../../core/eval';
import { BLOCK_ROWS } from '../../core/runtime/kernels/chain';
import type { FromWorker, InitMessage, Kernels, RunMessage, ToWorker } from './messages';

type Answer = { outputPerSample: number; data?: Float32Array; samples: number };

interface Pending {
  resolve(m: Answer): void;
  reject(e: Error): void;
  /** Loading a model (its failure says so). */
  init: boolean;
}

function splitShards(batch: number, n: number): { start: number; count: number }[] {
  const k = Math.max(1, Math.min(n, batch));
  const base = Math.floor(batch / k);
  const extra = batch % k;
  const shards: { start: number; count: number }[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const count = base + (i < extra ? 1 : 0);
    shards.push({ start, count });
    start += count;
  }
  return shards;
}

/** Batches above this many samples are shared out in chunks (smaller ones go in equal shards). */
const SHARE_ABOVE = 4 * BLOCK_ROWS;

/**
 * Samples per chunk of a shared batch: about 8 chunks per worker, so a worker on a slower or busier
 * core takes fewer; a whole number of the batched kernel's blocks (no padded block per chunk).
 */
export function chunkSize(batch: number, workers: number): number {
  return Math.max(BLOCK_ROWS, Math.ceil(batch / (8 * workers) / BLOCK_ROWS) * BLOCK_ROWS);
}

/** A worker as the pool sees it: a Node worker thread or a Web Worker behind the same few calls. */
export interface PoolThread {
  postMessage(m: ToWorker): void;
  /** Calls `onMessage` with each message, `onFail` once the worker fails or ends. */
  listen(onMessage: (m: FromWorker) => void, onFail: (why: string) => void): void;
  terminate(): Promise<unknown> | void;
}

export interface BatchPoolOptions {
  /** Session kernels in every worker (default 'sparse'). */
  kernels?: Kernels;
  /** Names the model in error messages (a file name, say). */
  label?: string;
  sparseMinSparsity?: number;
  wasm?: boolean;
}

export class BatchPool implements Runner {
  readonly name: 'sparse' | 'dense';
  private readonly pending: Map<number, Pending>[];
  private nextId = 1;
  private broken: string | undefined;
  private disposed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private outputPerSample: number | undefined;
  private input: SharedArrayBuffer | undefined;
  private output: SharedArrayBuffer | undefined;
  private counter: SharedArrayBuffer | undefined;
  private readonly label: string;
  /** Samples each worker ran in the last batch (diagnostics and tests). */
  lastShares: number[] = [];

  constructor(
    private readonly threads: PoolThread[],
    private readonly options: BatchPoolOptions = {},
  ) {
    this.name = options.kernels ?? 'sparse';
    this.label = options.label ?? 'model';
    this.pending = threads.map(() => new Map());
    threads.forEach((w, i) =>
      w.listen(
        (m) => this.onMessage(i, m),
        (why) => {
          if (!this.disposed) this.fail(`worker ${i} ${why}`);
        },
      ),
    );
  }

  /** Number of workers. */
  get size(): number {
    return this.threads.length;
  }

  /**
   * Builds a Session of this model (encoded bytes) in every worker, replacing the one they had:
   * queued after the batches already asked for. Rejects naming the worker that could not.
   */
  load(modelBytes: Uint8Array, sampleDims?: number[]): Promise<void> {
    const job = this.chain.then(() => this.loadNow(modelBytes, sampleDims));
    this.chain = job.catch(() => undefined);
    return job;
  }

  /**
   * Runs `batch` samples (back to back in `x`) split across the first `use` workers (default all);
   * resolves with a fresh array of their outputs.
   */
  runBatch(x: Float32Array, batch: number, use = this.threads.length): Promise<Float32Array> {
    const job = this.chain.then(() => this.runNow(x, batch, Math.max(1, Math.min(this.threads.length, Math.floor(use)))));
    this.chain = job.catch(() => undefined);
    return job;
  }

  /** Terminates the workers; pending and later calls reject. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectAll(`${this.label}: the parallel pool was disposed`);
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  private async loadNow(bytes: Uint8Array, sampleDims: number[] | undefined): Promise<void> {
    this.usable();
    this.outputPerSample = undefined;
    const o = this.options;
    await Promise.all(
      this.threads.map((_, i) =>
        this.send(i, { type: 'init', id: 0, bytes, kernels: this.name, label: this.label, sparseMinSparsity: o.sparseMinSparsity, wasm: o.wasm, ...(sampleDims ? { sampleDims } : {}) }),
      ),
    );
  }

  private usable(): void {
    if (this.disposed) throw new Error(`${this.label}: the parallel pool was disposed`);
    if (this.broken) throw new Error(this.broken);
  }

  private async runNow(x: Float32Array, batch: number, use: number): Promise<Float32Array> {
    this.usable();
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`${this.label}: batch must be a whole number ≥ 0, got ${batch}`);
    if (batch === 0) return new Float32Array(0);
    const sampleSize = x.length / batch;
    if (!Number.isInteger(sampleSize)) throw new Error(`${this.label}: ${x.length} values do not make ${batch} samples`);
    // An input already in shared memory is read in place; any other is copied once into the pool's buffer.
    const shared = x.buffer instanceof SharedArrayBuffer;
    const input = shared ? (x.buffer as SharedArrayBuffer) : this.sharedInput(x);
    const inputOffset = shared ? x.byteOffset : 0;
    const per = this.outputPerSample;
    const output = per !== undefined ? this.sharedOutput(batch * per) : undefined;
    if (output && per !== undefined && use > 1 && batch > SHARE_ABOVE) {
      const chunk = chunkSize(batch, use);
      const counter = (this.counter ??= new SharedArrayBuffer(4));
      Atomics.store(new Int32Array(counter), 0, 0);
      const done = await Promise.all(
        this.threads.slice(0, use).map((_, i) => this.send(i, { type: 'run', id: 0, input, inputOffset, sampleSize, start: 0, count: batch, output, outputPerSample: per, counter, chunk })),
      );
      this.lastShares = done.map((d) => d.samples);
      return new Float32Array(output, 0, batch * per).slice();
    }
    const shards = splitShards(batch, use);
    const results = await Promise.all(
      shards.map((s, i) => this.send(i, { type: 'run', id: 0, input, inputOffset, sampleSize, start: s.start, count: s.count, output, outputPerSample: per })),
    );
    this.lastShares = results.map((r) => r.samples);
    const outPer = results[0].outputPerSample;
    if (results.some((r) => r.outputPerSample !== outPer)) throw new Error(`${this.label}: the workers disagree on the output size`);
    this.outputPerSample = outPer;
    const y = new Float32Array(batch * outPer);
    results.forEach((r, i) => {
      const s = shards[i];
      if (r.data) y.set(r.data, s.start * outPer);
      else y.set(new Float32Array(output!, s.start * outPer * 4, s.count * outPer), s.start * outPer);
    });
    return y;
  }

  private sharedInput(x: Float32Array): SharedArrayBuffer {
    const bytes = x.length * 4;
    if (!this.input || this.input.byteLength < bytes) this.input = new SharedArrayBuffer(bytes);
    new Float32Array(this.input, 0, x.length).set(x);
    return this.input;
  }

  private sharedOutput(values: number): SharedArrayBuffer {
    if (!this.output || this.output.byteLength < values * 4) this.output = new SharedArrayBuffer(values * 4);
    return this.output;
  }

  private send(worker: number, m: RunMessage | InitMessage): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending[worker].set(id, { resolve, reject, init: m.type === 'init' });
      try {
        this.threads[worker].postMessage({ ...m, id });
      } catch (e) {
        this.pending[worker].delete(id);
        reject(new Error(`${this.label}: could not reach parallel worker ${worker}: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  private onMessage(worker: number, m: FromWorker): void {
    const p = m.id !== undefined ? this.pending[worker].get(m.id) : undefined;
    if (m.type === 'error') {
      if (!p) return this.fail(`worker ${worker} failed: ${m.message}`);
      this.pending[worker].delete(m.id!);
      p.reject(new Error(`${this.label}: parallel worker ${worker}${p.init ? ' could not load the model' : ''}: ${m.message}`));
      return;
    }
    if (!p) return;
    this.pending[worker].delete(m.id);
    p.resolve(m.type === 'ready' ? { outputPerSample: 0, samples: 0 } : { outputPerSample: m.outputPerSample, data: m.data, samples: m.samples });
  }

  private fail(why: string): void {
    this.broken ??= `${this.label}: parallel ${why}`;
    this.rejectAll(this.broken);
  }

  private rejectAll(message: string): void {
    for (const map of this.pending) {
      for (const p of map.values()) p.reject(new Error(message));
      map.clear();
    }
  }
}
