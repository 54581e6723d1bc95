// One MatMul/Gemm layer with a constant weight over many rows (a transformer's token rows, N·T per
// call, batched leading dims flattened), y = x · W (+ bias) (then ReLU), in WebAssembly SIMD:
// - 'gemm': dense, rows packed k-major in groups of GEMM_ROWS, weights in panels of 8 outputs,
//   a GEMM_ROWS × 8 block of outputs in f32x4 registers (matmul-code.ts);
// - 'csr': sparse, the token rows taken as the samples of the batched MLP kernel (chain-code.ts
//   csr<4·BLOCK_REGS>): blocks of BLOCK_ROWS rows transposed feature-major, weights as CSR over
//   outputs, each output's accumulators for all rows of the block in registers.
// Rows go through the module's memory in chunks of CHUNK_ROWS, so memory does not depend on M.
import { BLOCK_REGS, chainModuleBytes } from './chain-code';
import type { DenseWeights } from './dense';
import { eachWeight, nonZeros } from './each-weight';
import { GEMM_COLS, GEMM_ROWS, matmulModuleBytes } from './matmul-code';
import type { SparseWeights } from './sparse';
import { type WasmApi, wasmApi } from './wasm-asm';

export type RowsKernelKind = 'gemm' | 'csr';

/** Samples per block of the sparse kernel. */
const CSR_ROWS = 4 * BLOCK_REGS;
/** Rows per pass through memory: a multiple of GEMM_ROWS and CSR_ROWS. */
export const CHUNK_ROWS = 48;

/**
 * The cost model in units of one GEMM multiply-add per row: gemm K·N8 (N padded to 8); csr
 * CSR_PER_NONZERO per stored weight plus CSR_PER_WEIGHT per weight of the full matrix (the block
 * transposes and per-output stores, fitted over sparsities 0, 0.5, 0.75), so csr below ≈ 62%
 * non-zeros. Measured A/B in one process (CPU time, medians of 7, machine shared): gemm 0.048–0.054
 * ns per weight on [64, 192], [128, 64], [256, 1024], [768, 768] at 256 rows; csr 0.058–0.062 ns
 * per non-zero plus 0.13–0.31 of the GEMM's time.
 */
export const CSR_PER_NONZERO = 1.2;
export const CSR_PER_WEIGHT = 0.25;

/** Below this many rows a call runs the one-row kernels instead (a block is mostly padding). */
export const ROWS_MIN = 4;

const pad = (n: number, m: number): number => Math.ceil(n / m) * m;

/** The cheaper kernel for a layer by the cost model. */
export function rowsKernelFor(K: number, N: number, nnz: number): RowsKernelKind {
  return nnz * CSR_PER_NONZERO + K * N * CSR_PER_WEIGHT < K * pad(N, GEMM_COLS) ? 'csr' : 'gemm';
}

type Fn = (...args: number[]) => void;

let modules: { gemm: object; chain: object } | null | undefined;

function compiled(): { gemm: object; chain: object } | null {
  if (modules !== undefined) return modules;
  try {
    modules = wasmApi ? { gemm: new wasmApi.Module(matmulModuleBytes()), chain: new wasmApi.Module(chainModuleBytes()) } : null;
  } catch {
    modules = null;
  }
  return modules;
}

export interface RowsLayerSpec {
  weights: DenseWeights | SparseWeights;
  bias: Float32Array | null;
  relu: boolean;
}

export class RowsLayer {
  private readonly f32: Float32Array;
  private readonly K: number;
  private readonly N: number;
  private readonly pass: (rows: number) => void;
  private readonly xAt: number;
  private readonly yAt: number;
  /** Floats per output row in memory (N padded). */
  private readonly yStride: number;

  private constructor(readonly kind: RowsKernelKind, l: RowsLayerSpec, mods: { gemm: object; chain: object }) {
    const { K, N } = l.weights;
    this.K = K;
    this.N = N;
    const a = wasmApi as WasmApi;
    const nnz = nonZeros(l.weights);
    const N8 = pad(N, GEMM_COLS);
    const C = CHUNK_ROWS;
    let at = 0;
    const take = (floats: number): number => {
      const p = at;
      at += pad(floats, 4) * 4;
      return p;
    };
    const xAt = take(C * K);
    const gemm = kind === 'gemm';
    const packAt = take(gemm ? C * K : CSR_ROWS * K);
    const wAt = take(gemm ? K * N8 : 2 * nnz);
    const rowsAt = gemm ? 0 : take(N + 1);
    const biasAt = take(N8);
    const outAt = gemm ? 0 : take((N + 4) * CSR_ROWS);
    const yAt = take(C * (gemm ? N8 : N));
    const memory = new a.Memory({ initial: Math.ceil(at / 65536) + 1 });
    const env = { env: { mem: memory } };
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    this.f32 = f32;
    this.xAt = xAt;
    this.yAt = yAt;
    this.yStride = gemm ? N8 : N;
    if (l.bias) f32.set(l.bias, biasAt >> 2);
    const rl = l.relu ? 1 : 0;
    if (gemm) {
      const ex = new a.Instance(mods.gemm, env).exports;
      const pack = ex.pack as Fn;
      const run = ex.gemm as Fn;
      // Panel p holds outputs 8p .. 8p+7: [K][8] floats.
      const w = wAt >> 2;
      eachWeight(l.weights, (k, j, x) => (f32[w + (j >> 3) * K * GEMM_COLS + k * GEMM_COLS + (j & 7)] = x));
      const wEnd = wAt + K * N8 * 4;
      this.pass = (rows) => {
        const groups = Math.ceil(rows / GEMM_ROWS);
        pack(xAt, K, packAt, groups);
        run(packAt, packAt + groups * GEMM_ROWS * K * 4, K, wAt, wEnd, yAt, N8 * 4, biasAt, rl);
      };
    } else {
      const ex = new a.Instance(mods.chain, env).exports;
      const csr = ex[`csr${CSR_ROWS}`] as Fn;
      const transpose = ex.transpose as Fn;
      const B = CSR_ROWS;
      // CSR over outputs; each entry (byte address of its input row in the k-major block, weight).
      const count = new Int32Array(N + 1);
      eachWeight(l.weights, (_k, j) => count[j + 1]++);
      for (let j = 0; j < N; j++) count[j + 1] += count[j];
      for (let j = 0; j <= N; j++) u32[(rowsAt >> 2) + j] = wAt + count[j] * 8;
      eachWeight(l.weights, (k, j, x) => {
        const e = (wAt >> 2) + 2 * count[j]++;
        u32[e] = packAt + k * B * 4;
        f32[e + 1] = x;
      });
      this.pass = (rows) => {
        // A chunk's last block may run past its rows, never past CHUNK_ROWS (a multiple of B).
        for (let r = 0; r < rows; r += B) {
          transpose(xAt + r * K * 4, B, K, packAt);
          csr(rowsAt, rowsAt + N * 4, outAt, biasAt, rl);
          transpose(outAt, N, B, yAt + r * N * 4);
        }
      };
    }
  }

  /** A layer on the given kernel, or undefined without WebAssembly. */
  static create(l: RowsLayerSpec, kind: RowsKernelKind): RowsLayer | undefined {
    const mods = compiled();
    return mods ? new RowsLayer(kind, l, mods) : undefined;
  }

  /** y[m, :] = layer(x[m, :]) for m < M. */
  run(x: Float32Array, M: number, y: Float32Array): void {
    const { f32, K, N, xAt, yAt, yStride } = this;
    const x0 = xAt >> 2;
    const y0 = yAt >> 2;
    for (let m0 = 0; m0 < M; m0 += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, M - m0);
      f32.set(x.subarray(m0 * K, (m0 + rows) * K), x0);
      // Rows past the input in the last block: zeros (the kernels compute them, nobody reads them).
      const tail = pad(rows, this.kind === 'gemm' ? GEMM_ROWS : CSR_ROWS);
      if (tail > rows) f32.fill(0, x0 + rows * K, x0 + tail * K);
      this.pass(rows);
      if (yStride === N) y.set(f32.subarray(y0, y0 + rows * N), m0 * N);
      else for (let r = 0; r < rows; r++) y.set(f32.subarray(y0 + r * yStride, y0 + r * yStride + N), (m0 + r) * N);
    }
  }
}
