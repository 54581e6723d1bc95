// The graph trainer's matrix products in WebAssembly SIMD: a 4 × 8 micro-kernel (eight f32x4
// accumulators) over a right operand packed in 8-column panels (K × 8, contiguous), driven from JS
// over zero-padded copies of the operands in the module's memory. Returns false where WebAssembly
// is unavailable or blocked; the caller then uses the JS kernels of gemm-blocked.ts.
import { I32, V128, body, mem, moduleBytes, op, v, wasmApi, whileNot } from '../../runtime/kernels/wasm-asm';

const api = wasmApi;

/** tile(a, lda, p, y, ldy, K): y[4 × 8] (rows ldy bytes apart) += a[4 × K] (rows lda bytes apart) · panel p [K × 8]. */
function tileCode(): number[] {
  const [a, lda, p, y, ldy, K, a1, a2, a3] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const acc = (i: number): number => 9 + i;
  const b0 = 17;
  const b1 = 18;
  const av = 19;
  const rows = [a, a1, a2, a3];
  const inc = (l: number, n: number): number[] => [op.get, l, op.i32Const, n, op.i32Add, op.set, l];
  const code: number[] = [
    op.get, a, op.get, lda, op.i32Add, op.set, a1,
    op.get, a1, op.get, lda, op.i32Add, op.set, a2,
    op.get, a2, op.get, lda, op.i32Add, op.set, a3,
  ];
  const step: number[] = [op.get, p, ...v.load, ...mem(0, 0), op.set, b0, op.get, p, ...v.load, ...mem(0, 16), op.set, b1];
  rows.forEach((r, i) => {
    step.push(op.get, r, ...v.load32Splat, ...mem(0, 0), op.set, av);
    step.push(op.get, acc(2 * i), op.get, av, op.get, b0, ...v.f32x4Mul, ...v.f32x4Add, op.set, acc(2 * i));
    step.push(op.get, acc(2 * i + 1), op.get, av, op.get, b1, ...v.f32x4Mul, ...v.f32x4Add, op.set, acc(2 * i + 1));
  });
  for (const r of rows) step.push(...inc(r, 4));
  step.push(...inc(p, 32), op.get, K, op.i32Const, 1, op.i32Sub, op.set, K);
  code.push(...whileNot([op.get, K, 0x45 /* i32.eqz */], step));
  for (let i = 0; i < 4; i++) {
    for (let h = 0; h < 2; h++) {
      code.push(op.get, y, op.get, y, ...v.load, ...mem(0, 16 * h), op.get, acc(2 * i + h), ...v.f32x4Add, ...v.store, ...mem(0, 16 * h));
    }
    code.push(op.get, y, op.get, ldy, op.i32Add, op.set, y);
  }
  return body([[3, I32], [11, V128]], code);
}

type Tile = (a: number, lda: number, p: number, y: number, ldy: number, K: number) => void;
let state: { f32: Float32Array; tile: Tile; floats: number } | null | undefined;
let compiled: object | null | undefined;

let bypassed = false;

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

/** The kernel over a memory of at least `floats` floats, or null without WebAssembly SIMD. */
function kernel(floats: number): { f32: Float32Array; tile: Tile } | null {
  if (compiled === undefined) {
    try {
      compiled = api !== undefined ? new api.Module(moduleBytes([{ name: 'tile', params: 6, code: tileCode() }])) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  if (state === undefined || state === null || state.floats < floats) {
    const pages = Math.ceil((floats * 4) / 65536) + 1;
    const memory = new api!.Memory({ initial: pages });
    const inst = new api!.Instance(compiled, { env: { mem: memory } });
    state = { f32: new Float32Array(memory.buffer), tile: inst.exports.tile as Tile, floats: (pages * 65536) / 4 };
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
  if (bypassed) return false;
  const k = kernel(yAt + Mp * Np);
  if (k === null) return false;
  const { f32, tile } = k;
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
  for (let m0 = 0; m0 < Mp; m0 += 4) for (let j0 = 0; j0 < Np; j0 += 8) tile(4 * (aAt + m0 * K), 4 * K, 4 * (pAt + j0 * K), 4 * (yAt + m0 * Np + j0), 4 * Np, K);
  for (let m = 0; m < M; m++) {
    const s = yAt + m * Np;
    const d = yOff + m * N;
    for (let n = 0; n < N; n++) y[d + n] += f32[s + n];
  }
  return true;
}
