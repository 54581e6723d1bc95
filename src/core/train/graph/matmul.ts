// Matrix products for the graph trainer, on row-major float32 arrays: the runtime's blocked
// axpy kernel (which skips zero rows of its left operand) and a dot-product kernel for A·Bᵀ
// whose sums are kept in float64.
import { mmAccumulate } from '../../runtime/kernels/dense';

export { mmAccumulate };

/** y[m, n] += Σ_k a[m, k] · b[n, k] (a is M × K at aOff, b is N × K at bOff, y is M × N at yOff). */
export function mmABt(
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, y: Float32Array, yOff: number, M: number, K: number, N: number,
): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = aOff + m * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    for (let n = 0; n < N; n++) {
      const bo = bOff + n * K;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const bv = b[bo + k];
        s0 += a[a0 + k] * bv;
        s1 += a[a1 + k] * bv;
        s2 += a[a2 + k] * bv;
        s3 += a[a3 + k] * bv;
      }
      const yo = yOff + m * N + n;
      y[yo] += s0;
      y[yo + N] += s1;
      y[yo + 2 * N] += s2;
      y[yo + 3 * N] += s3;
    }
  }
  for (; m < M; m++) {
    const ao = aOff + m * K;
    for (let n = 0; n < N; n++) {
      const bo = bOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ao + k] * b[bo + k];
      y[yOff + m * N + n] += s;
    }
  }
}

/** [R, C] → a new [C, R]. */
export function transposed(src: Float32Array, off: number, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) {
    const s = off + r * C;
    for (let c = 0; c < C; c++) out[c * R + r] = src[s + c];
  }
  return out;
}
