// The many-row MatMul kernels (matmul-rows.ts) as WebAssembly, assembled with wasm-asm.ts: a dense
// register-blocked GEMM and a row-group packer. Pointers are absolute byte addresses in the
// imported memory.
import { I32, V128, addTo, body, get, i32, mem, moduleBytes, op as asm, set, v, whileNot } from './wasm-asm';

/** wasm-asm.ts's opcodes and i32.eqz (0x45). */
const op = { ...asm, i32Eqz: 0x45 } as const;

/** Rows per register block of the GEMM (each row holds GEMM_COLS / 4 f32x4 accumulators). */
export const GEMM_ROWS = 4;
/** Output columns per weight panel: two f32x4 registers. */
export const GEMM_COLS = 8;

/**
 * pack(src, K, dst, groups): row groups of GEMM_ROWS rows (row-major, K floats per row) into
 * k-major groups: dst[g][k][r] = src[g·R + r][k].
 */
function pack(): number[] {
  const R = GEMM_ROWS;
  const [src, K, dst, groups, s, k, d, q, st] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // One k of one group: R scalar copies from R rows (stride K·4) into R consecutive floats.
  const copies = Array.from({ length: R }, (_, r) => [
    ...get(d), ...get(q), op.f32Load, ...mem(2), op.f32Store, ...mem(2, 4 * r),
    ...(r < R - 1 ? [...get(q), ...get(st), op.i32Add, ...set(q)] : []),
  ]).flat();
  const inner = whileNot([...get(k), ...get(K), op.i32GeU], [...get(s), ...set(q), ...copies, ...addTo(s, 4), ...addTo(d, 4 * R), ...addTo(k, 1)]);
  const code = whileNot([...get(groups), op.i32Eqz], [
    ...i32(0), ...set(k),
    ...inner,
    // s advanced by K floats; the next group starts R rows after this one's start.
    ...get(s), ...get(st), ...i32(R - 1), op.i32Mul, op.i32Add, ...set(s),
    ...get(groups), ...i32(1), op.i32Sub, ...set(groups),
  ]);
  return body([[5, I32]], [...get(src), ...set(s), ...get(dst), ...set(d), ...get(K), ...i32(2), op.i32Shl, ...set(st), ...code]);
}

/**
 * gemm(x, xEnd, K, w, wEnd, y, yStride, bias, relu): x holds k-major row groups (pack), w the
 * weights in panels of GEMM_COLS outputs ([K][8] floats each), bias GEMM_COLS floats per panel.
 * For each panel, for each group of R rows: acc = bias + Σ_k x[r][k] · w[k][0..8] in 2R f32x4
 * registers, ReLU if relu ≠ 0, stored at y (row r at y + r·yStride, the panel's columns at +32·p).
 */
function gemm(): number[] {
  const R = GEMM_ROWS;
  const [x, xEnd, K, w, wEnd, y, yStride, bias, relu] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [xg, yg, wp, xp, xe, yr, gBytes] = [9, 10, 11, 12, 13, 14, 15];
  const acc = (r: number, c: number): number => 16 + 2 * r + c;
  const [w0, w1, s] = [16 + 2 * R, 17 + 2 * R, 18 + 2 * R];
  const rows = Array.from({ length: R }, (_, r) => r);
  const step = [
    ...get(wp), ...v.load, ...mem(4), ...set(w0),
    ...get(wp), ...v.load, ...mem(4, 16), ...set(w1),
    ...rows.flatMap((r) => [
      ...get(xp), ...v.load32Splat, ...mem(2, 4 * r), ...set(s),
      ...get(acc(r, 0)), ...get(s), ...get(w0), ...v.f32x4Mul, ...v.f32x4Add, ...set(acc(r, 0)),
      ...get(acc(r, 1)), ...get(s), ...get(w1), ...v.f32x4Mul, ...v.f32x4Add, ...set(acc(r, 1)),
    ]),
    ...addTo(xp, 4 * R), ...addTo(wp, 4 * GEMM_COLS),
  ];
  const group = [
    ...get(bias), ...v.load, ...mem(4), ...set(w0),
    ...get(bias), ...v.load, ...mem(4, 16), ...set(w1),
    ...rows.flatMap((r) => [...get(w0), ...set(acc(r, 0)), ...get(w1), ...set(acc(r, 1))]),
    ...get(w), ...set(wp),
    ...get(xg), ...set(xp),
    ...get(xg), ...get(gBytes), op.i32Add, ...set(xe),
    ...whileNot([...get(xp), ...get(xe), op.i32GeU], step),
    ...get(relu), op.if, op.void,
    ...rows.flatMap((r) => [0, 1].flatMap((c) => [...v.zero, ...get(acc(r, c)), ...v.f32x4Pmax, ...set(acc(r, c))])),
    op.end,
    ...get(yg), ...set(yr),
    ...rows.flatMap((r) => [
      ...get(yr), ...get(acc(r, 0)), ...v.store, ...mem(4),
      ...get(yr), ...get(acc(r, 1)), ...v.store, ...mem(4, 16),
      ...get(yr), ...get(yStride), op.i32Add, ...set(yr),
    ]),
    ...get(xe), ...set(xg),
    ...get(yr), ...set(yg),
  ];
  const panel = [
    ...get(x), ...set(xg),
    ...get(y), ...set(yg),
    ...whileNot([...get(xg), ...get(xEnd), op.i32GeU], group),
    // The next panel: K · 8 floats on.
    ...get(w), ...get(K), ...i32(5), op.i32Shl, op.i32Add, ...set(w),
    ...addTo(bias, 4 * GEMM_COLS), ...addTo(y, 4 * GEMM_COLS),
  ];
  const code = [
    ...get(K), ...i32(2), op.i32Shl, ...i32(R), op.i32Mul, ...set(gBytes),
    ...whileNot([...get(w), ...get(wEnd), op.i32GeU], panel),
  ];
  return body([[7, I32], [2 * R + 3, V128]], code);
}

/** The module: pack, gemm. */
export function matmulModuleBytes(): Uint8Array {
  return moduleBytes([
    { name: 'pack', params: 4, code: pack() },
    { name: 'gemm', params: 9, code: gemm() },
  ]);
}
