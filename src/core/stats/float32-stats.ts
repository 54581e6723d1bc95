// tensorStats for float32 data in two passes over the elements, read through their IEEE bits.
//
// Pass 1 (float32-pass.ts): moments (chunked float64 sums, as the generic path up to rounding),
// min/max, zeros, non-finite count, and a count per "key" = the top 17 bits (sign, 8 exponent,
// 8 mantissa bits). Within one key the values form a contiguous interval, so
// - a key whose whole interval falls into one histogram bin adds its count to that bin at once;
// - the |w| quantiles find the key holding each wanted rank from the counts (|w| ignores the sign).
// Pass 2 only works on elements whose key straddles a histogram edge or holds a wanted rank (~5%
// of a dense weight at 64 bins): they are binned one by one, or gathered for an exact selection
// inside their key; WebAssembly SIMD finds them where there is one (float32-wasm.ts), else a JS
// loop four keys at a time. No float64 copy of the data. The bits are read as Int32 (a Uint32
// above 2^31 is not a small integer for the JIT, which made the loops ~20% slower); counts fit
// since n < 2^31.
import { binEdges, type Histogram } from './histogram';
import { selectInPlace } from './quantile';
import { addMoments, emptyMoments } from './moments';
import { ABS_MASK, HALF, KEYS, KEY_SHIFT, type Float32Pass } from './float32-pass';
import { WASM_CHUNK, statsKernels, type StatsKernels } from './float32-wasm';

export { float32Pass, type Float32Pass } from './float32-pass';

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

/** What pass 2 needs to know, the same for every shard of a tensor (it can go to a worker). */
export interface ScanPlan {
  bins: number;
  lo: number;
  hi: number;
  /** Per key: bit 0 = bin each element; (g + 1) << 1 = gather its |bits| for gathered key g. */
  action: Int32Array;
}

/** Pass 2's plan plus what turns the shards' scans into the histogram and quantiles. */
export interface FinishPlan extends ScanPlan {
  /** Counts of the keys wholly inside one bin, below or above the range. */
  counts: Float64Array;
  below: number;
  above: number;
  /** The |w| keys (0 ≤ j < 2^16) that hold a wanted rank, ascending. */
  gatherKeys: number[];
  /** absStarts[j]: elements of |w| keys below j (over all shards). */
  absStarts: Float64Array;
  wanted: Wanted[];
  finite: number;
}

/** The result of pass 2 over one shard. */
export interface ShardScan {
  counts: Float64Array;
  below: number;
  above: number;
  /** |bits| of the shard's elements in the gathered keys, key after key (`sizes` each). */
  gathered: Uint32Array;
  sizes: number[];
}

/**
 * Plans pass 2 from the whole tensor's pass 1: the histogram over [lo, hi] (checked by
 * histogramRange) and the exact type-7 quantiles of |v| for each q of `qs` (none when empty).
 * `shared`: the action table goes in a SharedArrayBuffer where there is one (for shards counted on
 * other threads, which then all read the same table).
 */
export function planFinish(pass: Float32Pass, bins: number, lo: number, hi: number, qs: readonly number[], shared = false): FinishPlan {
  const keys = pass.keys;
  const binner = new Binner(lo, hi, bins);
  const counts = new Float64Array(bins);
  let below = 0;
  let above = 0;
  const action = new Int32Array(shared && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(KEYS * 4) : new ArrayBuffer(KEYS * 4));
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
  const ranks: number[] = [];
  if (pass.finite > 0) {
    for (const { k, frac } of wanted) {
      ranks.push(k);
      if (frac > 0) ranks.push(k + 1);
    }
  }
  const gatherKeys = [...new Set(ranks.map((r) => keyOfRank(absStarts, r)))].sort((x, y) => x - y);
  gatherKeys.forEach((j, g) => {
    action[j] |= (g + 1) << 1;
    action[j + HALF] |= (g + 1) << 1;
  });
  return { bins, lo, hi, action, counts, below, above, gatherKeys, absStarts, wanted, finite: pass.finite };
}

/** The |w| key that holds a rank (0-based, in ascending |w| order). */
function keyOfRank(absStarts: Float64Array, rank: number): number {
  let l = 0;
  let h = HALF - 1;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    if (absStarts[mid] <= rank) l = mid;
    else h = mid - 1;
  }
  return l;
}

/** Elements of one shard in each gathered |w| key, from that shard's pass-1 keys. */
export function gatherSizes(keys: Int32Array, gatherKeys: readonly number[]): number[] {
  return gatherKeys.map((j) => keys[j] + keys[j + HALF]);
}

/** A key that holds one histogram edge: its values in bin `low` below the threshold, `high` from it (−1: below the range, bins: above). */
interface Split {
  key: number;
  low: number;
  high: number;
}

/**
 * The WebAssembly kernels readied for a plan: action bytes (bit 0: a key that holds one edge,
 * counted on either side of its threshold by scan; bits 1–7: listed for `js`, the actions left
 * for JS: gathering, and binning in keys that hold several edges). Undefined without them.
 */
function scanKernels(plan: ScanPlan, binner: Binner): { wasm: StatsKernels; js: Int32Array; splits: Split[] } | undefined {
  const wasm = statsKernels();
  if (!wasm) return undefined;
  const action = plan.action;
  for (let k = 0; k < KEYS; k++) if (action[k] > 255) return undefined;
  const bytes = wasm.action.fill(0);
  const js = new Int32Array(KEYS);
  const splits: Split[] = [];
  for (let k = 0; k < KEYS; k++) {
    const a = action[k];
    if (a === 0) continue;
    let byte = a & ~1;
    let left = a;
    if ((a & 1) !== 0) {
      const valueAt = (l: number): number => fromBits(((k << KEY_SHIFT) | l) >>> 0);
      const low = binner.bin(valueAt(0));
      const high = binner.bin(valueAt(0x7fff));
      if (Math.abs(high - low) === 1) {
        // The first low-15-bit pattern in bin `high` (bins change monotonically along the bits).
        let l0 = 0;
        let l1 = 0x7fff;
        while (l0 < l1) {
          const mid = (l0 + l1) >> 1;
          if (binner.bin(valueAt(mid)) === high) l1 = mid;
          else l0 = mid + 1;
        }
        wasm.thresholds[k] = l0;
        byte |= 1;
        left &= ~1;
        splits.push({ key: k, low, high });
      } else byte |= 2;
    }
    bytes[k] = byte;
    js[k] = left;
  }
  return { wasm, js, splits };
}

/** Where pass 2 puts what it finds: counts[bins] is below the range, counts[bins + 1] above it. */
interface Tally {
  lo: number;
  hi: number;
  scale: number;
  last: number;
  edges: Float64Array;
  counts: Float64Array;
  fill: Int32Array;
  gathered: Uint32Array;
}

/** One element of a marked key (bits u, value x): binned (act bit 0), gathered (act >> 1 = g + 1), or both. */
function visit(t: Tally, x: number, u: number, act: number): void {
  if ((act & 1) !== 0) {
    const { lo, hi, last, edges, counts } = t;
    if (x < lo) counts[last + 1]++;
    else if (!(x <= hi)) counts[last + 2]++;
    else {
      let b = ((x - lo) * t.scale) | 0;
      if (!(b <= last)) b = last;
      if (b < 0) b = 0;
      while (b > 0 && x < edges[b]) b--;
      while (b < last && x >= edges[b + 1]) b++;
      counts[b]++;
    }
  }
  const g = act >> 1;
  if (g !== 0) t.gathered[t.fill[g - 1]++] = u & ABS_MASK;
}

/** Pass 2 over one shard: only elements of marked keys do any work. */
export function scanShard(values: Float32Array, plan: ScanPlan, sizes: readonly number[]): ShardScan {
  const n = values.length;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  const { bins, lo, hi, action } = plan;
  const binner = new Binner(lo, hi, bins);
  let total = 0;
  const fill = new Int32Array(sizes.length); // next free position per gathered key
  for (let g = 0; g < sizes.length; g++) {
    fill[g] = total;
    total += sizes[g];
  }
  const t: Tally = { lo, hi, scale: binner.scale, last: bins - 1, edges: binner.edges, counts: new Float64Array(bins + 2), fill, gathered: new Uint32Array(total) };
  const n4 = n - (n & 3);
  let i = 0;
  const prep = n4 > 0 ? scanKernels(plan, binner) : undefined;
  if (prep) {
    // WebAssembly counts the values of keys with one edge and lists the others.
    const { wasm, js, splits } = prep;
    const hits = wasm.hits;
    for (; i < n4; i += WASM_CHUNK) {
      const found = wasm.scan(values, i, Math.min(WASM_CHUNK, n4 - i));
      for (let j = 0; j < found; j++) {
        const e = hits[j];
        const u = bits[e];
        visit(t, values[e], u, js[u >>> KEY_SHIFT]);
      }
    }
    i = n4;
    const split = wasm.split;
    const add = (b: number, c: number): void => {
      t.counts[b < 0 ? bins : b >= bins ? bins + 1 : b] += c;
    };
    for (const { key, low, high } of splits) {
      add(low, split[2 * key]);
      add(high, split[2 * key + 1]);
      split[2 * key] = 0;
      split[2 * key + 1] = 0;
    }
  }
  // Four elements at a time: most groups have no marked element and cost one test.
  for (; i < n4; i += 4) {
    const a0 = action[bits[i] >>> KEY_SHIFT];
    const a1 = action[bits[i + 1] >>> KEY_SHIFT];
    const a2 = action[bits[i + 2] >>> KEY_SHIFT];
    const a3 = action[bits[i + 3] >>> KEY_SHIFT];
    if ((a0 | a1 | a2 | a3) === 0) continue;
    if (a0 !== 0) visit(t, values[i], bits[i], a0);
    if (a1 !== 0) visit(t, values[i + 1], bits[i + 1], a1);
    if (a2 !== 0) visit(t, values[i + 2], bits[i + 2], a2);
    if (a3 !== 0) visit(t, values[i + 3], bits[i + 3], a3);
  }
  for (; i < n; i++) {
    const act = action[bits[i] >>> KEY_SHIFT];
    if (act !== 0) visit(t, values[i], bits[i], act);
  }
  return { counts: t.counts.subarray(0, bins), below: t.counts[bins], above: t.counts[bins + 1], gathered: t.gathered, sizes: [...sizes] };
}

/** The histogram and quantiles from the plan and every shard's scan (in any order). */
export function completeFinish(plan: FinishPlan, scans: readonly ShardScan[]): { histogram: Histogram; quantiles: number[] } {
  const counts = Float64Array.from(plan.counts);
  let below = plan.below;
  let above = plan.above;
  for (const s of scans) {
    for (let b = 0; b < counts.length; b++) counts[b] += s.counts[b];
    below += s.below;
    above += s.above;
  }
  // The gathered keys, each in one contiguous run of `gathered` (all shards' elements of it).
  const { gatherKeys, absStarts } = plan;
  const slot = new Map<number, number>();
  let total = 0;
  for (const j of gatherKeys) {
    slot.set(j, total);
    total += absStarts[j + 1] - absStarts[j];
  }
  const gathered = new Float32Array(total);
  const gatheredBits = new Uint32Array(gathered.buffer);
  const fill = gatherKeys.map((j) => slot.get(j) as number);
  for (const s of scans) {
    let from = 0;
    s.sizes.forEach((size, g) => {
      gatheredBits.set(s.gathered.subarray(from, from + size), fill[g]);
      fill[g] += size;
      from += size;
    });
  }
  const valueAt = (rank: number): number => {
    const j = keyOfRank(absStarts, rank);
    const from = slot.get(j) as number;
    const size = absStarts[j + 1] - absStarts[j];
    return selectInPlace(gathered, from + (rank - absStarts[j]), from, from + size - 1);
  };
  const quantiles =
    plan.finite === 0
      ? plan.wanted.map(() => Number.NaN)
      : plan.wanted.map(({ k, frac }) => {
          const lower = valueAt(k);
          return frac > 0 ? lower + (valueAt(k + 1) - lower) * frac : lower;
        });
  return { histogram: { min: plan.lo, max: plan.hi, counts: Array.from(counts), below, above }, quantiles };
}

/** Pass 2 and the results for a whole tensor in this thread (see planFinish). */
export function float32Finish(
  values: Float32Array,
  pass: Float32Pass,
  bins: number,
  lo: number,
  hi: number,
  qs: readonly number[],
): { histogram: Histogram; quantiles: number[] } {
  const plan = planFinish(pass, bins, lo, hi, qs);
  return completeFinish(plan, [scanShard(values, plan, gatherSizes(pass.keys, plan.gatherKeys))]);
}

/** The pass 1 of a whole tensor from the passes of its consecutive shards, in order. */
export function mergePasses(parts: readonly Float32Pass[]): Float32Pass {
  const keys = new Int32Array(KEYS);
  const acc = emptyMoments();
  for (const p of parts) {
    for (let k = 0; k < KEYS; k++) keys[k] += p.keys[k];
    if (p.min < acc.min) acc.min = p.min;
    if (p.max > acc.max) acc.max = p.max;
    acc.zeros += p.zeros;
    if (p.finite > 0) addMoments(acc, p.finite, p.mean, p.m2);
  }
  return { ...acc, keys };
}
