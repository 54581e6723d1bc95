// The WebAssembly kernels of Winograd F(2×2, 3×3) (Lavin & Gray 2016, "Fast algorithms for
// convolutional neural networks") for winograd-run.ts: the input transform V = Bᵀ d B of every 4×4
// tile, the 16 channel products M_ξ = U_ξ · V_ξ (rows4 of conv-code.ts, called in a loop), and the
// output transform Y = Aᵀ M A with bias and activation. Four horizontally adjacent tiles share each
// SIMD vector: the zero-padded input is stored as its even and its odd columns, so the columns
// 2t, 2t+1, 2t+2, 2t+3 of tiles t..t+3 are four contiguous loads.
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   Aᵀ = [1 1 1 0; 0 1 -1 -1]
import { activate, call, f32x4Sub, get, i32, set, shuffle32 } from './conv-asm';
import { I32, V128, addTo, body, mem, op, v, whileNot } from './wasm-asm';

const ADD = v.f32x4Add;
const SUB = f32x4Sub;

/** Bᵀ row i applied to x0..x3 (locals): x0-x2, x1+x2, x2-x1, x1-x3, left on the stack. */
const bRow = (i: number, x: number[]): number[] => {
  const [a, b, o] = [[x[0], x[2], SUB], [x[1], x[2], ADD], [x[2], x[1], SUB], [x[1], x[3], SUB]][i] as [number, number, number[]];
  return [...get(a), ...get(b), ...o];
};

/**
 * wgIn(src, odd, dst, C, TY, nb, rowB, chanB, txB, ciB, xiB): for each channel c (src and odd
 * advancing chanB: its even-column and odd-column planes, rows rowB bytes apart), tile row ty < TY
 * and block of four tiles b < nb: the 16 values V_ξ (ξ = 4i + j) of the tiles' Bᵀ d B, stored at
 * dst + c·ciB + ty·txB + 16b + ξ·xiB. A last block past the tile row writes into the next row's
 * first tiles (written again after) or past the end (the caller leaves room).
 */
export function wgIn(): number[] {
  const [src, odd, dst, C, TY, nb, rowB, chanB, txB, ciB, xiB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [c, ty, b, p, q, d, a] = [11, 12, 13, 14, 15, 16, 17];
  // v128 locals: E rows at t and t+1, O rows at t and t+1, then the four column combinations.
  const E0 = [18, 19, 20, 21];
  const E1 = [22, 23, 24, 25];
  const O0 = [26, 27, 28, 29];
  const O1 = [30, 31, 32, 33];
  const [e0, e1, o0, o1] = [34, 35, 36, 37];
  const loads = [0, 1, 2, 3].flatMap((r) => [
    // row r: p + r·rowB
    ...get(p), ...get(rowB), ...i32(r), op.i32Mul, op.i32Add, op.tee, a, ...v.load, ...mem(0), ...set(E0[r]),
    ...get(a), ...v.load, ...mem(0, 4), ...set(E1[r]),
    ...get(q), ...get(rowB), ...i32(r), op.i32Mul, op.i32Add, op.tee, a, ...v.load, ...mem(0), ...set(O0[r]),
    ...get(a), ...v.load, ...mem(0, 4), ...set(O1[r]),
  ]);
  const store = (val: number[]): number[] => [...get(a), ...val, ...v.store, ...mem(0), ...get(a), ...get(xiB), op.i32Add, ...set(a)];
  const rowsOut = [0, 1, 2, 3].flatMap((i) => [
    ...bRow(i, E0), ...set(e0), ...bRow(i, E1), ...set(e1), ...bRow(i, O0), ...set(o0), ...bRow(i, O1), ...set(o1),
    ...store([...get(e0), ...get(e1), ...SUB]),
    ...store([...get(o0), ...get(e1), ...ADD]),
    ...store([...get(e1), ...get(o0), ...SUB]),
    ...store([...get(o0), ...get(o1), ...SUB]),
  ]);
  const block = [...loads, ...get(d), ...set(a), ...rowsOut, ...addTo(p, 16), ...addTo(q, 16), ...addTo(d, 16), ...addTo(b, 1)];
  const row = [
    ...i32(0), ...set(b),
    // p = src + c·chanB + 2·ty·rowB (q likewise from odd), d = dst + c·ciB + ty·txB
    ...get(ty), ...get(rowB), op.i32Mul, ...i32(1), op.i32Shl, ...get(c), ...get(chanB), op.i32Mul, op.i32Add, op.tee, a,
    ...get(src), op.i32Add, ...set(p),
    ...get(a), ...get(odd), op.i32Add, ...set(q),
    ...get(dst), ...get(c), ...get(ciB), op.i32Mul, op.i32Add, ...get(ty), ...get(txB), op.i32Mul, op.i32Add, ...set(d),
    ...whileNot([...get(b), ...get(nb), op.i32GeU], block),
    ...addTo(ty, 1),
  ];
  const code = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...i32(0), ...set(ty),
    ...whileNot([...get(ty), ...get(TY), op.i32GeU], row),
    ...addTo(c, 1),
  ]);
  return body([[7, I32], [20, V128]], code);
}

/**
 * wgGemm(tab, C, w, out, rowB, nb4, bias0, clamp0, xiPad, nxi, pB): for each ξ < nxi (16, or 36 for F(4×4, 3×3)) and block of four output
 * channels b < nb4, rows4(tab + ξ·C·4, … + C·4, w, out, pB, rowB, bias0, clamp0) (pB ≤ rowB: the tiles in use) with w advancing
 * C·16 bytes and out 4·rowB per call (and xiPad more per ξ): M_ξ[m][t] = Σ_c U_ξ[m][c] · V_ξ[c][t]
 * (bias0 zero, clamp0 none).
 */
export function wgGemm(rows4Index: number): number[] {
  const [tab, C, w, out, rowB, nb4, bias0, clamp0, xiPad, nxi, pB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [xi, b, te] = [11, 12, 13];
  const inner = whileNot([...get(b), ...get(nb4), op.i32GeU], [
    ...get(tab), ...get(te), ...get(w), ...get(out), ...get(pB), ...get(rowB), ...get(bias0), ...get(clamp0), ...call(rows4Index),
    ...get(w), ...get(C), ...i32(4), op.i32Shl, op.i32Add, ...set(w),
    ...get(out), ...get(rowB), ...i32(2), op.i32Shl, op.i32Add, ...set(out),
    ...addTo(b, 1),
  ]);
  const code = whileNot([...get(xi), ...get(nxi), op.i32GeU], [
    ...get(tab), ...get(C), ...i32(2), op.i32Shl, op.i32Add, ...set(te),
    ...i32(0), ...set(b),
    ...inner,
    ...get(out), ...get(xiPad), op.i32Add, ...set(out),
    ...get(te), ...set(tab),
    ...addTo(xi, 1),
  ]);
  return body([[3, I32]], code);
}

/**
 * wgOut(m, stage, bias, clamp, M, TY, nb, txB, tpB, xiB, rowB): for each output channel o < M, tile
 * row ty < TY and block of four tiles b < nb: the 2×2 outputs Aᵀ M A of the tiles (M_ξ at
 * m + ξ·xiB + o·tpB + ty·txB + 16b) plus bias[o], activated (the clamp block of activate), stored
 * interleaved as rows 2ty and 2ty+1 of the stage (rows rowB bytes apart, 8 floats per block, each
 * channel's 2·TY rows after the previous channel's, less the bytes of the i32 at clamp + 24: the
 * output's NCHW planes, see outputLoops).
 */
export function wgOut(): number[] {
  // Parameters (m, stage, bias, clamp, M, TY, nb, txB, tpB, xiB, rowB) and loop locals (o, ty) as in outputLoops.
  const [clamp, xiB, rowB] = [3, 9, 10];
  const [b, a, r, hs] = [13, 14, 15, 16];
  const mv = (xi: number): number => 17 + xi;
  const g = (row: number, j: number): number => 33 + 4 * row + j;
  const y = (row: number, col: number): number => 41 + 2 * row + col;
  const [bv, lo, hi, t] = [45, 46, 47, 48];
  const loads = Array.from({ length: 16 }, (_, xi) => [...get(a), ...v.load, ...mem(0), ...set(mv(xi)), ...get(a), ...get(xiB), op.i32Add, ...set(a)]).flat();
  // Aᵀ rows: 0 → m0 + m1 + m2, 1 → m1 - m2 - m3 (over the tile's rows i, for each column j).
  const gRows = [0, 1, 2, 3].flatMap((j) => [
    ...get(mv(j)), ...get(mv(4 + j)), ...ADD, ...get(mv(8 + j)), ...ADD, ...set(g(0, j)),
    ...get(mv(4 + j)), ...get(mv(8 + j)), ...SUB, ...get(mv(12 + j)), ...SUB, ...set(g(1, j)),
  ]);
  const yCols = [0, 1].flatMap((row) => [
    ...get(g(row, 0)), ...get(g(row, 1)), ...ADD, ...get(g(row, 2)), ...ADD, ...get(bv), ...ADD, ...set(y(row, 0)),
    ...get(g(row, 1)), ...get(g(row, 2)), ...SUB, ...get(g(row, 3)), ...SUB, ...get(bv), ...ADD, ...set(y(row, 1)),
  ]);
  const stores = [0, 1].flatMap((row) => [
    ...get(r), ...get(rowB), ...i32(row), op.i32Mul, op.i32Add, ...get(b), ...i32(5), op.i32Shl, op.i32Add, op.tee, a,
    ...get(y(row, 0)), ...get(y(row, 1)), ...shuffle32([0, 4, 1, 5]), ...v.store, ...mem(0),
    ...get(a), ...get(y(row, 0)), ...get(y(row, 1)), ...shuffle32([2, 6, 3, 7]), ...v.store, ...mem(0, 16),
  ]);
  const tile = [...loads, ...gRows, ...yCols, ...activate([y(0, 0), y(0, 1), y(1, 0), y(1, 1)], lo, hi, clamp, hs, t), ...stores];
  return outputLoops(tile, bv, lo, hi, 1, 32);
}

/**
 * The loops of wgOut and wg4Out around `tile` (one block of four tiles, its M_ξ read from a and its
 * outputs stored from r): per output channel o < M its bias splatted into `bv`, per tile row ty < TY
 * and block b < nb; the stage row r advances by 2^rowShift rows (the tile's output rows) per tile
 * row (blocks in descending order, tile rows and channels ascending: with the output rows as the stage
 * rows, a row's overrun is overwritten by a later store), and goes back by the i32 at clamp + 24 after
 * each channel (the rows past the output's, which the next channel overwrites; 0 when staged). Parameters 0–10 and locals 11–16 (o, ty, b,
 * a, r, hs) as both functions name them; `vectors`
 * V128 locals follow.
 */
const I32_EQZ = 0x45;

export function outputLoops(tile: number[], bv: number, lo: number, hi: number, rowShift: number, vectors: number): number[] {
  const [m, stage, bias, clamp, M, TY, nb, txB, tpB, rowB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10];
  const [o, ty, b, a, r, hs] = [11, 12, 13, 14, 15, 16];
  const block = [
    // a = m + o·tpB + ty·txB + 16b
    ...get(m), ...get(o), ...get(tpB), op.i32Mul, op.i32Add, ...get(ty), ...get(txB), op.i32Mul, op.i32Add,
    ...get(b), ...i32(4), op.i32Shl, op.i32Add, ...set(a),
    ...tile,
  ];
  // Blocks last first: written straight into NCHW rows (rowB = the output row), what the last block
  // writes past a row lands in the next row's first block, written after it.
  const row = [
    ...get(nb), ...set(b),
    ...whileNot([...get(b), I32_EQZ], [...addTo(b, -1), ...block]),
    ...get(r), ...get(rowB), ...i32(rowShift), op.i32Shl, op.i32Add, ...set(r),
    ...addTo(ty, 1),
  ];
  const code = [
    ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
    ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...get(stage), ...set(r),
    ...whileNot([...get(o), ...get(M), op.i32GeU], [
      ...get(bias), ...get(o), ...i32(2), op.i32Shl, op.i32Add, ...v.load32Splat, ...mem(2), ...set(bv),
      ...i32(0), ...set(ty),
      ...whileNot([...get(ty), ...get(TY), op.i32GeU], row),
      // The next channel starts the clamp block's i32 at byte 24 back (tile rows past the output's).
      ...get(r), ...get(clamp), op.i32Load, ...mem(2, 24), op.i32Sub, ...set(r),
      ...addTo(o, 1),
    ]),
  ];
  return body([[6, I32], [vectors, V128]], code);
}
