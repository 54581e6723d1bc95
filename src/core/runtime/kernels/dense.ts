// Dense matrix kernels in plain JS. Weights are kept as [K, N] (one row per input feature) so the
// inner loop is an axpy that streams one weight row; rows of the input that are zero are skipped
// (ReLU outputs and image pixels are often zero), and four input rows share each weight load.

import { scratch } from './scratch';

export type FArray = Float32Array | Float64Array;

/**
 * y[m, :] += sum_k a[m, k] * b[k, :] for m < M (row-major, a at aOff with row stride K, b at bOff
 * with row stride N, y at yOff with row stride N). y must hold its initial values (zero or bias).
 */
export function mmAccumulate(
  a: FArray, aOff: number, b: FArray, bOff: number, y: FArray, yOff: number, M: number, K: number, N: number,
): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = aOff + m * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    const y0 = yOff + m * N;
    const y1 = y0 + N;
    const y2 = y1 + N;
    const y3 = y2 + N;
    for (let k = 0; k < K; k++) {
      const v0 = a[a0 + k];
      const v1 = a[a1 + k];
      const v2 = a[a2 + k];
      const v3 = a[a3 + k];
      if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
      const w = bOff + k * N;
      for (let j = 0; j < N; j++) {
        const bv = b[w + j];
        y[y0 + j] += v0 * bv;
        y[y1 + j] += v1 * bv;
        y[y2 + j] += v2 * bv;
        y[y3 + j] += v3 * bv;
      }
    }
  }
  for (; m < M; m++) {
    const ar = aOff + m * K;
    const yr = yOff + m * N;
    const n4 = N & ~3;
    for (let k = 0; k < K; k++) {
      const v = a[ar + k];
      if (v === 0) continue;
      const w = bOff + k * N;
      let j = 0;
      for (; j < n4; j += 4) {
        y[yr + j] += v * b[w + j];
        y[yr + j + 1] += v * b[w + j + 1];
        y[yr + j + 2] += v * b[w + j + 2];
        y[yr + j + 3] += v * b[w + j + 3];
      }
      for (; j < N; j++) y[yr + j] += v * b[w + j];
    }
  }
}

/** [R, C] → [C, R]. */
export function transpose2d<T extends FArray>(src: T, R: number, C: number, out: T): T {
  for (let r = 0; r < R; r++) {
    const s = r * C;
    for (let c = 0; c < C; c++) out[c * R + r] = src[s + c];
  }
  return out;
}

/** Sets every row of y (M rows of N) to bias (or zero). */
export function fillRows(y: FArray, M: number, N: number, bias: FArray | null): void {
  if (!bias) {
    y.fill(0, 0, M * N);
    return;
  }
  for (let m = 0; m < M; m++) y.set(bias, m * N);
}

export function reluInPlace(y: FArray, n: number): void {
  for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0;
}

/** A layer y = x · W (+ bias) (then ReLU) with W stored [K, N]. */
export interface DenseWeights {
  kind: 'dense';
  K: number;
  N: number;
  /** [K, N] row-major. */
  w: Float32Array;
}

export function denseLinear(
  x: Float32Array, M: number, wts: DenseWeights, bias: Float32Array | null, relu: boolean, y: Float32Array,
): void {
  const { K, N, w } = wts;
  if (M >= 4) {
    fillRows(y, M, N, bias);
    mmAccumulate(x, 0, w, 0, y, 0, M, K, N);
    if (relu) reluInPlace(y, M * N);
    return;
  }
  // Few rows: one float64 accumulator row, an unrolled axpy per non-zero input.
  const acc = scratch(N);
  for (let m = 0; m < M; m++) {
    if (bias) for (let j = 0; j < N; j++) acc[j] = bias[j];
    else acc.fill(0, 0, N);
    axpyRows(x, m * K, K, w, N, acc);
    const yo = m * N;
    for (let j = 0; j < N; j++) {
      const v = acc[j];
      y[yo + j] = relu && v < 0 ? 0 : v;
    }
  }
}

function axpyRows(x: Float32Array, xo: number, K: number, w: Float32Array, N: number, acc: Float64Array): void {
  const n4 = N & ~3;
  for (let k = 0; k < K; k++) {
    const a = x[xo + k];
    if (a === 0) continue;
    const o = k * N;
    let j = 0;
    for (; j < n4; j += 4) {
      acc[j] += a * w[o + j];
      acc[j + 1] += a * w[o + j + 1];
      acc[j + 2] += a * w[o + j + 2];
      acc[j + 3] += a * w[o + j + 3];
    }
    for (; j < N; j++) acc[j] += a * w[o + j];
  }
}
