// Messages of the Node worker pools: those of the large batch (shared with the browser's, in
// src/engine/parallel/messages.ts) and those of a StatsPool.

import type { Float32Pass, ShardScan } from '../../../core/stats';

export * from '../../parallel/messages';

// Messages between a StatsPool (main thread) and its workers (stats-worker-entry.ts). The values
// are a view of the model's bytes, which the engine reads into a SharedArrayBuffer: no copy.

/** A shard of a float32 tensor: `length` values at `byteOffset` of `buffer`. */
export interface StatsShard {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** Main → stats worker: pass 1 (moments and key counts) over a shard. */
export interface StatsPassMessage extends StatsShard {
  type: 'pass';
  id: number;
}

/** Main → stats worker: pass 2 over a shard (`action` is shared by every shard of the tensor). */
export interface StatsScanMessage extends StatsShard {
  type: 'scan';
  id: number;
  bins: number;
  lo: number;
  hi: number;
  action: Int32Array;
  sizes: number[];
}

export type ToStatsWorker = StatsPassMessage | StatsScanMessage;

export type FromStatsWorker =
  | { type: 'pass'; id: number; pass: Float32Pass }
  | { type: 'scan'; id: number; scan: ShardScan }
  | { type: 'error'; id: number; message: string };
