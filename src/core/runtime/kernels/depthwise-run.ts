// Depthwise 3×3 layers, stride 1 or 2 (MobileNet-style, padding 1) on the kernels of depthwise-code.ts:
// read straight from the input where the previous layer left it, no padded planes to pack and
// no compaction after, which on small maps cost more than the products (per-channel lists).
import type { Conv2dShape, ConvLayerWeights } from './conv-layer';
import { inputAt, outputTo } from './conv-io';
import type { ConvPool } from './conv-post';
import { type ConvArena, type ConvFn, programMemory } from './conv-wasm';

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * Below this share of non-zero weights the per-channel lists, which skip zeros, beat dw3 (which
 * does all nine taps), measured per layer (WebAssembly, batch 1, CPU time, lists = 1): 7×7 maps
 * 0.63–0.79 dense, 0.85–0.91 at half density; stride 2, 14×14 → 7×7: 0.61–0.69 dense, 0.67–0.70
 * at half. On wider stride-1 maps the lists' 16-float blocks do well: 14×14 0.90–0.95 dense but
 * 1.19–1.23 at half, so there dw3 needs DEPTHWISE_MIN_DENSITY_WIDE.
 */
export const DEPTHWISE_MIN_DENSITY = 0.5;
export const DEPTHWISE_MIN_DENSITY_WIDE = 0.9;

/**
 * A layer and shape dw3 computes: depthwise (C = M = group) 3×3, stride 1 (padding 1 each side) or
 * 2 (padding 1 before), no dilation, no residual, and enough of the weights non-zero (above).
 */
export function depthwiseFits(s: Conv2dShape, l: ConvLayerWeights): boolean {
  if (l.group !== s.C || l.M !== s.C || l.kh !== 3 || l.kw !== 3 || s.sy !== s.sx || s.dy !== 1 || s.dx !== 1) return false;
  if (s.padT !== 1 || s.padL !== 1 || l.residual) return false;
  const one = s.sy === 1 && s.OH === s.H && s.OW === s.W;
  const two = s.sy === 2 && s.OH <= Math.ceil(s.H / 2) && s.OW <= Math.ceil(s.W / 2);
  if (!one && !two) return false;
  let nnz = 0;
  for (let i = 0; i < l.w.length; i++) if (l.w[i] !== 0) nnz++;
  return nnz >= (one && s.W > 8 ? DEPTHWISE_MIN_DENSITY_WIDE : DEPTHWISE_MIN_DENSITY) * l.w.length;
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
    const { C, H, W, OH, OW, sx } = s;
    let at = arena ? arena.top : 64;
    // Every region 64 bytes apart: loads read up to 8 bytes before and 64 past the input, stores write up to 28 past the output.
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
    this.masks = take(Math.ceil(OW / 8) * 64);
    this.out = take(C * OH * OW * 4);
    const memory = programMemory(arena, at);
    this.ok = memory !== undefined;
    if (!memory) return;
    this.fn = memory.fn;
    this.own = memory.own;
    const f32 = this.f32;
    const i32 = new Int32Array(f32.buffer);
    f32.set(l.w, this.wts >> 2);
    f32.set(l.bias, this.bias >> 2);
    f32.set([l.lo, l.hi, 0, 1 / 6, 0.5, 1], this.clamp >> 2);
    i32[(this.clamp >> 2) + 2] = l.hardswish ? 1 : 0;
    // Output column o = 8j + 4h + k reads input columns sx·o − 1 … + 1: the left one is in the row
    // unless o = 0, the right one while sx·o + 1 < W (lanes past the row: either).
    for (let j = 0; j < Math.ceil(OW / 8); j++) {
      for (let h = 0; h < 2; h++) {
        for (let k = 0; k < 4; k++) {
          const o = 8 * j + 4 * h + k;
          i32[(this.masks >> 2) + 16 * j + 8 * h + k] = o === 0 ? 0 : -1;
          i32[(this.masks >> 2) + 16 * j + 8 * h + 4 + k] = sx * o + 1 < W ? -1 : 0;
        }
      }
    }
  }

  /** One image: x (C·H·W, times scale[sOff + c] per channel) → y (C·OH·OW, or pooled) at yOff (lazy: see ConvArena). */
  run(x: Float32Array, xOff: number, y: Float32Array, yOff: number, scale: Float32Array | undefined, sOff: number, _res: Float32Array | undefined, _rOff: number, pool: ConvPool | undefined, lazy: boolean): void {
    const { s, fn } = this;
    const mem = { f32: this.f32, fn };
    const src = inputAt(mem, this.arena, x, xOff, s.C, s.H * s.W, scale, sOff, { x: this.x, stage: this.stage, scales: this.scales });
    fn(s.sx === 1 ? 'dw3' : 'dw3s2')(src, this.out, s.C, s.H, s.W, s.OH, s.OW, this.wts, this.bias, this.clamp, this.masks);
    outputTo(mem, this.arena, this.out, s.C, s.OH, s.OW, y, yOff, pool, lazy);
  }
}
