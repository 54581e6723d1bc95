// The compiled convolution module (conv-code.ts) and one instance of it over a fresh memory per
// layer program; null where WebAssembly (with SIMD) is unavailable.
import { convModuleBytes } from './conv-code';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
export type ConvFn = (...args: number[]) => void;

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = api ? new api.Module(convModuleBytes()) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function convWasmAvailable(): boolean {
  return wasmModule() !== null;
}

/** An instance over a memory of at least `bytes` bytes, or undefined (no WebAssembly, or too large). */
export function convInstance(bytes: number): { buffer: ArrayBuffer; fn: (name: string) => ConvFn } | undefined {
  const m = wasmModule();
  if (m === null || bytes >= 2 ** 31) return undefined;
  const a = api as WasmApi;
  const memory = new a.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const inst = new a.Instance(m, { env: { mem: memory } });
  return { buffer: memory.buffer, fn: (name) => inst.exports[name] as ConvFn };
}
