// The layer kernels of chain.ts as WebAssembly, assembled from the pieces of wasm-asm.ts. Every
// pointer is an absolute byte address in the imported memory; sparse entries are 8 bytes:
// (u32 byte address of what they touch, f32 weight), so the inner loops do no index arithmetic.
import { bbatch, bbatchName } from './block-batch-code';
import { BATCH_SHAPES } from './block-batch-plan';
import { BLOCK_WIDTHS, bcsc, gatherNonZero } from './block-code';
import { F32, I32, V128, addTo, body, f32Zero, get, i32, mem, moduleBytes, op, set, v, whileNot } from './wasm-asm';

/**
 * csc(x, xEnd, cols): one input row, weights by input feature. For each x[k] ≠ 0 (k from x to xEnd
 * step 4), for each entry e in cols[k] .. cols[k+1]: *e.addr += x[k] · e.w. Unrolled by 4.
 */
function csc(): number[] {
  const [x, xEnd, c, a, e, end, q] = [0, 1, 2, 3, 4, 5, 6];
  const one = (o: number): number[] => [
    op.get, e, op.i32Load, ...mem(2, o), op.tee, q,
    op.get, q, op.f32Load, ...mem(2),
    op.get, a, op.get, e, op.f32Load, ...mem(2, o + 4), op.f32Mul, op.f32Add,
    op.f32Store, ...mem(2),
  ];
  const column = [
    ...get(c), op.i32Load, ...mem(2), ...set(e),
    ...get(c), op.i32Load, ...mem(2, 4), ...set(end),
    ...whileNot([...get(end), ...get(e), op.i32Sub, ...i32(32), op.i32LtU], [...one(0), ...one(8), ...one(16), ...one(24), ...addTo(e, 32)]),
    ...whileNot([...get(e), ...get(end), op.i32GeU], [...one(0), ...addTo(e, 8)]),
  ];
  const code = whileNot([...get(x), ...get(xEnd), op.i32GeU], [
    ...get(x), op.f32Load, ...mem(2), op.tee, a, ...f32Zero, op.f32Ne,
    op.if, op.void, ...column, op.end,
    ...addTo(x, 4), ...addTo(c, 4),
  ]);
  return body([[1, F32], [3, I32]], code);
}

/**
 * csc6(x, K4, cols, acc, delta, list): one input row, 6-byte entries: u16 byte offsets of outputs
 * (from cols[k] .. cols[k+1], each column padded to a multiple of 4 entries) and f32 weights at
 * 2·ip + delta. First the byte offsets 4k of the non-zero x[k] are listed without branching (a
 * data-dependent branch per input mispredicts often), then each listed column is scattered in
 * steps of 4 entries: acc[offset] += x[k] · w.
 */
function csc6(): number[] {
  const [x, K4, c, acc, delta, list, a, ip, end, vp, q, lp, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const one = (i: number): number[] => [
    ...get(ip), op.i32Load16u, ...mem(1, 2 * i), ...get(acc), op.i32Add, op.tee, q,
    op.get, q, op.f32Load, ...mem(2),
    op.get, a, ...get(vp), op.f32Load, ...mem(2, 4 * i), op.f32Mul, op.f32Add,
    op.f32Store, ...mem(2),
  ];
  const gather = gatherNonZero(x, K4, list, lp, k);
  const scatter = whileNot([...get(list), ...get(lp), op.i32GeU], [
    ...get(list), op.i32Load, ...mem(2), ...set(k),
    ...get(x), ...get(k), op.i32Add, op.f32Load, ...mem(2), ...set(a),
    ...get(c), ...get(k), op.i32Add, op.i32Load, ...mem(2), op.tee, ip, ...i32(1), op.i32Shl, ...get(delta), op.i32Add, ...set(vp),
    ...get(c), ...get(k), op.i32Add, op.i32Load, ...mem(2, 4), ...set(end),
    ...whileNot([...get(ip), ...get(end), op.i32GeU], [...one(0), ...one(1), ...one(2), ...one(3), ...addTo(ip, 8), ...addTo(vp, 16)]),
    ...addTo(list, 4),
  ]);
  return body([[1, F32], [6, I32]], [...gather, ...scatter]);
}

/**
 * axpy(x, xEnd, w, rowBytes, acc): one input row, dense weights [K][N4]. For each x[k] ≠ 0:
 * acc[0 .. rowBytes) += x[k] · w[k] (f32x4).
 */
function axpy(): number[] {
  const [x, xEnd, w, rowBytes, acc, a, j] = [0, 1, 2, 3, 4, 5, 6];
  const inner = whileNot([...get(j), ...get(rowBytes), op.i32GeU], [
    ...get(acc), ...get(j), op.i32Add,
    ...get(acc), ...get(j), op.i32Add, ...v.load, ...mem(4),
    ...get(a),
    ...get(w), ...get(j), op.i32Add, ...v.load, ...mem(4),
    ...v.f32x4Mul, ...v.f32x4Add,
    ...v.store, ...mem(4),
    ...addTo(j, 16),
  ]);
  const code = whileNot([...get(x), ...get(xEnd), op.i32GeU], [
    ...get(x), op.f32Load, ...mem(2), ...f32Zero, op.f32Ne,
    op.if, op.void,
    ...get(x), ...v.load32Splat, ...mem(2), ...set(a),
    ...i32(0), ...set(j),
    ...inner,
    op.end,
    ...get(w), ...get(rowBytes), op.i32Add, ...set(w),
    ...addTo(x, 4),
  ]);
  return body([[1, V128], [1, I32]], code);
}

/** relu(p, end): p[i] = max(p[i], 0) for 16-byte groups from p to end. */
function relu(): number[] {
  const [p, end] = [0, 1];
  const code = whileNot([...get(p), ...get(end), op.i32GeU], [
    ...get(p), ...v.zero, ...get(p), ...v.load, ...mem(4), ...v.f32x4Pmax, ...v.store, ...mem(4),
    ...addTo(p, 16),
  ]);
  return body([], code);
}

/**
 * csr<V>(rows, rowsEnd, out, bias, relu): a block of 4V samples, inputs feature-major ([K][4V]).
 * For each output j (rows[j] .. rows[j+1] entries): acc = bias[j] + Σ e.w · (4V floats at e.addr),
 * in V f32x4 registers; ReLU if relu ≠ 0; stored at out (16V bytes per output).
 */
function csr(V: number): number[] {
  const [r, rEnd, out, bias, rl, e, end, q, w] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const acc = (i: number): number => 9 + i;
  const accs = Array.from({ length: V }, (_, i) => i);
  const entry = [
    ...get(e), op.i32Load, ...mem(2), ...set(q),
    ...get(e), ...v.load32Splat, ...mem(2, 4), ...set(w),
    ...accs.flatMap((i) => [...get(acc(i)), ...get(q), ...v.load, ...mem(4, 16 * i), ...get(w), ...v.f32x4Mul, ...v.f32x4Add, ...set(acc(i))]),
    ...addTo(e, 8),
  ];
  const code = whileNot([...get(r), ...get(rEnd), op.i32GeU], [
    ...get(bias), ...v.load32Splat, ...mem(2), ...set(w),
    ...accs.flatMap((i) => [...get(w), ...set(acc(i))]),
    ...get(r), op.i32Load, ...mem(2), ...set(e),
    ...get(r), op.i32Load, ...mem(2, 4), ...set(end),
    ...whileNot([...get(e), ...get(end), op.i32GeU], entry),
    ...get(rl), op.if, op.void,
    ...accs.flatMap((i) => [...v.zero, ...get(acc(i)), ...v.f32x4Pmax, ...set(acc(i))]),
    op.end,
    ...accs.flatMap((i) => [...get(out), ...get(acc(i)), ...v.store, ...mem(4, 16 * i)]),
    ...addTo(out, 16 * V), ...addTo(r, 4), ...addTo(bias, 4),
  ]);
  return body([[3, I32], [1 + V, V128]], code);
}

/**
 * cscBlock<V>(x, xEnd, cols): a block of 4V samples, inputs feature-major, weights by input feature.
 * For each input row x[k] (16V bytes) with any sample ≠ 0, held in V registers: for each entry e in
 * cols[k] .. cols[k+1]: the 4V floats at e.addr += x[k] · e.w. Accumulators live in memory.
 */
function cscBlock(V: number): number[] {
  const [x, xEnd, c, e, end, q, w] = [0, 1, 2, 3, 4, 5, 6];
  const xr = (i: number): number => 7 + i;
  const regs = Array.from({ length: V }, (_, i) => i);
  const entry = [
    ...get(e), op.i32Load, ...mem(2), ...set(q),
    ...get(e), ...v.load32Splat, ...mem(2, 4), ...set(w),
    ...regs.flatMap((i) => [
      ...get(q), ...get(q), ...v.load, ...mem(4, 16 * i), ...get(xr(i)), ...get(w), ...v.f32x4Mul, ...v.f32x4Add, ...v.store, ...mem(4, 16 * i),
    ]),
    ...addTo(e, 8),
  ];
  const code = whileNot([...get(x), ...get(xEnd), op.i32GeU], [
    ...regs.flatMap((i) => [...get(x), ...v.load, ...mem(4, 16 * i), ...set(xr(i))]),
    ...get(xr(0)), ...regs.slice(1).flatMap((i) => [...get(xr(i)), ...v.or]), ...v.zero, ...v.f32x4Ne, ...v.anyTrue,
    op.if, op.void,
    ...get(c), op.i32Load, ...mem(2), ...set(e),
    ...get(c), op.i32Load, ...mem(2, 4), ...set(end),
    ...whileNot([...get(e), ...get(end), op.i32GeU], entry),
    op.end,
    ...addTo(x, 16 * V), ...addTo(c, 4),
  ]);
  return body([[3, I32], [1 + V, V128]], code);
}

/** biasRows<V>(out, outEnd, bias): each 16V-byte row of out gets bias[j] in every lane. */
function biasRows(V: number): number[] {
  const [out, outEnd, bias, w] = [0, 1, 2, 3];
  const code = whileNot([...get(out), ...get(outEnd), op.i32GeU], [
    ...get(bias), ...v.load32Splat, ...mem(2), ...set(w),
    ...Array.from({ length: V }, (_, i) => [...get(out), ...get(w), ...v.store, ...mem(4, 16 * i)]).flat(),
    ...addTo(out, 16 * V), ...addTo(bias, 4),
  ]);
  return body([[1, V128]], code);
}

/** transpose(src, R, C, dst): dst[c·R + r] = src[r·C + c] (f32). */
function transpose(): number[] {
  const [src, R, C, dst, r, c, d] = [0, 1, 2, 3, 4, 5, 6];
  const inner = whileNot([...get(c), ...get(C), op.i32GeU], [
    ...get(d), ...get(src), op.f32Load, ...mem(2), op.f32Store, ...mem(2),
    ...addTo(src, 4),
    ...get(d), ...get(R), ...i32(2), op.i32Shl, op.i32Add, ...set(d),
    ...addTo(c, 1),
  ]);
  const code = whileNot([...get(r), ...get(R), op.i32GeU], [
    ...get(dst), ...get(r), ...i32(2), op.i32Shl, op.i32Add, ...set(d),
    ...i32(0), ...set(c),
    ...inner,
    ...addTo(r, 1),
  ]);
  return body([[3, I32]], code);
}

/**
 * f32x4 registers per block of the batched kernel (4 samples each). Sample MLP, batch 1000, CPU µs
 * per sample at ratio 0.9 / 0.95, A/B in one process against 4 registers (12.4 / 6.3): 5 → 11.6 / 6.1,
 * 6 → 11.4 / 6.2, 7 → 11.2 / 6.0, 8 → 20.5 / 10.1 (accumulators spill: a cliff). 6 keeps a margin.
 */
export const BLOCK_REGS = 6;

/** The module: csc, csc6, axpy, relu, transpose, csr<4·BLOCK_REGS>, cscBlock, biasRows, bcsc1/2/4 (block-code.ts). */
export function chainModuleBytes(): Uint8Array {
  return moduleBytes([
    { name: 'csc', params: 3, code: csc() },
    { name: 'csc6', params: 6, code: csc6() },
    { name: 'axpy', params: 5, code: axpy() },
    { name: 'relu', params: 2, code: relu() },
    { name: 'transpose', params: 4, code: transpose() },
    { name: `csr${4 * BLOCK_REGS}`, params: 5, code: csr(BLOCK_REGS) },
    { name: 'cscBlock', params: 3, code: cscBlock(BLOCK_REGS) },
    { name: 'biasRows', params: 3, code: biasRows(BLOCK_REGS) },
    ...BLOCK_WIDTHS.map((V) => ({ name: `bcsc${V}`, params: 6, code: bcsc(V) })),
    ...BATCH_SHAPES.map(({ R, C, S4 }) => ({ name: bbatchName(R, C, S4), params: 5, code: bbatch(R, C, S4, 16 * BLOCK_REGS) })),
  ]);
}
