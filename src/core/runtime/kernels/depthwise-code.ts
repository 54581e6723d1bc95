// The WebAssembly kernels of depthwise-run.ts: a depthwise 3×3 convolution, stride 1 or 2, padding
// 1 before, read straight from the NCHW input (no padded planes): each output row of four-float
// blocks sums three taps of up to three input rows, the left and right neighbours masked where
// they fall outside the row (the padding).
import { activate, get, i32, set, shuffle32 } from './conv-asm';
import { I32, V128, addTo, body, madd, mem, op, v, whileNot } from './wasm-asm';

const I32_GT_U = 0x4b;
const I32_SUB = 0x6b;
const I32_EQZ = 0x45;
const AND = [0xfd, 0x4e];

/**
 * dw3 / dw3s2 (stride 1 / 2) (x, out, C, H, W, OH, OW, wts, bias, clamp, masks): for each channel c
 * (input x + c·H·W·4, output out + c·OH·OW·4, weights wts + 36c: its 3×3 kernel, bias[c]), each
 * output row y < OH and each block j of eight output columns (two vectors): bias + Σ taps over
 * input rows stride·y − 1 … + 1 (those inside), activated (the clamp block of activate), stored.
 * masks: per block four v128 (64j bytes on), per half the lanes whose left and whose right input
 * neighbour are in the row. A block past the row end writes garbage into the next row (written
 * after) or past the last plane (the caller leaves 64 bytes); loads read up to 8 bytes before and
 * 64 past the input.
 * Stride 1 computes two output rows per step (each input row loaded once for both), a last odd one alone.
 * Stride 2: the input columns 2x − 1, 2x, 2x + 1 of four outputs are the odd lanes of two loads
 * from 2x₀ − 2, and the even and the odd lanes of two loads from 2x₀.
 */
export function dw3(fused: boolean, stride: 1 | 2): number[] {
  const [x, out, C, H, W, OH, OW, wts, bias, clamp, masks] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [c, y, j, nB, xc, oc, rowB, p, hs, plane, q, orowB, oplane] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const w = (k: number): number => 24 + k;
  const [bv, lo, hi, t] = [33, 34, 35, 36];
  const acc = (h: number): number => 37 + h;
  const lm = (h: number): number => 39 + 2 * h;
  const rm = (h: number): number => 40 + 2 * h;
  const H2 = [0, 1];
  const load = (off: number): number[] => [...get(p), ...i32(off), op.i32Add, ...v.load, ...mem(0)];
  const lanes = (off: number, odd: number): number[] => [...load(off), ...load(off + 16), ...shuffle32([odd, odd + 2, odd + 4, odd + 6])];
  // The input columns of the left, middle and right taps of half h of the block, from the row at p.
  const taps = (h: number): number[][] => stride === 1 ? [load(16 * h - 4), load(16 * h), load(16 * h + 4)] : [lanes(32 * h - 8, 1), lanes(32 * h, 0), lanes(32 * h, 1)];
  // acc(h) += the three taps of the input row at p (left masked by lm(h), right by rm(h)).
  const row = (ky: number): number[] => H2.flatMap((h) => {
    const [l, m, r] = taps(h);
    return [
      ...madd(fused, acc(h), [...l, ...get(lm(h)), ...AND], get(w(3 * ky))),
      ...madd(fused, acc(h), m, get(w(3 * ky + 1))),
      ...madd(fused, acc(h), [...r, ...get(rm(h)), ...AND], get(w(3 * ky + 2))),
    ];
  });
  // Stride 1, two output rows y and y + 1 at once: the input row at p loaded once for both, into
  // `into` (accumulator base: acc or acc2, and the kernel row it is for each).
  const acc2 = (h: number): number => 43 + h;
  const [tl, tm, tr] = [45, 46, 47];
  const shared = (into: [(h: number) => number, number][]): number[] => H2.flatMap((h) => {
    const [l, m, r] = taps(h);
    return [
      ...l, ...get(lm(h)), ...AND, ...set(tl), ...m, ...set(tm), ...r, ...get(rm(h)), ...AND, ...set(tr),
      ...into.flatMap(([a, ky]) => [
        ...madd(fused, a(h), get(tl), get(w(3 * ky))),
        ...madd(fused, a(h), get(tm), get(w(3 * ky + 1))),
        ...madd(fused, a(h), get(tr), get(w(3 * ky + 2))),
      ]),
    ];
  });
  const masksOf = [
    // the block's masks: masks + 64j
    ...get(masks), ...get(j), ...i32(6), op.i32Shl, op.i32Add, ...set(q),
    ...H2.flatMap((h) => [...get(q), ...v.load, ...mem(4, 32 * h), ...set(lm(h)), ...get(q), ...v.load, ...mem(4, 32 * h + 16), ...set(rm(h))]),
  ];
  const store = (accOf: (h: number) => number, dy: number): number[] => [
    ...get(oc), ...get(y), ...i32(dy), op.i32Add, ...get(orowB), op.i32Mul, op.i32Add, ...get(j), ...i32(5), op.i32Shl, op.i32Add, op.tee, q,
    ...get(accOf(0)), ...v.store, ...mem(0),
    ...get(q), ...get(accOf(1)), ...v.store, ...mem(0, 16),
  ];
  // Rows y and y + 1 (< OH = H): input rows y − 1 (when y > 0), y, y + 1, y + 2 (when inside).
  const block2 = [
    ...masksOf,
    ...get(bv), op.tee, acc(0), op.tee, acc(1), op.tee, acc2(0), ...set(acc2(1)),
    ...get(xc), ...get(y), ...get(rowB), op.i32Mul, op.i32Add, ...get(j), ...i32(5), op.i32Shl, op.i32Add, ...set(p),
    ...get(y), op.if, op.void,
    ...get(p), ...get(rowB), I32_SUB, ...set(p), ...row(0), ...get(p), ...get(rowB), op.i32Add, ...set(p),
    op.end,
    ...shared([[acc, 1], [acc2, 0]]),
    ...get(p), ...get(rowB), op.i32Add, ...set(p),
    ...shared([[acc, 2], [acc2, 1]]),
    ...get(H), ...get(y), ...i32(2), op.i32Add, I32_GT_U, op.if, op.void,
    ...get(p), ...get(rowB), op.i32Add, ...set(p),
    ...H2.flatMap((h) => {
      const [l, m, r] = taps(h);
      return [
        ...madd(fused, acc2(h), [...l, ...get(lm(h)), ...AND], get(w(6))),
        ...madd(fused, acc2(h), m, get(w(7))),
        ...madd(fused, acc2(h), [...r, ...get(rm(h)), ...AND], get(w(8))),
      ];
    }),
    op.end,
    ...activate([acc(0), acc(1), acc2(0), acc2(1)], lo, hi, clamp, hs, t),
    ...store(acc, 0), ...store(acc2, 1),
  ];
  const block = [
    ...masksOf,
    ...get(bv), op.tee, acc(0), ...set(acc(1)),
    // p = xc + stride·y·rowB + 32·stride·j: the middle row; the row above when y > 0, below when inside
    ...get(xc), ...get(y), ...i32(stride - 1), op.i32Shl, ...get(rowB), op.i32Mul, op.i32Add, ...get(j), ...i32(4 + stride), op.i32Shl, op.i32Add, ...set(p),
    ...row(1),
    ...get(y), op.if, op.void,
    ...get(p), ...get(rowB), I32_SUB, ...set(p), ...row(0), ...get(p), ...get(rowB), op.i32Add, ...set(p),
    op.end,
    ...get(H), ...get(y), ...i32(stride - 1), op.i32Shl, ...i32(1), op.i32Add, I32_GT_U, op.if, op.void,
    ...get(p), ...get(rowB), op.i32Add, ...set(p), ...row(2),
    op.end,
    ...activate([acc(0), acc(1)], lo, hi, clamp, hs, t),
    ...get(oc), ...get(y), ...get(orowB), op.i32Mul, op.i32Add, ...get(j), ...i32(5), op.i32Shl, op.i32Add, op.tee, q,
    ...get(acc(0)), ...v.store, ...mem(0),
    ...get(q), ...get(acc(1)), ...v.store, ...mem(0, 16),
    ...addTo(j, 1),
  ];
  const channel = [
    ...Array.from({ length: 9 }, (_, k) => [...get(wts), ...v.load32Splat, ...mem(2, 4 * k), ...set(w(k))]).flat(),
    ...get(bias), ...v.load32Splat, ...mem(2), ...set(bv),
    ...i32(0), ...set(y),
    ...(stride === 1 ? whileNot([...get(y), ...i32(1), op.i32Add, ...get(OH), op.i32GeU], [
      // Blocks last first: what row y's last block writes past the row lands in row y + 1's first block.
      ...get(nB), ...set(j),
      ...whileNot([...get(j), I32_EQZ], [...addTo(j, -1), ...block2]),
      ...addTo(y, 2),
    ]) : []),
    ...whileNot([...get(y), ...get(OH), op.i32GeU], [
      ...i32(0), ...set(j),
      ...whileNot([...get(j), ...get(nB), op.i32GeU], block),
      ...addTo(y, 1),
    ]),
    ...get(xc), ...get(plane), op.i32Add, ...set(xc),
    ...get(oc), ...get(oplane), op.i32Add, ...set(oc),
    ...addTo(wts, 36), ...addTo(bias, 4), ...addTo(c, 1),
  ];
  const code = [
    ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
    ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...get(W), ...i32(2), op.i32Shl, ...set(rowB),
    ...get(rowB), ...get(H), op.i32Mul, ...set(plane),
    ...get(OW), ...i32(2), op.i32Shl, ...set(orowB),
    ...get(orowB), ...get(OH), op.i32Mul, ...set(oplane),
    ...get(OW), ...i32(7), op.i32Add, ...i32(3), 0x76, ...set(nB),
    ...get(x), ...set(xc), ...get(out), ...set(oc),
    ...whileNot([...get(c), ...get(C), op.i32GeU], channel),
  ];
  return body([[13, I32], [24, V128]], code);
}
