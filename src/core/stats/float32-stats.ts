// tensorStats for float32 data in two passes over the elements, read through their IEEE bits.
//
// Pass 1: moments (the same chunked float64 sums as the generic path, so identical results),
// min/max, zeros, non-finite count, and a count per "key" = the top 17 bits (sign, 8 exponent,
// 8 mantissa bits). Within one key the values form a contiguous interval, so
// - a key whose whole interval falls into one histogram bin adds its count to that bin at once;
// - the |w| quantiles find the key holding each wanted rank from the counts (|w| ignores the sign).
// Pass 2 only looks at elements whose key straddles a histogram edge or holds a wanted rank: they
// are binned one by one, or gathered for an exact selection inside their key. No float64 copy of
// the data and no per-element function call. The bits are read as Int32 (a Uint32 above 2^31 is
// not a small integer for the JIT, which made the loops ~20% slower); counts fit since n < 2^31.
import { binEdges, type Histogram } from './histogram';
import { selectInPlace } from './quantile';

const KEY_SHIFT = 15; // 32 bits >>> 15 = 17-bit key
const KEYS = 1 << 17;
const HALF = 1 << 16; // keys of negative values start here
const ABS_MASK = 0x7fffffff;
const EXP_MASK = 0x7f800000;
const CHUNK = 4096;

export interface Float32Pass {
  finite: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  zeros: number;
  /** Elements per 17-bit key (finite values only); n < 2^31. */
  keys: Int32Array;
}

/** Pass 1: moments (chunked, float64, merged pairwise as in tensor-stats.ts) and the key counts. */
export function float32Pass(values: Float32Array): Float32Pass {
  const n = values.length;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  const keys = new Int32Array(KEYS);
  let finite = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = start + CHUNK < n ? start + CHUNK : n;
    // The shift is the chunk's first finite value.
    let i = start;
    while (i < end && (bits[i] & EXP_MASK) === EXP_MASK) i++;
    if (i === end) continue;
    const shift = values[i];
    let c = 0;
    let s1 = 0;
    let s2 = 0;
    for (; i < end; i++) {
      const u = bits[i];
      if ((u & EXP_MASK) === EXP_MASK) continue; // NaN or ±Inf
      const x = values[i];
      const d = x - shift;
      s1 += d;
      s2 += d * d;
      c++;
      if (x < min) min = x;
      if (x > max) max = x;
      if ((u & ABS_MASK) === 0) zeros++;
      keys[u >>> KEY_SHIFT]++;
    }
    const cMean = shift + s1 / c;
    const cM2 = Math.max(0, s2 - (s1 * s1) / c);
    if (finite === 0) {
      mean = cMean;
      m2 = cM2;
    } else {
      const total = finite + c;
      const delta = cMean - mean;
      mean += (delta * c) / total;
      m2 += cM2 + ((delta * delta * finite) / total) * c;
    }
    finite += c;
  }
  return { finite, min, max, mean, m2, zeros, keys };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fromBits(b: number): number {
  u32[0] = b;
  return f32[0];
}

/** The smallest and largest value a key can hold. */
function keyRange(key: number): [number, number] {
  const a = fromBits((key << KEY_SHIFT) >>> 0);
  const b = fromBits(((key << KEY_SHIFT) | ((1 << KEY_SHIFT) - 1)) >>> 0);
  return a <= b ? [a, b] : [b, a];
}

/** Bin finder over exact edges, as histogramInto: -1 below the range, `bins` above it (or NaN). */
class Binner {
  readonly edges: Float64Array;
  readonly scale: number;
  constructor(
    private readonly lo: number,
    private readonly hi: number,
    private readonly bins: number,
  ) {
    this.edges = binEdges(lo, hi, bins);
    this.scale = Number.isFinite(hi - lo) ? bins / (hi - lo) : bins / 2 / (hi / 2 - lo / 2);
  }
  bin(x: number): number {
    if (x < this.lo) return -1;
    if (!(x <= this.hi)) return this.bins;
    const last = this.bins - 1;
    const edges = this.edges;
    let b = ((x - this.lo) * this.scale) | 0;
    if (b > last) b = last;
    while (b > 0 && x < edges[b]) b--;
    while (b < last && x >= edges[b + 1]) b++;
    return b;
  }
}

interface Wanted {
  k: number;
  frac: number;
}

/**
 * Pass 2 and the results: the histogram over [lo, hi] (checked by histogramRange) and the exact
 * type-7 quantiles of |v| for each q of `qs` (none when `qs` is empty).
 */
export function float32Finish(
  values: Float32Array,
  pass: Float32Pass,
  bins: number,
  lo: number,
  hi: number,
  qs: readonly number[],
): { histogram: Histogram; quantiles: number[] } {
  const n = values.length;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  const keys = pass.keys;
  const binner = new Binner(lo, hi, bins);
  const counts = new Float64Array(bins);
  let below = 0;
  let above = 0;
  // Per key: 1 = bin each element in pass 2; the gather slot + 2 when it holds a wanted rank.
  const action = new Int32Array(KEYS);
  for (let key = 0; key < KEYS; key++) {
    const c = keys[key];
    if (c === 0) continue;
    const [a, b] = keyRange(key);
    const ba = binner.bin(a);
    if (ba !== binner.bin(b)) action[key] = 1;
    else if (ba < 0) below += c;
    else if (ba >= bins) above += c;
    else counts[ba] += c;
  }

  // |w| keys: abs key j counts keys j and j + HALF; its values are ordered like j.
  const absStarts = new Float64Array(HALF + 1);
  for (let j = 0; j < HALF; j++) absStarts[j + 1] = absStarts[j] + keys[j] + keys[j + HALF];
  const wanted: Wanted[] = qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within [0, 1]`);
    const pos = q * (pass.finite - 1);
    const k = Math.floor(pos);
    return { k, frac: pos - k };
  });
  const keyOfRank = (rank: number): number => {
    let l = 0;
    let h = HALF - 1;
    while (l < h) {
      const mid = (l + h + 1) >> 1;
      if (absStarts[mid] <= rank) l = mid;
      else h = mid - 1;
    }
    return l;
  };
  const ranks: number[] = [];
  if (pass.finite > 0) {
    for (const { k, frac } of wanted) {
      ranks.push(k);
      if (frac > 0) ranks.push(k + 1);
    }
  }
  const gatherKeys = [...new Set(ranks.map(keyOfRank))].sort((x, y) => x - y);
  const slot = new Map<number, number>();
  let total = 0;
  for (const j of gatherKeys) {
    slot.set(j, total);
    total += absStarts[j + 1] - absStarts[j];
  }
  const gathered = new Float32Array(total);
  const gatheredBits = new Uint32Array(gathered.buffer);
  const fill = new Float64Array(gatherKeys.length); // next free position per gathered key
  for (let g = 0; g < gatherKeys.length; g++) {
    const j = gatherKeys[g];
    fill[g] = slot.get(j) as number;
    action[j] |= (g + 1) << 1;
    action[j + HALF] |= (g + 1) << 1;
  }

  // Pass 2: only elements of marked keys do any work.
  const edges = binner.edges;
  const scale = binner.scale;
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const u = bits[i];
    const act = action[u >>> KEY_SHIFT];
    if (act === 0) continue;
    if ((act & 1) !== 0) {
      const x = values[i];
      if (x < lo) below++;
      else if (!(x <= hi)) above++;
      else {
        let b = ((x - lo) * scale) | 0;
        if (!(b <= last)) b = last;
        if (b < 0) b = 0;
        while (b > 0 && x < edges[b]) b--;
        while (b < last && x >= edges[b + 1]) b++;
        counts[b]++;
      }
    }
    const g = act >> 1;
    if (g !== 0) gatheredBits[fill[g - 1]++] = u & ABS_MASK;
  }

  const valueAt = (rank: number): number => {
    const j = keyOfRank(rank);
    const from = slot.get(j) as number;
    const size = absStarts[j + 1] - absStarts[j];
    return selectInPlace(gathered, from + (rank - absStarts[j]), from, from + size - 1);
  };
  const quantiles =
    pass.finite === 0
      ? qs.map(() => Number.NaN)
      : wanted.map(({ k, frac }) => {
          const lower = valueAt(k);
          return frac > 0 ? lower + (valueAt(k + 1) - lower) * frac : lower;
        });
  return { histogram: { min: lo, max: hi, counts: Array.from(counts), below, above }, quantiles };
}
