// A few pieces of the WebAssembly binary format (spec §5), enough to assemble the layer kernels of
// chain-code.ts byte by byte: LEB128, sections, opcodes and the SIMD prefix.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** Scalar opcodes used by the kernels. */
export const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Load: 0x28, f32Load: 0x2a, i32Load16u: 0x2f, i32Store: 0x36, f32Store: 0x38,
  i32Const: 0x41,
  i32GeU: 0x4f, i32GtU: 0x4b, i32LtU: 0x49, f32Ne: 0x5c,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
  f32Add: 0x92, f32Mul: 0x94,
} as const;

/** memarg: alignment exponent and byte offset. */
export const mem = (align: number, offset = 0): number[] => [align, ...uleb(offset)];

const simd = (code: number): number[] => [0xfd, ...uleb(code)];

/** SIMD instructions (each already prefixed). */
export const v = {
  load: simd(0x00),
  load32Splat: simd(0x09),
  store: simd(0x0b),
  f32x4Splat: simd(0x13),
  f32x4Ne: simd(0x42),
  anyTrue: simd(0x53),
  or: simd(0x50),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  /** pmax(a, b) = a < b ? b : a; pmax(0, x) is x > 0 ? x : 0 (NaN → 0), like the JS ReLU. */
  f32x4Pmax: simd(0xeb),
  zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  /** Relaxed SIMD f32x4.relaxed_madd(a, b, c) = a·b + c, fused or not (only where relaxedSimd() holds). */
  f32x4RelaxedMadd: simd(0x105),
} as const;

/** f32.const 0 */
export const f32Zero = [0x43, 0, 0, 0, 0];

/** A function body: local declarations (runs of [count, type]) then code, closed with `end`. */
export function body(locals: [number, number][], code: number[]): number[] {
  const l = vec(locals.map(([n, t]) => [...uleb(n), t]));
  const all = [...l, ...code, op.end];
  return [...uleb(all.length), ...all];
}

/** `block loop <cond> br_if 1 <body> br 0 end end`: runs body while `exit` (i32 code) is false. */
export function whileNot(exit: number[], bodyCode: number[]): number[] {
  return [op.block, op.void, op.loop, op.void, ...exit, op.brIf, 1, ...bodyCode, op.br, 0, op.end, op.end];
}

/** local += n (i32). */
export function addTo(local: number, n: number): number[] {
  return [op.get, local, op.i32Const, ...sleb(n), op.i32Add, op.set, local];
}

/** Signed LEB128 for i32.const. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** local.get l, local.set l, i32.const n. */
export const get = (l: number): number[] => [op.get, l];
export const set = (l: number): number[] => [op.set, l];
export const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];

/** A module importing env.mem and exporting the given functions (each with its own i32-only signature). */
export function moduleBytes(fns: { name: string; params: number; code: number[] }[]): Uint8Array {
  const arities = [...new Set(fns.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...vec(new Array<number[]>(n).fill([I32])), 0]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(fns.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map((f) => f.code))),
  ];
  return new Uint8Array(bytes);
}

/** The slice of the WebAssembly JS API the kernels use (typed here: core builds with and without DOM types). */
export interface WasmMemory {
  buffer: ArrayBuffer;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate?: (bytes: Uint8Array) => boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** The platform's WebAssembly, or undefined where there is none. */
export const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let relaxed: boolean | undefined;

/**
 * Whether the platform's WebAssembly has relaxed SIMD (f32x4.relaxed_madd validates): shipped in
 * Chromium/Electron; Node 20 only with --experimental-wasm-relaxed-simd (the Node entries set it).
 * Asked once, when the first kernel module is built.
 */
export function relaxedSimd(): boolean {
  if (relaxed !== undefined) return relaxed;
  // (v128, v128, v128) -> v128: local.get 0, 1, 2, f32x4.relaxed_madd
  const code = body([], [op.get, 0, op.get, 1, op.get, 2, ...v.f32x4RelaxedMadd]);
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[V128], [V128], [V128]]), 1, V128]])),
    ...section(3, vec([[0]])),
    ...section(10, vec([code])),
  ]);
  try {
    relaxed = wasmApi?.validate?.(bytes) === true;
  } catch {
    relaxed = false;
  }
  return relaxed;
}

/**
 * acc += a · b on f32x4 (a and b: code leaving one v128 each on the stack; acc a local): one
 * relaxed_madd when `fused`, else mul then add.
 */
export function madd(fused: boolean, acc: number, a: number[], b: number[]): number[] {
  return fused ? [...a, ...b, op.get, acc, ...v.f32x4RelaxedMadd, op.set, acc] : [op.get, acc, ...a, ...b, ...v.f32x4Mul, ...v.f32x4Add, op.set, acc];
}
