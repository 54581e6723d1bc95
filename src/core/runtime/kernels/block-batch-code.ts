// The batched block-sparse layer kernel as WebAssembly (assembled like chain-code.ts, in the same
// module): inputs feature-major as in chain.ts's batched program (rows of `rowBytes`, one float
// per sample), weights in R×C blocks (R consecutive outputs × C consecutive inputs). Per kept block
// the C input rows of S = 4·S4 samples are loaded once and serve all R outputs, whose R × S4 f32x4
// accumulators stay in registers; one u32 index per block, not per weight.
import { I32, V128, addTo, body, mem, op, sleb, v, whileNot } from './wasm-asm';

const get = (l: number): number[] => [op.get, l];
const set = (l: number): number[] => [op.set, l];

/** Bytes of one block entry: the u32 byte address of its first input row, then R·C f32 weights ([c][r]). */
export const blockEntryBytes = (R: number, C: number): number => 4 + 4 * R * C;

/** Exported name of the kernel for R×C blocks over S4 f32x4 of samples. */
export const bbatchName = (R: number, C: number, S4: number): string => `bbatch${R}x${C}s${S4}`;

/**
 * bbatch<R,C,S4>(g, gEnd, out, bias, relu): for each group of R outputs (g: u32 byte addresses
 * of the group's first entry, g+4 its end), for each pass xOff = 0, 16·S4 … < rowBytes: acc[r] =
 * bias[r] + Σ over its entries Σc w[c][r] · (S floats at e.addr + xOff + c·rowBytes); ReLU if
 * relu ≠ 0; stored at out + xOff + r·rowBytes (out advances R·rowBytes per group, bias 4R bytes).
 */
export function bbatch(R: number, C: number, S4: number, rowBytes: number): number[] {
  const [g, gEnd, out, bias, rl, xOff, e, end, q] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const w = 9;
  const xr = (s: number): number => 10 + s;
  const acc = (r: number, s: number): number => 10 + S4 + r * S4 + s;
  const rs = Array.from({ length: R }, (_, i) => i);
  const ss = Array.from({ length: S4 }, (_, i) => i);
  const cs = Array.from({ length: C }, (_, i) => i);
  const entry = [
    ...get(e), op.i32Load, ...mem(2), ...get(xOff), op.i32Add, ...set(q),
    ...cs.flatMap((c) => [
      ...ss.flatMap((s) => [...get(q), ...v.load, ...mem(4, c * rowBytes + 16 * s), ...set(xr(s))]),
      ...rs.flatMap((r) => [
        ...get(e), ...v.load32Splat, ...mem(2, 4 + 4 * (c * R + r)), ...set(w),
        ...ss.flatMap((s) => [...get(acc(r, s)), ...get(xr(s)), ...get(w), ...v.f32x4Mul, ...v.f32x4Add, ...set(acc(r, s))]),
      ]),
    ]),
    ...addTo(e, blockEntryBytes(R, C)),
  ];
  // The passes over the samples (xOff = 0, 16·S4, …) run inside each group: the group's entries
  // stay in L1 across them, so the weights stream from memory once per rowBytes of samples.
  const pass = [
    ...rs.flatMap((r) => [...get(bias), ...v.load32Splat, ...mem(2, 4 * r), ...set(w), ...ss.flatMap((s) => [...get(w), ...set(acc(r, s))])]),
    ...get(g), op.i32Load, ...mem(2), ...set(e),
    ...whileNot([...get(e), ...get(end), op.i32GeU], entry),
    ...get(rl), op.if, op.void,
    ...rs.flatMap((r) => ss.flatMap((s) => [...v.zero, ...get(acc(r, s)), ...v.f32x4Pmax, ...set(acc(r, s))])),
    op.end,
    ...get(out), ...get(xOff), op.i32Add, ...set(q),
    ...rs.flatMap((r) => ss.flatMap((s) => [...get(q), ...get(acc(r, s)), ...v.store, ...mem(4, r * rowBytes + 16 * s)])),
    ...addTo(xOff, 16 * S4),
  ];
  const code = whileNot([...get(g), ...get(gEnd), op.i32GeU], [
    ...get(g), op.i32Load, ...mem(2, 4), ...set(end),
    op.i32Const, 0, ...set(xOff),
    ...whileNot([...get(xOff), op.i32Const, ...sleb(rowBytes), op.i32GeU], pass),
    ...addTo(out, R * rowBytes), ...addTo(g, 4), ...addTo(bias, 4 * R),
  ]);
  return body([[4, I32], [1 + S4 + R * S4, V128]], code);
}
