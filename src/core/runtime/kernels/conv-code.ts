// The convolution kernels of conv-run.ts as WebAssembly (wasm-asm.ts pieces). Every pointer is an
// absolute byte address in the imported memory. The input is first packed into padded phase planes
// (one per stride phase), so every kernel tap of every output position is a contiguous row: the
// convolution becomes a product of the weights with a matrix whose rows are given by addresses.
import { activate, call, get, i32, set, shuffle32 } from './conv-asm';
import { I32, V128, addTo, body, madd, mem, moduleBytes, op, v, whileNot } from './wasm-asm';
import { dw3 } from './depthwise-code';
import { gap } from './gap-code';
import { wgGemm, wgIn, wgOut } from './winograd-code';
import { wg4In, wg4Out, wg4Pack } from './winograd4-code';

const SELECT = 0x1b;
const I32_GE_S = 0x4e;
const I32_LT_S = 0x48;
const F32_CONST0 = [0x43, 0, 0, 0, 0];
const memCopy = [0xfc, 0x0a, 0x00, 0x00];

/**
 * pack(x, map, mapEnd, dst, C, chanBytes): for each of C channels (x advancing chanBytes), for each
 * i32 s of map: *dst++ = s >= 0 ? f32 at x + s : 0.
 */
function pack(): number[] {
  const [x, map, mapEnd, dst, C, chanBytes, p, s, c] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const inner = whileNot([...get(p), ...get(mapEnd), op.i32GeU], [
    ...get(dst),
    ...get(x),
    ...get(p), op.i32Load, ...mem(2), op.tee, s, ...i32(0), ...get(s), ...i32(0), I32_GE_S, SELECT,
    op.i32Add, op.f32Load, ...mem(0),
    ...F32_CONST0, ...get(s), ...i32(0), I32_GE_S, SELECT,
    op.f32Store, ...mem(2),
    ...addTo(dst, 4), ...addTo(p, 4),
  ]);
  const code = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...get(map), ...set(p),
    ...inner,
    ...get(x), ...get(chanBytes), op.i32Add, ...set(x),
    ...addTo(c, 1),
  ]);
  return body([[3, I32]], code);
}

const I32_EQ = 0x46;
const I32_NE = 0x47;
const I32_OR = 0x72;
const I32_EQZ = 0x45;
const I32_AND = 0x71;
const I32_LE_S = 0x4c;
const ELSE = 0x05;

/**
 * packRuns(x, runs, runsEnd, dst, C, chanIn, chanOut): for each of C channels (x advancing chanIn
 * bytes, dst chanOut), for each run (4 i32: src byte offset, dst byte offset, count, src step in
 * bytes) copies count f32 from x + src (step apart) to consecutive floats at dst + dOff (step 4
 * and at least 64 floats: one memory.copy, which costs a call; step 8: four at a time from two
 * loads, which read one float past the run's last: inputs keep 16 bytes of slack). Padding is
 * never written: it stays zero from the start.
 */
function packRuns(): number[] {
  const [x, runs, runsEnd, dst, C, chanIn, chanOut, r, c, s, d, n, step] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // Contiguous runs: four floats at a time first (no overrun: padding must stay zero).
  const vector = whileNot([...get(n), ...i32(4), op.i32LtU, ...get(step), ...i32(4), I32_NE, I32_OR], [
    ...get(d), ...get(s), ...v.load, ...mem(2), ...v.store, ...mem(2),
    ...addTo(s, 16), ...addTo(d, 16), ...addTo(n, -4),
  ]);
  // Stride-2 runs (a phase of a stride-2 layer): four floats from two loads, their even lanes.
  const pairs = whileNot([...get(n), ...i32(4), op.i32LtU, ...get(step), ...i32(8), I32_NE, I32_OR], [
    ...get(d), ...get(s), ...v.load, ...mem(2), ...get(s), ...v.load, ...mem(2, 16), ...shuffle32([0, 2, 4, 6]), ...v.store, ...mem(2),
    ...addTo(s, 32), ...addTo(d, 16), ...addTo(n, -4),
  ]);
  const strided = whileNot([...get(n), I32_EQZ], [
    ...get(d), ...get(s), op.f32Load, ...mem(2), op.f32Store, ...mem(2),
    ...get(s), ...get(step), op.i32Add, ...set(s),
    ...addTo(d, 4), ...addTo(n, -1),
  ]);
  const run = [
    ...get(x), ...get(r), op.i32Load, ...mem(2), op.i32Add, ...set(s),
    ...get(dst), ...get(r), op.i32Load, ...mem(2, 4), op.i32Add, ...set(d),
    ...get(r), op.i32Load, ...mem(2, 8), ...set(n),
    ...get(r), op.i32Load, ...mem(2, 12), op.tee, step, ...i32(4), I32_EQ,
    ...get(n), ...i32(64), op.i32GeU, I32_AND,
    op.if, op.void,
    ...get(d), ...get(s), ...get(n), ...i32(2), op.i32Shl, ...memCopy,
    ELSE,
    ...vector,
    ...pairs,
    ...strided,
    op.end,
    ...addTo(r, 16),
  ];
  const code = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...get(runs), ...set(r),
    ...whileNot([...get(r), ...get(runsEnd), op.i32GeU], run),
    ...get(x), ...get(chanIn), op.i32Add, ...set(x),
    ...get(dst), ...get(chanOut), op.i32Add, ...set(dst),
    ...addTo(c, 1),
  ]);
  return body([[6, I32]], code);
}

/**
 * rows4(tab, tabEnd, w, out, Pbytes, stride, bias, clamp): four output channels sharing input rows.
 * tab: i32 row addresses (one per tap); w: [tap][4] f32; bias: 4 f32; clamp: the block of activate.
 * Pbytes a multiple of 16: a last 4-float block first when it is not one of 32, then each 8-float
 * block j below, descending: acc[r] = bias[r] + Σ_t w[t][r] · row_t[j..j+8]; activated; stored at
 * out + r·stride + j. Descending, so that with stride < Pbytes (an output written straight into
 * NCHW planes) what a channel's last block writes past its plane is overwritten by the next
 * channel's first block (same call, or the next block of four).
 * `fused`: each multiply-add is one relaxed_madd.
 */
function rows4(fused: boolean): number[] {
  const [tab, tabEnd, w, out, P, stride, bias, clamp] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [j, t, wp, a] = [8, 9, 10, 11];
  const acc = (r: number, h: number): number => 12 + 2 * r + h;
  const xs = [20, 21];
  const [ws, lo, hi, t4] = [22, 23, 24, 25];
  const hs = 26;
  const R = [0, 1, 2, 3];
  // One block of 4·halves floats at j (halves 1: the 4-float tail).
  const block = (halves: number): number[] => {
    const Hs = halves === 2 ? [0, 1] : [0];
    const tap = [
      ...get(t), op.i32Load, ...mem(2), ...get(j), op.i32Add, ...set(a),
      ...Hs.flatMap((h) => [...get(a), ...v.load, ...mem(2, 16 * h), ...set(xs[h])]),
      ...R.flatMap((r) => [
        ...get(wp), ...v.load32Splat, ...mem(2, 4 * r), ...set(ws),
        ...Hs.flatMap((h) => madd(fused, acc(r, h), get(xs[h]), get(ws))),
      ]),
      ...addTo(wp, 16), ...addTo(t, 4),
    ];
    return [
      ...R.flatMap((r) => [...get(bias), ...v.load32Splat, ...mem(2, 4 * r), ...(halves === 2 ? [op.tee, acc(r, 1)] : []), ...set(acc(r, 0))]),
      ...get(tab), ...set(t), ...get(w), ...set(wp),
      ...whileNot([...get(t), ...get(tabEnd), op.i32GeU], tap),
      ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
      ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
      ...activate(R.flatMap((r) => Hs.map((h) => acc(r, h))), lo, hi, clamp, hs, t4),
      ...R.flatMap((r) => [
        ...get(out), ...get(stride), ...i32(r), op.i32Mul, op.i32Add, ...get(j), op.i32Add, ...set(a),
        ...Hs.flatMap((h) => [...get(a), ...get(acc(r, h)), ...v.store, ...mem(2, 16 * h)]),
      ]),
    ];
  };
  const code = [
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...get(P), ...i32(16), op.i32Sub, ...set(j),
    ...get(P), ...i32(16), I32_AND, op.if, op.void, ...block(1), op.end,
    ...get(P), ...i32(-32), I32_AND, ...i32(32), op.i32Sub, ...set(j),
    ...whileNot([...get(j), ...i32(0), I32_LT_S], [...block(2), ...addTo(j, -32)]),
  ];
  return body([[4, I32], [8, V128], [6, V128], [1, I32]], code);
}

/**
 * rowsAll(tab, tabEnd, w, out, Pbytes, stride, bias, clamp, nb4, wStep, outStep): rows4 for each of
 * nb4 blocks of four output channels, w advancing wStep, out outStep and bias 16 bytes per block
 * (one call from JS per layer instead of one per block).
 */
function rowsAll(rows4Index: number): number[] {
  const [tab, tabEnd, w, out, P, stride, bias, clamp, nb4, wStep, outStep] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const b = 11;
  return body([[1, I32]], whileNot([...get(b), ...get(nb4), op.i32GeU], [
    ...get(tab), ...get(tabEnd), ...get(w), ...get(out), ...get(P), ...get(stride), ...get(bias), ...get(clamp), ...call(rows4Index),
    ...get(w), ...get(wStep), op.i32Add, ...set(w),
    ...get(out), ...get(outStep), op.i32Add, ...set(out),
    ...addTo(bias, 16), ...addTo(b, 1),
  ]));
}

/**
 * csr(rows, rowsEnd, out, Pbytes, stride, bias, clamp): one output channel per row of entries
 * (rows[m] .. rows[m+1], 8 bytes each: i32 input row address, f32 weight). For each 16-float block
 * j: acc = bias[m] + Σ_e e.w · row_e[j..j+16]; activated (see activate); stored at out + m·stride + j.
 */
function csr(fused: boolean): number[] {
  const [r, rEnd, out, P, stride, bias, clamp] = [0, 1, 2, 3, 4, 5, 6];
  const [j, e, end, a] = [7, 8, 9, 10];
  const acc = (h: number): number => 11 + h;
  const [ws, lo, hi, t4] = [15, 16, 17, 18];
  const hs = 19;
  const H = [0, 1, 2, 3];
  const entry = [
    ...get(e), op.i32Load, ...mem(2), ...get(j), op.i32Add, ...set(a),
    ...get(e), ...v.load32Splat, ...mem(2, 4), ...set(ws),
    ...H.flatMap((h) => madd(fused, acc(h), [...get(a), ...v.load, ...mem(2, 16 * h)], get(ws))),
    ...addTo(e, 8),
  ];
  const block = [
    ...get(bias), ...v.load32Splat, ...mem(2), ...set(ws),
    ...H.flatMap((h) => [...get(ws), ...set(acc(h))]),
    ...get(r), op.i32Load, ...mem(2), ...set(e),
    ...whileNot([...get(e), ...get(end), op.i32GeU], entry),
    ...activate(H.map(acc), lo, hi, clamp, hs, t4),
    ...H.flatMap((h) => [...get(out), ...get(j), op.i32Add, ...get(acc(h)), ...v.store, ...mem(2, 16 * h)]),
    ...addTo(j, 64),
  ];
  const channel = [
    ...get(r), op.i32Load, ...mem(2, 4), ...set(end),
    ...i32(0), ...set(j),
    ...whileNot([...get(j), ...get(P), op.i32GeU], block),
    ...get(out), ...get(stride), op.i32Add, ...set(out),
    ...addTo(bias, 4), ...addTo(r, 4),
  ];
  const code = [
    ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
    ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...whileNot([...get(r), ...get(rEnd), op.i32GeU], channel),
  ];
  return body([[4, I32], [4, V128], [4, V128], [1, I32]], code);
}

/**
 * compact(src, dst, chans, rows, srcRow, dstRow, srcChan): for each channel and row, copies dstRow
 * bytes from src (rows srcRow bytes apart, channels srcChan apart) to consecutive dst, 16 bytes at
 * a time: up to 12 bytes past each row are written too (the next row overwrites them; the caller
 * leaves 16 bytes of slack after dst).
 */
function compact(): number[] {
  const [src, dst, chans, rows, srcRow, dstRow, srcChan, c, y, s, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const row = whileNot([...get(y), ...get(rows), op.i32GeU], [
    ...i32(0), ...set(k),
    ...whileNot([...get(k), ...get(dstRow), op.i32GeU], [
      ...get(dst), ...get(k), op.i32Add,
      ...get(s), ...get(k), op.i32Add, ...v.load, ...mem(2),
      ...v.store, ...mem(2),
      ...addTo(k, 16),
    ]),
    ...get(dst), ...get(dstRow), op.i32Add, ...set(dst),
    ...get(s), ...get(srcRow), op.i32Add, ...set(s),
    ...addTo(y, 1),
  ]);
  const code = whileNot([...get(c), ...get(chans), op.i32GeU], [
    ...get(src), ...get(c), ...get(srcChan), op.i32Mul, op.i32Add, ...set(s),
    ...i32(0), ...set(y),
    ...row,
    ...addTo(c, 1),
  ]);
  return body([[4, I32]], code);
}

/**
 * compactAdd(src, dst, chans, rows, srcRow, dstRow, srcChan, res, clamp): compact, with the residual
 * at res (laid out as dst, 16 bytes of slack after it) added and the activation of the clamp block
 * (see activate) applied on the way; the same overrun as compact.
 */
function compactAdd(): number[] {
  const [src, dst, chans, rows, srcRow, dstRow, srcChan, res, clamp] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [c, y, s, k, hs] = [9, 10, 11, 12, 13];
  const [acc, lo, hi, t] = [14, 15, 16, 17];
  const row = whileNot([...get(y), ...get(rows), op.i32GeU], [
    ...i32(0), ...set(k),
    ...whileNot([...get(k), ...get(dstRow), op.i32GeU], [
      ...get(s), ...get(k), op.i32Add, ...v.load, ...mem(2),
      ...get(res), ...get(k), op.i32Add, ...v.load, ...mem(2), ...v.f32x4Add, ...set(acc),
      ...activate([acc], lo, hi, clamp, hs, t),
      ...get(dst), ...get(k), op.i32Add, ...get(acc), ...v.store, ...mem(2),
      ...addTo(k, 16),
    ]),
    ...get(dst), ...get(dstRow), op.i32Add, ...set(dst),
    ...get(res), ...get(dstRow), op.i32Add, ...set(res),
    ...get(s), ...get(srcRow), op.i32Add, ...set(s),
    ...addTo(y, 1),
  ]);
  const code = [
    ...get(clamp), ...v.load32Splat, ...mem(2), ...set(lo),
    ...get(clamp), ...v.load32Splat, ...mem(2, 4), ...set(hi),
    ...get(clamp), op.i32Load, ...mem(2, 8), ...set(hs),
    ...whileNot([...get(c), ...get(chans), op.i32GeU], [
      ...get(src), ...get(c), ...get(srcChan), op.i32Mul, op.i32Add, ...set(s),
      ...i32(0), ...set(y),
      ...row,
      ...addTo(c, 1),
    ]),
  ];
  return body([[5, I32], [4, V128]], code);
}

/**
 * scaleCopy(src, dst, C, chanBytes, scales): for each of C channels, dst = src · scales[c] (f32),
 * 16 bytes at a time: up to 12 bytes past each channel are written (the next channel overwrites
 * them; the caller leaves 16 bytes of slack after src and dst).
 */
function scaleCopy(): number[] {
  const [src, dst, C, chanBytes, scales, c, j, k] = [0, 1, 2, 3, 4, 5, 6, 7];
  const code = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...get(scales), ...v.load32Splat, ...mem(2), ...set(k),
    ...i32(0), ...set(j),
    ...whileNot([...get(j), ...get(chanBytes), op.i32GeU], [
      ...get(dst), ...get(j), op.i32Add,
      ...get(src), ...get(j), op.i32Add, ...v.load, ...mem(2), ...get(k), ...v.f32x4Mul,
      ...v.store, ...mem(2),
      ...addTo(j, 16),
    ]),
    ...get(src), ...get(chanBytes), op.i32Add, ...set(src),
    ...get(dst), ...get(chanBytes), op.i32Add, ...set(dst),
    ...addTo(scales, 4), ...addTo(c, 1),
  ]);
  return body([[2, I32], [1, V128]], code);
}

/** The module; `fused`: the multiply-adds of rows4 and csr are relaxed_madd (only where relaxedSimd() holds). */
/**
 * pool2(src, planes, H, W, PH, PW): the 2×2 stride-2 max pool of `planes` H×W planes at src, in
 * place (plane c's PH×PW outputs at src + (c·PH·PW)·4; every write lands below what is still to be
 * read). Four outputs per step: per row pair max(even, odd lanes) as pmax(odd, even), then
 * pmax(lower, upper): a ≥ b ? a : b as in conv-post.ts. A step past PW writes up to 12 bytes into
 * the next output row (written after); loads read up to 28 bytes past a row.
 */
function pool2(): number[] {
  const [src, planes, H, W, PH, PW] = [0, 1, 2, 3, 4, 5];
  const [c, py, n, a, d, rowB, ta, tb] = [6, 7, 8, 9, 10, 11, 12, 13];
  const pair = (off: number): number[] => [
    ...get(a), ...i32(off), op.i32Add, op.tee, ta, ...v.load, ...mem(2), ...get(ta), ...v.load, ...mem(2, 16), ...shuffle32([1, 3, 5, 7]),
    ...get(ta), ...v.load, ...mem(2), ...get(ta), ...v.load, ...mem(2, 16), ...shuffle32([0, 2, 4, 6]),
    ...v.f32x4Pmax,
  ];
  const step = [
    ...get(d),
    ...get(a), ...get(rowB), op.i32Add, op.tee, tb, ...v.load, ...mem(2), ...get(tb), ...v.load, ...mem(2, 16), ...shuffle32([1, 3, 5, 7]),
    ...get(tb), ...v.load, ...mem(2), ...get(tb), ...v.load, ...mem(2, 16), ...shuffle32([0, 2, 4, 6]),
    ...v.f32x4Pmax,
    ...pair(0),
    ...v.f32x4Pmax,
    ...v.store, ...mem(2),
    ...addTo(a, 32), ...addTo(d, 16), ...addTo(n, -4),
  ];
  const row = [
    // a = src + (c·H + 2·py)·rowB, d = src + ((c·PH + py)·PW)·4
    ...get(src), ...get(c), ...get(H), op.i32Mul, ...get(py), ...i32(1), op.i32Shl, op.i32Add, ...get(rowB), op.i32Mul, op.i32Add, ...set(a),
    ...get(src), ...get(c), ...get(PH), op.i32Mul, ...get(py), op.i32Add, ...get(PW), op.i32Mul, ...i32(2), op.i32Shl, op.i32Add, ...set(d),
    ...get(PW), ...set(n),
    ...whileNot([...get(n), ...i32(0), I32_LE_S], step),
    ...addTo(py, 1),
  ];
  const code = [
    ...get(W), ...i32(2), op.i32Shl, ...set(rowB),
    ...whileNot([...get(c), ...get(planes), op.i32GeU], [
      ...i32(0), ...set(py),
      ...whileNot([...get(py), ...get(PH), op.i32GeU], row),
      ...addTo(c, 1),
    ]),
  ];
  return body([[8, I32]], code);
}

export function convModuleBytes(fused = false): Uint8Array {
  return moduleBytes([
    { name: 'pack', params: 6, code: pack() },
    { name: 'packRuns', params: 7, code: packRuns() },
    { name: 'rows4', params: 8, code: rows4(fused) },
    { name: 'csr', params: 7, code: csr(fused) },
    { name: 'compact', params: 7, code: compact() },
    { name: 'compactAdd', params: 9, code: compactAdd() },
    { name: 'scaleCopy', params: 5, code: scaleCopy() },
    { name: 'wgIn', params: 11, code: wgIn() },
    { name: 'wgGemm', params: 11, code: wgGemm(2) },
    { name: 'wg4In', params: 12, code: wg4In() },
    { name: 'wg4Out', params: 11, code: wg4Out() },
    { name: 'wg4Pack', params: 11, code: wg4Pack() },
    { name: 'wgOut', params: 11, code: wgOut() },
    { name: 'pool2', params: 6, code: pool2() },
    { name: 'dw3', params: 11, code: dw3(fused, 1) },
    { name: 'dw3s2', params: 11, code: dw3(fused, 2) },
    { name: 'gap', params: 4, code: gap() },
    { name: 'rowsAll', params: 11, code: rowsAll(2) },
  ]);
}
