// Count, min, max, mean and sum of squared deviations, summed in chunks around each chunk's first
// value (float64) and merged with Chan et al.'s pairwise update, so the result stays accurate when
// the mean is large compared with the spread. Shared by the generic and the float32 paths.

export interface Moments {
  finite: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  zeros: number;
}

/** Values summed per chunk. */
export const CHUNK = 4096;

export function emptyMoments(): Moments {
  return { finite: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, zeros: 0 };
}

/** Adds a chunk of c values summed around `shift` (s1 = Σ(x − shift), s2 = Σ(x − shift)²). */
export function addChunk(acc: Moments, c: number, shift: number, s1: number, s2: number): void {
  addMoments(acc, c, shift + s1 / c, Math.max(0, s2 - (s1 * s1) / c));
}

/** Adds c values of mean `mean` and squared deviations `m2` (Chan et al.'s pairwise update). */
export function addMoments(acc: Moments, c: number, mean: number, m2: number): void {
  if (acc.finite === 0) {
    acc.mean = mean;
    acc.m2 = m2;
  } else {
    const total = acc.finite + c;
    const delta = mean - acc.mean;
    acc.mean += (delta * c) / total;
    acc.m2 += m2 + ((delta * delta * acc.finite) / total) * c;
  }
  acc.finite += c;
}

/** The moments of any array of numbers; NaN and ±Inf are skipped. */
export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  const acc = emptyMoments();
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    let shift = Number.NaN;
    let c = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = start; i < end; i++) {
      const x = values[i];
      if (x - x !== 0) continue; // NaN or ±Inf
      if (c === 0) shift = x;
      const d = x - shift;
      s1 += d;
      s2 += d * d;
      c++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
    }
    if (c > 0) addChunk(acc, c, shift, s1, s2);
  }
  acc.min = min;
  acc.max = max;
  acc.zeros = zeros;
  return acc;
}
