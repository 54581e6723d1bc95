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

/**
 * Broadcasting as runs along the innermost (coalesced) axis: output element `o·len + k` reads input
 * i at `starts[i][o] + k·steps[i]` (steps are 0 for a broadcast axis). Axes where every input
 * is contiguous or broadcast alike are merged first, so the runs are as long as they can be and
 * the per-run offsets (n / len of them) replace a per-element index map.
 */
export interface BroadcastRuns {
  runs: number;
  len: number;
  starts: Int32Array[];
  steps: number[];
}

export function broadcastRuns(srcs: readonly (readonly number[])[], out: readonly number[]): BroadcastRuns {
  const r = out.length;
  const strides = srcs.map((src) => {
    const st = new Array<number>(r).fill(0);
    const pad = r - src.length;
    let acc = 1;
    for (let i = r - 1; i >= pad; i--) {
      const d = src[i - pad];
      st[i] = d === 1 ? 0 : acc;
      acc *= d;
    }
    return st;
  });
  // Coalesce: axis i joins the previous kept axis when, for every input, prev stride = stride · dim.
  const dims: number[] = [];
  const cs: number[][] = srcs.map(() => []);
  for (let i = 0; i < r; i++) {
    const d = out[i];
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((st, j) => cs[j][last] === st[i] * d)) {
      dims[last] *= d;
      strides.forEach((st, j) => (cs[j][last] = st[i]));
    } else {
      dims.push(d);
      strides.forEach((st, j) => cs[j].push(st[i]));
    }
  }
  const n = size(out);
  if (dims.length === 0) return { runs: n === 0 ? 0 : 1, len: 1, starts: srcs.map(() => new Int32Array(1)), steps: srcs.map(() => 0) };
  const last = dims.length - 1;
  const len = dims[last];
  const runs = len === 0 ? 0 : n / len;
  const starts = srcs.map(() => new Int32Array(runs));
  const idx = new Array<number>(last).fill(0);
  const off = srcs.map(() => 0);
  for (let o = 0; o < runs; o++) {
    for (let j = 0; j < srcs.length; j++) starts[j][o] = off[j];
    for (let i = last - 1; i >= 0; i--) {
      idx[i]++;
      for (let j = 0; j < srcs.length; j++) off[j] += cs[j][i];
      if (idx[i] < dims[i]) break;
      for (let j = 0; j < srcs.length; j++) off[j] -= cs[j][i] * dims[i];
      idx[i] = 0;
    }
  }
  return { runs, len, starts, steps: cs.map((c) => c[last]) };
}
