// The lean loops of the float32 statistics (float32-stats.ts) as WebAssembly SIMD, assembled from
// the pieces of wasm-asm.ts: one chunk of values is copied into the module's memory and
// - `pass` counts its 17-bit keys (table at address 0) and sums it in four float64 lanes (element
//   i in lane i mod 4, the same additions in the same order as the JS loop, so the same sums) with
//   the lanes' min/max (pmin/pmax: x < lo ? x : lo, as the JS loop);
// - `scan` counts the values of keys that hold one histogram edge on either side of it, and lists
//   the other marked values (action table of bytes) for JS.
// One instance per thread, made on first use; undefined where WebAssembly or its SIMD is missing.

import { I32, V128, body, i32, mem, op, section, uleb, v, vec, wasmApi, whileNot } from '../runtime/kernels/wasm-asm';

/** Byte addresses in the module's memory. */
export const KEYS_AT = 0; // 2^17 Int32 counts
const ACTION_AT = 1 << 19; // 2^17 bytes
const OUT_AT = ACTION_AT + (1 << 17); // s1 lanes f64 × 4, s2 lanes f64 × 4, lo f32 × 4, hi f32 × 4
const HITS_AT = OUT_AT + 256; // byte addresses of the values scan found
/** Values per call (one chunk of moments.ts). */
export const WASM_CHUNK = 4096;
const DATA_AT = HITS_AT + WASM_CHUNK * 4 + 16; // WASM_CHUNK addresses, and one written past the last
const THR_AT = DATA_AT + WASM_CHUNK * 4; // 2^17 Uint16 thresholds of the low 15 bits
const SPLIT_AT = THR_AT + (1 << 18); // 2^17 × 2 Int32 counts: below / at or above the threshold
const PAGES = Math.ceil((SPLIT_AT + (1 << 20)) / 65536);

const simd = (code: number): number[] => [0xfd, ...uleb(code)];
const s = {
  shuffle: simd(0x0d),
  f64x2Splat: simd(0x14),
  extract: simd(0x1b),
  shl: simd(0xab),
  shrU: simd(0xad),
  pmin: simd(0xea),
  pmax: simd(0xeb),
  f64Add: simd(0xf0),
  f64Sub: simd(0xf1),
  f64Mul: simd(0xf2),
  promoteLow: simd(0x5f),
};
const F32_LOAD = 0x2a;
const F64_PROMOTE = 0xbb;
const I32_LOAD8U = 0x2d;
const I32_NE = 0x47;
const I32_OR = 0x72;
const I32_AND = 0x71;
const I32_SHR_U = 0x76;
const I32_LOAD16U = 0x2f;

/** pass(n4): n4 (a multiple of 4) values at DATA_AT. Locals: 0 n4, 1 i, 2 end, 3 t, 4 x, 5 k, 6 lo, 7 hi, 8 s1a, 9 s1b, 10 s2a, 11 s2b, 12 sh, 13 d. */
function passCode(): number[] {
  const [n4, i, end, t, x, k, lo, hi, s1a, s1b, s2a, s2b, sh, d] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const bump = (lane: number): number[] => [op.get, k, ...s.extract, lane, op.tee, t, op.get, t, op.i32Load, ...mem(2), ...i32(1), op.i32Add, op.i32Store, ...mem(2)];
  // Lanes 0, 1 (s1a, s2a) from the low half of x, lanes 2, 3 (s1b, s2b) from the high half.
  const sums = (half: number[], s1: number, s2: number): number[] => [
    ...half, ...s.promoteLow, op.get, sh, ...s.f64Sub, op.set, d,
    op.get, s1, op.get, d, ...s.f64Add, op.set, s1,
    op.get, s2, op.get, d, op.get, d, ...s.f64Mul, ...s.f64Add, op.set, s2,
  ];
  const high = [op.get, x, op.get, x, ...s.shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  const code = [
    ...i32(0), F32_LOAD, ...mem(2, DATA_AT), F64_PROMOTE, ...s.f64x2Splat, op.set, sh,
    ...i32(0), ...v.load32Splat, ...mem(2, DATA_AT), op.tee, lo, op.set, hi,
    ...v.zero, op.tee, s1a, op.tee, s1b, op.tee, s2a, op.set, s2b,
    ...i32(DATA_AT), op.set, i,
    ...i32(DATA_AT), op.get, n4, ...i32(2), op.i32Shl, op.i32Add, op.set, end,
    ...whileNot([op.get, i, op.get, end, op.i32GeU], [
      op.get, i, ...v.load, ...mem(4), op.set, x,
      op.get, x, ...i32(15), ...s.shrU, ...i32(2), ...s.shl, op.set, k,
      ...bump(0), ...bump(1), ...bump(2), ...bump(3),
      op.get, lo, op.get, x, ...s.pmin, op.set, lo,
      op.get, hi, op.get, x, ...s.pmax, op.set, hi,
      ...sums([op.get, x], s1a, s2a),
      ...sums(high, s1b, s2b),
      ...i32(16), op.get, i, op.i32Add, op.set, i,
    ]),
    ...i32(0), op.get, s1a, ...v.store, ...mem(4, OUT_AT),
    ...i32(0), op.get, s1b, ...v.store, ...mem(4, OUT_AT + 16),
    ...i32(0), op.get, s2a, ...v.store, ...mem(4, OUT_AT + 32),
    ...i32(0), op.get, s2b, ...v.store, ...mem(4, OUT_AT + 48),
    ...i32(0), op.get, lo, ...v.store, ...mem(4, OUT_AT + 64),
    ...i32(0), op.get, hi, ...v.store, ...mem(4, OUT_AT + 80),
    ...i32(0),
  ];
  return body([[3, I32], [10, V128]], code);
}

/**
 * scan(n4) over the n4 values at DATA_AT, by action byte a of each value's key: bit 0, the key
 * holds one histogram edge: split[2·key + (low 15 bits ≥ thr[key])]++; bits 1–7 not all zero: the
 * value's address is listed at HITS_AT (without a branch: written at the next free place, which
 * moves on only then). Returns how many are listed.
 */
function scanCode(): number[] {
  const [n4, i, end, c, u, key, at, x, k] = [0, 1, 2, 3, 4, 5, 6, 11, 12];
  const act = (l: number): number => 7 + l; // locals 7..10: the action bytes of the group
  const lane = (l: number): number[] => [
    op.get, x, ...s.extract, l, op.set, u,
    op.get, k, ...s.extract, l, op.set, key,
    op.get, c, ...i32(2), op.i32Shl, op.get, i, ...i32(4 * l), op.i32Add, op.i32Store, ...mem(2, HITS_AT),
    op.get, act(l), ...i32(1), I32_SHR_U, ...i32(0), I32_NE, op.get, c, op.i32Add, op.set, c,
    op.get, act(l), ...i32(1), I32_AND, op.if, op.void,
    op.get, key, ...i32(3), op.i32Shl,
    op.get, u, ...i32(0x7fff), I32_AND, op.get, key, ...i32(1), op.i32Shl, I32_LOAD16U, ...mem(1, THR_AT), op.i32GeU, ...i32(2), op.i32Shl,
    op.i32Add, op.tee, at, op.get, at, op.i32Load, ...mem(2, SPLIT_AT), ...i32(1), op.i32Add, op.i32Store, ...mem(2, SPLIT_AT),
    op.end,
  ];
  const load = (l: number): number[] => [op.get, k, ...s.extract, l, I32_LOAD8U, ...mem(0, ACTION_AT), op.tee, act(l)];
  const code = [
    ...i32(DATA_AT), op.set, i,
    ...i32(DATA_AT), op.get, n4, ...i32(2), op.i32Shl, op.i32Add, op.set, end,
    ...whileNot([op.get, i, op.get, end, op.i32GeU], [
      op.get, i, ...v.load, ...mem(4), op.tee, x, ...i32(15), ...s.shrU, op.set, k,
      // Most groups have no marked key: one test.
      ...load(0), ...load(1), I32_OR, ...load(2), I32_OR, ...load(3), I32_OR,
      op.if, op.void, ...lane(0), ...lane(1), ...lane(2), ...lane(3), op.end,
      ...i32(16), op.get, i, op.i32Add, op.set, i,
    ]),
    op.get, c,
  ];
  return body([[10, I32], [2, V128]], code);
}

/** The module: imports env.mem, exports pass and scan, both (i32) -> i32. */
function moduleBytes(): Uint8Array {
  const fns = [
    { name: 'pass', code: passCode() },
    { name: 'scan', code: scanCode() },
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([[I32]])]])),
    ...section(2, vec([[0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, ...uleb(PAGES)]])),
    ...section(3, vec(fns.map(() => [0]))),
    ...section(7, vec(fns.map((f, n) => [...uleb(f.name.length), ...Array.from(f.name, (ch) => ch.charCodeAt(0)), 0x00, n]))),
    ...section(10, vec(fns.map((f) => f.code))),
  ]);
}

export interface StatsKernels {
  /** The key counts (2^17, at address 0). */
  keys: Int32Array;
  /** After pass: s1 lanes 0..3, s2 lanes 4..7. */
  sums: Float64Array;
  /** After pass: lo lanes 0..3, hi lanes 4..7. */
  bounds: Float32Array;
  /** The action bytes scan reads (2^17). */
  action: Uint8Array;
  /** Per key with action bit 0: the low 15 bits from which a value counts in split[2·key + 1]. */
  thresholds: Uint16Array;
  /** scan's counts per key below / at or above its threshold (zeroed by the caller after use). */
  split: Int32Array;
  /** Copies values [start, start + n4) in (n4 ≤ WASM_CHUNK, a multiple of 4) and runs pass on them. */
  pass(values: Float32Array, start: number, n4: number): void;
  /** Copies values [start, start + n4) in and runs scan: the number of marked values, their indices (into values) in `hits`. */
  scan(values: Float32Array, start: number, n4: number): number;
  hits: Int32Array;
}

let kernels: StatsKernels | null | undefined;

/** This thread's kernels, or undefined without WebAssembly SIMD (or when `disabled`, for tests). */
export function statsKernels(): StatsKernels | undefined {
  if (kernels === undefined) kernels = makeKernels() ?? null;
  return kernels ?? undefined;
}

/** Tests: run without (false) or with (true) the WebAssembly kernels. */
export function useStatsKernels(on: boolean): void {
  kernels = on ? undefined : null;
}

function makeKernels(): StatsKernels | undefined {
  const api = wasmApi;
  if (!api) return undefined;
  try {
    const memory = new api.Memory({ initial: PAGES });
    const inst = new api.Instance(new api.Module(moduleBytes()), { env: { mem: memory } });
    const pass = inst.exports.pass as (n4: number) => number;
    const scan = inst.exports.scan as (n4: number) => number;
    const buf = memory.buffer;
    const data = new Float32Array(buf, DATA_AT, WASM_CHUNK);
    const hits = new Int32Array(buf, HITS_AT, WASM_CHUNK);
    return {
      keys: new Int32Array(buf, KEYS_AT, 1 << 17),
      sums: new Float64Array(buf, OUT_AT, 8),
      bounds: new Float32Array(buf, OUT_AT + 64, 8),
      action: new Uint8Array(buf, ACTION_AT, 1 << 17),
      thresholds: new Uint16Array(buf, THR_AT, 1 << 17),
      split: new Int32Array(buf, SPLIT_AT, 1 << 18),
      pass: (values, start, n4) => {
        data.set(values.subarray(start, start + n4));
        pass(n4);
      },
      hits,
      scan: (values, start, n4) => {
        data.set(values.subarray(start, start + n4));
        const found = scan(n4);
        for (let j = 0; j < found; j++) hits[j] = start + ((hits[j] - DATA_AT) >> 2);
        return found;
      },
    };
  } catch {
    return undefined; // no SIMD, or WebAssembly blocked
  }
}
