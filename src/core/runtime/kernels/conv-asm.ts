// Pieces of WebAssembly shared by the convolution kernels (conv-code.ts, winograd-code.ts): local
// access, constants, a few SIMD opcodes wasm-asm.ts does not name, and the output activation.
import { mem, op, sleb, v } from './wasm-asm';

export const get = (l: number): number[] => [op.get, l];
export const set = (l: number): number[] => [op.set, l];
export const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
export const f32x4Pmin = [0xfd, 0xea, 0x01];
export const f32x4Sub = [0xfd, 0xe5, 0x01];
/** call funcidx */
export const call = (fn: number): number[] => [0x10, fn];
/** i8x16.shuffle picking the f32 lanes `lanes` (0–3 from the first operand, 4–7 from the second). */
export const shuffle32 = (lanes: number[]): number[] => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];

/** acc := pmin(hi, pmax(lo, acc)) */
const clampReg = (acc: number, lo: number, hi: number): number[] => [
  ...get(hi), ...get(lo), ...get(acc), ...v.f32x4Pmax, ...f32x4Pmin, ...set(acc),
];

/**
 * The activation of the clamp block `clamp` (bytes: f32 lo, f32 hi, i32 HardSwish flag, f32 1/6,
 * f32 1/2, f32 1): acc := clamp(acc), then, when the flag is set, acc · pmin(1, pmax(0, acc/6 + 1/2)).
 * `hs` is an i32 local holding the flag; `t` a v128 scratch local.
 */
export const activate = (accs: number[], lo: number, hi: number, clamp: number, hs: number, t: number): number[] => [
  ...accs.flatMap((a) => clampReg(a, lo, hi)),
  ...get(hs), op.if, op.void,
  ...accs.flatMap((a) => [
    ...get(clamp), ...v.load32Splat, ...mem(2, 20),
    ...v.zero, ...get(a), ...get(clamp), ...v.load32Splat, ...mem(2, 12), ...v.f32x4Mul,
    ...get(clamp), ...v.load32Splat, ...mem(2, 16), ...v.f32x4Add, ...v.f32x4Pmax,
    ...f32x4Pmin, ...set(t),
    ...get(a), ...get(t), ...v.f32x4Mul, ...set(a),
  ]),
  op.end,
];
