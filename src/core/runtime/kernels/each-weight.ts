// Iteration over the non-zero weights of a layer, dense or sparse, for the kernels that lay them out.
import type { DenseWeights } from './dense';
import type { SparseWeights } from './sparse';

/** Calls f(k, j, w) for every non-zero weight, k (input) major, j increasing within each k. */
export function eachWeight(w: DenseWeights | SparseWeights, f: (k: number, j: number, v: number) => void): void {
  if (w.kind === 'sparse') {
    for (let k = 0; k < w.K; k++) for (let p = w.start[k]; p < w.start[k + 1]; p++) f(k, w.index[p], w.value[p]);
    return;
  }
  const { K, N } = w;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < N; j++) {
      const x = w.w[k * N + j];
      if (x !== 0) f(k, j, x);
    }
  }
}

export function nonZeros(w: DenseWeights | SparseWeights): number {
  if (w.kind === 'sparse') return w.nnz;
  let n = 0;
  for (let i = 0; i < w.w.length; i++) if (w.w[i] !== 0) n++;
  return n;
}
