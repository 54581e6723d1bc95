// Register-blocked matrix products for the graph trainer on row-major float32 arrays: each 4 × 4
// tile of the output is summed in 16 local (float64) accumulators over the whole inner dimension,
// so every loaded value is used four times and the output is written once. gemm packs 4-column
// panels of its right operand (gemmABt: 4 of its rows) so that the inner loop reads memory in order.

let panel = new Float32Array(1024);

/** y[m, j..j+4] += Σ_k a[m, k] · p[k, 0..4] for every row m (a is M × K at aOff, p a packed K × 4 panel). */
function panelColumns(a: Float32Array, aOff: number, p: Float32Array, y: Float32Array, yOff: number, M: number, K: number, N: number, j: number): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const r0 = aOff + m * K;
    const r1 = r0 + K;
    const r2 = r1 + K;
    const r3 = r2 + K;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let k = 0, d = 0; k < K; k++, d += 4) {
      const b0 = p[d], b1 = p[d + 1], b2 = p[d + 2], b3 = p[d + 3];
      const x0 = a[r0 + k], x1 = a[r1 + k], x2 = a[r2 + k], x3 = a[r3 + k];
      c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
      c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
      c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
      c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
    }
    const o0 = yOff + m * N + j;
    const o1 = o0 + N;
    const o2 = o1 + N;
    const o3 = o2 + N;
    y[o0] += c00; y[o0 + 1] += c01; y[o0 + 2] += c02; y[o0 + 3] += c03;
    y[o1] += c10; y[o1 + 1] += c11; y[o1 + 2] += c12; y[o1 + 3] += c13;
    y[o2] += c20; y[o2 + 1] += c21; y[o2 + 2] += c22; y[o2 + 3] += c23;
    y[o3] += c30; y[o3 + 1] += c31; y[o3 + 2] += c32; y[o3 + 3] += c33;
  }
  for (; m < M; m++) {
    const r = aOff + m * K;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let k = 0, d = 0; k < K; k++, d += 4) {
      const x = a[r + k];
      c0 += x * p[d]; c1 += x * p[d + 1]; c2 += x * p[d + 2]; c3 += x * p[d + 3];
    }
    const o = yOff + m * N + j;
    y[o] += c0; y[o + 1] += c1; y[o + 2] += c2; y[o + 3] += c3;
  }
}

/** The shared panel, at least 4K floats. */
function panelOf(K: number): Float32Array {
  if (panel.length < 4 * K) panel = new Float32Array(4 * K);
  return panel;
}

/** y[m, n] += Σ_k a[m, k] · b[k, n] (a is M × K at aOff, b is K × N at bOff, y is M × N at yOff). */
export function gemm(a: Float32Array, aOff: number, b: Float32Array, bOff: number, y: Float32Array, yOff: number, M: number, K: number, N: number): void {
  const p = panelOf(K);
  const N4 = N & ~3;
  for (let j = 0; j < N4; j += 4) {
    for (let k = 0, s = bOff + j, d = 0; k < K; k++, s += N, d += 4) {
      p[d] = b[s];
      p[d + 1] = b[s + 1];
      p[d + 2] = b[s + 2];
      p[d + 3] = b[s + 3];
    }
    panelColumns(a, aOff, p, y, yOff, M, K, N, j);
  }
  for (let j = N4; j < N; j++) {
    for (let m = 0; m < M; m++) {
      const r = aOff + m * K;
      let c = 0;
      for (let k = 0, s = bOff + j; k < K; k++, s += N) c += a[r + k] * b[s];
      y[yOff + m * N + j] += c;
    }
  }
}

/** y[m, n] += Σ_k a[m, k] · b[n, k] (a is M × K at aOff, b is N × K at bOff, y is M × N at yOff). */
export function gemmABt(a: Float32Array, aOff: number, b: Float32Array, bOff: number, y: Float32Array, yOff: number, M: number, K: number, N: number): void {
  const p = panelOf(K);
  const N4 = N & ~3;
  for (let n = 0; n < N4; n += 4) {
    const s0 = bOff + n * K;
    const s1 = s0 + K;
    const s2 = s1 + K;
    const s3 = s2 + K;
    for (let k = 0, d = 0; k < K; k++, d += 4) {
      p[d] = b[s0 + k];
      p[d + 1] = b[s1 + k];
      p[d + 2] = b[s2 + k];
      p[d + 3] = b[s3 + k];
    }
    panelColumns(a, aOff, p, y, yOff, M, K, N, n);
  }
  for (let n = N4; n < N; n++) {
    const s = bOff + n * K;
    for (let m = 0; m < M; m++) {
      const r = aOff + m * K;
      let c = 0;
      for (let k = 0; k < K; k++) c += a[r + k] * b[s + k];
      y[yOff + m * N + n] += c;
    }
  }
}
