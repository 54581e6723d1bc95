// Depthwise Conv with stride 1 on WebAssembly without shifted copies: each channel's planes are
// laid out zero-padded (Hp × Wp, one after another), so tap (i, j) of the window is the whole padded
// layout shifted by i·dh·Wp + j·dw, and every tap is one f32x4 axpy (forward, input gradient) or
// dot (weight gradient) over it. Output positions are the padded positions whose window fits (the
// others are computed and dropped). Two offset tables per chunk size, shared by all channels (the
// base moving by a plane): padded position ↔ input position, and padded position ↔ output position.
import type { WasmArena } from '../gemm-wasm';
import type { SlidingWindow } from '../sliding-window';

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

export interface Direct {
  /** Padded positions of a chunk, rounded up to f32x4 steps. */
  L: number;
  /** Shift of each tap k = i·kw + j in the padded layout. */
  offs: number[];
  /** The largest shift (the padded layout is read that far past L). */
  reach: number;
  /** r → 4 · input float of channel 0 (padding → the block after the chunk's input). */
  pad: Int32Array;
  /** r → 4 · output float of channel 0 in [count, C, P] (positions without an output → the block after it). */
  out: Int32Array;
}

export function directOf(C: number, w: SlidingWindow, count: number): Direct {
  const { H, W, kh, kw, dh, dw, pt, pl, pb, pr, OH, OW } = w;
  const Hp = H + pt + pb;
  const Wp = W + pl + pr;
  const R = count * Hp * Wp;
  const L = up4(R);
  const CHW = C * H * W;
  const P = OH * OW;
  const pad = new Int32Array(L).fill(4 * count * CHW);
  const out = new Int32Array(L).fill(4 * count * C * P);
  for (let n = 0, r = 0; n < count; n++) {
    for (let py = 0; py < Hp; py++) {
      for (let px = 0; px < Wp; px++, r++) {
        const iy = py - pt;
        const ix = px - pl;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) pad[r] = 4 * (n * CHW + iy * W + ix);
        if (py < OH && px < OW) out[r] = 4 * (n * C * P + py * OW + px);
      }
    }
  }
  const offs: number[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) offs.push(i * dh * Wp + j * dw);
  return { L, offs, reach: Math.max(...offs), pad, out };
}

/** Floats of scratch directForward / directBackward use past `at`. */
export const directScratch = (d: Direct): number => 2 * (d.L + d.reach + 4) + 2 * d.L;

/**
 * One chunk, forward: for every channel, y (zeroed region [count, C, P] at yAt, a block of C·P after
 * it) += conv of x ([count, C, H, W] at xAt, a zero block of C·H·W after it) + bias. wAt holds the
 * weights [C, kh·kw], bAt the bias per channel (or −1: none); idxAt / idx2At hold d.pad / d.out.
 */
export function directForward(a: WasmArena, d: Direct, C: number, HW: number, P: number, xAt: number, wAt: number, b: Float32Array | undefined, yAt: number, idxAt: number, idx2At: number, at: number): void {
  const KK = d.offs.length;
  const xpAt = at;
  const yfAt = xpAt + d.L + d.reach + 4;
  a.f32.fill(0, xpAt + d.L, yfAt);
  for (let c = 0; c < C; c++) {
    a.gather(4 * idxAt, d.L, 4 * (xAt + c * HW), 4 * xpAt);
    a.f32.fill(b !== undefined ? b[c] : 0, yfAt, yfAt + d.L);
    for (let k = 0; k < KK; k++) a.axpy(4 * (wAt + c * KK + k), 4 * (xpAt + d.offs[k]), 4 * yfAt, d.L / 4);
    a.scatter(4 * idx2At, d.L, 4 * (yAt + c * P), 4 * yfAt);
  }
}

/**
 * One chunk, backward: dy [count, C, P] at dyAt (a zero block of C·P after it); dw (dwAt, [C, kh·kw])
 * += the weight gradient when x is given at xAt; dx (zeroed [count, C, H, W] at dxAt, a dump block
 * after it) += the input gradient when wantDx.
 */
export function directBackward(
  a: WasmArena, d: Direct, C: number, HW: number, P: number, xAt: number | undefined, dyAt: number, wAt: number, dwAt: number, dxAt: number | undefined, idxAt: number, idx2At: number, at: number,
): void {
  const KK = d.offs.length;
  const dyfAt = at;
  const xpAt = dyfAt + d.L;
  const dxpAt = xpAt + d.L + d.reach + 4;
  a.f32.fill(0, xpAt + d.L, dxpAt);
  for (let c = 0; c < C; c++) {
    a.gather(4 * idx2At, d.L, 4 * (dyAt + c * P), 4 * dyfAt);
    if (xAt !== undefined) {
      a.gather(4 * idxAt, d.L, 4 * (xAt + c * HW), 4 * xpAt);
      for (let k = 0; k < KK; k++) a.dot(4 * (xpAt + d.offs[k]), 4 * dyfAt, d.L / 4, 4 * (dwAt + c * KK + k));
    }
    if (dxAt !== undefined) {
      a.f32.fill(0, dxpAt, dxpAt + d.L + d.reach + 4);
      for (let k = 0; k < KK; k++) a.axpy(4 * (wAt + c * KK + k), 4 * dyfAt, 4 * (dxpAt + d.offs[k]), d.L / 4);
      a.scatter(4 * idxAt, d.L, 4 * (dxAt + c * HW), 4 * dxpAt);
    }
  }
}
