// The graph trainer's matrix products (register-blocked JS, WebAssembly SIMD) against a naive
// triple loop, on sizes that hit whole tiles and every edge, with offsets and accumulation.
import { describe, expect, it } from 'vitest';
import { gemm, gemmABt } from '../../../../src/core/train/graph/gemm-blocked';
import { gemmWasm } from '../../../../src/core/train/graph/gemm-wasm';
import { mulberry32 } from '../../../../src/core/train';

function rand(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

describe('graph trainer matrix products (JS and WebAssembly SIMD)', () => {
  const sizes: [number, number, number][] = [[1, 1, 1], [4, 4, 4], [5, 7, 9], [8, 3, 12], [13, 17, 6], [3, 20, 2], [33, 70, 45]];
  for (const [M, K, N] of sizes) {
    it(`gemm and gemmABt equal the naive sums for M=${M} K=${K} N=${N}`, () => {
      const r = mulberry32(M * 100 + K * 10 + N);
      const a = rand(3 + M * K, r);
      const b = rand(2 + K * N, r);
      const y0 = rand(1 + M * N, r);
      const y = y0.slice();
      const yt = y0.slice();
      gemm(a, 3, b, 2, y, 1, M, K, N);
      // bt[n, k] = b[k, n]
      const bt = new Float32Array(5 + N * K);
      for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) bt[5 + n * K + k] = b[2 + k * N + n];
      gemmABt(a, 3, bt, 5, yt, 1, M, K, N);
      const yw = y0.slice();
      const ywt = y0.slice();
      expect(gemmWasm(a, 3, b, 2, false, yw, 1, M, K, N)).toBe(true);
      expect(gemmWasm(a, 3, bt, 5, true, ywt, 1, M, K, N)).toBe(true);
      expect(y[0]).toBe(y0[0]);
      expect(yw[0]).toBe(y0[0]);
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let s = y0[1 + m * N + n];
          for (let k = 0; k < K; k++) s += a[3 + m * K + k] * b[2 + k * N + n];
          expect(y[1 + m * N + n]).toBeCloseTo(s, 5);
          expect(yt[1 + m * N + n]).toBeCloseTo(s, 5);
          expect(yw[1 + m * N + n]).toBeCloseTo(s, 5);
          expect(ywt[1 + m * N + n]).toBeCloseTo(s, 5);
        }
      }
    });
  }
});
