// Statistics of one large float32 tensor still in an external data file, in chunks: pass 1 reads
// the chunks in order (the next one read while this one is counted), pass 2 reads them again, so
// memory holds two chunks whatever the tensor's size (a 4 GB embedding needs 2 × 64 MB, not 4 GB).
// The results are those of the whole-tensor path (shardedFloat32Stats: shards are the chunks).

import type { TensorBytes } from '../core/onnx/external';
import { DataType, type Tensor } from '../core/onnx/model';
import { float32Pass, scanShard, shardedFloat32Stats, type ShardRunner, type Stats } from '../core/stats';

/** Float32 tensors stored in more bytes than this are counted chunk by chunk. */
export const CHUNKED_STATS_MIN = 512 * 1024 * 1024;
/** Bytes per chunk (a multiple of 4). */
export const STATS_CHUNK = 64 * 1024 * 1024;

/** True when the tensor's statistics are taken chunk by chunk (statsInChunks). */
export function takesChunks(t: Tensor, external: TensorBytes): boolean {
  return t.dataType === DataType.FLOAT && external.storedBytes(t) > CHUNKED_STATS_MIN;
}

/**
 * The statistics of an unread float32 tensor read through `external` in chunks of `chunk` bytes;
 * `step` runs after each chunk (progress, cancel: it may throw).
 */
export async function statsInChunks(t: Tensor, external: TensorBytes, bins: number | undefined, step?: () => Promise<void>, chunk = STATS_CHUNK): Promise<Stats> {
  const total = external.storedBytes(t);
  const shards = Math.max(1, Math.ceil(total / chunk));
  const range = (i: number): [number, number] => [i * chunk, Math.min(chunk, total - i * chunk)];
  // One read at a time ahead of the one being counted; the passes call shards in order.
  const pending = new Map<number, Promise<Uint8Array>>();
  const fetch = (i: number): Promise<Uint8Array> => {
    let p = pending.get(i);
    if (!p) {
      p = external.readChunk(t, ...range(i));
      pending.set(i, p);
    }
    return p;
  };
  let queue: Promise<unknown> = Promise.resolve();
  let failed = false;
  const inTurn = <T>(i: number, work: (values: Float32Array) => T): Promise<T> => {
    const run = queue.then(async () => {
      // After a failure (a cancel, a short file) nothing more is read.
      if (failed) throw new Error('stopped');
      const bytes = await fetch(i);
      pending.delete(i);
      if (i + 1 < shards) fetch(i + 1).catch(() => undefined); // reported when its turn comes
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const out = work(values);
      external.release(bytes);
      await step?.();
      return out;
    });
    queue = run.catch(() => {
      failed = true;
    });
    return run;
  };
  const runner: ShardRunner = {
    shards,
    pass: (i) => inTurn(i, (v) => float32Pass(v)),
    scan: (i, plan, sizes) => inTurn(i, (v) => scanShard(v, plan, sizes)),
  };
  try {
    return await shardedFloat32Stats(total / 4, runner, bins !== undefined ? { bins } : {});
  } finally {
    await Promise.all([...pending.values()].map((p) => p.catch(() => undefined)));
  }
}
