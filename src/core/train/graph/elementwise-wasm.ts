// The branchy activations (elementwise-code.ts) run on WebAssembly SIMD over chunks copied into the
// module's memory. undefined where WebAssembly is unavailable; the activation kernels then loop in JS.
import { wasmArena } from './gemm-wasm';
import type { ElementwiseOp } from './elementwise-code';

/** Floats per chunk of each operand. */
const CHUNK = 1 << 18;

/** A fresh array d[i] = op(x[i], g[i]) (g only for the gradients; lo / hi: Clip's bounds), or undefined without WebAssembly. */
export function mapOnWasm(name: ElementwiseOp, x: Float32Array, g?: Float32Array, lo = 0, hi = 0): Float32Array | undefined {
  const n = x.length;
  const chunk = Math.min(CHUNK, Math.ceil(n / 4) * 4);
  const xAt = 4;
  const gAt = xAt + chunk;
  const dAt = gAt + chunk;
  const arena = wasmArena(dAt + chunk);
  if (arena === null) return undefined;
  const { f32 } = arena;
  const fn = arena.map[name];
  f32[0] = lo;
  f32[1] = hi;
  const out = new Float32Array(n);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    f32.set(x.subarray(s, e), xAt);
    if (g !== undefined) f32.set(g.subarray(s, e), gAt);
    fn(4 * xAt, 4 * gAt, 4 * dAt, Math.ceil((e - s) / 4), 0);
    out.set(f32.subarray(dAt, dAt + e - s), s);
  }
  return out;
}
