// The WebAssembly max pool of pool-wasm.ts, assembled byte by byte (wasm-asm.ts): per output row,
// the window's input rows are reduced with f32x4.max into a padded row buffer, then each output
// takes the f32.max of kw consecutive buffer entries. Both maxima give NaN when either side is NaN.
import { shuffle32 } from './conv-asm';
import { I32, F32, V128, addTo, body, get, i32, mem, moduleBytes, op, set, v, whileNot } from './wasm-asm';

const F32_MAX = 0x97;
const F32X4_MAX = [0xfd, 0xe9, 0x01];
const I32_AND = 0x71;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const SELECT = 0x1b;
const CALL = 0x10;
const ELSE = 0x05;
const I32_EQ = 0x46;

/** local a += local b (i32). */
const addLocal = (a: number, b: number): number[] => [...get(a), ...get(b), op.i32Add, ...set(a)];

/**
 * colmax(r, Wb, n, t, W): the W floats at t = max over the n rows at r, r + Wb, … (byte
 * addresses and row stride): four at a time, then the scalar rest.
 */
function colmax(): number[] {
  const [r, Wb, n, t, W] = [0, 1, 2, 3, 4];
  const [i, end, k, p] = [5, 6, 7, 8];
  const acc = 9;
  const f = 10;
  const rowsFrom = (first: number[], more: number[]): number[] => [
    ...get(r), ...get(i), op.i32Add, op.tee, p, ...first,
    ...addLocal(p, Wb),
    ...i32(1), ...set(k),
    ...whileNot([...get(k), ...get(n), op.i32GeU], [...more, ...addLocal(p, Wb), ...addTo(k, 1)]),
  ];
  const vector = whileNot([...get(i), ...get(end), op.i32GeU], [
    ...rowsFrom([...v.load, ...mem(2), ...set(acc)], [...get(acc), ...get(p), ...v.load, ...mem(2), ...F32X4_MAX, ...set(acc)]),
    ...get(t), ...get(i), op.i32Add, ...get(acc), ...v.store, ...mem(2),
    ...addTo(i, 16),
  ]);
  const scalar = whileNot([...get(i), ...get(end), op.i32GeU], [
    ...rowsFrom([op.f32Load, ...mem(2), ...set(f)], [...get(f), ...get(p), op.f32Load, ...mem(2), F32_MAX, ...set(f)]),
    ...get(t), ...get(i), op.i32Add, ...get(f), op.f32Store, ...mem(2),
    ...addTo(i, 4),
  ]);
  return body([[4, I32], [1, V128], [1, F32]], [
    ...get(W), ...i32(-4), I32_AND, ...i32(2), op.i32Shl, ...set(end),
    ...vector,
    ...get(W), ...i32(2), op.i32Shl, ...set(end),
    ...scalar,
  ]);
}

/** rowmax(t, d, OW, sxb, kw): the OW floats at d are maxima of kw floats at t, t + sxb, …. */
function rowmax(): number[] {
  const [t, d, OW, sxb, kw] = [0, 1, 2, 3, 4];
  const [end, j, q] = [5, 6, 7];
  const f = 8;
  return body([[3, I32], [1, F32]], [
    ...get(d), ...get(OW), ...i32(2), op.i32Shl, op.i32Add, ...set(end),
    ...whileNot([...get(d), ...get(end), op.i32GeU], [
      ...get(t), op.f32Load, ...mem(2), ...set(f),
      ...get(t), ...i32(4), op.i32Add, ...set(q),
      ...i32(1), ...set(j),
      ...whileNot([...get(j), ...get(kw), op.i32GeU], [...get(f), ...get(q), op.f32Load, ...mem(2), F32_MAX, ...set(f), ...addTo(q, 4), ...addTo(j, 1)]),
      ...get(d), ...get(f), op.f32Store, ...mem(2),
      ...addTo(d, 4),
      ...addLocal(t, sxb),
    ]),
  ]);
}

/**
 * rowmax32(t, d, OW): rowmax with kw = 3, stride 2, four outputs a step: the even, odd and next
 * even entries of eight (nine) buffer floats, maxed lane by lane; the OW % 4 rest by rowmax.
 */
function rowmax32(): number[] {
  const [t, d, OW] = [0, 1, 2];
  const end = 3;
  const pick = (lanes: number[], at: number): number[] => [...get(t), ...v.load, ...mem(2, at), ...get(t), ...v.load, ...mem(2, at + 16), ...shuffle32(lanes)];
  return body([[1, I32]], [
    ...get(d), ...get(OW), ...i32(-4), I32_AND, ...i32(2), op.i32Shl, op.i32Add, ...set(end),
    ...whileNot([...get(d), ...get(end), op.i32GeU], [
      ...get(d),
      ...pick([0, 2, 4, 6], 0), ...pick([1, 3, 5, 7], 0), ...F32X4_MAX, ...pick([0, 2, 4, 6], 8), ...F32X4_MAX,
      ...v.store, ...mem(2),
      ...addTo(d, 16), ...addTo(t, 32),
    ]),
    ...get(t), ...get(d), ...get(OW), ...i32(3), I32_AND, ...i32(8), ...i32(3), CALL, 1,
  ]);
}

/**
 * pool(src, dst, t, tIn, planes, H, W, OH, OW, kh, sy, pt, kw, sx): max pool of `planes` planes
 * H×W at src into dst (OH×OW each); t is the row buffer with its left padding, tIn = t + 4·pl.
 */
function pool(): number[] {
  const [src, dst, t, tIn, planes, H, W, OH, OW, kh, sy, pt, kw, sx] = Array.from({ length: 14 }, (_, k) => k);
  const [c, oy, s, y0, y1, Wb, plane, OWb, fast] = [14, 15, 16, 17, 18, 19, 20, 21, 22];
  const row = [
    // y0 = max(s, 0), y1 = min(s + kh, H)
    ...get(s), ...i32(0), ...get(s), ...i32(0), I32_GT_S, SELECT, ...set(y0),
    ...get(s), ...get(kh), op.i32Add, op.tee, y1, ...get(H), ...get(y1), ...get(H), I32_LT_S, SELECT, ...set(y1),
    ...get(src), ...get(y0), ...get(Wb), op.i32Mul, op.i32Add, ...get(Wb), ...get(y1), ...get(y0), op.i32Sub, ...get(tIn), ...get(W), CALL, 0,
    ...get(fast), op.if, op.void,
    ...get(t), ...get(dst), ...get(OW), CALL, 3,
    ELSE,
    ...get(t), ...get(dst), ...get(OW), ...get(sx), ...get(kw), CALL, 1,
    op.end,
    ...addLocal(dst, OWb), ...addLocal(s, sy), ...addTo(oy, 1),
  ];
  const planeCode = [
    ...i32(0), ...set(oy),
    ...i32(0), ...get(pt), op.i32Sub, ...set(s),
    ...whileNot([...get(oy), ...get(OH), op.i32GeU], row),
    ...addLocal(src, plane), ...addTo(c, 1),
  ];
  return body([[9, I32]], [
    // kw = 3 and stride 2 (so sx = 2 before it becomes bytes): rowmax32.
    ...get(kw), ...i32(3), I32_EQ, ...get(sx), ...i32(2), I32_EQ, I32_AND, ...set(fast),
    ...get(W), ...i32(2), op.i32Shl, ...set(Wb),
    ...get(Wb), ...get(H), op.i32Mul, ...set(plane),
    ...get(OW), ...i32(2), op.i32Shl, ...set(OWb),
    ...get(sx), ...i32(2), op.i32Shl, ...set(sx),
    ...whileNot([...get(c), ...get(planes), op.i32GeU], planeCode),
  ]);
}

/** The module: colmax (0), rowmax (1), pool (2), rowmax32 (3), over an imported memory. */
export function poolModuleBytes(): Uint8Array {
  return moduleBytes([
    { name: 'colmax', params: 5, code: colmax() },
    { name: 'rowmax', params: 5, code: rowmax() },
    { name: 'pool', params: 14, code: pool() },
    { name: 'rowmax32', params: 3, code: rowmax32() },
  ]);
}
