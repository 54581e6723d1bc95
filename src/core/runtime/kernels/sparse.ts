// Sparse layer kernel: the weight matrix in compressed sparse columns over the INPUT dimension
// (for each input feature k, the outputs it feeds and the weights), so a zero input activation
// skips its whole column and a pruned weight costs nothing. Output indices are Int32 for every
// layer: one index type keeps the scatter loop monomorphic (a loop that sees both Uint16 and Int32
// indices ran about 30% slower), at 8 bytes an entry like the WebAssembly kernels' entries.
import { scratch } from './scratch';

export interface SparseWeights {
  kind: 'sparse';
  K: number;
  N: number;
  /** Start of feature k's entries; length K + 1. */
  start: Int32Array;
  /** Output index of each entry. */
  index: Int32Array;
  value: Float32Array;
  nnz: number;
}

/** From W stored [K, N] (row k = input feature k): keeps the non-zero entries. */
export function toSparse(w: Float32Array, K: number, N: number): SparseWeights {
  let nnz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
  const start = new Int32Array(K + 1);
  const index = new Int32Array(nnz);
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

/** y[m, :] = bias + sum over non-zero x[m, k] of x[m, k] · W[k, :] (then ReLU); accumulates in float64. */
export function sparseLinear(
  x: Float32Array, M: number, s: SparseWeights, bias: Float32Array | null, relu: boolean, y: Float32Array,
): void {
  const { K, N, start, index, value } = s;
  const acc = scratch(N);
  for (let m = 0; m < M; m++) {
    if (bias) for (let j = 0; j < N; j++) acc[j] = bias[j];
    else acc.fill(0, 0, N);
    scatter(x, m * K, K, start, index, value, acc);
    const yo = m * N;
    if (relu) {
      for (let j = 0; j < N; j++) {
        const v = acc[j];
        y[yo + j] = v > 0 ? v : 0;
      }
    } else {
      for (let j = 0; j < N; j++) y[yo + j] = acc[j];
    }
  }
}

/** acc[j] += x[xo + k] · W[k, j] over the non-zero entries of every column k with x[xo + k] ≠ 0. */
function scatter(
  x: Float32Array, xo: number, K: number, start: Int32Array, index: Int32Array, value: Float32Array, acc: Float64Array,
): void {
  for (let k = 0; k < K; k++) {
    const a = x[xo + k];
    if (a === 0) continue;
    const end = start[k + 1];
    let p = start[k];
    for (; p + 4 <= end; p += 4) {
      acc[index[p]] += a * value[p];
      acc[index[p + 1]] += a * value[p + 1];
      acc[index[p + 2]] += a * value[p + 2];
      acc[index[p + 3]] += a * value[p + 3];
    }
    for (; p < end; p++) acc[index[p]] += a * value[p];
  }
}

export function sparsityOf(w: Float32Array): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
  return w.length === 0 ? 0 : z / w.length;
}
