// Batched MatMul of two computed operands (attention's Q·Kᵀ and weights·V: many small products per
// call) on the WebAssembly GEMM of matmul-code.ts, in float32 like the JS loop it replaces: per
// product, A's rows packed k-major in groups of GEMM_ROWS, B laid out in panels of 8 columns. One
// module memory for the process, grown when a product needs more.
import type { FArray } from './dense';
import { GEMM_COLS, GEMM_ROWS, matmulModuleBytes } from './matmul-code';
import { type WasmApi, wasmApi } from './wasm-asm';

type Fn = (...args: number[]) => void;

/** Below this many multiply-adds per call the JS loop is cheaper than the copies. */
export const WASM_MATMUL_MIN_MACS = 4096;

const pad = (n: number, m: number): number => Math.ceil(n / m) * m;

let module: object | null | undefined;
let inst: { f32: Float32Array; pack: Fn; gemm: Fn; bytes: number } | undefined;

function instance(bytes: number): typeof inst {
  if (module === undefined) {
    try {
      module = wasmApi ? new wasmApi.Module(matmulModuleBytes()) : null;
    } catch {
      module = null;
    }
  }
  if (!module) return undefined;
  if (inst && inst.bytes >= bytes) return inst;
  const a = wasmApi as WasmApi;
  const pages = Math.ceil(bytes / 65536) + 1;
  const memory = new a.Memory({ initial: pages });
  const ex = new a.Instance(module, { env: { mem: memory } }).exports;
  inst = { f32: new Float32Array(memory.buffer), pack: ex.pack as Fn, gemm: ex.gemm as Fn, bytes: pages * 65536 };
  return inst;
}

/**
 * y[i·M·N ..] = A_i · B_i for i < nb, A_i the M × K matrix at a[aOff[i]], B_i the K × N matrix at
 * b[bOff[i]] (row-major). False (nothing written) where WebAssembly is unavailable.
 */
export function matmulBatches(a: FArray, aOff: ArrayLike<number>, b: FArray, bOff: ArrayLike<number>, y: FArray, nb: number, M: number, K: number, N: number): boolean {
  // Imported constants as locals: a bundler's module binding may be a getter call per use.
  const R = GEMM_ROWS;
  const C = GEMM_COLS;
  const M4 = pad(M, R);
  const N8 = pad(N, C);
  // Floats: A rows, A packed, B panels, a zero bias, the product.
  const aAt = 0;
  const packAt = aAt + M4 * K * 4;
  const bAt = packAt + M4 * K * 4;
  const zAt = bAt + K * N8 * 4;
  const yAt = zAt + N8 * 4;
  const m = instance(yAt + M4 * N8 * 4);
  if (!m) return false;
  const { f32, pack, gemm } = m;
  f32.fill(0, aAt >> 2, bAt >> 2);
  f32.fill(0, bAt >> 2, yAt >> 2);
  const groups = M4 / R;
  const b0 = bAt >> 2;
  const y0 = yAt >> 2;
  for (let i = 0; i < nb; i++) {
    f32.set(a.subarray(aOff[i], aOff[i] + M * K), aAt >> 2);
    pack(aAt, K, packAt, groups);
    // B's column j at panel j >> 3, lane j & 7.
    const o = bOff[i];
    for (let k = 0; k < K; k++) {
      const row = o + k * N;
      for (let j = 0; j < N; j++) f32[b0 + (j >> 3) * K * C + k * C + (j & 7)] = b[row + j];
    }
    gemm(packAt, packAt + M4 * K * 4, K, bAt, bAt + K * N8 * 4, yAt, N8 * 4, zAt, 0);
    const yo = i * M * N;
    if (N8 === N) y.set(f32.subarray(y0, y0 + M * N), yo);
    else for (let r = 0; r < M; r++) y.set(f32.subarray(y0 + r * N8, y0 + r * N8 + N), yo + r * N);
  }
  return true;
}
