// Sparse layer kernel: the weight matrix in compressed sparse columns over the INPUT dimension
// (for each input feature k, the outputs it feeds and the weights), so a zero input activation
// skips its whole column and a pruned weight costs nothing. Output indices are Uint16 when the
// layer has fewer than 65,536 outputs.

export interface SparseWeights {
  kind: 'sparse';
  K: number;
  N: number;
  /** Start of feature k's entries; length K + 1. */
  start: Int32Array;
  /** Output index of each entry. */
  index: Uint16Array | Int32Array;
  value: Float32Array;
  nnz: number;
}

/** From W stored [K, N] (row k = input feature k): keeps the non-zero entries. */
export function toSparse(w: Float32Array, K: number, N: number): SparseWeights {
  let nnz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
  const start = new Int32Array(K + 1);
  const index = N < 65536 ? new Uint16Array(nnz) : new Int32Array(nnz);
  const value = new Float32Array(nnz);
  let p = 0;
  for (let k = 0; k < K; k++) {
    start[k] = p;
    const row = k * N;
    for (let j = 0; j < N; j++) {
      const v = w[row + j];
      if (v !== 0) {
        index[p] = j;
        value[p] = v;
        p++;
      }
    }
  }
  start[K] = p;
  return { kind: 'sparse', K, N, start, index, value, nnz };
}

/** y[m, :] = bias + sum over non-zero x[m, k] of x[m, k] · W[k, :] (then ReLU). */
export function sparseLinear(
  x: Float32Array, M: number, s: SparseWeights, bias: Float32Array | null, relu: boolean, y: Float32Array,
): void {
  const { K, N, start, index, value } = s;
  for (let m = 0; m < M; m++) {
    const xo = m * K;
    const yo = m * N;
    if (bias) y.set(bias, yo);
    else y.fill(0, yo, yo + N);
    for (let k = 0; k < K; k++) {
      const a = x[xo + k];
      if (a === 0) continue;
      const end = start[k + 1];
      for (let p = start[k]; p < end; p++) y[yo + index[p]] += a * value[p];
    }
    if (relu) {
      for (let j = yo; j < yo + N; j++) if (y[j] < 0) y[j] = 0;
    }
  }
}

export function sparsityOf(w: Float32Array): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
  return w.length === 0 ? 0 : z / w.length;
}
