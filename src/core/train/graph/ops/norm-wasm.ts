// BatchNormalization's loops on WebAssembly SIMD where each (sample, channel) plane is whole f32x4
// steps: a chunk of samples copied into the module's memory, then in one call (elementwise-code.ts)
// y = a·x + b per plane and, backward, dx = a·g, Σ g and Σ g·(x − mean) per plane (summed over the
// samples in float64 here). false otherwise or without WebAssembly (norm.ts loops in JS then).
import { wasmArena, type WasmArena } from '../gemm-wasm';

/** Most floats of one chunk of one operand; a chunk holds at least one sample. */
const CHUNK_FLOATS = 1 << 19;

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Samples per chunk; undefined when a plane is not whole f32x4 steps (copying planes one by one costs more than the JS loops save). */
function chunkOf(N: number, C: number, S: number): number | undefined {
  return S % 4 === 0 ? Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / (C * S)))) : undefined;
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
  const chunk = chunkOf(N, C, S);
  if (chunk === undefined) return false;
  const pAt = 0;
  const xAt = up4(2 * C);
  const yAt = xAt + chunk * C * S;
  const arena = wasmArena(yAt + chunk * C * S);
  if (arena === null) return false;
  pairs(arena, pAt, C, (c) => a[c], (c) => b[c]);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    arena.f32.set(x.subarray(n0 * C * S, (n0 + count) * C * S), xAt);
    arena.bnForward(4 * xAt, 4 * yAt, count * C, S / 4, 4 * pAt, C);
    y.set(arena.f32.subarray(yAt, yAt + count * C * S), n0 * C * S);
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
  const chunk = chunkOf(N, C, S);
  if (chunk === undefined) return false;
  const pAt = 0;
  const sumsAt = up4(2 * C);
  const xAt = sumsAt + up4(2 * chunk * C);
  const gAt = xAt + chunk * C * S;
  const dxAt = gAt + chunk * C * S;
  const arena = wasmArena(dxAt + chunk * C * S);
  if (arena === null) return false;
  const { f32 } = arena;
  pairs(arena, pAt, C, (c) => a[c], (c) => mean[c]);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const planes = count * C;
    f32.set(x.subarray(n0 * C * S, (n0 + count) * C * S), xAt);
    f32.set(g.subarray(n0 * C * S, (n0 + count) * C * S), gAt);
    arena.bnBackward(4 * xAt, 4 * gAt, 4 * dxAt, planes, S / 4, 4 * pAt, C, 4 * sumsAt);
    for (let p = 0; p < planes; p++) {
      sx[p % C] += f32[sumsAt + 2 * p];
      sg[p % C] += f32[sumsAt + 2 * p + 1];
    }
    if (dx !== undefined) dx.set(f32.subarray(dxAt, dxAt + planes * S), n0 * C * S);
  }
  return true;
}
