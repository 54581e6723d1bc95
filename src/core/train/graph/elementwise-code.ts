// WebAssembly SIMD bodies of the graph trainer's branchy activations (Relu, Clip, HardSwish and
// their gradients), branch-free with compare masks: on real activations the signs are random, and
// the JS loops' branches mispredict about every other element. Each function is
// f(x, g, d, n4, c): for i < 4 · n4, d[i] = op(x[i], g[i]) (g unused by the forward ops), with c
// the byte address of two floats (Clip's lo and hi). Then BatchNormalization's loops over planes.
// Assembled into gemm-wasm.ts's module.
import { I32, V128, body, mem, op, uleb, v } from '../../runtime/kernels/wasm-asm';

const simd = (code: number): number[] => [0xfd, ...uleb(code)];
const gt = simd(0x44);
const lt = simd(0x43);
const ge = simd(0x46);
const and = simd(0x4e);
const bitselect = simd(0x52);
const div = simd(0xe7);
const pmin = simd(0xea);
const pmax = simd(0xeb);

/** v128.const of four equal floats. */
function splat(value: number): number[] {
  return [0xfd, 0x0c, ...new Uint8Array(new Float32Array([value, value, value, value]).buffer)];
}

const [X, G, D, N, C] = [0, 1, 2, 3, 4];
const [xv, gv, lo, hi] = [5, 6, 7, 8];
const get = (l: number): number[] => [op.get, l];

/** The loop over f32x4 steps; `expr` leaves d's vector on the stack. */
function mapCode(expr: number[]): number[] {
  const step: number[] = [
    op.get, X, ...v.load, ...mem(0), op.set, xv,
    op.get, G, ...v.load, ...mem(0), op.set, gv,
    op.get, D, ...expr, ...v.store, ...mem(0),
    op.get, X, op.i32Const, 16, op.i32Add, op.set, X,
    op.get, G, op.i32Const, 16, op.i32Add, op.set, G,
    op.get, D, op.i32Const, 16, op.i32Add, op.set, D,
    op.get, N, op.i32Const, 1, op.i32Sub, op.set, N,
  ];
  return body([[4, V128]], [
    op.get, C, ...v.load32Splat, ...mem(0, 0), op.set, lo,
    op.get, C, ...v.load32Splat, ...mem(0, 4), op.set, hi,
    op.block, op.void, op.loop, op.void, op.get, N, 0x45, op.brIf, 1, ...step, op.br, 0, op.end, op.end,
  ]);
}

/** Relu: pmax(0, x) = x > 0 ? x : 0. Its gradient: g where x > 0. */
const relu = [...v.zero, ...get(xv), ...pmax];
const reluGrad = [...get(xv), ...v.zero, ...gt, ...get(gv), ...and];
/** Clip: pmin(hi, pmax(lo, x)). Its gradient: g where lo < x < hi. */
const clip = [...get(hi), ...get(lo), ...get(xv), ...pmax, ...pmin];
const clipGrad = [...get(xv), ...get(lo), ...gt, ...get(xv), ...get(hi), ...lt, ...and, ...get(gv), ...and];
/** HardSwish: x ≥ 3 ? x : x · (x + 3) / 6, 0 where x ≤ −3 (bitselect(a, b, m) = m ? a : b). */
const hardSwish = [
  ...get(xv),
  ...get(xv), ...get(xv), ...splat(3), ...v.f32x4Add, ...v.f32x4Mul, ...splat(6), ...div,
  ...get(xv), ...splat(3), ...ge, ...bitselect,
  ...get(xv), ...splat(-3), ...gt, ...and,
];
/** Its gradient: g where x > 3, g · (2x + 3) / 6 where −3 ≤ x ≤ 3, 0 below. */
const hardSwishGrad = [
  ...get(gv),
  ...get(gv), ...get(xv), ...get(xv), ...v.f32x4Add, ...splat(3), ...v.f32x4Add, ...v.f32x4Mul, ...splat(6), ...div,
  ...get(xv), ...splat(3), ...gt, ...bitselect,
  ...get(xv), ...splat(-3), ...ge, ...and,
];

export type ElementwiseOp = 'relu' | 'reluGrad' | 'clip' | 'clipGrad' | 'hardSwish' | 'hardSwishGrad';

/** The module functions (name, 5 params, body). */
export function elementwiseFunctions(): { name: ElementwiseOp; params: number; code: number[] }[] {
  const exprs: Record<ElementwiseOp, number[]> = { relu, reluGrad, clip, clipGrad, hardSwish, hardSwishGrad };
  return (Object.keys(exprs) as ElementwiseOp[]).map((name) => ({ name, params: 5, code: mapCode(exprs[name]) }));
}

const [i32Eq, i32Add, i32Sub] = [0x46, op.i32Add, op.i32Sub];
const inc = (l: number, n: number): number[] => [op.get, l, op.i32Const, n, i32Add, op.set, l];
const dec = (l: number): number[] => [op.get, l, op.i32Const, 1, i32Sub, op.set, l];
/** After a plane: the next channel's pair (c cycles through 0..C−1, the pair pointer with it). */
const nextChannel = (c: number, C: number, pp: number, pairs: number): number[] => [
  ...inc(c, 1), ...inc(pp, 8),
  op.get, c, op.get, C, i32Eq, op.if, op.void, op.i32Const, 0, op.set, c, op.get, pairs, op.set, pp, op.end,
];

/**
 * bnForward(x, y, planes, s4, pairs, C): for each plane p (s4 f32x4 steps, planes one after another),
 * y = x · a + b with (a, b) the floats at pairs + 8·(p mod C).
 */
export function bnForwardCode(): number[] {
  const [x, y, planes, s4, pairs, C] = [0, 1, 2, 3, 4, 5];
  const [c, pp, k, a, b] = [6, 7, 8, 9, 10];
  const step: number[] = [
    op.get, y, op.get, x, ...v.load, ...mem(0), op.get, a, ...v.f32x4Mul, op.get, b, ...v.f32x4Add, ...v.store, ...mem(0),
    ...inc(x, 16), ...inc(y, 16), ...dec(k),
  ];
  const plane: number[] = [
    op.get, pp, ...v.load32Splat, ...mem(0, 0), op.set, a,
    op.get, pp, ...v.load32Splat, ...mem(0, 4), op.set, b,
    op.get, s4, op.set, k,
    op.block, op.void, op.loop, op.void, op.get, k, 0x45, op.brIf, 1, ...step, op.br, 0, op.end, op.end,
    ...nextChannel(c, C, pp, pairs), ...dec(planes),
  ];
  return body([[3, I32], [2, V128]], [
    op.get, pairs, op.set, pp,
    op.block, op.void, op.loop, op.void, op.get, planes, 0x45, op.brIf, 1, ...plane, op.br, 0, op.end, op.end,
  ]);
}

/**
 * bnBackward(x, g, dx, planes, s4, pairs, C, sums): for each plane p, with (a, m) the floats at
 * pairs + 8·(p mod C): dx = a · g, sums[2p] = Σ g · (x − m), sums[2p + 1] = Σ g (f32x4 lane sums).
 */
export function bnBackwardCode(): number[] {
  const [x, g, dx, planes, s4, pairs, C, sums] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [c, pp, k, a, m, sx, sg, gv] = [8, 9, 10, 11, 12, 13, 14, 15];
  const lanes = (l: number): number[] => [op.get, l, 0xfd, 0x1f, 0, op.get, l, 0xfd, 0x1f, 1, op.f32Add, op.get, l, 0xfd, 0x1f, 2, op.get, l, 0xfd, 0x1f, 3, op.f32Add, op.f32Add];
  const step: number[] = [
    op.get, g, ...v.load, ...mem(0), op.set, gv,
    op.get, dx, op.get, gv, op.get, a, ...v.f32x4Mul, ...v.store, ...mem(0),
    op.get, sx, op.get, gv, op.get, x, ...v.load, ...mem(0), op.get, m, 0xfd, ...uleb(0xe5), ...v.f32x4Mul, ...v.f32x4Add, op.set, sx,
    op.get, sg, op.get, gv, ...v.f32x4Add, op.set, sg,
    ...inc(x, 16), ...inc(g, 16), ...inc(dx, 16), ...dec(k),
  ];
  const plane: number[] = [
    op.get, pp, ...v.load32Splat, ...mem(0, 0), op.set, a,
    op.get, pp, ...v.load32Splat, ...mem(0, 4), op.set, m,
    ...v.zero, op.set, sx, ...v.zero, op.set, sg,
    op.get, s4, op.set, k,
    op.block, op.void, op.loop, op.void, op.get, k, 0x45, op.brIf, 1, ...step, op.br, 0, op.end, op.end,
    op.get, sums, ...lanes(sx), op.f32Store, ...mem(2, 0),
    op.get, sums, ...lanes(sg), op.f32Store, ...mem(2, 4),
    ...inc(sums, 8),
    ...nextChannel(c, C, pp, pairs), ...dec(planes),
  ];
  return body([[3, I32], [5, V128]], [
    op.get, pairs, op.set, pp,
    op.block, op.void, op.loop, op.void, op.get, planes, 0x45, op.brIf, 1, ...plane, op.br, 0, op.end, op.end,
  ]);
}
