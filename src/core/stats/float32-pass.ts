// Pass 1 of the float32 statistics (float32-stats.ts): moments, min/max, zeros, non-finite count
// and the count of every 17-bit key, chunk by chunk; the lean part of each chunk in WebAssembly
// SIMD where there is one (float32-wasm.ts), else in JS, with the same results.
import { keyTables } from './counters';
import { statsKernels, type StatsKernels } from './float32-wasm';
import { CHUNK, addChunk, emptyMoments, type Moments } from './moments';

export const KEY_SHIFT = 15; // 32 bits >>> 15 = 17-bit key
export const KEYS = 1 << 17;
export const HALF = 1 << 16; // keys of negative values start here
export const ABS_MASK = 0x7fffffff;
const EXP_MASK = 0x7f800000;

export interface Float32Pass extends Moments {
  /** Elements per 17-bit key (finite values only); n < 2^31. */
  keys: Int32Array;
}

/** A chunk's shifted sums, min and max (lean: every value assumed finite). */
interface Lean {
  s1: number;
  s2: number;
  lo: number;
  hi: number;
}

/**
 * Pass 1: moments (chunked, float64, merged pairwise as in moments.ts) and the key counts.
 *
 * Each chunk first runs lean loops that assume every value is finite: the keys are counted four
 * at a time; the shifted values are summed in four lanes (element i in lane i mod 4, the lanes
 * added as (0 + 1) + (2 + 3): four independent chains instead of one, whose latency bounded the
 * loop) and the chunk's min/max found (the first of equal values wins, as in the careful loop).
 * A non-finite value makes the sum of squares non-finite (finite float32 squares cannot overflow a
 * float64 sum of 4096), and only then is the chunk undone and counted again with the careful loop,
 * so the results are those of the careful loop alone. Zeros are counted only in chunks where the
 * keys that hold ±0 grew.
 */
export function float32Pass(values: Float32Array): Float32Pass {
  keyTables.made++;
  const n = values.length;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  const wasm = n >= CHUNK ? statsKernels() : undefined;
  const keys = wasm ? wasm.keys.fill(0) : new Int32Array(KEYS);
  const acc = emptyMoments();
  const lean: Lean = { s1: 0, s2: 0, lo: 0, hi: 0 };
  for (let start = 0; start < n; start += CHUNK) {
    const end = start + CHUNK < n ? start + CHUNK : n;
    const zeroKeys = keys[0] + keys[HALF];
    if (wasm) leanWasm(wasm, values, bits, start, end, lean);
    else leanJs(values, bits, start, end, keys, lean);
    if (lean.s2 - lean.s2 !== 0) {
      for (let i = start; i < end; i++) keys[bits[i] >>> KEY_SHIFT]--;
      carefulChunk(values, bits, start, end, keys, acc);
      continue;
    }
    if (keys[0] + keys[HALF] !== zeroKeys) {
      let z = 0;
      for (let i = start; i < end; i++) if ((bits[i] & ABS_MASK) === 0) z++;
      acc.zeros += z;
    }
    if (lean.lo < acc.min) acc.min = lean.lo;
    if (lean.hi > acc.max) acc.max = lean.hi;
    addChunk(acc, end - start, values[start], lean.s1, lean.s2);
  }
  return { ...acc, keys: wasm ? keys.slice() : keys };
}

/** The lean loops in JS: keys four at a time; sums in four lanes, min/max compared only when one of four passes the bound. */
function leanJs(values: Float32Array, bits: Int32Array, start: number, end: number, keys: Int32Array, out: Lean): void {
  const end4 = end - ((end - start) & 3);
  let i = start;
  for (; i < end4; i += 4) {
    const k0 = bits[i] >>> KEY_SHIFT;
    const k1 = bits[i + 1] >>> KEY_SHIFT;
    const k2 = bits[i + 2] >>> KEY_SHIFT;
    const k3 = bits[i + 3] >>> KEY_SHIFT;
    keys[k0]++;
    keys[k1]++;
    keys[k2]++;
    keys[k3]++;
  }
  for (; i < end; i++) keys[bits[i] >>> KEY_SHIFT]++;
  const shift = values[start];
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  let c1 = 0;
  let c2 = 0;
  let e1 = 0;
  let e2 = 0;
  let lo = shift;
  let hi = shift;
  for (i = start; i < end4; i += 4) {
    const x0 = values[i];
    const x1 = values[i + 1];
    const x2 = values[i + 2];
    const x3 = values[i + 3];
    const d0 = x0 - shift;
    const d1 = x1 - shift;
    const d2 = x2 - shift;
    const d3 = x3 - shift;
    a1 += d0;
    a2 += d0 * d0;
    b1 += d1;
    b2 += d1 * d1;
    c1 += d2;
    c2 += d2 * d2;
    e1 += d3;
    e2 += d3 * d3;
    if (x0 < lo || x1 < lo || x2 < lo || x3 < lo) {
      if (x0 < lo) lo = x0;
      if (x1 < lo) lo = x1;
      if (x2 < lo) lo = x2;
      if (x3 < lo) lo = x3;
    }
    if (x0 > hi || x1 > hi || x2 > hi || x3 > hi) {
      if (x0 > hi) hi = x0;
      if (x1 > hi) hi = x1;
      if (x2 > hi) hi = x2;
      if (x3 > hi) hi = x3;
    }
  }
  closeLean(values, end4, end, shift, [a1, b1, c1, e1, a2, b2, c2, e2], lo, hi, out);
}

/**
 * The last values (from … end − 1, fewer than 4) into lane 0, then the lanes added as
 * (0 + 1) + (2 + 3); `lanes` = the four sums of d, then the four of d², min and max so far.
 */
function closeLean(values: Float32Array, from: number, end: number, shift: number, lanes: ArrayLike<number>, lo: number, hi: number, out: Lean): void {
  let s1 = lanes[0];
  let s2 = lanes[4];
  for (let i = from; i < end; i++) {
    const x = values[i];
    const d = x - shift;
    s1 += d;
    s2 += d * d;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  out.s1 = s1 + lanes[1] + (lanes[2] + lanes[3]);
  out.s2 = s2 + lanes[5] + (lanes[6] + lanes[7]);
  out.lo = lo;
  out.hi = hi;
}

/**
 * The lean loops in WebAssembly (keys into wasm.keys): the same lanes and additions as leanJs, the
 * last (end − start) mod 4 values added here. The lanes' min/max are combined in order; when one
 * is a zero, whose sign depends on which came first, it is found again in order as leanJs does.
 */
function leanWasm(wasm: StatsKernels, values: Float32Array, bits: Int32Array, start: number, end: number, out: Lean): void {
  const end4 = end - ((end - start) & 3);
  const shift = values[start];
  let lanes: ArrayLike<number> = [0, 0, 0, 0, 0, 0, 0, 0];
  let lo = shift;
  let hi = shift;
  if (end4 > start) {
    wasm.pass(values, start, end4 - start);
    const { sums, bounds } = wasm;
    lanes = sums;
    for (let l = 0; l < 4; l++) {
      if (bounds[l] < lo) lo = bounds[l];
      if (bounds[4 + l] > hi) hi = bounds[4 + l];
    }
  }
  const keys = wasm.keys;
  for (let i = end4; i < end; i++) keys[bits[i] >>> KEY_SHIFT]++;
  closeLean(values, end4, end, shift, lanes, lo, hi, out);
  if (out.lo === 0 || out.hi === 0) {
    lo = shift;
    hi = shift;
    for (let i = start; i < end; i++) {
      const x = values[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    out.lo = lo;
    out.hi = hi;
  }
}

/** A chunk that holds NaN or ±Inf: those are skipped, the shift is the first finite value. */
function carefulChunk(values: Float32Array, bits: Int32Array, start: number, end: number, keys: Int32Array, acc: Moments): void {
  let i = start;
  while (i < end && (bits[i] & EXP_MASK) === EXP_MASK) i++;
  if (i === end) return;
  const shift = values[i];
  let c = 0;
  let s1 = 0;
  let s2 = 0;
  for (; i < end; i++) {
    const u = bits[i];
    if ((u & EXP_MASK) === EXP_MASK) continue;
    const x = values[i];
    const d = x - shift;
    s1 += d;
    s2 += d * d;
    c++;
    if (x < acc.min) acc.min = x;
    if (x > acc.max) acc.max = x;
    if ((u & ABS_MASK) === 0) acc.zeros++;
    keys[u >>> KEY_SHIFT]++;
  }
  addChunk(acc, c, shift, s1, s2);
}
