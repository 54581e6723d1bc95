// Depthwise 3×3 stride-1 layers (MobileNet-style, padding 1) on the dw3 kernel of depthwise-code.ts:
// read straight from the input where the previous layer left it, no padded planes to pack and
// no compaction after, which on small maps cost more than the products (per-channel lists).
import type { Conv2dShape, ConvLayerWeights } from './conv-layer';
import { inputAt, outputTo } from './conv-io';
import type { ConvPool } from './conv-post';
import { type ConvArena, type ConvFn, convInstance } from './conv-wasm';

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * Below this share of non-zero weights the per-channel lists, which skip zeros, beat dw3 (which
 * does all nine taps): MobileNet fixture, batch 1, whole model — dw3 10–14% faster unpruned, even
 * at magnitude 0.5, 9% slower at 0.9.
 */
export const DEPTHWISE_MIN_DENSITY = 0.5;

/**
 * A layer and shape dw3 computes: depthwise (C = M = group) 3×3, stride 1, no dilation, padding 1
 * each side, no residual, and at least DEPTHWISE_MIN_DENSITY of the weights non-zero.
 */
export function depthwiseFits(s: Conv2dShape, l: ConvLayerWeights): boolean {
  if (l.group !== s.C || l.M !== s.C || l.kh !== 3 || l.kw !== 3 || s.sy !== 1 || s.sx !== 1 || s.dy !== 1 || s.dx !== 1) return false;
  if (s.padT !== 1 || s.padL !== 1 || s.OH !== s.H || s.OW !== s.W || l.residual) return false;
  let nnz = 0;
  for (let i = 0; i < l.w.length; i++) if (l.w[i] !== 0) nnz++;
  return nnz >= DEPTHWISE_MIN_DENSITY * l.w.length;
}

/** Byte offsets of one depthwise layer's program (its own memory or a region of the arena). */
export class DepthwiseProgram {
  private readonly own: Float32Array | undefined;
  private readonly fn: (name: string) => ConvFn = () => () => undefined;
  private readonly ok: boolean = true;
  private readonly x: number;
  private readonly stage: number;
  private readonly scales: number;
  private readonly wts: number;
  private readonly bias: number;
  private readonly clamp: number;
  private readonly masks: number;
  private readonly out: number;

  /** Undefined when WebAssembly is unavailable. */
  static create(s: Conv2dShape, l: ConvLayerWeights, arena?: ConvArena): DepthwiseProgram | undefined {
    const p = new DepthwiseProgram(s, l, arena);
    return p.ok ? p : undefined;
  }

  get f32(): Float32Array {
    return this.arena ? this.arena.f32 : this.own!;
  }

  private constructor(readonly s: Conv2dShape, readonly l: ConvLayerWeights, private readonly arena: ConvArena | undefined) {
    const { C, H, W } = s;
    let at = arena ? arena.top : 64;
    // Every region 64 bytes apart: loads read up to 16 bytes past the input, stores write up to 12 past the output.
    const take = (bytes: number): number => {
      const r = at;
      at += up(bytes, 64) + 64;
      return r;
    };
    const n = C * H * W * 4;
    this.x = take(n);
    this.stage = l.scaled ? take(n) : 0;
    this.scales = l.scaled ? take(C * 4) : 0;
    this.wts = take(C * 36);
    this.bias = take(C * 4);
    this.clamp = take(24);
    this.masks = take(Math.ceil(W / 4) * 32);
    this.out = take(n);
    if (arena) {
      arena.commit(at);
      this.fn = (name) => arena.fn(name);
    } else {
      const inst = convInstance(at);
      this.ok = inst !== undefined;
      if (!inst) return;
      this.own = new Float32Array(inst.buffer);
      this.fn = inst.fn;
    }
    const f32 = this.f32;
    const i32 = new Int32Array(f32.buffer);
    f32.set(l.w, this.wts >> 2);
    f32.set(l.bias, this.bias >> 2);
    f32.set([l.lo, l.hi, 0, 1 / 6, 0.5, 1], this.clamp >> 2);
    i32[(this.clamp >> 2) + 2] = l.hardswish ? 1 : 0;
    // Column 4j + k has a left neighbour unless it is 0, a right one unless it is W - 1 (lanes past the row: either).
    for (let j = 0; j < Math.ceil(W / 4); j++) {
      for (let k = 0; k < 4; k++) {
        i32[(this.masks >> 2) + 8 * j + k] = 4 * j + k === 0 ? 0 : -1;
        i32[(this.masks >> 2) + 8 * j + 4 + k] = 4 * j + k >= W - 1 ? 0 : -1;
      }
    }
  }

  /** One image: x (C·H·W, times scale[sOff + c] per channel) → y (C·H·W, or pooled) at yOff (lazy: see ConvArena). */
  run(x: Float32Array, xOff: number, y: Float32Array, yOff: number, scale: Float32Array | undefined, sOff: number, _res: Float32Array | undefined, _rOff: number, pool: ConvPool | undefined, lazy: boolean): void {
    const { s, fn } = this;
    const mem = { f32: this.f32, fn };
    const src = inputAt(mem, this.arena, x, xOff, s.C, s.H * s.W, scale, sOff, { x: this.x, stage: this.stage, scales: this.scales });
    fn('dw3')(src, this.out, s.C, s.H, s.W, this.wts, this.bias, this.clamp, this.masks);
    outputTo(mem, this.arena, this.out, s.C, s.H, s.W, y, yOff, pool, lazy);
  }
}
