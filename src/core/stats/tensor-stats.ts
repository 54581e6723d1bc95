// Summary statistics of a numeric array in one pass over the data (float64 accumulation), plus
// exact |w| quantiles by selection and a histogram.
import { binEdges, histogramInto, histogramRange, type Histogram } from './histogram';
import { completeFinish, float32Finish, float32Pass, gatherSizes, mergePasses, planFinish, type Float32Pass, type ScanPlan, type ShardScan } from './float32-stats';
import { absQuantiles } from './quantile';
import { moments, type Moments } from './moments';

export interface StatsOptions {
  /** Histogram bins (default 64). */
  bins?: number;
  /** Histogram range (default: the finite min and max). */
  range?: readonly [number, number];
  /** Skip the |w| quantiles (they need a copy of the data); they are then NaN. */
  quantiles?: boolean;
}

export interface Stats {
  /** Number of elements, finite or not. */
  count: number;
  /** Finite elements: min/max/mean/std/quantiles/histogram are over these. NaN when there are none. */
  finite: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divides by the finite count). */
  std: number;
  /** Elements equal to zero (+0 or −0). */
  zeros: number;
  /** NaN, +Inf and −Inf elements. */
  nonFinite: number;
  absP50: number;
  absP90: number;
  absP99: number;
  histogram: Histogram;
}

export const DEFAULT_BINS = 64;

/** The statistics of one named tensor as reported to a client: Stats without `finite` and the histogram's outliers. */
export interface TensorStatistics extends Omit<Stats, 'finite' | 'histogram'> {
  name: string;
  dims: number[];
  dtype: string;
  histogram: Pick<Histogram, 'min' | 'max' | 'counts'>;
}

/** The histogram range the options ask for: theirs, else the finite min and max (0..1 when none). */
function rangeOf(m: Moments, bins: number, opts: StatsOptions): [number, number] {
  const [lo, hi] = opts.range ?? (m.finite === 0 ? [0, 1] : [m.min, m.max]);
  return histogramRange(bins, lo, hi);
}

function statsOf(count: number, m: Moments, q: number[], histogram: Stats['histogram']): Stats {
  const none = m.finite === 0;
  return {
    count,
    finite: m.finite,
    min: none ? Number.NaN : m.min,
    max: none ? Number.NaN : m.max,
    mean: none ? Number.NaN : m.mean,
    std: none ? Number.NaN : Math.sqrt(m.m2 / m.finite),
    zeros: m.zeros,
    nonFinite: count - m.finite,
    absP50: q[0],
    absP90: q[1],
    absP99: q[2],
    histogram,
  };
}

/**
 * Float32 tensors from this many elements take the two passes over the bits; smaller ones the
 * generic path, whose cost is proportional to the elements (the bit path's tables cost as much as
 * ~100k elements, per tensor: 100,000 one-element tensors took minutes).
 */
export const FLOAT32_PATH_MIN = 1 << 14;

/** count, min, max, mean, std, zeros, non-finite count, |w| p50/p90/p99 and a histogram. */
export function tensorStats(values: ArrayLike<number>, opts: StatsOptions = {}): Stats {
  if (values instanceof Float32Array && values.length >= FLOAT32_PATH_MIN && values.length < 2 ** 31) return float32Stats(values, opts);
  const bins = opts.bins ?? DEFAULT_BINS;
  const m = moments(values);
  const [lo, hi] = rangeOf(m, bins, opts);
  const histogram = histogramInto(values, bins, lo, hi);
  const q = opts.quantiles !== false && m.finite > 0 ? absQuantiles(values, [0.5, 0.9, 0.99]) : [Number.NaN, Number.NaN, Number.NaN];
  return statsOf(values.length, m, q, histogram);
}

const QUANTILES = [0.5, 0.9, 0.99];
const NO_QUANTILES = [Number.NaN, Number.NaN, Number.NaN];

/** The float32 path: two passes over the bits (see float32-stats.ts), same results as the generic one. */
function float32Stats(values: Float32Array, opts: StatsOptions): Stats {
  const bins = opts.bins ?? DEFAULT_BINS;
  const m = float32Pass(values);
  const [lo, hi] = rangeOf(m, bins, opts);
  const qs = opts.quantiles !== false && m.finite > 0 ? QUANTILES : [];
  const { histogram, quantiles } = float32Finish(values, m, bins, lo, hi, qs);
  return statsOf(values.length, m, qs.length ? quantiles : NO_QUANTILES, histogram);
}

/** Counts the consecutive shards of one float32 tensor somewhere else (worker threads, say). */
export interface ShardRunner {
  /** Number of shards. */
  readonly shards: number;
  /** Pass 1 over shard i. */
  pass(shard: number): Promise<Float32Pass>;
  /** Pass 2 over shard i, with that shard's element count of each gathered key. */
  scan(shard: number, plan: ScanPlan, sizes: number[]): Promise<ShardScan>;
}

/**
 * tensorStats of a float32 tensor of `count` elements counted shard by shard by `runner`: the same
 * results as tensorStats, except that mean and std may differ in the last bits (the shards' sums
 * are merged in another order).
 */
export async function shardedFloat32Stats(count: number, runner: ShardRunner, opts: StatsOptions = {}): Promise<Stats> {
  const bins = opts.bins ?? DEFAULT_BINS;
  const shards = Array.from({ length: runner.shards }, (_, i) => i);
  const parts = await Promise.all(shards.map((i) => runner.pass(i)));
  const m = mergePasses(parts);
  const [lo, hi] = rangeOf(m, bins, opts);
  const qs = opts.quantiles !== false && m.finite > 0 ? QUANTILES : [];
  const plan = planFinish(m, bins, lo, hi, qs, true);
  const scan: ScanPlan = { bins, lo, hi, action: plan.action };
  const scans = await Promise.all(shards.map((i) => runner.scan(i, scan, gatherSizes(parts[i].keys, plan.gatherKeys))));
  const { histogram, quantiles } = completeFinish(plan, scans);
  return statsOf(count, m, qs.length ? quantiles : NO_QUANTILES, histogram);
}

export { binEdges };
