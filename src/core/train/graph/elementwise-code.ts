// WebAssembly SIMD bodies of the graph trainer's branchy activations (Relu, Clip, HardSwish and
// their gradients), branch-free with compare masks: on real activations the signs are random, and
// the JS loops' branches mispredict about every other element; and BatchNormalization's affine map.
// Each function is f(x, g, d, n4, c): for i < 4 · n4, d[i] = op(x[i], g[i]) (g unused by the
// forward ops), with c the byte address of two floats (Clip's lo and hi, the affine map's a and b).
// Assembled into gemm-wasm.ts's module.
import { V128, body, mem, op, uleb, v } from '../../runtime/kernels/wasm-asm';

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

/** x · c[0] + c[1] (BatchNormalization's per-channel affine map; g unused). */
const affine = [...get(xv), ...get(lo), ...v.f32x4Mul, ...get(hi), ...v.f32x4Add];

export type ElementwiseOp = 'relu' | 'reluGrad' | 'clip' | 'clipGrad' | 'hardSwish' | 'hardSwishGrad' | 'affine';

/** The module functions (name, 5 params, body). */
export function elementwiseFunctions(): { name: ElementwiseOp; params: number; code: number[] }[] {
  const exprs: Record<ElementwiseOp, number[]> = { relu, reluGrad, clip, clipGrad, hardSwish, hardSwishGrad, affine };
  return (Object.keys(exprs) as ElementwiseOp[]).map((name) => ({ name, params: 5, code: mapCode(exprs[name]) }));
}
