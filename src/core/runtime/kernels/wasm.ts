// Layer kernels running in the WebAssembly module of wasm-code.ts: each layer owns a small memory
// holding its weights (dense rows padded to a multiple of 4 floats, or CSC with uint16 indices),
// one input row and one accumulator row. Falls back to JS (returns undefined) where WebAssembly
// is unavailable or blocked (e.g. a CSP without 'wasm-unsafe-eval').
import type { DenseWeights } from './dense';
import type { SparseWeights } from './sparse';
import { layerModuleBytes } from './wasm-code';

/** The slice of the WebAssembly JS API used here (typed locally: core builds with and without DOM types). */
interface WasmMemory {
  buffer: ArrayBuffer;
}
type WasmExports = Record<string, unknown>;
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: WasmExports };
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (!api) return null;
  if (compiled !== undefined) return compiled;
  try {
    compiled = new api.Module(layerModuleBytes());
  } catch {
    compiled = null;
  }
  return compiled;
}



export function wasmAvailable(): boolean {
  return wasmModule() !== null;
}

type Scatter = (x: number, K: number, start: number, index: number, value: number, acc: number) => void;
type Axpy = (x: number, K: number, w: number, N4: number, acc: number) => void;

const align16 = (n: number): number => (n + 15) & ~15;

export class WasmLayer {
  readonly K: number;
  readonly N: number;
  private readonly N4: number;
  private readonly f32: Float32Array;
  private readonly xOff: number;
  private readonly accOff: number;
  private readonly run: () => void;
  /** Four rows at once (sparse layers): x as [K][4], accumulators as [N][4]. */
  private readonly run4: (() => void) | undefined;

  private constructor(
    K: number, N: number, bytes: number,
    place: (mem: WasmMemory, at: number) => (exports: WasmExports, xOff: number, accOff: number) => [() => void, (() => void)?],
  ) {
    this.K = K;
    this.N = N;
    this.N4 = (N + 3) & ~3;
    const xBytes = align16(K * 16);
    const accBytes = align16(this.N4 * 16);
    const total = xBytes + accBytes + bytes;
    const memory = new (api as WasmApi).Memory({ initial: Math.ceil(total / 65536) + 1 });
    const inst = new (api as WasmApi).Instance(wasmModule() as object, { env: { mem: memory } });
    this.xOff = 0;
    this.accOff = xBytes;
    const bind = place(memory, xBytes + accBytes);
    [this.run, this.run4] = bind(inst.exports, this.xOff, this.accOff);
    this.f32 = new Float32Array(memory.buffer);
  }

  static dense(w: DenseWeights): WasmLayer | undefined {
    if (!wasmModule()) return undefined;
    const { K, N } = w;
    const N4 = (N + 3) & ~3;
    return new WasmLayer(K, N, K * N4 * 4, (memory, at) => {
      const f = new Float32Array(memory.buffer);
      for (let k = 0; k < K; k++) f.set(w.w.subarray(k * N, (k + 1) * N), at / 4 + k * N4);
      return (ex, xOff, accOff) => {
        const axpy = ex.axpy4 as Axpy;
        return [() => axpy(xOff, K, at, N4, accOff)];
      };
    });
  }

  static sparse(s: SparseWeights): WasmLayer | undefined {
    if (!wasmModule() || !(s.index instanceof Uint16Array)) return undefined;
    const { K, N, nnz } = s;
    const b = toBlocks(s);
    const startBytes = align16((K + 1) * 4);
    const indexBytes = align16(nnz * 2);
    const valueBytes = align16(nnz * 4);
    const bStartBytes = align16((K + 1) * 4);
    const bIndexBytes = align16(b.count * 2);
    const total = startBytes + indexBytes + valueBytes + bStartBytes + bIndexBytes + b.count * 16;
    return new WasmLayer(K, N, total, (memory, at) => {
      const st = at;
      const ix = st + startBytes;
      const va = ix + indexBytes;
      const bs = va + valueBytes;
      const bi = bs + bStartBytes;
      const bv = bi + bIndexBytes;
      new Int32Array(memory.buffer, st, K + 1).set(s.start);
      new Uint16Array(memory.buffer, ix, nnz).set(s.index);
      new Float32Array(memory.buffer, va, nnz).set(s.value);
      new Int32Array(memory.buffer, bs, K + 1).set(b.start);
      new Uint16Array(memory.buffer, bi, b.count).set(b.block);
      new Float32Array(memory.buffer, bv, b.count * 4).set(b.value);
      return (ex, xOff, accOff) => {
        const blocks = ex.blocks4 as Scatter;
        const scatter = ex.scatter16 as Scatter;
        const scatter4 = ex.scatter16x4 as Scatter;
        // Blocks pay for their zero padding: measured break-even near 3 stored values per non-zero
        // (random pruning at ~80%); sparser layers keep the scalar scatter.
        const one = b.count * 4 < 3 * nnz ? () => blocks(xOff, K, bs, bi, bv, accOff) : () => scatter(xOff, K, st, ix, va, accOff);
        return [one, () => scatter4(xOff, K, st, ix, va, accOff)];
      };
    });
  }

  /** y[m, :] = x[m, :] · W (+ bias) (then ReLU), one row at a time. */
  apply(x: Float32Array, M: number, bias: Float32Array | null, relu: boolean, y: Float32Array): void {
    const { K, N, f32 } = this;
    const xi = this.xOff >> 2;
    const ai = this.accOff >> 2;
    let m = 0;
    const run4 = this.run4;
    if (run4) {
      for (; m + 4 <= M; m += 4) {
        // Interleave four input rows: x4[k][r] = x[m + r][k].
        for (let r = 0; r < 4; r++) {
          const xo = (m + r) * K;
          for (let k = 0; k < K; k++) f32[xi + 4 * k + r] = x[xo + k];
        }
        for (let j = 0; j < N; j++) {
          const b = bias ? bias[j] : 0;
          const q = ai + 4 * j;
          f32[q] = b;
          f32[q + 1] = b;
          f32[q + 2] = b;
          f32[q + 3] = b;
        }
        run4();
        for (let r = 0; r < 4; r++) {
          const yo = (m + r) * N;
          for (let j = 0; j < N; j++) {
            const v = f32[ai + 4 * j + r];
            y[yo + j] = relu && v < 0 ? 0 : v;
          }
        }
      }
    }
    for (; m < M; m++) {
      f32.set(x.subarray(m * K, m * K + K), xi);
      if (bias) f32.set(bias, ai);
      else f32.fill(0, ai, ai + N);
      this.run();
      const yo = m * N;
      if (relu) {
        for (let j = 0; j < N; j++) {
          const v = f32[ai + j];
          y[yo + j] = v > 0 ? v : 0;
        }
      } else {
        y.set(f32.subarray(ai, ai + N), yo);
      }
    }
  }
}

/**
 * The CSC weights regrouped in 1×4 blocks of consecutive outputs (zero-padded), so the one-row
 * kernel multiplies four outputs per SIMD operation and reads one index per block.
 */
function toBlocks(s: SparseWeights): { start: Int32Array; block: Uint16Array; value: Float32Array; count: number } {
  const { K, start, index, value } = s;
  let count = 0;
  for (let k = 0; k < K; k++) {
    let last = -1;
    for (let p = start[k]; p < start[k + 1]; p++) {
      const bl = index[p] >> 2;
      if (bl !== last) {
        count++;
        last = bl;
      }
    }
  }
  const bStart = new Int32Array(K + 1);
  const block = new Uint16Array(count);
  const bValue = new Float32Array(count * 4);
  let c = -1;
  for (let k = 0; k < K; k++) {
    bStart[k] = c + 1;
    let last = -1;
    for (let p = start[k]; p < start[k + 1]; p++) {
      const j = index[p];
      const bl = j >> 2;
      if (bl !== last) {
        c++;
        block[c] = bl;
        last = bl;
      }
      bValue[c * 4 + (j & 3)] = value[p];
    }
  }
  bStart[K] = count;
  return { start: bStart, block, value: bValue, count };
}
