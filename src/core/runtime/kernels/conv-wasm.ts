// The compiled convolution module (conv-code.ts) and one instance of it over a fresh memory per
// layer program; null where WebAssembly (with SIMD) is unavailable.
import { convModuleBytes } from './conv-code';
import { relaxedSimd, wasmApi, type WasmApi } from './wasm-asm';

export type ConvFn = (...args: number[]) => void;

const api = wasmApi;
/** The compiled module, per multiply-add form. */
const compiled = new Map<boolean, object | null>();

/**
 * Whether the kernels multiply-add with relaxed_madd: where relaxed SIMD validates, unless
 * convKernelOptions.fused is false (tests and benches compare both: it applies to the layers built after).
 */
export const convKernelOptions: { fused: boolean | undefined } = { fused: undefined };

export function fusedMadd(): boolean {
  return convKernelOptions.fused !== false && relaxedSimd();
}

function wasmModule(): object | null {
  const fused = fusedMadd();
  let m = compiled.get(fused);
  if (m !== undefined) return m;
  try {
    m = api ? new api.Module(convModuleBytes(fused)) : null;
  } catch {
    m = null;
  }
  compiled.set(fused, m);
  return m;
}

export function convWasmAvailable(): boolean {
  return wasmModule() !== null;
}

/** An instance over a memory of at least `bytes` bytes, or undefined (no WebAssembly, or too large). */
export function convInstance(bytes: number): { buffer: ArrayBuffer; fn: (name: string) => ConvFn } | undefined {
  const m = wasmModule();
  if (m === null || bytes >= 2 ** 31) return undefined;
  const a = api as WasmApi;
  const memory = new a.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const inst = new a.Instance(m, { env: { mem: memory } });
  return { buffer: memory.buffer, fn: (name) => inst.exports[name] as ConvFn };
}

/**
 * The memory of a WebAssembly-only program of `bytes` bytes (depthwise, Winograd): its region of
 * the arena (committed; `own` undefined), or an instance of its own; undefined without WebAssembly.
 */
export function programMemory(arena: ConvArena | undefined, bytes: number): { fn: (name: string) => ConvFn; own?: Float32Array } | undefined {
  if (arena) {
    arena.commit(bytes);
    return { fn: (name) => arena.fn(name) };
  }
  const inst = convInstance(bytes);
  return inst && { fn: inst.fn, own: new Float32Array(inst.buffer) };
}

/** Where a float array's values also live in an arena: its offset and length there, and whether they are only there. */
interface Held {
  off: number;
  len: number;
  addr: number;
  pending: boolean;
}

/**
 * One WebAssembly memory shared by the conv layers of a plan, so that a layer reads the previous
 * layer's output where that layer wrote it (no copy into its own memory), and a layer whose only
 * reader is another conv layer of the arena need not copy its output out at all (`pending` until
 * someone asks for it in JS: materialize). Layers take their regions from the top as they are built.
 */
export class ConvArena {
  private readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  private readonly inst: { exports: Record<string, unknown> };
  private buf: ArrayBuffer;
  private f32View: Float32Array;
  private i32View: Int32Array;
  /** The first free byte (64-aligned). */
  top = 64;
  private readonly held = new WeakMap<Float32Array, Held>();

  private constructor(m: object) {
    const a = api as WasmApi;
    this.memory = new a.Memory({ initial: 1 }) as ConvArena['memory'];
    this.inst = new a.Instance(m, { env: { mem: this.memory } });
    this.buf = this.memory.buffer;
    this.f32View = new Float32Array(this.buf);
    this.i32View = new Int32Array(this.buf);
  }

  /** An arena, or undefined where WebAssembly is unavailable. */
  static create(): ConvArena | undefined {
    const m = wasmModule();
    return m === null ? undefined : new ConvArena(m);
  }

  /** Marks [top, end) as taken (end from the caller's own bump allocation); false when it cannot grow that far. */
  commit(end: number): boolean {
    const need = Math.ceil(end / 65536) + 1;
    const have = this.memory.buffer.byteLength / 65536;
    if (end >= 2 ** 31) return false;
    if (need > have) {
      this.memory.grow(need - have);
      this.fresh();
    }
    this.top = end;
    return true;
  }

  /** New views after the memory grew (only commit grows it: the views need no check per use). */
  private fresh(): void {
    if (this.memory.buffer !== this.buf) {
      this.buf = this.memory.buffer;
      this.f32View = new Float32Array(this.buf);
      this.i32View = new Int32Array(this.buf);
    }
  }

  get f32(): Float32Array {
    return this.f32View;
  }

  get i32(): Int32Array {
    return this.i32View;
  }

  fn(name: string): ConvFn {
    return this.inst.exports[name] as ConvFn;
  }

  /** y[off, off + len) is (pending: only) at byte addr of the arena. */
  note(y: Float32Array, off: number, len: number, addr: number, pending: boolean): void {
    const h = this.held.get(y);
    if (!h) this.held.set(y, { off, len, addr, pending });
    else {
      h.off = off;
      h.len = len;
      h.addr = addr;
      h.pending = pending;
    }
  }

  forget(y: Float32Array): void {
    this.held.delete(y);
  }

  /** The byte address of x[off, off + len) in the arena, if it is there. */
  find(x: Float32Array, off: number, len: number): number | undefined {
    const h = this.held.get(x);
    return h && h.off === off && h.len === len ? h.addr : undefined;
  }

  /** Copies x's pending values out of the arena (before JS reads x). */
  materialize(x: unknown): void {
    if (!(x instanceof Float32Array)) return;
    const h = this.held.get(x);
    if (!h || !h.pending) return;
    x.set(this.f32.subarray(h.addr >> 2, (h.addr >> 2) + h.len), h.off);
    h.pending = false;
  }
}
