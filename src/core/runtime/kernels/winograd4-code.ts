// The WebAssembly transforms of Winograd F(4×4, 3×3) (Lavin & Gray 2016) for winograd-run.ts: 6×6
// input tiles at stride 4, 36 channel products (wgGemm of winograd-code.ts), 4×4 output tiles. The
// zero-padded input is stored per row as its four column phases (column 4q + p at phase p, index
// q), so the six columns 4t … 4t+5 of four adjacent tiles t are six contiguous loads.
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
import { activate, f32x4Sub, get, i32, set, shuffle32 } from './conv-asm';
import { I32, V128, addTo, body, mem, op, v, whileNot } from './wasm-asm';
import { outputLoops } from './winograd-code';

const I32_EQZ = 0x45;
const I32_SHR_U = 0x76;

export const BT4 = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]];
export const AT4 = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]];

/** v128.const of four equal f32 lanes. */
function splat(c: number): number[] {
  const b = new Uint8Array(Float32Array.of(c, c, c, c).buffer);
  return [0xfd, 0x0c, ...b];
}

/** Σ coef[k] · x[k] (locals) on the stack: additions for ±1, a multiply by a constant otherwise. */
function combo(coef: number[], x: number[]): number[] {
  const out: number[] = [];
  let first = true;
  coef.forEach((c, k) => {
    if (c === 0) return;
    const term = Math.abs(c) === 1 ? get(x[k]) : [...get(x[k]), ...splat(Math.abs(c)), ...v.f32x4Mul];
    if (first) out.push(...(c < 0 ? [...v.zero, ...term, ...f32x4Sub] : term));
    else out.push(...term, ...(c < 0 ? f32x4Sub : v.f32x4Add));
    first = false;
  });
  return first ? [...v.zero] : out;
}

/**
 * wg4In(src, dst, tmp, C, TY, nb, rowB, chanB, txB, ciB, xiB, segB): for each channel c (src
 * advancing chanB; padded rows rowB bytes apart, each four phase segments segB bytes apart) and tile
 * row ty < TY: the six rows Bᵀ d (over padded rows 4ty … 4ty+5, whole rows) into tmp, then for each
 * block of four tiles b < nb the 36 values V_ξ (ξ = 6i + j) stored at dst + c·ciB + ty·txB + 16b +
 * ξ·xiB (a last block past the tile row writes where the next row or the end leaves room).
 */
export function wg4In(): number[] {
  const [src, dst, tmp, C, TY, nb, rowB, chanB, txB, ciB, xiB, segB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [c, ty, b, k, p, d, a, i] = [12, 13, 14, 15, 16, 17, 18, 19];
  const X = [20, 21, 22, 23, 24, 25];
  const R6 = [0, 1, 2, 3, 4, 5];
  // Vertical: tmp[i][k] = Σ_r Bᵀ[i][r] · row(4ty + r)[k], 16 bytes at a time over the padded row.
  const vertical = whileNot([...get(k), ...get(rowB), op.i32GeU], [
    ...R6.flatMap((r) => [...get(p), ...get(rowB), ...i32(r), op.i32Mul, op.i32Add, ...get(k), op.i32Add, ...v.load, ...mem(0), ...set(X[r])]),
    ...R6.flatMap((r) => [...get(tmp), ...get(rowB), ...i32(r), op.i32Mul, op.i32Add, ...get(k), op.i32Add, ...combo(BT4[r], X), ...v.store, ...mem(0)]),
    ...addTo(k, 16),
  ]);
  // Horizontal: for row i of tmp and tiles 4b … 4b+3: columns phase 0..3 at q, phase 0..1 at q+1.
  const load = (n: number, seg: number, plus: number): number[] => [
    ...get(a), ...(seg ? [...get(segB), ...i32(seg), op.i32Mul, op.i32Add] : []), ...v.load, ...mem(0, plus), ...set(X[n]),
  ];
  const block = [
    ...get(tmp), ...get(i), ...get(rowB), op.i32Mul, op.i32Add, ...get(b), ...i32(4), op.i32Shl, op.i32Add, ...set(a),
    ...load(0, 0, 0), ...load(1, 1, 0), ...load(2, 2, 0), ...load(3, 3, 0), ...load(4, 0, 4), ...load(5, 1, 4),
    // a := dst address of ξ = 6i
    ...get(d), ...get(b), ...i32(4), op.i32Shl, op.i32Add, ...get(i), ...i32(6), op.i32Mul, ...get(xiB), op.i32Mul, op.i32Add, ...set(a),
    ...R6.flatMap((j) => [...get(a), ...combo(BT4[j], X), ...v.store, ...mem(0), ...get(a), ...get(xiB), op.i32Add, ...set(a)]),
    ...addTo(b, 1),
  ];
  const horizontal = whileNot([...get(i), ...i32(6), op.i32GeU], [
    ...i32(0), ...set(b),
    ...whileNot([...get(b), ...get(nb), op.i32GeU], block),
    ...addTo(i, 1),
  ]);
  const row = [
    // p = src + c·chanB + 4·ty·rowB; d = dst + c·ciB + ty·txB
    ...get(src), ...get(c), ...get(chanB), op.i32Mul, op.i32Add, ...get(ty), ...get(rowB), op.i32Mul, ...i32(2), op.i32Shl, op.i32Add, ...set(p),
    ...get(dst), ...get(c), ...get(ciB), op.i32Mul, op.i32Add, ...get(ty), ...get(txB), op.i32Mul, op.i32Add, ...set(d),
    ...i32(0), ...set(k), ...vertical,
    ...i32(0), ...set(i), ...horizontal,
    ...addTo(ty, 1),
  ];
  const code = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...i32(0), ...set(ty),
    ...whileNot([...get(ty), ...get(TY), op.i32GeU], row),
    ...addTo(c, 1),
  ]);
  return body([[8, I32], [6, V128]], code);
}

/**
 * wg4Out(m, stage, bias, clamp, M, TY, nb, txB, tpB, xiB, rowB): for each output channel o < M, tile
 * row ty < TY and block of four tiles b < nb: the 4×4 outputs Aᵀ M A (M_ξ at m + ξ·xiB + o·tpB +
 * ty·txB + 16b) plus bias[o], activated (the clamp block of activate), stored as rows 4ty … 4ty+3
 * of the stage (rows rowB bytes apart, 16 floats per block; each channel's 4·TY rows after the
 * previous channel's, less the bytes of the i32 at clamp + 24: see outputLoops).
 */
export function wg4Out(): number[] {
  // Parameters (m, stage, bias, clamp, M, TY, nb, txB, tpB, xiB, rowB) and loop locals (o, ty) as in outputLoops.
  const [clamp, xiB, rowB] = [3, 9, 10];
  const [b, a, r, hs] = [13, 14, 15, 16];
  const mv = (xi: number): number => 17 + xi; // 36
  const g = (row: number, j: number): number => 53 + 6 * row + j; // 24
  const y = (row: number, col: number): number => 77 + 4 * row + col; // 16
  const [bv, lo, hi, t, s0, s1] = [93, 94, 95, 96, 97, 98];
  const R4 = [0, 1, 2, 3];
  const loads = Array.from({ length: 36 }, (_, xi) => [...get(a), ...v.load, ...mem(0), ...set(mv(xi)), ...get(a), ...get(xiB), op.i32Add, ...set(a)]).flat();
  const gRows = R4.flatMap((row) => [0, 1, 2, 3, 4, 5].flatMap((j) => [...combo(AT4[row], [0, 1, 2, 3, 4, 5].map((i) => mv(6 * i + j))), ...set(g(row, j))]));
  const yCols = R4.flatMap((row) => R4.flatMap((col) => [...combo(AT4[col], [0, 1, 2, 3, 4, 5].map((j) => g(row, j))), ...get(bv), ...v.f32x4Add, ...set(y(row, col))]));
  const ys = R4.flatMap((row) => R4.map((col) => y(row, col)));
  // Row `row`: lanes are tiles; transpose the four column vectors into four runs of 4 outputs.
  const stores = R4.flatMap((row) => {
    const [A, B, Cc, D] = R4.map((col) => y(row, col));
    const half = (lanes: number[], dst: number): number[] => [...get(A), ...get(B), ...shuffle32(lanes), ...set(dst)];
    const half2 = (lanes: number[], dst: number): number[] => [...get(Cc), ...get(D), ...shuffle32(lanes), ...set(dst)];
    const put = (off: number, lanes: number[]): number[] => [...get(a), ...get(s0), ...get(s1), ...shuffle32(lanes), ...v.store, ...mem(0, off)];
    return [
      ...get(r), ...get(rowB), ...i32(row), op.i32Mul, op.i32Add, ...get(b), ...i32(6), op.i32Shl, op.i32Add, ...set(a),
      ...half([0, 4, 1, 5], s0), ...half2([0, 4, 1, 5], s1), ...put(0, [0, 1, 4, 5]), ...put(16, [2, 3, 6, 7]),
      ...half([2, 6, 3, 7], s0), ...half2([2, 6, 3, 7], s1), ...put(32, [0, 1, 4, 5]), ...put(48, [2, 3, 6, 7]),
    ];
  });
  return outputLoops([...loads, ...gRows, ...yCols, ...activate(ys, lo, hi, clamp, hs, t), ...stores], bv, lo, hi, 2, 82);
}

/**
 * wg4Pack(x, dst, C, H, Wb, cb, line, padLb, rowB, chanB, padTb): the input of wg4In from C·H rows
 * of Wb bytes at x (channel c at dst + c·chanB, input row iy at padded row iy + padT). Per row: its
 * first cb bytes copied to line + padLb (line: one padded row of rowB bytes, zero elsewhere and never
 * written there), then the line split into its four column phases (segments of rowB/4 bytes) by 4×4
 * transposes of 16 floats: the whole padded row is written, its padding as the line's zeros. Rows
 * outside the input are never written (they stay zero). The caller checks padT + H and padL + cb/4
 * fit the padded plane.
 */
export function wg4Pack(): number[] {
  const [x, dst, C, H, Wb, cb, line, padLb, rowB, chanB, padTb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [c, iy, s, t, n, k, d, segB] = [11, 12, 13, 14, 15, 16, 17, 18];
  const [a, b, e, f, t0, t1, t2, t3] = [19, 20, 21, 22, 23, 24, 25, 26];
  const copy = [
    ...get(line), ...get(padLb), op.i32Add, ...set(t), ...get(cb), ...set(n), ...get(x), ...set(s),
    ...whileNot([...get(n), ...i32(16), op.i32LtU], [...get(t), ...get(s), ...v.load, ...mem(2), ...v.store, ...mem(2), ...addTo(s, 16), ...addTo(t, 16), ...addTo(n, -16)]),
    ...whileNot([...get(n), I32_EQZ], [...get(t), ...get(s), op.f32Load, ...mem(2), op.f32Store, ...mem(2), ...addTo(s, 4), ...addTo(t, 4), ...addTo(n, -4)]),
    ...get(x), ...get(Wb), op.i32Add, ...set(x),
  ];
  const put = (seg: number, p: number, q: number, lanes: number[]): number[] => [
    ...get(d), ...get(k), op.i32Add, ...(seg ? [...get(segB), ...i32(seg), op.i32Mul, op.i32Add] : []),
    ...get(p), ...get(q), ...shuffle32(lanes), ...v.store, ...mem(2),
  ];
  const split = whileNot([...get(k), ...get(segB), op.i32GeU], [
    ...get(line), ...get(k), ...i32(2), op.i32Shl, op.i32Add, ...set(s),
    ...get(s), ...v.load, ...mem(2), ...set(a), ...get(s), ...v.load, ...mem(2, 16), ...set(b),
    ...get(s), ...v.load, ...mem(2, 32), ...set(e), ...get(s), ...v.load, ...mem(2, 48), ...set(f),
    ...get(a), ...get(b), ...shuffle32([0, 4, 1, 5]), ...set(t0), ...get(e), ...get(f), ...shuffle32([0, 4, 1, 5]), ...set(t1),
    ...get(a), ...get(b), ...shuffle32([2, 6, 3, 7]), ...set(t2), ...get(e), ...get(f), ...shuffle32([2, 6, 3, 7]), ...set(t3),
    ...put(0, t0, t1, [0, 1, 4, 5]), ...put(1, t0, t1, [2, 3, 6, 7]), ...put(2, t2, t3, [0, 1, 4, 5]), ...put(3, t2, t3, [2, 3, 6, 7]),
    ...addTo(k, 16),
  ]);
  const code = [
    ...get(rowB), ...i32(2), I32_SHR_U, ...set(segB),
    ...whileNot([...get(c), ...get(C), op.i32GeU], [
      ...get(dst), ...get(c), ...get(chanB), op.i32Mul, op.i32Add, ...get(padTb), op.i32Add, ...set(d),
      ...i32(0), ...set(iy),
      ...whileNot([...get(iy), ...get(H), op.i32GeU], [...copy, ...i32(0), ...set(k), ...split, ...get(d), ...get(rowB), op.i32Add, ...set(d), ...addTo(iy, 1)]),
      ...addTo(c, 1),
    ]),
  ];
  return body([[8, I32], [8, V128]], code);
}
