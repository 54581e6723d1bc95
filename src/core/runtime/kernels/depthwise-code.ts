// The WebAssembly kernel of depthwise-run.ts: a depthwise 3×3 convolution, stride 1, padding 1,
// read straight from the NCHW input (no padded planes): each output row of four-float blocks sums
// three taps of up to three input rows, the left and right neighbours as loads one float either
// side, masked where they fall outside the row (the padding).
import { activate, get, i32, set } from './conv-asm';
import { I32, V128, addTo, body, madd, mem, op, v, whileNot } from './wasm-asm';

const I32_GT_U = 0x4b;
const I32_SUB = 0x6b;
const AND = [0xfd, 0x4e];

/**
 * dw3(x, out, C, H, W, wts, bias, clamp, masks): for each channel c (input x + c·H·W·4, output
 * out + c·H·W·4, weights wts + 36c: its 3×3 kernel, bias[c]), each row y < H and each block of
 * four columns j: bias + Σ taps, activated (the clamp block of activate), stored. masks: per block
 * two v128 (32j bytes on), the lanes whose left and whose right neighbour are in the row. A block past the row end writes garbage into the next row (written after)
 * or past the last plane (the caller leaves 16 bytes); loads read up to 16 bytes past the input.
 */
export function dw3(fused: boolean): number[] {
  const [x, out, C, H, W, wts, bias, clamp, masks] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [c, y, j, nB, xc, oc, rowB, p, hs, plane] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const w = (k: number): number => 20 + k;
  const q = 19;
  const [bv, acc, lo, hi, t, lm, rm] = [29, 30, 31, 32, 33, 34, 35];
  // acc += the three taps of the input row at p (left masked by lm, right by rm).
  const row = (ky: number): number[] => [
    ...madd(fused, acc, [...get(p), ...i32(4), op.i32Sub, ...v.load, ...mem(0), ...get(lm), ...AND], get(w(3 * ky))),
    ...madd(fused, acc, [...get(p), ...v.load, ...mem(0)], get(w(3 * ky + 1))),
    ...madd(fused, acc, [...get(p), ...v.load, ...mem(0, 4), ...get(rm), ...AND], get(w(3 * ky + 2))),
  ];
  const block = [
    // the block's masks: masks + 32j
    ...get(masks), ...get(j), ...i32(5), op.i32Shl, op.i32Add, op.tee, q, ...v.load, ...mem(4), ...set(lm),
    ...get(q), ...v.load, ...mem(4, 16), ...set(rm),
    ...get(bv), ...set(acc),
    // p = xc + y·rowB + 16j: the same row; the row above when y > 0, below when y < H - 1
    ...get(xc), ...get(y), ...get(rowB), op.i32Mul, op.i32Add, ...get(j), ...i32(4), op.i32Shl, op.i32Add, ...set(p),
    ...row(1),
    ...get(y), op.if, op.void,
    ...get(p), ...get(rowB), I32_SUB, ...set(p), ...row(0), ...get(p), ...get(rowB), op.i32Add, ...set(p),
    op.end,
    ...get(H), ...get(y), ...i32(1), op.i32Add, I32_GT_U, op.if, op.void,
    ...get(p), ...get(rowB), op.i32Add, ...set(p), ...row(2),
    op.end,
    ...activate([acc], lo, hi, clamp, hs, t),
    ...get(oc), ...get(y), ...get(rowB), op.i32Mul, op.i32Add, ...get(j), ...i32(4), op.i32Shl, op.i32Add,
    ...get(acc), ...v.store, ...mem(0),
    ...addTo(j, 1),
  ];
  const channel = [
    ...Array.from({ length: 9 }, (_, k) => [...get(wts), ...v.load32Splat, ...mem(2, 4 * k), ...set(w(k))]).flat(),
    ...get(bias), ...v.load32Splat, ...mem(2), ...set(bv),
    ...i32(0), ...set(y),
    ...whileNot([...get(y), ...get(H), op.i32GeU], [
      ...i32(0), ...set(j),
      ...whileNot([...get(j), ...get(nB), op.i32GeU], block),
      ...addTo(y, 1),
    ]),
    ...get(xc), ...get(plane), op.i32Add, ...set(xc),
    ...get(oc), ...get(plane), op.i32Add, ...set(oc),
    ...addTo(wts, 36), ...addTo(bias, 4), ...addTo(c, 1),
  ];
  const code = [
    ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
    ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...get(W), ...i32(2), op.i32Shl, ...set(rowB),
    ...get(rowB), ...get(H), op.i32Mul, ...set(plane),
    ...get(W), ...i32(3), op.i32Add, ...i32(2), 0x76, ...set(nB),
    ...get(x), ...set(xc), ...get(out), ...set(oc),
    ...whileNot([...get(c), ...get(C), op.i32GeU], channel),
  ];
  return body([[11, I32], [16, V128]], code);
}
