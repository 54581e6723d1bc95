// The graph trainer's matrix products in WebAssembly SIMD: a 4 × 8 micro-kernel (eight f32x4
// accumulators) over a right operand packed in 8-column panels (K × 8, contiguous), looped over all
// tiles inside the module; gemmWasm runs it over zero-padded copies of the operands in the module's
// memory, the Conv kernels (ops/conv-wasm.ts) over operands they write there themselves. Returns
// false / null where WebAssembly is unavailable or blocked; the caller then uses the JS kernels.
import { F32, I32, V128, body, mem, moduleBytes, op, sleb, v, wasmApi, whileNot } from '../../runtime/kernels/wasm-asm';
import { bnBackwardCode, bnForwardCode, elementwiseFunctions, type ElementwiseOp } from './elementwise-code';

const api = wasmApi;

/**
 * gemm(a, lda, p, ps, y, ldy, mt, nt, K): for every 4-row tile i < mt of a (rows lda bytes apart, from
 * byte a) and every 8-column panel j < nt (K × 8 floats, panels ps bytes apart, from byte p):
 * y[4i.., 8j..] (rows ldy bytes apart, from byte y) += a[4i.., 0..K) · panel j. Panels outer, so
 * one panel stays in cache while the row tiles pass over it.
 */
function gemmCode(): number[] {
  const [a, lda, p, ps, y, ldy, mt, nt, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [a0, a1, a2, a3, pp, yy, k, mi, aRow, yRow] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const acc = (i: number): number => 19 + i;
  const [b0, b1, av] = [27, 28, 29];
  const rows = [a0, a1, a2, a3];
  const inc = (l: number, n: number): number[] => [op.get, l, op.i32Const, ...sleb(n), op.i32Add, op.set, l];
  const addLocal = (l: number, by: number): number[] => [op.get, l, op.get, by, op.i32Add, op.set, l];
  const step: number[] = [op.get, pp, ...v.load, ...mem(0, 0), op.set, b0, op.get, pp, ...v.load, ...mem(0, 16), op.set, b1];
  rows.forEach((r, i) => {
    step.push(op.get, r, ...v.load32Splat, ...mem(0, 0), op.set, av);
    step.push(op.get, acc(2 * i), op.get, av, op.get, b0, ...v.f32x4Mul, ...v.f32x4Add, op.set, acc(2 * i));
    step.push(op.get, acc(2 * i + 1), op.get, av, op.get, b1, ...v.f32x4Mul, ...v.f32x4Add, op.set, acc(2 * i + 1));
  });
  for (const r of rows) step.push(...inc(r, 4));
  step.push(...inc(pp, 32), ...inc(k, -1));
  const tile: number[] = [
    op.get, aRow, op.set, a0,
    op.get, a0, op.get, lda, op.i32Add, op.set, a1,
    op.get, a1, op.get, lda, op.i32Add, op.set, a2,
    op.get, a2, op.get, lda, op.i32Add, op.set, a3,
    op.get, p, op.set, pp, op.get, K, op.set, k,
  ];
  for (let i = 0; i < 8; i++) tile.push(...v.zero, op.set, acc(i));
  tile.push(...whileNot([op.get, k, 0x45 /* i32.eqz */], step));
  tile.push(op.get, yRow, op.set, yy);
  for (let i = 0; i < 4; i++) {
    for (let h = 0; h < 2; h++) {
      tile.push(op.get, yy, op.get, yy, ...v.load, ...mem(0, 16 * h), op.get, acc(2 * i + h), ...v.f32x4Add, ...v.store, ...mem(0, 16 * h));
    }
    tile.push(...addLocal(yy, ldy));
  }
  for (let i = 0; i < 4; i++) tile.push(...addLocal(aRow, lda), ...addLocal(yRow, ldy));
  tile.push(...inc(mi, -1));
  const panel: number[] = [op.get, a, op.set, aRow, op.get, y, op.set, yRow, op.get, mt, op.set, mi];
  panel.push(...whileNot([op.get, mi, 0x45], tile));
  panel.push(...addLocal(p, ps), ...inc(y, 32), ...inc(nt, -1));
  return body([[10, I32], [11, V128]], whileNot([op.get, nt, 0x45], panel));
}

/**
 * gather(idx, n, base, out): out[i] = f32 at byte base + idx[i] for i < n (idx: i32 byte offsets).
 * scatter(idx, n, base, src): f32 at byte base + idx[i] += src[i] (later entries see earlier sums).
 */
function moveCode(scatter: boolean): number[] {
  const [idx, n, base, p, addr] = [0, 1, 2, 3, 4];
  const step: number[] = [op.get, idx, op.i32Load, ...mem(2), op.get, base, op.i32Add, op.set, addr];
  if (scatter) step.push(op.get, addr, op.get, addr, op.f32Load, ...mem(2), op.get, p, op.f32Load, ...mem(2), op.f32Add, op.f32Store, ...mem(2));
  else step.push(op.get, p, op.get, addr, op.f32Load, ...mem(2), op.f32Store, ...mem(2));
  step.push(op.get, idx, op.i32Const, 4, op.i32Add, op.set, idx, op.get, p, op.i32Const, 4, op.i32Add, op.set, p, op.get, n, op.i32Const, 1, op.i32Sub, op.set, n);
  return body([[1, I32]], whileNot([op.get, n, 0x45], step));
}

/**
 * scatterAxpy(idx, n, base, p, w): f32 at byte base + idx[i] += (f32 at byte w) · p[i] for i < n.
 * gatherDot(idx, n, base, p, out): f32 at byte out += Σ (f32 at byte base + idx[i]) · p[i], summed in float64.
 */
function indexedCode(dot: boolean): number[] {
  const [idx, n, base, p, w, addr, a, s] = [0, 1, 2, 3, 4, 5, 6, 7];
  const F64 = 0x7c;
  const [f64Add, f64Mul, promote, demote] = [0xa0, 0xa2, 0xbb, 0xb6];
  const step: number[] = [op.get, idx, op.i32Load, ...mem(2), op.get, base, op.i32Add, op.set, addr];
  if (dot) step.push(op.get, s, op.get, addr, op.f32Load, ...mem(2), promote, op.get, p, op.f32Load, ...mem(2), promote, f64Mul, f64Add, op.set, s);
  else step.push(op.get, addr, op.get, addr, op.f32Load, ...mem(2), op.get, a, op.get, p, op.f32Load, ...mem(2), op.f32Mul, op.f32Add, op.f32Store, ...mem(2));
  step.push(op.get, idx, op.i32Const, 4, op.i32Add, op.set, idx, op.get, p, op.i32Const, 4, op.i32Add, op.set, p, op.get, n, op.i32Const, 1, op.i32Sub, op.set, n);
  const code: number[] = dot ? [] : [op.get, w, op.f32Load, ...mem(2), op.set, a];
  code.push(...whileNot([op.get, n, 0x45], step));
  if (dot) code.push(op.get, w, op.get, w, op.f32Load, ...mem(2), op.get, s, demote, op.f32Add, op.f32Store, ...mem(2));
  return body([[1, I32], [1, F32], [1, F64]], code);
}

/** axpy(w, x, y, n4): y[i] += f32 at byte w · x[i] for i < 4 · n4 (f32x4 steps). */
function axpyCode(): number[] {
  const [w, x, y, n, a] = [0, 1, 2, 3, 4];
  const step: number[] = [
    op.get, y, op.get, y, ...v.load, ...mem(0), op.get, a, op.get, x, ...v.load, ...mem(0), ...v.f32x4Mul, ...v.f32x4Add, ...v.store, ...mem(0),
    op.get, x, op.i32Const, 16, op.i32Add, op.set, x, op.get, y, op.i32Const, 16, op.i32Add, op.set, y, op.get, n, op.i32Const, 1, op.i32Sub, op.set, n,
  ];
  return body([[1, V128]], [op.get, w, ...v.load32Splat, ...mem(0), op.set, a, ...whileNot([op.get, n, 0x45], step)]);
}

/** dot(x, y, n4, out): f32 at byte out += Σ x[i] · y[i] for i < 4 · n4 (four lane sums, added at the end). */
function dotCode(): number[] {
  const [x, y, n, out, acc] = [0, 1, 2, 3, 4];
  const lane = (l: number): number[] => [op.get, acc, 0xfd, 0x1f, l];
  const step: number[] = [
    op.get, acc, op.get, x, ...v.load, ...mem(0), op.get, y, ...v.load, ...mem(0), ...v.f32x4Mul, ...v.f32x4Add, op.set, acc,
    op.get, x, op.i32Const, 16, op.i32Add, op.set, x, op.get, y, op.i32Const, 16, op.i32Add, op.set, y, op.get, n, op.i32Const, 1, op.i32Sub, op.set, n,
  ];
  return body([[1, V128]], [
    ...v.zero, op.set, acc, ...whileNot([op.get, n, 0x45], step),
    op.get, out, op.get, out, op.f32Load, ...mem(2), ...lane(0), ...lane(1), op.f32Add, ...lane(2), ...lane(3), op.f32Add, op.f32Add, op.f32Add, op.f32Store, ...mem(2),
  ]);
}

/** The exported gemm: byte addresses and strides, counts of 4-row tiles and 8-column panels. */
export type PackedGemm = (a: number, lda: number, p: number, ps: number, y: number, ldy: number, mt: number, nt: number, K: number) => void;
export interface WasmArena {
  /** The module's memory (a new view after it grows: take it after wasmArena, never keep it across calls). */
  f32: Float32Array;
  /** The same memory as i32 (for gather / scatter's offset tables). */
  i32: Int32Array;
  gemm: PackedGemm;
  gather: Move;
  scatter: Move;
  /** axpy(w, x, y, n4) and dot(x, y, n4, out), byte addresses, 4 · n4 floats. */
  axpy: Move;
  dot: Move;
  /** scatterAxpy(idx, n, base, p, w) and gatherDot(idx, n, base, p, out), byte addresses. */
  scatterAxpy: Indexed;
  gatherDot: Indexed;
  /** BatchNormalization over planes (elementwise-code.ts), byte addresses. */
  bnForward: (x: number, y: number, planes: number, s4: number, pairs: number, C: number) => void;
  bnBackward: (x: number, g: number, dx: number, planes: number, s4: number, pairs: number, C: number, sums: number) => void;
  /** The activations of elementwise-code.ts: (x, g, d, n4, c), byte addresses. */
  map: Record<ElementwiseOp, (x: number, g: number, d: number, n4: number, c: number) => void>;
}
/** gather / scatter: (idx, n, base, p), byte addresses. */
export type Move = (idx: number, n: number, base: number, p: number) => void;
export type Indexed = (idx: number, n: number, base: number, p: number, w: number) => void;
let state: (WasmArena & { floats: number }) | null | undefined;
let compiled: object | null | undefined;

let bypassed = false;

/** Offset-table entries (i32) the Conv kernels keep across calls, all live layers together; beyond it they rebuild per call. */
const TABLE_BUDGET = 1 << 25;
let tableEntries = 0;
/** A kept table's entries leave the count when its owner (a compiled kernel's cache) is collected. */
const released = new FinalizationRegistry<{ entries: number }>((held) => {
  tableEntries -= held.entries;
});

/** A cache of offset tables under the shared budget: `keep` says whether `entries` more fit (then counted against this owner). */
export function tableKeeper(owner: object): (entries: number) => boolean {
  const held = { entries: 0 };
  released.register(owner, held);
  return (entries) => {
    if (tableEntries + entries > TABLE_BUDGET) return false;
    tableEntries += entries;
    held.entries += entries;
    return true;
  };
}

/**
 * Runs `fn` with the plain JS products only: the kernel copies each weight into its memory, which
 * grows to the largest product and never shrinks — a one-off forward pass (the fine-tuning check at
 * open, one sample) must not copy a large model's biggest weight.
 */
export function withoutGemmWasm<T>(fn: () => T): T {
  const was = bypassed;
  bypassed = true;
  try {
    return fn();
  } finally {
    bypassed = was;
  }
}

/** The kernel over a memory of at least `floats` floats, or null without WebAssembly SIMD (or inside withoutGemmWasm). */
export function wasmArena(floats: number): WasmArena | null {
  if (bypassed) return null;
  if (compiled === undefined) {
    try {
      compiled = api !== undefined ? new api.Module(moduleBytes([
        { name: 'gemm', params: 9, code: gemmCode() },
        { name: 'gather', params: 4, code: moveCode(false) },
        { name: 'scatter', params: 4, code: moveCode(true) },
        { name: 'axpy', params: 4, code: axpyCode() },
        { name: 'dot', params: 4, code: dotCode() },
        { name: 'scatterAxpy', params: 5, code: indexedCode(false) },
        { name: 'gatherDot', params: 5, code: indexedCode(true) },
        ...elementwiseFunctions(),
        { name: 'bnForward', params: 6, code: bnForwardCode() },
        { name: 'bnBackward', params: 8, code: bnBackwardCode() },
      ])) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  if (state === undefined || state === null || state.floats < floats) {
    const pages = Math.ceil((floats * 4) / 65536) + 1;
    const memory = new api!.Memory({ initial: pages });
    const inst = new api!.Instance(compiled, { env: { mem: memory } });
    const e = inst.exports;
    state = { f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer), gemm: e.gemm as PackedGemm, gather: e.gather as Move, scatter: e.scatter as Move, axpy: e.axpy as Move, dot: e.dot as Move, scatterAxpy: e.scatterAxpy as Indexed, gatherDot: e.gatherDot as Indexed, bnForward: e.bnForward as WasmArena['bnForward'], bnBackward: e.bnBackward as WasmArena['bnBackward'], map: e as WasmArena['map'], floats: (pages * 65536) / 4 };
  }
  return state;
}

/**
 * y[m, n] += Σ_k a[m, k] · B[k, n], B = b (K × N at bOff) or, when bT, bᵀ (b is N × K at bOff);
 * a is M × K at aOff, y is M × N at yOff. False (nothing done) without WebAssembly SIMD.
 */
export function gemmWasm(a: Float32Array, aOff: number, b: Float32Array, bOff: number, bT: boolean, y: Float32Array, yOff: number, M: number, K: number, N: number): boolean {
  const Mp = (M + 3) & ~3;
  const Np = (N + 7) & ~7;
  const aAt = 0;
  const pAt = aAt + Mp * K;
  const yAt = pAt + Np * K;
  const k = wasmArena(yAt + Mp * Np);
  if (k === null) return false;
  const { f32, gemm } = k;
  f32.set(a.subarray(aOff, aOff + M * K), aAt);
  f32.fill(0, aAt + M * K, pAt);
  for (let j0 = 0; j0 < Np; j0 += 8) {
    const base = pAt + j0 * K;
    const w = Math.min(8, N - j0);
    if (w < 8) f32.fill(0, base, base + 8 * K);
    if (bT) {
      for (let jj = 0; jj < w; jj++) {
        const src = bOff + (j0 + jj) * K;
        for (let kk = 0, d = base + jj; kk < K; kk++, d += 8) f32[d] = b[src + kk];
      }
    } else {
      for (let kk = 0, s = bOff + j0, d = base; kk < K; kk++, s += N, d += 8) for (let jj = 0; jj < w; jj++) f32[d + jj] = b[s + jj];
    }
  }
  f32.fill(0, yAt, yAt + Mp * Np);
  gemm(4 * aAt, 4 * K, 4 * pAt, 32 * K, 4 * yAt, 4 * Np, Mp / 4, Np / 8, K);
  for (let m = 0; m < M; m++) {
    const s = yAt + m * Np;
    const d = yOff + m * N;
    for (let n = 0; n < N; n++) y[d + n] += f32[s + n];
  }
  return true;
}
