// A tiny WebAssembly module, assembled here byte by byte, with the two inner loops of the layer
// kernels: a CSC scatter (uint16 output indices) and a SIMD (f32x4) axpy over dense weight rows.
// Both skip zero inputs. Memory is imported so the host lays out weights and buffers.

const I32 = 0x7f;
const F32 = 0x7d;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Opcodes used below.
const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Load: 0x28, f32Load: 0x2a, i32Load16u: 0x2f, f32Store: 0x38,
  i32Const: 0x41, f32Const: 0x43,
  i32GeU: 0x4f, f32Ne: 0x5c,
  i32Add: 0x6a, i32Shl: 0x74, i32Mul: 0x6c,
  f32Add: 0x92, f32Mul: 0x94,
  simd: 0xfd,
};
const mem = (align: number, offset = 0): number[] => [align, ...uleb(offset)];
const simd = (code: number): number[] => [op.simd, ...uleb(code)];
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const F32X4_SPLAT = 0x13;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const V128_ANY_TRUE = 0x53;
const V128 = 0x7b;

/**
 * scatter16(x, K, start, index, value, acc): for k < K with x[k] ≠ 0,
 *   for p in start[k] .. start[k+1]: acc[index[p]] += x[k] · value[p]
 * params 0..5; locals 6 k:i32, 7 a:f32, 8 p:i32, 9 end:i32, 10 q:i32
 */
function scatterBody(): number[] {
  const [x, K, start, index, value, acc, k, a, p, end, q] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = [
    op.block, op.void,
    op.loop, op.void,
    op.get, k, op.get, K, op.i32GeU, op.brIf, 1,
    // a = x[k]
    op.get, x, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, ...mem(2), op.tee, a,
    op.f32Const, 0, 0, 0, 0, op.f32Ne,
    op.if, op.void,
    // p = start[k]; end = start[k + 1]
    op.get, start, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.tee, q,
    op.i32Load, ...mem(2), op.set, p,
    op.get, q, op.i32Load, ...mem(2, 4), op.set, end,
    op.block, op.void,
    op.loop, op.void,
    op.get, p, op.get, end, op.i32GeU, op.brIf, 1,
    // q = acc + index[p] * 4
    op.get, acc, op.get, index, op.get, p, op.i32Const, 1, op.i32Shl, op.i32Add, op.i32Load16u, ...mem(1),
    op.i32Const, 2, op.i32Shl, op.i32Add, op.tee, q,
    // acc[q] = acc[q] + a * value[p]
    op.get, q, op.f32Load, ...mem(2),
    op.get, a, op.get, value, op.get, p, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, ...mem(2),
    op.f32Mul, op.f32Add, op.f32Store, ...mem(2),
    op.get, p, op.i32Const, 1, op.i32Add, op.set, p,
    op.br, 0,
    op.end, op.end,
    op.end,
    op.get, k, op.i32Const, 1, op.i32Add, op.set, k,
    op.br, 0,
    op.end, op.end,
    op.end,
  ];
  const locals = vec([[1, I32], [1, F32], [3, I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/**
 * axpy4(x, K, w, N4, acc): for k < K with x[k] ≠ 0, acc[0..N4) += x[k] · w[k·N4 .. k·N4 + N4)
 * (N4 a multiple of 4, f32x4 lanes). params 0..4; locals 5 k:i32, 6 a:f32, 7 row:i32, 8 j:i32, 9 bytes:i32
 */
function axpyBody(): number[] {
  const [x, K, w, N4, acc, k, a, row, j, bytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const code = [
    op.get, N4, op.i32Const, 2, op.i32Shl, op.set, bytes,
    op.block, op.void,
    op.loop, op.void,
    op.get, k, op.get, K, op.i32GeU, op.brIf, 1,
    op.get, x, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, ...mem(2), op.tee, a,
    op.f32Const, 0, 0, 0, 0, op.f32Ne,
    op.if, op.void,
    op.get, w, op.get, k, op.get, bytes, op.i32Mul, op.i32Add, op.set, row,
    op.i32Const, 0, op.set, j,
    op.block, op.void,
    op.loop, op.void,
    op.get, j, op.get, bytes, op.i32GeU, op.brIf, 1,
    // acc[j] = acc[j] + splat(a) * row[j]   (16 bytes at a time)
    op.get, acc, op.get, j, op.i32Add,
    op.get, acc, op.get, j, op.i32Add, ...simd(V128_LOAD), ...mem(2),
    op.get, a, ...simd(F32X4_SPLAT),
    op.get, row, op.get, j, op.i32Add, ...simd(V128_LOAD), ...mem(2),
    ...simd(F32X4_MUL), ...simd(F32X4_ADD),
    ...simd(V128_STORE), ...mem(2),
    op.get, j, op.i32Const, 16, op.i32Add, op.set, j,
    op.br, 0,
    op.end, op.end,
    op.end,
    op.get, k, op.i32Const, 1, op.i32Add, op.set, k,
    op.br, 0,
    op.end, op.end,
    op.end,
  ];
  const locals = vec([[1, I32], [1, F32], [3, I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/**
 * scatter16x4(x4, K, start, index, value, acc4): four rows at once. x4 is [K][4] (row lanes), acc4
 * is [N][4]; for k with any lane of x4[k] ≠ 0: acc4[index[p]] += x4[k] · value[p].
 * params 0..5; locals 6 k:i32, 7 a:v128, 8 p:i32, 9 end:i32, 10 q:i32
 */
function scatter4Body(): number[] {
  const [x, K, start, index, value, acc, k, a, p, end, q] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = [
    op.block, op.void,
    op.loop, op.void,
    op.get, k, op.get, K, op.i32GeU, op.brIf, 1,
    op.get, x, op.get, k, op.i32Const, 4, op.i32Shl, op.i32Add, ...simd(V128_LOAD), ...mem(4), op.tee, a,
    ...simd(V128_ANY_TRUE),
    op.if, op.void,
    op.get, start, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.tee, q,
    op.i32Load, ...mem(2), op.set, p,
    op.get, q, op.i32Load, ...mem(2, 4), op.set, end,
    op.block, op.void,
    op.loop, op.void,
    op.get, p, op.get, end, op.i32GeU, op.brIf, 1,
    op.get, acc, op.get, index, op.get, p, op.i32Const, 1, op.i32Shl, op.i32Add, op.i32Load16u, ...mem(1),
    op.i32Const, 4, op.i32Shl, op.i32Add, op.tee, q,
    op.get, q, ...simd(V128_LOAD), ...mem(4),
    op.get, a,
    op.get, value, op.get, p, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, ...mem(2), ...simd(F32X4_SPLAT),
    ...simd(F32X4_MUL), ...simd(F32X4_ADD),
    ...simd(V128_STORE), ...mem(4),
    op.get, p, op.i32Const, 1, op.i32Add, op.set, p,
    op.br, 0,
    op.end, op.end,
    op.end,
    op.get, k, op.i32Const, 1, op.i32Add, op.set, k,
    op.br, 0,
    op.end, op.end,
    op.end,
  ];
  const locals = vec([[1, I32], [1, V128], [3, I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/**
 * blocks4(x, K, start, block, value, acc): weights in 1×4 blocks of consecutive outputs. For k with
 * x[k] ≠ 0, for p in start[k] .. start[k+1]: acc[4·block[p] .. +4) += x[k] · value[4p .. 4p+4).
 * params 0..5; locals 6 k:i32, 7 a:v128, 8 p:i32, 9 end:i32, 10 q:i32, 11 s:f32
 */
function blocksBody(): number[] {
  const [x, K, start, block, value, acc, k, a, p, end, q, sc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const code = [
    op.block, op.void,
    op.loop, op.void,
    op.get, k, op.get, K, op.i32GeU, op.brIf, 1,
    op.get, x, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, ...mem(2), op.tee, sc,
    op.f32Const, 0, 0, 0, 0, op.f32Ne,
    op.if, op.void,
    op.get, sc, ...simd(F32X4_SPLAT), op.set, a,
    op.get, start, op.get, k, op.i32Const, 2, op.i32Shl, op.i32Add, op.tee, q,
    op.i32Load, ...mem(2), op.set, p,
    op.get, q, op.i32Load, ...mem(2, 4), op.set, end,
    op.block, op.void,
    op.loop, op.void,
    op.get, p, op.get, end, op.i32GeU, op.brIf, 1,
    op.get, acc, op.get, block, op.get, p, op.i32Const, 1, op.i32Shl, op.i32Add, op.i32Load16u, ...mem(1),
    op.i32Const, 4, op.i32Shl, op.i32Add, op.tee, q,
    op.get, q, ...simd(V128_LOAD), ...mem(4),
    op.get, a,
    op.get, value, op.get, p, op.i32Const, 4, op.i32Shl, op.i32Add, ...simd(V128_LOAD), ...mem(4),
    ...simd(F32X4_MUL), ...simd(F32X4_ADD),
    ...simd(V128_STORE), ...mem(4),
    op.get, p, op.i32Const, 1, op.i32Add, op.set, p,
    op.br, 0,
    op.end, op.end,
    op.end,
    op.get, k, op.i32Const, 1, op.i32Add, op.set, k,
    op.br, 0,
    op.end, op.end,
    op.end,
  ];
  const locals = vec([[1, I32], [1, V128], [3, I32], [1, F32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module's bytes: imports env.mem, exports scatter16, axpy4, scatter16x4 and blocks4. */
export function layerModuleBytes(): Uint8Array {
  const t6 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0];
  const t5 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([t6, t5])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [1], [0], [0]])),
    ...section(7, vec([
      [...str('scatter16'), 0x00, 0], [...str('axpy4'), 0x00, 1], [...str('scatter16x4'), 0x00, 2], [...str('blocks4'), 0x00, 3],
    ])),
    ...section(10, vec([scatterBody(), axpyBody(), scatter4Body(), blocksBody()])),
  ];
  return new Uint8Array(bytes);
}
