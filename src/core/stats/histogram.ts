// Fixed-width histograms of numeric arrays. Bin i covers [edge(i), edge(i+1)), the last bin also
// includes its right edge; edge(i) = lo + (hi − lo)·i/bins, exactly as binEdges() returns them.
// Non-finite values and values outside the range are not counted (reported separately).

export interface Histogram {
  /** Left edge of the first bin. */
  min: number;
  /** Right edge of the last bin. */
  max: number;
  counts: number[];
  /** Finite values below `min` / above `max` (only possible with an explicit range). */
  below: number;
  above: number;
}

/** The bins + 1 edges of a histogram over [lo, hi]. */
export function binEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const width = hi - lo;
  if (Number.isFinite(width)) for (let i = 0; i <= bins; i++) edges[i] = lo + (width * i) / bins;
  else for (let i = 0; i <= bins; i++) edges[i] = lo * (1 - i / bins) + hi * (i / bins); // |lo|, |hi| near the double limit
  edges[bins] = hi;
  return edges;
}

/** Checks a bin count and a range, and widens an empty range [v, v] to [v − 0.5, v + 0.5] (as NumPy). */
export function histogramRange(bins: number, lo: number, hi: number): [number, number] {
  if (!Number.isInteger(bins) || bins < 1 || bins > 1_000_000) {
    throw new RangeError(`histogram bins must be an integer from 1 to 1000000, got ${bins}`);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new RangeError(`histogram range [${lo}, ${hi}] is not a finite interval`);
  }
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Counts of `values` in `bins` equal-width bins over `range` (default: the finite min/max of the
 * values). One pass (two without a range).
 */
export function histogram(values: ArrayLike<number>, bins = 64, range?: readonly [number, number]): Histogram {
  let lo: number;
  let hi: number;
  if (range) {
    [lo, hi] = range;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    // Infinite extremes are not part of the data range.
    if (lo === -Infinity || hi === Infinity) {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (x - x !== 0) continue;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
  }
  [lo, hi] = histogramRange(bins, lo, hi);
  return histogramInto(values, bins, lo, hi);
}

/** The counting pass, over a range already checked by histogramRange(). */
export function histogramInto(values: ArrayLike<number>, bins: number, lo: number, hi: number): Histogram {
  const edges = binEdges(lo, hi, bins);
  const counts = new Float64Array(bins);
  const scale = Number.isFinite(hi - lo) ? bins / (hi - lo) : bins / 2 / (hi / 2 - lo / 2);
  const last = bins - 1;
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= lo && x <= hi)) {
      // NaN lands here too; ±Inf and out-of-range finite values are sorted out below.
      if (x < lo && x !== -Infinity) below++;
      else if (x > hi && x !== Infinity) above++;
      continue;
    }
    let b = ((x - lo) * scale) | 0; // x >= lo: truncation is floor
    if (b > last) b = last;
    // The multiplication may round across an edge: settle against the exact edges.
    while (b > 0 && x < edges[b]) b--;
    while (b < last && x >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { min: lo, max: hi, counts: Array.from(counts), below, above };
}
