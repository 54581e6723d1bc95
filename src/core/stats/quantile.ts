// Exact order statistics by selection (no full sort): quickselect with a median-of-three pivot and
// Hoare partitioning (which splits runs of equal values evenly), falling back to a typed-array
// sort of the remaining range if the recursion degenerates.
import { keyTables } from './counters';

export type FloatBuffer = Float32Array | Float64Array;

/** Swaps a[i] and a[j]. */
function swap(a: FloatBuffer, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Rearranges `a[lo..hi]` (inclusive) so that a[k] holds the value it would have if that range
 * were sorted ascending, every value before it is <= a[k] and every value after it is >= a[k].
 * `a` must not contain NaN.
 */
export function selectInPlace(a: FloatBuffer, k: number, lo = 0, hi = a.length - 1): number {
  if (k < lo || k > hi) throw new RangeError(`selectInPlace: k=${k} outside [${lo}, ${hi}]`);
  // Each round should shrink the range by a constant factor; allow ~4 log2(n) rounds.
  let budget = 4 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi > lo) {
    if (hi - lo < 16 || budget-- <= 0) {
      const part = a.subarray(lo, hi + 1);
      part.sort();
      return a[k];
    }
    // Median of three of lo, mid, hi, left in a[mid] as the pivot.
    const mid = lo + ((hi - lo) >> 1);
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    // Hoare partition: afterwards a[lo..j] <= pivot <= a[j+1..hi].
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (a[i] < pivot);
      do j--;
      while (a[j] > pivot);
      if (i >= j) break;
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    if (k <= j) hi = j;
    else lo = j + 1;
  }
  return a[k];
}

/** Smallest value of a[from..to) (inclusive-exclusive); a non-empty range of a NaN-free buffer. */
function minOf(a: FloatBuffer, from: number, to: number): number {
  let m = a[from];
  for (let i = from + 1; i < to; i++) if (a[i] < m) m = a[i];
  return m;
}

/**
 * Quantiles (each q in [0, 1]) of the values in `buf`, with linear interpolation between order
 * statistics (NumPy's default, "type 7": position q·(n−1)). Reorders `buf`. NaN for an empty buffer.
 * `buf` must not contain NaN.
 */
export function quantilesInPlace(buf: FloatBuffer, qs: readonly number[]): number[] {
  const n = buf.length;
  const out = new Array<number>(qs.length).fill(Number.NaN);
  if (n === 0) return out;
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within [0, 1]`);
  }
  // Largest quantile first: each later selection only needs the prefix left of the previous one.
  const order = qs.map((q, i) => ({ q, i })).sort((x, y) => y.q - x.q);
  let bound = n - 1; // the order statistics still needed all lie in buf[0..bound]
  for (const { q, i } of order) {
    const pos = q * (n - 1);
    const k = Math.floor(pos);
    const frac = pos - k;
    const lower = selectInPlace(buf, k, 0, bound);
    let value = lower;
    if (frac > 0) {
      // The next order statistic is the smallest value right of k (within the selected range).
      const end = k < bound ? bound : n - 1;
      const upper = minOf(buf, k + 1, end + 1);
      value = lower + (upper - lower) * frac;
    }
    out[i] = value;
    bound = k;
  }
  return out;
}

/** Copies |v| of every finite value of `values` into a new float buffer (float32 for float32 input). */
export function finiteAbsCopy(values: ArrayLike<number>): FloatBuffer {
  const n = values.length;
  const buf: FloatBuffer = values instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x - x === 0) buf[m++] = x < 0 ? -x : x;
  }
  return m === n ? buf : buf.subarray(0, m);
}

const BIN_SHIFT = 15; // 31 magnitude bits >>> 15 = 65536 bins: 8 exponent bits + 8 mantissa bits
const ABS_MASK = 0x7fffffff;
const INF_BITS = 0x7f800000;

/** Rank positions (and interpolation weights) of quantiles qs over n sorted values. */
function ranksOf(n: number, qs: readonly number[]): { k: number; frac: number }[] {
  return qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within [0, 1]`);
    const pos = q * (n - 1);
    const k = Math.floor(pos);
    return { k, frac: pos - k };
  });
}

/**
 * Exact quantiles of |v| over the finite values of a float32 array, by radix selection on the
 * IEEE bits (for non-negative floats the bit patterns sort like the values): one counting pass
 * over the top 16 magnitude bits, one pass gathering the few bins holding the wanted ranks, then
 * quickselect inside those bins. No copy of the whole array.
 */
export function absQuantilesFloat32(values: Float32Array, qs: readonly number[]): number[] {
  keyTables.quantileTables++;
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const counts = new Float64Array(1 << (31 - BIN_SHIFT));
  for (let i = 0; i < n; i++) {
    const b = bits[i] & ABS_MASK;
    if (b < INF_BITS) counts[b >>> BIN_SHIFT]++;
  }
  const starts = new Float64Array(counts.length + 1);
  for (let b = 0; b < counts.length; b++) starts[b + 1] = starts[b] + counts[b];
  const finite = starts[counts.length];
  if (finite === 0) return qs.map(() => Number.NaN);
  const wanted = ranksOf(finite, qs);
  // The bin of each needed rank (k, and k + 1 when interpolating).
  const binOf = (rank: number): number => {
    let lo = 0;
    let hi = counts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= rank) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const ranks: number[] = [];
  for (const { k, frac } of wanted) {
    ranks.push(k);
    if (frac > 0) ranks.push(k + 1);
  }
  const bins = [...new Set(ranks.map(binOf))].sort((x, y) => x - y);
  const slot = new Map<number, number>(); // bin → offset of its segment in the gather buffer
  let total = 0;
  for (const b of bins) {
    slot.set(b, total);
    total += counts[b];
  }
  const gathered = new Float32Array(total);
  const gatheredBits = new Uint32Array(gathered.buffer);
  const fill = new Int32Array(counts.length).fill(-1);
  for (const b of bins) fill[b] = slot.get(b) as number;
  for (let i = 0; i < n; i++) {
    const b = bits[i] & ABS_MASK;
    if (b >= INF_BITS) continue;
    const at = fill[b >>> BIN_SHIFT];
    if (at >= 0) {
      gatheredBits[at] = b;
      fill[b >>> BIN_SHIFT] = at + 1;
    }
  }
  const valueAt = (rank: number): number => {
    const b = binOf(rank);
    const from = slot.get(b) as number;
    const local = rank - starts[b];
    return selectInPlace(gathered, from + local, from, from + counts[b] - 1);
  };
  return wanted.map(({ k, frac }) => {
    const lower = valueAt(k);
    return frac > 0 ? lower + (valueAt(k + 1) - lower) * frac : lower;
  });
}

/** The q-quantile of |v| over the finite values (exact, linear interpolation; NaN when there are none). */
export function absQuantile(values: ArrayLike<number>, q: number): number {
  return absQuantiles(values, [q])[0];
}

/** Float32 arrays from this many elements take absQuantilesFloat32 in absQuantiles. */
export const FLOAT32_QUANTILE_MIN = 1 << 14;

/** Several quantiles of |v| at once (exact, linear interpolation between order statistics). */
export function absQuantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  // The bit-bin path's count tables cost as much as a selection over tens of thousands of values,
  // for every tensor: small tensors take the copy and select.
  if (values instanceof Float32Array && values.length >= FLOAT32_QUANTILE_MIN) return absQuantilesFloat32(values, qs);
  return quantilesInPlace(finiteAbsCopy(values), qs);
}
