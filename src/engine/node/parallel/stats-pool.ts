// Node only: worker threads that count the statistics of large float32 tensors in shards, in
// parallel, reading the values where they are (the engine reads model files into shared memory).
// A tensor is cut into a few shards per worker and each idle worker takes the next one, so a
// worker on a slower or busier core takes fewer (on the 2-core test machines one vCPU was often
// 40–80% slower than the other: equal halves waited for it).
// A worker's failure rejects the pending calls with a message naming the worker and breaks the
// pool (the engine then counts in its own thread); the workers never keep the process alive.

import type { Worker } from 'node:worker_threads';
import { shardedFloat32Stats, type Stats, type StatsOptions } from '../../../core/stats';
import type { FromStatsWorker, StatsShard, ToStatsWorker } from './messages';
import { findWorkerFile, startWorker } from './worker-file';

interface Pending {
  resolve(m: FromStatsWorker): void;
  reject(e: Error): void;
}

/** Shards per worker, and the fewest values in a shard. */
const SHARDS_PER_WORKER = 4;
const MIN_SHARD = 1 << 18;

export class StatsPool {
  private readonly pending = new Map<number, Pending>();
  /** Messages waiting for an idle worker, and the workers without work. */
  private readonly queue: ToStatsWorker[] = [];
  private readonly idle: number[];
  private nextId = 1;
  private brokenWhy: string | undefined;
  private disposed = false;

  private constructor(private readonly workers: Worker[]) {
    this.idle = workers.map((_, i) => i);
    workers.forEach((w, i) => {
      w.unref();
      w.on('message', (m: FromStatsWorker) => this.onMessage(i, m));
      w.on('error', (e) => this.fail(`statistics worker ${i} failed: ${e.message}`));
      w.on('exit', (code) => {
        if (!this.disposed) this.fail(`statistics worker ${i} exited (code ${code})`);
      });
    });
  }

  /** Starts `workers` threads (they load while the first messages wait for them). */
  static start(options: { workers: number; workerFile?: string }): StatsPool {
    const file = options.workerFile ?? findWorkerFile('stats-worker.js', 'stats-worker-entry.ts');
    const workers: Worker[] = [];
    for (let i = 0; i < Math.max(1, Math.floor(options.workers)); i++) workers.push(startWorker(file));
    return new StatsPool(workers);
  }

  /** Why the pool can no longer be used, or undefined while it can. */
  get broken(): string | undefined {
    return this.brokenWhy ?? (this.disposed ? 'disposed' : undefined);
  }

  get size(): number {
    return this.workers.length;
  }

  /** tensorStats of `values`, which must view a SharedArrayBuffer: its shards go to idle workers. */
  stats(values: Float32Array, opts: StatsOptions = {}): Promise<Stats> {
    const buffer = values.buffer;
    if (!(buffer instanceof SharedArrayBuffer)) return Promise.reject(new Error('StatsPool: the values are not in shared memory'));
    const k = Math.max(1, Math.min(this.workers.length * SHARDS_PER_WORKER, Math.floor(values.length / MIN_SHARD)));
    const shard = (i: number): StatsShard => {
      const from = Math.floor((values.length * i) / k);
      const to = Math.floor((values.length * (i + 1)) / k);
      return { buffer, byteOffset: values.byteOffset + from * 4, length: to - from };
    };
    return shardedFloat32Stats(
      values.length,
      {
        shards: k,
        pass: async (i) => {
          const m = await this.call({ type: 'pass', id: 0, ...shard(i) });
          if (m.type !== 'pass') throw new Error(`a statistics worker answered ${m.type} to a pass`);
          return m.pass;
        },
        scan: async (i, plan, sizes) => {
          const m = await this.call({ type: 'scan', id: 0, ...shard(i), bins: plan.bins, lo: plan.lo, hi: plan.hi, action: plan.action, sizes });
          if (m.type !== 'scan') throw new Error(`a statistics worker answered ${m.type} to a scan`);
          return m.scan;
        },
      },
      opts,
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.fail('the statistics pool was closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private call(m: ToStatsWorker): Promise<FromStatsWorker> {
    const why = this.broken;
    if (why) return Promise.reject(new Error(why));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ ...m, id });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) this.workers[this.idle.pop()!].postMessage(this.queue.shift());
  }

  private onMessage(worker: number, m: FromStatsWorker): void {
    this.idle.push(worker);
    this.dispatch();
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(new Error(`statistics worker ${worker}: ${m.message}`));
    else p.resolve(m);
  }

  private fail(why: string): void {
    this.brokenWhy ??= why;
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
    this.queue.length = 0;
  }
}
