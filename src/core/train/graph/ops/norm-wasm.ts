// BatchNormalization's loops on WebAssembly SIMD: every (sample, channel) plane copied into the
// module's memory padded to whole f32x4 steps (zeros), then y = a·x + b per plane (the affine map of
// elementwise-code.ts) and, backward, dx = a·g, Σ g and Σ g·(x − mean) per plane (dot products;
// summed over the samples in float64 here). false without WebAssembly (norm.ts loops in JS then).
import { wasmArena, type WasmArena } from '../gemm-wasm';

/** Most floats of one chunk of one operand; a chunk holds at least one sample. */
const CHUNK_FLOATS = 1 << 19;

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Copies planes of S floats from src (from plane `first`) into f32 at `at` as planes of S4 (tails zero). */
function planesIn(f32: Float32Array, at: number, src: Float32Array, first: number, planes: number, S: number, S4: number): void {
  if (S4 === S) {
    f32.set(src.subarray(first * S, (first + planes) * S), at);
    return;
  }
  f32.fill(0, at, at + planes * S4);
  for (let p = 0; p < planes; p++) f32.set(src.subarray((first + p) * S, (first + p + 1) * S), at + p * S4);
}

/** The reverse of planesIn: planes of S4 at `at` into dst (from plane `first`), tails dropped. */
function planesOut(f32: Float32Array, at: number, dst: Float32Array, first: number, planes: number, S: number, S4: number): void {
  if (S4 === S) {
    dst.set(f32.subarray(at, at + planes * S), first * S);
    return;
  }
  for (let p = 0; p < planes; p++) dst.set(f32.subarray(at + p * S4, at + p * S4 + S), (first + p) * S);
}

function layout(N: number, C: number, S: number): { S4: number; chunk: number } {
  const S4 = up4(S);
  return { S4, chunk: Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / (C * S4)))) };
}

/** Per channel c the pair (p[c], q[c]) at f32[at + 2c]. */
function pairs(arena: WasmArena, at: number, C: number, p: (c: number) => number, q: (c: number) => number): void {
  for (let c = 0; c < C; c++) {
    arena.f32[at + 2 * c] = p(c);
    arena.f32[at + 2 * c + 1] = q(c);
  }
}

/** y[n, c, :] = a[c] · x[n, c, :] + b[c] (x, y: [N, C, S]). */
export function batchNormForwardWasm(x: Float32Array, y: Float32Array, N: number, C: number, S: number, a: Float64Array, b: Float64Array): boolean {
  const { S4, chunk } = layout(N, C, S);
  const pAt = 0;
  const xAt = up4(2 * C);
  const yAt = xAt + chunk * C * S4;
  const arena = wasmArena(yAt + chunk * C * S4);
  if (arena === null) return false;
  pairs(arena, pAt, C, (c) => a[c], (c) => b[c]);
  const affine = arena.map.affine;
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    planesIn(arena.f32, xAt, x, n0 * C, count * C, S, S4);
    for (let p = 0; p < count * C; p++) affine(4 * (xAt + p * S4), 4 * (xAt + p * S4), 4 * (yAt + p * S4), S4 / 4, 4 * (pAt + 2 * (p % C)));
    planesOut(arena.f32, yAt, y, n0 * C, count * C, S, S4);
  }
  return true;
}

/**
 * From the output gradient g [N, C, S]: dx (if given) = a[c] · g, sx[c] += Σ g · (x − mean[c]),
 * sg[c] += Σ g (float64 across the planes).
 */
export function batchNormBackwardWasm(
  x: Float32Array, g: Float32Array, dx: Float32Array | undefined, sx: Float64Array, sg: Float64Array, N: number, C: number, S: number, a: Float64Array, mean: Float32Array,
): boolean {
  const { S4, chunk } = layout(N, C, S);
  const aAt = 0;
  const mAt = aAt + 2 * C;
  const onesAt = up4(mAt + 2 * C);
  const tmpAt = onesAt + S4;
  const sumsAt = tmpAt + S4;
  const xAt = sumsAt + up4(2 * chunk * C);
  const gAt = xAt + chunk * C * S4;
  const dxAt = gAt + chunk * C * S4;
  const arena = wasmArena(dxAt + chunk * C * S4);
  if (arena === null) return false;
  const { f32, dot } = arena;
  const affine = arena.map.affine;
  pairs(arena, aAt, C, (c) => a[c], () => 0);
  pairs(arena, mAt, C, () => 1, (c) => -mean[c]);
  f32.fill(1, onesAt, onesAt + S4);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const planes = count * C;
    planesIn(f32, xAt, x, n0 * C, planes, S, S4);
    planesIn(f32, gAt, g, n0 * C, planes, S, S4);
    f32.fill(0, sumsAt, sumsAt + 2 * planes);
    for (let p = 0; p < planes; p++) {
      const c = p % C;
      const gp = 4 * (gAt + p * S4);
      if (dx !== undefined) affine(gp, gp, 4 * (dxAt + p * S4), S4 / 4, 4 * (aAt + 2 * c));
      // x − mean (the tail becomes −mean, but g's tail is 0).
      affine(4 * (xAt + p * S4), 4 * (xAt + p * S4), 4 * tmpAt, S4 / 4, 4 * (mAt + 2 * c));
      dot(gp, 4 * tmpAt, S4 / 4, 4 * (sumsAt + 2 * p));
      dot(gp, 4 * onesAt, S4 / 4, 4 * (sumsAt + 2 * p + 1));
    }
    for (let p = 0; p < planes; p++) {
      sx[p % C] += f32[sumsAt + 2 * p];
      sg[p % C] += f32[sumsAt + 2 * p + 1];
    }
    if (dx !== undefined) planesOut(f32, dxAt, dx, n0 * C, planes, S, S4);
  }
  return true;
}
