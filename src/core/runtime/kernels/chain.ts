// A chain of fused layers (y = x · W + b, then ReLU) run in WebAssembly, each layer's output
// feeding the next without leaving the module's memory. Two layouts, each built on first use:
// - one row at a time (batch 1): sparse layers as CSC over input features, so a zero input skips
//   its whole column; dense layers as f32x4 rows, also skipping zero inputs;
// - blocks of BLOCK_ROWS rows (large batches of sparse chains): inputs transposed to feature-major,
//   every layer as CSR over outputs, the accumulators for all samples of the block held in f32x4
//   registers, or, where a layer's zeros form R×1 blocks, the block kernel of block-batch-code.ts
//   (all layers but the first); dense chains run batches row by row instead (see blocksPay).
// WasmChain.create returns undefined where WebAssembly is unavailable or blocked (callers fall back to JS).
import type { DenseWeights } from './dense';
import type { SparseWeights } from './sparse';
import { BLOCK_REGS, chainModuleBytes } from './chain-code';
import { eachWeight, nonZeros } from './each-weight';
import { blockLayer, oneRowBlockWidth, placeBlocks } from './block-plan';
import { bbatchName } from './block-batch-code';
import { batchBlockLayer, batchBlockShape, placeBatchBlocks } from './block-batch-plan';
import { wasmApi, type WasmApi } from './wasm-asm';

const api = wasmApi;
let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = api ? new api.Module(chainModuleBytes()) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function wasmAvailable(): boolean {
  return wasmModule() !== null;
}

export interface ChainLayer {
  weights: DenseWeights | SparseWeights;
  bias: Float32Array | null;
  relu: boolean;
}

type Fn = (...args: number[]) => void;

/** A bump allocator over byte offsets, 16-byte aligned. */
class Layout {
  size = 0;
  take(bytes: number): number {
    const at = this.size;
    this.size += (bytes + 15) & ~15;
    return at;
  }
}

function instantiate(bytes: number): { f32: Float32Array; u32: Uint32Array; fn: (name: string) => Fn } {
  const a = api as WasmApi;
  const memory = new a.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const inst = new a.Instance(wasmModule() as object, { env: { mem: memory } });
  return { f32: new Float32Array(memory.buffer), u32: new Uint32Array(memory.buffer), fn: (name) => inst.exports[name] as Fn };
}

/**
 * Above this fraction of non-zero weights the one-row kernel streams dense f32x4 rows instead of
 * scattering CSC entries (a dense row costs about N/4 vector steps, a column about nnz scalar ones).
 */
export const ONE_ROW_DENSE_ABOVE = 0.3;

const pad4 = (n: number): number => (n + 3) & ~3;

/** The batch-1 program: x0 → acc1 → acc2 … in one memory. */
class OneRow {
  private readonly f32: Float32Array;
  private readonly steps: (() => void)[] = [];
  private readonly x0: number;
  private readonly K0: number;
  private readonly yAt: number;
  private readonly N: number;

  constructor(layers: readonly ChainLayer[]) {
    const L = new Layout();
    const K0 = layers[0].weights.K;
    this.K0 = K0;
    const x0 = L.take(K0 * 4);
    const plans = layers.map((l) => {
      const { K, N } = l.weights;
      const nnz = nonZeros(l.weights);
      const V = oneRowBlockWidth(l.weights, nnz > ONE_ROW_DENSE_ABOVE * K * N);
      const blocks = V ? blockLayer(l.weights, V) : undefined;
      const dense = !blocks && nnz > ONE_ROW_DENSE_ABOVE * K * N;
      // Narrow entries address acc[0 .. N] (N: a dummy slot the column padding writes zeros to).
      const narrow = !blocks && !dense && (N + 1) * 4 < 65536;
      const count = new Int32Array(K + 1);
      eachWeight(l.weights, (k) => count[k + 1]++);
      if (narrow) for (let k = 1; k <= K; k++) count[k] = pad4(count[k]);
      for (let k = 0; k < K; k++) count[k + 1] += count[k];
      const stored = count[K];
      const acc = L.take(blocks ? blocks.accFloats * 4 : pad4(N + 1) * 4);
      const bias = L.take(pad4(N) * 4);
      const w = blocks ? L.take(blocks.stored * 16 * V) : dense ? L.take(K * pad4(N) * 4) : L.take(stored * (narrow ? 4 : 8));
      const ix = blocks ? L.take(blocks.stored * 2) : narrow ? L.take(stored * 2) : 0;
      const cols = dense ? 0 : L.take((K + 1) * 4);
      const list = narrow || blocks ? L.take(K * 4) : 0;
      return { l, K, N, dense, narrow, blocks, count, stored, acc, bias, w, ix, cols, list };
    });
    const m = instantiate(L.size);
    this.f32 = m.f32;
    const { f32, u32 } = m;
    const csc = m.fn('csc');
    const csc6 = m.fn('csc6');
    const axpy = m.fn('axpy');
    const relu = m.fn('relu');
    let input = x0;
    for (const p of plans) {
      const { l, K, N, acc, bias, w, cols } = p;
      const N4 = pad4(N);
      if (l.bias) f32.set(l.bias, bias >> 2);
      let delta = w - 2 * p.ix;
      if (p.blocks) {
        delta = placeBlocks(p.blocks, l.weights, f32.buffer, p.ix, w, cols);
      } else if (p.dense) {
        eachWeight(l.weights, (k, j, x) => (f32[(w >> 2) + k * N4 + j] = x));
      } else {
        // Place entries by column: (acc address, weight), or u16 acc offsets and weights apart.
        const count = Int32Array.from(p.count);
        if (p.narrow) {
          const u16 = new Uint16Array(f32.buffer, p.ix, p.stored);
          u16.fill(4 * N);
          for (let k = 0; k <= K; k++) u32[(cols >> 2) + k] = p.ix + count[k] * 2;
          eachWeight(l.weights, (k, j, x) => {
            const e = count[k]++;
            u16[e] = 4 * j;
            f32[(w >> 2) + e] = x;
          });
        } else {
          for (let k = 0; k <= K; k++) u32[(cols >> 2) + k] = w + count[k] * 8;
          eachWeight(l.weights, (k, j, x) => {
            const e = (w >> 2) + 2 * count[k]++;
            u32[e] = acc + 4 * j;
            f32[e + 1] = x;
          });
        }
      }
      const xAt = input;
      const xEnd = input + K * 4;
      const b = bias >> 2;
      const a = acc >> 2;
      const bcsc = p.blocks ? m.fn(`bcsc${p.blocks.V}`) : undefined;
      const run = bcsc ? () => bcsc(xAt, K * 4, cols, acc, delta, p.list) : p.dense ? () => axpy(xAt, xEnd, w, N4 * 4, acc) : p.narrow ? () => csc6(xAt, K * 4, cols, acc, delta, p.list) : () => csc(xAt, xEnd, cols);
      const accEnd = acc + N4 * 4;
      this.steps.push(l.relu ? () => {
        f32.copyWithin(a, b, b + N4);
        run();
        relu(acc, accEnd);
      } : () => {
        f32.copyWithin(a, b, b + N4);
        run();
      });
      input = acc;
    }
    this.x0 = x0 >> 2;
    this.yAt = input >> 2;
    this.N = plans[plans.length - 1].N;
  }

  /** Rows m0 .. m1 of x (K0 each) → the same rows of y (N each). */
  run(x: Float32Array, m0: number, m1: number, y: Float32Array): void {
    const { f32, K0, N, x0, yAt, steps } = this;
    for (let m = m0; m < m1; m++) {
      if (x.length === K0) f32.set(x, x0);
      else f32.set(x.subarray(m * K0, m * K0 + K0), x0);
      for (let s = 0; s < steps.length; s++) steps[s]();
      const yo = m * N;
      for (let j = 0; j < N; j++) y[yo + j] = f32[yAt + j];
    }
  }
}

/** The batched program: blocks of B rows, feature-major, CSR layers with register accumulators. */
class Blocked {
  readonly B: number;
  /** The kernel of each layer: cscBlock, csr or a bbatch name (tests, benches). */
  readonly kernels: string[] = [];
  private readonly f32: Float32Array;
  private readonly steps: (() => void)[] = [];
  private readonly stage: number;
  private readonly fin: number;
  private readonly K0: number;
  private readonly N: number;

  constructor(layers: readonly ChainLayer[]) {
    const B = BLOCK_ROWS;
    this.B = B;
    const L = new Layout();
    const K0 = layers[0].weights.K;
    this.K0 = K0;
    const stage = L.take(B * K0 * 4);
    const xT = L.take(B * K0 * 4);
    const plans = layers.map((l, i) => {
      const { K, N } = l.weights;
      const nnz = nonZeros(l.weights);
      // The first layer reads the model input, often zero in whole rows of the block (blank pixels):
      // it goes by input feature, skipping those rows, with its accumulators in memory. Measured on
      // the sample MLP (batch 1000, CPU µs per sample, A/B): ratio 0.8 21.6 → 20.4, 0.9 11.0 → 10.5,
      // 0.95 5.7 → 5.6. (An input without zero rows would pay ≈ 20% more on this layer.)
      const byInput = i === 0;
      // Other layers whose zeros form blocks: the block kernel (block-batch-plan.ts), else CSR. Four
      // spare zero rows after each output: a next layer of 1×C blocks reads up to C − 1 rows past N.
      const shape = byInput ? undefined : batchBlockShape(l.weights, nnz, BLOCK_REGS);
      const blocks = shape && batchBlockLayer(l.weights, shape);
      const Np = blocks ? blocks.counts.length * blocks.R : N;
      const rows = L.take(((byInput ? K : N) + 1) * 4);
      return { l, K, N, nnz, byInput, blocks, out: L.take((Np + 4) * B * 4), bias: L.take(Np * 4), rows, w: L.take(blocks ? blocks.bytes : nnz * 8) };
    });
    const last = plans[plans.length - 1];
    const fin = L.take(B * last.N * 4);
    const m = instantiate(L.size);
    this.f32 = m.f32;
    const { f32, u32 } = m;
    const csr = m.fn(`csr${B}`);
    const cscBlock = m.fn('cscBlock');
    const biasRows = m.fn('biasRows');
    const relu = m.fn('relu');
    const transpose = m.fn('transpose');
    this.steps.push(() => transpose(stage, B, K0, xT));
    let input = xT;
    for (const p of plans) {
      const { l, K, N, out, bias, rows, w } = p;
      if (l.bias) f32.set(l.bias, bias >> 2);
      if (p.byInput) {
        const count = new Int32Array(K + 1);
        eachWeight(l.weights, (k) => count[k + 1]++);
        for (let k = 0; k < K; k++) count[k + 1] += count[k];
        for (let k = 0; k <= K; k++) u32[(rows >> 2) + k] = w + count[k] * 8;
        eachWeight(l.weights, (k, j, x) => {
          const e = (w >> 2) + 2 * count[k]++;
          u32[e] = out + j * B * 4;
          f32[e + 1] = x;
        });
        const inAt = input;
        const outEnd = out + N * B * 4;
        this.kernels.push('cscBlock');
        this.steps.push(l.relu ? () => {
          biasRows(out, outEnd, bias);
          cscBlock(inAt, inAt + K * B * 4, rows);
          relu(out, outEnd);
        } : () => {
          biasRows(out, outEnd, bias);
          cscBlock(inAt, inAt + K * B * 4, rows);
        });
        input = out;
        continue;
      }
      const rl = l.relu ? 1 : 0;
      if (p.blocks) {
        const { counts } = p.blocks;
        placeBatchBlocks(p.blocks, l.weights, f32.buffer, rows, w, input, B * 4);
        const name = bbatchName(p.blocks.R, p.blocks.C, p.blocks.S4);
        const fn = m.fn(name);
        this.kernels.push(name);
        const gEnd = rows + counts.length * 4;
        this.steps.push(() => fn(rows, gEnd, out, bias, rl));
        input = out;
        continue;
      }
      const count = new Int32Array(N + 1);
      eachWeight(l.weights, (_k, j) => count[j + 1]++);
      for (let j = 0; j < N; j++) count[j + 1] += count[j];
      for (let j = 0; j <= N; j++) u32[(rows >> 2) + j] = w + count[j] * 8;
      const inAt = input;
      // k-major traversal keeps each row's entries in increasing k (sequential input reads).
      eachWeight(l.weights, (k, j, x) => {
        const e = (w >> 2) + 2 * count[j]++;
        u32[e] = inAt + k * B * 4;
        f32[e + 1] = x;
      });
      this.kernels.push('csr');
      this.steps.push(() => csr(rows, rows + N * 4, out, bias, rl));
      input = out;
    }
    const outAt = input;
    this.steps.push(() => transpose(outAt, last.N, B, fin));
    this.stage = stage >> 2;
    this.fin = fin >> 2;
    this.N = last.N;
  }

  /** Rows m0 .. m1 (at most B of them) of x → y. */
  run(x: Float32Array, m0: number, m1: number, y: Float32Array): void {
    const { f32, K0, N, B, stage, fin, steps } = this;
    const rows = m1 - m0;
    f32.set(x.subarray(m0 * K0, m1 * K0), stage);
    if (rows < B) f32.fill(0, stage + rows * K0, stage + B * K0);
    for (let s = 0; s < steps.length; s++) steps[s]();
    y.set(f32.subarray(fin, fin + rows * N), m0 * N);
  }
}

/** Rows per block for batched runs. */
export const BLOCK_ROWS = 4 * BLOCK_REGS;

/**
 * Up to this many leftover rows, a batch's tail runs row by row rather than as a padded block (at
 * ratio 0.95 one row costs ≈ 20 µs, a block of 24 ≈ 145 µs).
 */
export const TAIL_ROWS_ONE_BY_ONE = 6;

/**
 * Whether blocks beat rows: a block pays for every stored weight (≈ 0.1 ns per weight per sample,
 * measured); the one-row kernels only for the non-zero inputs (assumed 30%, as ReLU outputs and
 * MNIST pixels), ≈ 1 ns per CSC entry or 0.8 ns per f32x4 step of a dense row. Sample MLP, CPU µs
 * per sample: unpruned 106 by rows vs 179 in blocks; ratio 0.95 18 by rows vs 9 in blocks.
 */
export function blocksPay(layers: readonly ChainLayer[]): boolean {
  let block = 0;
  let rows = 0;
  for (const l of layers) {
    const { K, N } = l.weights;
    const nnz = nonZeros(l.weights);
    block += nnz;
    rows += 0.3 * (nnz > ONE_ROW_DENSE_ABOVE * K * N ? (K * pad4(N)) / 4 * 8 : nnz * 10);
  }
  return block < rows;
}

/** Above this estimated size a chain stays in JS. */
export const MAX_WASM_BYTES = 2 ** 31;

export class WasmChain {
  private one: OneRow | undefined;
  private block: Blocked | undefined;
  /** Batches run in blocks (else row by row). */
  readonly blocks: boolean;

  private constructor(private readonly layers: readonly ChainLayer[]) {
    this.blocks = blocksPay(layers);
  }

  /** A chain (each layer's N equal to the next one's K), or undefined without WebAssembly. */
  static create(layers: readonly ChainLayer[]): WasmChain | undefined {
    if (layers.length === 0 || !wasmModule()) return undefined;
    // Memories of WebAssembly (32-bit) hold at most 4 GiB: huge layers keep the JS kernels.
    let bytes = 0;
    for (const l of layers) bytes += Math.max(nonZeros(l.weights) * 8, l.weights.K * pad4(l.weights.N) * 4) + 64 * (l.weights.K + l.weights.N);
    if (bytes > MAX_WASM_BYTES) return undefined;
    for (let i = 1; i < layers.length; i++) {
      if (layers[i].weights.K !== layers[i - 1].weights.N) throw new Error(`layer ${i} takes ${layers[i].weights.K} inputs, the previous gives ${layers[i - 1].weights.N}`);
    }
    return new WasmChain(layers);
  }

  /** The kernel of each layer in batched runs (builds the batched program). */
  batchKernels(): readonly string[] {
    return (this.block ??= new Blocked(this.layers)).kernels;
  }

  /** y[m, :] = chain(x[m, :]) for m < M. */
  run(x: Float32Array, M: number, y: Float32Array): void {
    let m = 0;
    if (this.blocks && M > TAIL_ROWS_ONE_BY_ONE) {
      const b = (this.block ??= new Blocked(this.layers));
      const B = b.B;
      for (; m + B <= M; m += B) b.run(x, m, m + B, y);
      if (M - m > TAIL_ROWS_ONE_BY_ONE) {
        b.run(x, m, M, y);
        m = M;
      }
    }
    if (m < M) (this.one ??= new OneRow(this.layers)).run(x, m, M, y);
  }
}
