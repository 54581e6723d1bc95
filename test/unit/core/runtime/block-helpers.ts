// Shared by the block-sparse kernel tests: the relative output difference and a Gemm weight as the
// runtime holds it.
import { expect } from 'vitest';
import type { Model } from '../../../../src/core/onnx/model';
import { toSparse, type SparseWeights } from '../../../../src/core/runtime/kernels/sparse';


/** Largest |a − b| over the largest |b| (relative to the output's scale). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

/** The weights of a Gemm (transB 1, [N, K]) as the runtime holds them ([K, N]), sparse. */
export function runtimeWeights(model: Model, name: string): SparseWeights {
  const t = model.graph.initializers.find((i) => i.name === name)!;
  const [N, K] = t.dims;
  const src = t.data as Float32Array;
  const w = new Float32Array(K * N);
  for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) w[k * N + j] = src[j * K + k];
  return toSparse(w, K, N);
}
