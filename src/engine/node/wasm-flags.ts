// V8 flags the Node entries (engine process, CLI) set at start, before any WebAssembly compiles.
// Relaxed SIMD: Node 20's V8 has it behind a flag (Chromium and Electron ship it), and the conv
// kernels use its f32x4.relaxed_madd, a fused multiply-add on CPUs with FMA, where it validates
// (core/runtime/kernels/wasm-asm.ts relaxedSimd); where the flag is unknown or already on, no harm.
import { setFlagsFromString } from 'node:v8';

export function enableWasmFlags(): void {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An engine without the flag: the kernels feature-detect and use mul + add.
  }
}
