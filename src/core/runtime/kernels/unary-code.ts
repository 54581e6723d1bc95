// The elementwise activations of unary-run.ts as WebAssembly SIMD, in place over float32 data in the
// module's memory: Sigmoid and SiLU (x · sigmoid(x), the Sigmoid + Mul that torch.onnx.export
// writes for nn.SiLU) on an exp of the Cephes kind (range reduction by ln 2, a degree-6 polynomial,
// 2ⁿ built in the exponent bits; relative error about 2·10⁻⁷; 0 below −88), the exp itself (+∞
// above 88.38, 0 below −87.34: Softmax's), Tanh (Cephes' tanhf: an odd polynomial below 0.625,
// 1 − 2 / (e^2|x| + 1) above), GELU (exact, and its tanh form), HardSigmoid, HardSwish, Relu, LeakyRelu. NaN stays NaN where the JS
// ops give NaN (Relu: 0, as `v > 0 ? v : 0`).
import { V128, addTo, body, get, i32, mem, moduleBytes, op, set, v, whileNot } from './wasm-asm';

const simd = (code: number): number[] => [0xfd, ...(code < 0x80 ? [code] : [(code & 0x7f) | 0x80, code >> 7])];
const F32X4 = {
  abs: simd(0xe0),
  gt: simd(0x44),
  sub: simd(0xe5),
  div: simd(0xe7),
  min: simd(0xe8),
  max: simd(0xe9),
  pmin: simd(0xea),
  pmax: simd(0xeb),
  ge: simd(0x46),
  lt: simd(0x43),
  neg: simd(0xe1),
};
const I32X4_ADD = simd(0xae);
const I32X4_SHL = simd(0xab);
const BITSELECT = simd(0x52);

/**
 * A constant as code: local.get of a v128 local set once before the loop (V8 builds a v128.const
 * from immediates at every use, a few instructions each: inside the loop they cost more than the
 * arithmetic). `int`: four int32 lanes.
 */
type Consts = (x: number, int?: boolean) => number[];

/** v128.const of four equal float32 lanes. */
function splat(x: number): number[] {
  const b = new Uint8Array(new Float32Array([x, x, x, x]).buffer);
  return [0xfd, 0x0c, ...b];
}
/** v128.const of four equal int32 lanes. */
function splatI(x: number): number[] {
  const b = new Uint8Array(new Int32Array([x, x, x, x]).buffer);
  return [0xfd, 0x0c, ...b];
}

// Cephes expf: x = n·ln2 + r (ln 2 split in two for exactness), e^r by its polynomial.
const EXP_HI = 88.3762626647949;
const EXP_LO = -87.33654475;
const LOG2E = 1.44269504088896341;
const MAGIC = 12582912; // 1.5 · 2²³
const C1 = 0.693359375;
const C2 = -2.12194440e-4;
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** e^x of the v128 on the stack, left on the stack; uses locals x, n, r (v128) and constants of c. */
function exp(c: Consts, x: number, n: number, r: number): number[] {
  return [
    // clamp (pmin/pmax: one instruction each, and a NaN passes through as it is the first operand)
    ...c(EXP_HI), ...F32X4.pmin, ...c(EXP_LO), ...F32X4.pmax, ...set(x),
    // n = round(x·log₂e) by adding 1.5·2²³ (its float bits then hold n in the low bits: no
    // nearest / trunc_sat, which V8 emits as several instructions each)
    ...get(x), ...c(LOG2E), ...v.f32x4Mul, ...c(MAGIC), ...v.f32x4Add, op.tee, n,
    ...c(MAGIC), ...F32X4.sub, ...set(r),
    ...get(x), ...get(r), ...c(C1), ...v.f32x4Mul, ...F32X4.sub, ...get(r), ...c(C2), ...v.f32x4Mul, ...F32X4.sub, ...set(r),
    // p(r) = ((((P0·r + P1)·r + P2)·r + P3)·r + P4)·r + P5, then e^r = p·r² + r + 1
    ...c(P[0]),
    ...P.slice(1).flatMap((k) => [...get(r), ...v.f32x4Mul, ...c(k), ...v.f32x4Add]),
    ...get(r), ...v.f32x4Mul, ...get(r), ...v.f32x4Mul, ...get(r), ...v.f32x4Add, ...c(1), ...v.f32x4Add,
    // · 2ⁿ: (bits(n + 1.5·2²³) + 127) << 23 (the magic's own bits shift out)
    ...get(n), ...c(127, true), ...I32X4_ADD, ...[0x41, 23], ...I32X4_SHL,
    ...v.f32x4Mul,
  ];
}

/**
 * 1 / (1 + e^(−a)) of local a, on the stack; exactly 0 below −88 (where it is under 2⁻¹²⁷ and the
 * clamped exp would leave a tiny positive value: SiLU(−∞) is then NaN, as x · sigmoid(x) in JS).
 */
const sigmoidOf = (c: Consts, a: number, x: number, n: number, r: number): number[] => [
  ...c(0),
  ...c(1), ...c(1), ...get(a), ...F32X4.neg, ...exp(c, x, n, r), ...v.f32x4Add, ...F32X4.div,
  ...get(a), ...c(-88), ...F32X4.lt, ...BITSELECT,
];

/** e^a of local a, on the stack: +∞ above the clamp, 0 below it (e^−87.34 is 1.2·10⁻³⁸). */
const expOf = (c: Consts, a: number, x: number, n: number, r: number): number[] => [
  ...c(0),
  ...c(Infinity), ...get(a), ...exp(c, x, n, r), ...get(a), ...c(EXP_HI), ...F32X4.gt, ...BITSELECT,
  ...get(a), ...c(EXP_LO), ...F32X4.lt, ...BITSELECT,
];

// Cephes tanhf: below |x| = 0.625, x + x³·T(x²).
const TANH_SMALL = 0.625;
const T = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];

/** tanh of local a, on the stack; t and u: two more locals. */
const tanhOf = (c: Consts, a: number, x: number, n: number, r: number, t: number, u: number): number[] => [
  ...get(a), ...F32X4.abs, ...set(t),
  // u = ±(1 − 2 / (e^2|a| + 1)), the sign of a
  ...c(1), ...c(2), ...get(t), ...c(2), ...v.f32x4Mul, ...exp(c, x, n, r), ...c(1), ...v.f32x4Add, ...F32X4.div, ...F32X4.sub, ...set(u),
  ...get(u), ...F32X4.neg, ...get(u), ...get(a), ...c(0), ...F32X4.lt, ...BITSELECT, ...set(u),
  // below 0.625 (and NaN): a + a·z·T(z), z = a²
  ...get(u),
  ...get(a), ...get(a), ...v.f32x4Mul, ...set(r),
  ...c(T[0]), ...T.slice(1).flatMap((k) => [...get(r), ...v.f32x4Mul, ...c(k), ...v.f32x4Add]),
  ...get(r), ...v.f32x4Mul, ...get(a), ...v.f32x4Mul, ...get(a), ...v.f32x4Add,
  ...get(t), ...c(TANH_SMALL), ...F32X4.gt, ...BITSELECT,
];

// GELU, exact: 0.5·a·(1 + erf(a/√2)) with erf by Abramowitz & Stegun 7.1.26 (absolute error 1.5·10⁻⁷):
// for z = |a|/√2, q = (A₁t + … + A₅t⁵)·e^(−z²), t = 1/(1 + P·z), is 1 − erf(z); the factor is
// 2 − q for a ≥ 0 and q below (no cancellation for negative a).
const ERF_P = 0.3275911;
const ERF_A = [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592];

const geluOf = (c: Consts, a: number, x: number, n: number, r: number, t: number, u: number): number[] => [
  ...get(a), ...F32X4.abs, ...c(Math.SQRT1_2), ...v.f32x4Mul, ...set(t),
  ...c(1), ...get(t), ...c(ERF_P), ...v.f32x4Mul, ...c(1), ...v.f32x4Add, ...F32X4.div, ...set(u),
  ...c(ERF_A[0]), ...ERF_A.slice(1).flatMap((k) => [...get(u), ...v.f32x4Mul, ...c(k), ...v.f32x4Add]), ...get(u), ...v.f32x4Mul,
  ...get(t), ...get(t), ...v.f32x4Mul, ...F32X4.neg, ...exp(c, x, n, r), ...v.f32x4Mul, ...set(x),
  ...c(0.5), ...get(a), ...v.f32x4Mul,
  ...c(2), ...get(x), ...F32X4.sub, ...get(x), ...get(a), ...c(0), ...F32X4.ge, ...BITSELECT,
  ...v.f32x4Mul,
];

// GELU, tanh form: 0.5·a·(1 + tanh(k·(a + 0.044715·a³))) = a·sigmoid(2k·(a + 0.044715·a³)), k = √(2/π).
const GELU_TANH_2K = 2 * Math.sqrt(2 / Math.PI);

const geluTanhOf = (c: Consts, a: number, x: number, n: number, r: number, t: number): number[] => [
  ...get(a), ...get(a), ...get(a), ...v.f32x4Mul, ...get(a), ...v.f32x4Mul, ...c(0.044715), ...v.f32x4Mul, ...v.f32x4Add, ...c(GELU_TANH_2K), ...v.f32x4Mul, ...set(t),
  ...get(a), ...sigmoidOf(c, t, x, n, r), ...v.f32x4Mul,
];

export type UnaryKind = 'sigmoid' | 'silu' | 'exp' | 'tanh' | 'gelu' | 'gelutanh' | 'hardsigmoid' | 'hardswish' | 'relu' | 'leakyrelu';

/**
 * Vectors an iteration of the main loop. Sigmoid's chain is ~30 dependent instructions: one vector
 * an iteration left the core waiting on latencies (SiLU in place 3.1 ns an element); four
 * independent chains side by side 1.2 ns (1.7 with unary-run.ts's copies; this machine, loaded).
 */
const UNROLL = 4;
/** Locals of a vector: a, x, n, r, t, u. */
const LANE = 6;

/**
 * kind(p, end, params): every f32x4 from byte p to end (a multiple of 16 apart) replaced by its
 * activation; params: the byte address of the op's attributes (alpha, beta) as two float32.
 */
function unary(kind: UnaryKind): number[] {
  const [p, end, params, al, be] = [0, 1, 2, 3, 4];
  // Vector k of an iteration: its value a, the exp's x, n, r, and t, u (tanh's).
  const lane = (k: number): number[] => Array.from({ length: LANE }, (_, i) => 5 + LANE * k + i);
  // The constants' locals follow the lanes, set in the prologue.
  const first = 5 + LANE * UNROLL;
  const pool = new Map<string, { local: number; code: number[] }>();
  const c: Consts = (value, int = false) => {
    const key = `${int ? 'i' : 'f'}${value}`;
    let e = pool.get(key);
    if (e === undefined) {
      e = { local: first + pool.size, code: int ? splatI(value) : splat(value) };
      pool.set(key, e);
    }
    return get(e.local);
  };
  /** kind of lane k's a, on the stack. */
  const f = (k: number): number[] => {
    const [a, x, n, r, t, u] = lane(k);
    switch (kind) {
      case 'sigmoid':
        return sigmoidOf(c, a, x, n, r);
      case 'exp':
        return expOf(c, a, x, n, r);
      case 'tanh':
        return tanhOf(c, a, x, n, r, t, u);
      case 'gelu':
        return geluOf(c, a, x, n, r, t, u);
      case 'gelutanh':
        return geluTanhOf(c, a, x, n, r, t);
      case 'silu':
        return [...get(a), ...sigmoidOf(c, a, x, n, r), ...v.f32x4Mul];
      case 'hardsigmoid':
        // max(0, min(1, α·v + β)), NaN in → NaN out (as Math.max(0, Math.min(1, NaN)))
        return [...get(al), ...get(a), ...v.f32x4Mul, ...get(be), ...v.f32x4Add, ...c(1), ...F32X4.pmin, ...c(0), ...F32X4.pmax];
      case 'hardswish':
        return [...get(a), ...get(a), ...c(1 / 6), ...v.f32x4Mul, ...c(0.5), ...v.f32x4Add, ...c(1), ...F32X4.pmin, ...c(0), ...F32X4.pmax, ...v.f32x4Mul];
      case 'relu':
        return [...c(0), ...get(a), ...v.f32x4Pmax];
      case 'leakyrelu':
        // v ≥ 0 ? v : α·v (NaN: α·NaN)
        return [...get(a), ...get(al), ...get(a), ...v.f32x4Mul, ...get(a), ...c(0), ...F32X4.ge, ...BITSELECT];
    }
  };
  const lanes = Array.from({ length: UNROLL }, (_, k) => k);
  const chains = lanes.map(f);
  const setup = [
    ...[...pool.values()].flatMap((e) => [...e.code, ...set(e.local)]),
    ...get(params), ...v.load32Splat, ...mem(2), ...set(al),
    ...get(params), ...v.load32Splat, ...mem(2, 4), ...set(be),
  ];
  // UNROLL vectors an iteration while that many remain (all loaded first, then each computed and stored) …
  const wide = whileNot([...get(p), ...i32(16 * UNROLL), op.i32Add, ...get(end), op.i32GtU], [
    ...lanes.flatMap((k) => [...get(p), ...v.load, ...mem(4, 16 * k), ...set(lane(k)[0])]),
    ...lanes.flatMap((k) => [...get(p), ...chains[k], ...v.store, ...mem(4, 16 * k)]),
    ...addTo(p, 16 * UNROLL),
  ]);
  // … then one at a time.
  const rest = whileNot([...get(p), ...get(end), op.i32GeU], [
    ...get(p), ...get(p), ...v.load, ...mem(4), ...set(lane(0)[0]),
    ...chains[0],
    ...v.store, ...mem(4),
    ...addTo(p, 16),
  ]);
  return body([[2 + LANE * UNROLL + pool.size, V128]], [...setup, ...wide, ...rest]);
}

export const UNARY_KINDS: readonly UnaryKind[] = ['sigmoid', 'silu', 'exp', 'tanh', 'gelu', 'gelutanh', 'hardsigmoid', 'hardswish', 'relu', 'leakyrelu'];

/** The module: one function per kind, (p, end, params). */
export function unaryModuleBytes(): Uint8Array {
  return moduleBytes(UNARY_KINDS.map((k) => ({ name: k, params: 3, code: unary(k) })));
}
