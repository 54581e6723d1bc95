// The WebAssembly max pool (pool-code.ts) in a memory of its own: planes are copied in a chunk at
// a time (about 2 MB of input), pooled, and the outputs copied out. Where WebAssembly or its
// SIMD is missing, maxPool2dWasm says so and the caller uses the JS kernel.
import type { Pool2d } from './pool-2d';
import { poolModuleBytes } from './pool-code';
import { type WasmMemory, wasmApi } from './wasm-asm';

type PoolFn = (...a: number[]) => void;

interface PoolInstance {
  f32: Float32Array;
  bytes: number;
  pool: PoolFn;
}

/** Input floats copied in per chunk (whole planes; one plane when a plane is larger). */
const CHUNK = 1 << 19;
const PAGE = 65536;
const up16 = (n: number): number => Math.ceil(n / 16) * 16;

let module: object | null | undefined;
let inst: PoolInstance | undefined;

function instance(bytes: number): PoolInstance | undefined {
  if (module === undefined) {
    try {
      module = wasmApi ? new wasmApi.Module(poolModuleBytes()) : null;
    } catch {
      module = null;
    }
  }
  if (!module || !wasmApi) return undefined;
  if (!inst || inst.bytes < bytes) {
    const pages = Math.ceil(bytes / PAGE);
    try {
      const memory: WasmMemory = new wasmApi.Memory({ initial: pages });
      const ex = new wasmApi.Instance(module, { env: { mem: memory } }).exports;
      inst = { f32: new Float32Array(memory.buffer), bytes: pages * PAGE, pool: ex.pool as PoolFn };
    } catch {
      // No memory that large: the JS kernel takes this input.
      return undefined;
    }
  }
  return inst;
}

/**
 * Max pool like maxPool2d (needs pool2dFits) in WebAssembly; false (nothing written) where
 * WebAssembly SIMD is unavailable.
 */
export function maxPool2dWasm(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, g: Pool2d): boolean {
  const inPlane = H * W;
  const outPlane = g.OH * g.OW;
  const chunk = Math.max(1, Math.min(planes, Math.floor(CHUNK / inPlane)));
  const rowLen = Math.max(g.pl + W, (g.OW - 1) * g.sx + g.kw);
  // Byte addresses: the row buffer at 0 (its padding set here), then the input and output chunks.
  const tAt = 0;
  const srcAt = up16(4 * rowLen) + 16;
  const dstAt = srcAt + up16(4 * chunk * inPlane);
  const m = instance(dstAt + 4 * chunk * outPlane);
  if (!m) return false;
  const f32 = m.f32;
  f32.fill(-Infinity, 0, g.pl);
  f32.fill(-Infinity, g.pl + W, rowLen);
  for (let c0 = 0; c0 < planes; c0 += chunk) {
    const n = Math.min(chunk, planes - c0);
    f32.set(src.subarray(sOff + c0 * inPlane, sOff + (c0 + n) * inPlane), srcAt >> 2);
    m.pool(srcAt, dstAt, tAt, tAt + 4 * g.pl, n, H, W, g.OH, g.OW, g.kh, g.sy, g.pt, g.kw, g.sx);
    dst.set(f32.subarray(dstAt >> 2, (dstAt >> 2) + n * outPlane), dOff + c0 * outPlane);
  }
  return true;
}
