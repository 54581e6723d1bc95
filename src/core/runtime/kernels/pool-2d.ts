// 2-D max and average pooling of float32 planes (dilation 1), separable: per output row, the
// window's input rows are reduced column by column into a row buffer that carries the left and
// right padding (-Infinity for max, 0 for the sum), then each output is reduced from kw
// consecutive buffer entries, so no read checks bounds. A NaN anywhere in a max window gives NaN
// (Math.max propagates it). Large inputs run the same scheme in WebAssembly SIMD (pool-wasm.ts).
import { maxPool2dWasm } from './pool-wasm';

/** A 2-D pool window: kernel, strides, begin pads. */
export interface PoolWindow {
  kh: number;
  kw: number;
  sy: number;
  sx: number;
  pt: number;
  pl: number;
}

/** Window geometry of one 2-D pool with its output size. */
export interface Pool2d extends PoolWindow {
  OH: number;
  OW: number;
}

/** Whether every window holds at least one input element (else the general loops give 0 there). */
export function pool2dFits(H: number, W: number, g: Pool2d): boolean {
  return g.OH > 0 && g.OW > 0 && g.kh > g.pt && g.kw > g.pl && (g.OH - 1) * g.sy - g.pt < H && (g.OW - 1) * g.sx - g.pl < W;
}

let rowF32 = new Float32Array(256);
let rowF64 = new Float64Array(256);

/** Buffer length for one padded row: the left pad, W, and whatever the last window reads past W. */
function rowLen(W: number, g: Pool2d): number {
  return Math.max(g.pl + W, (g.OW - 1) * g.sx + g.kw);
}

/** Inputs of at least this many floats go to the WebAssembly kernel (pool-wasm.ts), where there is one. */
const WASM_FROM = 4096;

/** Max pool of `planes` planes H×W at src[sOff] into dst[dOff] (planes of OH×OW). Needs pool2dFits. */
export function maxPool2d(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, g: Pool2d): void {
  if (planes * H * W >= WASM_FROM && maxPool2dWasm(src, sOff, dst, dOff, planes, H, W, g)) return;
  maxPool2dJs(src, sOff, dst, dOff, planes, H, W, g);
}

/** maxPool2d in JS. */
export function maxPool2dJs(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, g: Pool2d): void {
  const len = rowLen(W, g);
  if (rowF32.length < len) rowF32 = new Float32Array(len);
  const t = rowF32;
  t.fill(-Infinity, 0, g.pl);
  t.fill(-Infinity, g.pl + W, len);
  const { kh, sy, pt, pl, OH, OW } = g;
  for (let c = 0; c < planes; c++) {
    const base = sOff + c * H * W;
    let o = dOff + c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sy - pt);
      const y1 = Math.min(H, oy * sy - pt + kh);
      columnsMax(src, base + y0 * W, W, y1 - y0, t, pl);
      rowMax(t, dst, o, OW, g.sx, g.kw);
      o += OW;
    }
  }
}

/** t[pl + x] = max over n rows (stride W) of src[r + x], NaN-propagating. */
function columnsMax(src: Float32Array, r: number, W: number, n: number, t: Float32Array, pl: number): void {
  if (n === 1) {
    t.set(src.subarray(r, r + W), pl);
    return;
  }
  if (n === 3) {
    const r1 = r + W;
    const r2 = r1 + W;
    for (let x = 0; x < W; x++) {
      t[pl + x] = Math.max(src[r + x], src[r1 + x], src[r2 + x]);
    }
    return;
  }
  const r1 = r + W;
  for (let x = 0; x < W; x++) {
    t[pl + x] = Math.max(src[r + x], src[r1 + x]);
  }
  for (let k = 2; k < n; k++) {
    const rk = r + k * W;
    for (let x = 0; x < W; x++) {
      t[pl + x] = Math.max(t[pl + x], src[rk + x]);
    }
  }
}

/** dst[o + ox] = max of t[ox·sx … ox·sx + kw - 1], NaN-propagating. */
function rowMax(t: Float32Array, dst: Float32Array, o: number, OW: number, sx: number, kw: number): void {
  if (kw === 3) {
    for (let ox = 0, i = 0; ox < OW; ox++, i += sx) {
      dst[o + ox] = Math.max(t[i], t[i + 1], t[i + 2]);
    }
  } else if (kw === 2) {
    for (let ox = 0, i = 0; ox < OW; ox++, i += sx) {
      dst[o + ox] = Math.max(t[i], t[i + 1]);
    }
  } else {
    for (let ox = 0, i = 0; ox < OW; ox++, i += sx) {
      let m = t[i];
      for (let j = 1; j < kw; j++) m = Math.max(m, t[i + j]);
      dst[o + ox] = m;
    }
  }
}

/**
 * Average pool like maxPool2d: each output is its window's sum divided by divH[oy] · divW[ox]
 * (the per-axis window sizes, padding counted or not). Needs pool2dFits.
 */
export function avgPool2d(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, g: Pool2d, divH: ArrayLike<number>, divW: ArrayLike<number>): void {
  const len = rowLen(W, g);
  if (rowF64.length < len) rowF64 = new Float64Array(len);
  const t = rowF64;
  t.fill(0, 0, g.pl);
  t.fill(0, g.pl + W, len);
  const { kh, kw, sx, sy, pt, pl, OH, OW } = g;
  for (let c = 0; c < planes; c++) {
    const base = sOff + c * H * W;
    let o = dOff + c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sy - pt);
      const y1 = Math.min(H, oy * sy - pt + kh);
      const r = base + y0 * W;
      for (let x = 0; x < W; x++) t[pl + x] = src[r + x];
      for (let y = y0 + 1; y < y1; y++) {
        const rk = base + y * W;
        for (let x = 0; x < W; x++) t[pl + x] += src[rk + x];
      }
      const dy = divH[oy];
      for (let ox = 0, i = 0; ox < OW; ox++, i += sx) {
        let s = t[i];
        for (let j = 1; j < kw; j++) s += t[i + j];
        dst[o + ox] = s / (dy * divW[ox]);
      }
      o += OW;
    }
  }
}
