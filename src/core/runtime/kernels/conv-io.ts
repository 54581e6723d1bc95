// Moving one image in and out of a WebAssembly conv layer program (conv-run.ts, winograd-run.ts):
// from the arena where the previous layer left it when it is there, else copied in; the output
// copied out, or left in the arena (pending) when the only reader is another layer of it.
import type { ConvPool } from './conv-post';
import { maxPoolPlanes } from './conv-post';
import type { ConvArena, ConvFn } from './conv-wasm';

/** The memory a program runs in. */
export interface ConvMem {
  readonly f32: Float32Array;
  fn(name: string): ConvFn;
}

/** Where the input image's C·hw values start (byte address), times scale[sOff + c] per channel when given. */
export interface InputPlace {
  /** The program's own input region, and a staging region and C floats for the scales (scaled layers). */
  x: number;
  stage: number;
  scales: number;
}

/**
 * The byte address of image x[xOff …] (C planes of hw floats) in `m`: the arena's copy when it
 * holds exactly these values (a scaled input is then scaled from there into p.x), else p.x after
 * copying (and scaling) it there.
 */
export function inputAt(m: ConvMem, arena: ConvArena | undefined, x: Float32Array, xOff: number, C: number, hw: number, scale: Float32Array | undefined, sOff: number, p: InputPlace): number {
  const len = C * hw;
  const held = arena?.find(x, xOff, len);
  if (scale) {
    const f32 = m.f32;
    f32.set(scale.subarray(sOff, sOff + C), p.scales >> 2);
    let from = held;
    if (from === undefined) {
      f32.set(x.subarray(xOff, xOff + len), p.stage >> 2);
      from = p.stage;
    }
    m.fn('scaleCopy')(from, p.x, C, hw * 4, p.scales);
    return p.x;
  }
  if (held !== undefined) return held;
  m.f32.set(x.subarray(xOff, xOff + len), p.x >> 2);
  return p.x;
}

/** The byte address of the residual res[rOff …] (n floats): the arena's copy, or `own` after copying it there. */
export function residualAt(m: ConvMem, arena: ConvArena | undefined, res: Float32Array, rOff: number, n: number, own: number): number {
  const held = arena?.find(res, rOff, n);
  if (held !== undefined) return held;
  m.f32.set(res.subarray(rOff, rOff + n), own >> 2);
  return own;
}

/**
 * The layer's output (M planes of OH·OW floats at byte `out`) into y at yOff: pooled, copied, or
 * (lazy) left in the arena for its one reader; the arena notes where y's values are.
 */
export function outputTo(m: ConvMem, arena: ConvArena | undefined, out: number, M: number, OH: number, OW: number, y: Float32Array, yOff: number, pool: ConvPool | undefined, lazy: boolean): void {
  const n = M * OH * OW;
  const f32 = m.f32;
  if (pool) {
    if (pool.kh === 2 && pool.kw === 2 && pool.sy === 2 && pool.sx === 2 && pool.pt + pool.pl + pool.pb + pool.pr === 0 && OH >= 2 && OW >= 2) {
      // In WebAssembly, in place, then copied out.
      const PH = OH >> 1;
      const PW = OW >> 1;
      m.fn('pool2')(out, M, OH, OW, PH, PW);
      y.set(m.f32.subarray(out >> 2, (out >> 2) + M * PH * PW), yOff);
    } else maxPoolPlanes(f32, out >> 2, y, yOff, M, OH, OW, pool);
    arena?.forget(y);
    return;
  }
  if (!lazy || !arena) y.set(f32.subarray(out >> 2, (out >> 2) + n), yOff);
  arena?.note(y, yOff, n, out, lazy && !!arena);
}
