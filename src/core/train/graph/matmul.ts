// Matrix products for the graph trainer, on row-major float32 arrays: WebAssembly SIMD
// (gemm-wasm.ts) for products big enough to pay for copying the operands into its memory, the
// register-blocked JS kernels (gemm-blocked.ts) otherwise or where WebAssembly is unavailable.
import { gemm, gemmABt } from './gemm-blocked';
import { gemmWasm } from './gemm-wasm';

/** Below this many multiply-adds the JS kernels are used. */
const WASM_MIN_MACS = 1 << 15;

/** y[m, n] += Σ_k a[m, k] · b[k, n] (a is M × K at aOff, b is K × N at bOff, y is M × N at yOff). */
export function matmul(a: Float32Array, aOff: number, b: Float32Array, bOff: number, y: Float32Array, yOff: number, M: number, K: number, N: number): void {
  if (M * K * N < WASM_MIN_MACS || !gemmWasm(a, aOff, b, bOff, false, y, yOff, M, K, N)) gemm(a, aOff, b, bOff, y, yOff, M, K, N);
}

/** y[m, n] += Σ_k a[m, k] · b[n, k] (a is M × K at aOff, b is N × K at bOff, y is M × N at yOff). */
export function matmulABt(a: Float32Array, aOff: number, b: Float32Array, bOff: number, y: Float32Array, yOff: number, M: number, K: number, N: number): void {
  if (M * K * N < WASM_MIN_MACS || !gemmWasm(a, aOff, b, bOff, true, y, yOff, M, K, N)) gemmABt(a, aOff, b, bOff, y, yOff, M, K, N);
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
