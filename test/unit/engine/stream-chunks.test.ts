// Statistics of a large external float32 tensor counted in chunks: the same as the generic path
// over the whole array (an independent algorithm: float64 input takes it), with at most two chunks
// in memory, and nothing more read after a cancel.
import { describe, expect, it } from 'vitest';
import type { TensorBytes } from '../../../src/core/onnx/external';
import { DataType, type Tensor } from '../../../src/core/onnx/model';
import { tensorStats } from '../../../src/core/stats';
import { statsInChunks } from '../../../src/engine/stream-chunks';

function values(n: number): Float32Array {
  const v = new Float32Array(n);
  let s = 11;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    v[i] = i % 97 === 0 ? 0 : Math.round((s / 2147483648) * 300) / 1024;
  }
  v[5] = Number.NaN;
  v[70_000] = Number.POSITIVE_INFINITY;
  return v;
}

/** TensorBytes over bytes in memory, counting reads and the chunks held (read, not yet released). */
function memoryBytes(data: Float32Array): TensorBytes & { reads: number; held: number; maxHeld: number } {
  const bytes = new Uint8Array(data.buffer);
  const out = {
    reads: 0,
    held: 0,
    maxHeld: 0,
    totalBytes: bytes.length,
    storedBytes: () => bytes.length,
    read: async () => bytes.slice(),
    readChunk: async (_t: Tensor, from: number, length: number) => {
      out.reads++;
      out.held++;
      out.maxHeld = Math.max(out.maxHeld, out.held);
      return bytes.slice(from, from + length);
    },
    release: () => {
      out.held--;
    },
    close: async () => undefined,
  };
  return out;
}

const tensor = (n: number): Tensor => ({ name: 'w', dataType: DataType.FLOAT, dims: [n], external: { location: 'w.bin', offset: 0, length: n * 4, entries: [] } });

describe('statistics in chunks', () => {
  it('equal the whole-array statistics, two chunks in memory at most, every chunk read twice', async () => {
    const n = 100_003; // the last chunk is short
    const v = values(n);
    const bytes = memoryBytes(v);
    const s = await statsInChunks(tensor(n), bytes, 32, undefined, 4096 * 4);
    const want = tensorStats(Float64Array.from(v), { bins: 32 });
    const chunks = Math.ceil(n / 4096);
    expect(bytes.reads).toBe(2 * chunks);
    expect(bytes.maxHeld).toBeLessThanOrEqual(2);
    expect(s.count).toBe(n);
    expect(s.finite).toBe(n - 2);
    expect(s.nonFinite).toBe(2);
    expect(s.min).toBe(want.min);
    expect(s.max).toBe(want.max);
    expect(s.zeros).toBe(want.zeros);
    expect(s.mean).toBeCloseTo(want.mean, 12);
    expect(s.std).toBeCloseTo(want.std, 12);
    expect([s.absP50, s.absP90, s.absP99]).toEqual([want.absP50, want.absP90, want.absP99]);
    expect(s.histogram.counts).toEqual(want.histogram.counts);
  });

  it('stops reading after a cancel', async () => {
    const n = 50_000;
    const bytes = memoryBytes(values(n));
    let steps = 0;
    const cancelled = statsInChunks(tensor(n), bytes, 16, async () => {
      if (++steps === 3) throw new Error('cancelled');
    }, 4096 * 4);
    await expect(cancelled).rejects.toThrow('cancelled');
    await new Promise((r) => setTimeout(r, 20));
    expect(bytes.reads).toBeLessThanOrEqual(4); // three counted and one read ahead
  });
});
