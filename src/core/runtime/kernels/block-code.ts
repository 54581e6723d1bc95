// The block-sparse layer kernels as WebAssembly (assembled like chain-code.ts, in the same module):
// weights kept in blocks of 4V consecutive outputs × 1 input (an R×C block of the layout is C such
// column blocks), each block one u16 accumulator offset and V f32x4 weights.
import { I32, V128, addTo, body, f32Zero, get, i32, mem, op, set, v, whileNot } from './wasm-asm';

/**
 * The byte offsets 4k of the non-zero x[k] (k from 0 to K4 step 4), listed without branching at
 * list; leaves the list's end in local lp. Locals used: lp, k.
 */
export function gatherNonZero(x: number, K4: number, list: number, lp: number, k: number): number[] {
  return [
    ...get(list), ...set(lp),
    ...i32(0), ...set(k),
    ...whileNot([...get(k), ...get(K4), op.i32GeU], [
      ...get(lp), ...get(k), op.i32Store, ...mem(2),
      ...get(lp),
      ...get(x), ...get(k), op.i32Add, op.f32Load, ...mem(2), ...f32Zero, op.f32Ne, ...i32(2), op.i32Shl,
      op.i32Add, ...set(lp),
      ...addTo(k, 4),
    ]),
  ];
}

/** Widths of the block kernels, in f32x4 registers per run (runs of 4, 8, 16 outputs). */
export const BLOCK_WIDTHS: readonly number[] = [1, 2, 4];

/** log2 of the weight bytes per u16 index byte: 16V bytes of weights per 2-byte index. */
export const blockShift = (V: number): number => Math.log2(8 * V);

/**
 * bcsc<V>(x, K4, cols, acc, delta, list): one input row, column blocks of 4V outputs. For each
 * non-zero x[k] (listed first, as csc6 does), for each block b in cols[k] .. cols[k+1] (byte
 * addresses of u16 entries, each column padded to an even count): acc[ix[b] ..+16V] += x[k] · w[b]
 * (f32x4), the weights of entry at ip at (ip << blockShift(V)) + delta. Unrolled by 2.
 */
export function bcsc(V: number): number[] {
  const [x, K4, c, acc, delta, list, a, ip, end, vp, q, lp, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const regs = Array.from({ length: V }, (_, i) => i);
  const one = (e: number): number[] => [
    ...get(ip), op.i32Load16u, ...mem(1, 2 * e), ...get(acc), op.i32Add, ...set(q),
    ...regs.flatMap((i) => [
      ...get(q),
      ...get(q), ...v.load, ...mem(4, 16 * i),
      ...get(a), ...get(vp), ...v.load, ...mem(4, 16 * (V * e + i)), ...v.f32x4Mul,
      ...v.f32x4Add, ...v.store, ...mem(4, 16 * i),
    ]),
  ];
  const scatter = whileNot([...get(list), ...get(lp), op.i32GeU], [
    ...get(list), op.i32Load, ...mem(2), ...set(k),
    ...get(x), ...get(k), op.i32Add, ...v.load32Splat, ...mem(2), ...set(a),
    ...get(c), ...get(k), op.i32Add, op.i32Load, ...mem(2), op.tee, ip, ...i32(blockShift(V)), op.i32Shl, ...get(delta), op.i32Add, ...set(vp),
    ...get(c), ...get(k), op.i32Add, op.i32Load, ...mem(2, 4), ...set(end),
    ...whileNot([...get(ip), ...get(end), op.i32GeU], [...one(0), ...one(1), ...addTo(ip, 4), ...addTo(vp, 32 * V)]),
    ...addTo(list, 4),
  ]);
  return body([[1, V128], [6, I32]], [...gatherNonZero(x, K4, list, 11, 12), ...scatter]);
}
