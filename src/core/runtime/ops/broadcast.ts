// Numpy-style (multidirectional) broadcasting for binary ops.
import { RuntimeError } from '../errors';
import { nextOffset, size } from '../tensor';

export function broadcastDims(a: readonly number[], b: readonly number[], label: string): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
    const db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new RuntimeError(`${label}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  }
  return out;
}

/**
 * For every element of the broadcast output, the index into an input of dims `src`: returns the
 * index map as an Int32Array (callers use it only for the general case).
 */
export function broadcastIndex(src: readonly number[], out: readonly number[]): Int32Array {
  const r = out.length;
  const n = size(out);
  const map = new Int32Array(n);
  const pad = r - src.length;
  const st = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = r - 1; i >= pad; i--) {
    const d = src[i - pad];
    st[i] = d === 1 ? 0 : acc;
    acc *= d;
  }
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    map[k] = off;
    off = nextOffset(idx, out, st, r - 1, off);
  }
  return map;
}
