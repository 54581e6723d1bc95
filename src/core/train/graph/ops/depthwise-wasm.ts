// Depthwise Conv (one input channel per output channel) on the WebAssembly kernels of gemm-wasm.ts,
// one channel at a time over a chunk of samples in channel-major order: the channel's kh · kw
// shifted copies (gathered through one offset table shared by all channels, the base moving by a
// plane), then y_c = Σ_k w[c, k] · copy_k (axpy); backward reads / writes through the table's rows
// directly: dw[c, k] = Σ x[row_k] · dy_c (gatherDot), dx[row_k] += w[c, k] · dy_c (scatterAxpy).
// Padding reads a zero block after the input; the scatter's padding entries land in a dump block.
// Stride 1 runs on depthwise-direct.ts's padded layout instead. Returns false without WebAssembly
// (depthwise.ts's JS loops then).
import { tableKeeper, wasmArena } from '../gemm-wasm';
import type { SlidingWindow } from '../sliding-window';
import { directBackward, directForward, directOf, directScratch, type Direct } from './depthwise-direct';

/** Most floats of one chunk's input; a chunk holds at least one sample. */
const CHUNK_FLOATS = 1 << 19;

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Consecutive regions of the arena (in floats), in the order given: each one's offset, and `end`. */
function regions<K extends string>(sizes: Record<K, number>): Record<K, number> & { end: number } {
  const out: Record<string, number> = {};
  let at = 0;
  for (const k of Object.keys(sizes) as K[]) {
    out[k] = at;
    at += sizes[k];
  }
  out.end = at;
  return out as Record<K, number> & { end: number };
}

/** Copies samples n0 .. n0+count (`size` floats each) of src to `at`, then one zero sample after them (the kernels' padding). */
function stage(f32: Float32Array, src: Float32Array, at: number, n0: number, count: number, size: number): void {
  f32.set(src.subarray(n0 * size, (n0 + count) * size), at);
  f32.fill(0, at + count * size, at + (count + 1) * size);
}

interface Tables {
  /** (k, q) → 4 · input float of channel 0 (q = n·P + p, row length L), padding → the zero block. */
  col: Int32Array;
  /** q → 4 · (n·C·P + p): channel 0's output position in [count, C, P], the tail → the block after it. */
  chan: Int32Array;
}

function tablesOf(C: number, w: SlidingWindow, count: number): Tables {
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
  const P = OH * OW;
  const L = up4(count * P);
  const CHW = C * H * W;
  const col = new Int32Array(kh * kw * L).fill(4 * count * CHW);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const row = (i * kw + j) * L;
      for (let n = 0; n < count; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= H) continue;
          for (let ox = 0, ix = j * dw - pl; ox < OW; ox++, ix += sw) if (ix >= 0 && ix < W) col[row + n * P + oy * OW + ox] = 4 * (n * CHW + iy * W + ix);
        }
      }
    }
  }
  const chan = Int32Array.from({ length: L }, (_, q) => 4 * (q < count * P ? Math.floor(q / P) * C * P + (q % P) : count * C * P));
  return { col, chan };
}

/** Depthwise Conv on WebAssembly for one node, its offset tables kept per input size and chunk size. */
export function depthwiseOnWasm(): {
  forward(x: Float32Array, wt: Float32Array, b: Float32Array | undefined, y: Float32Array, N: number, C: number, w: SlidingWindow): boolean;
  backward(x: Float32Array, wt: Float32Array, dy: Float32Array, dx: Float32Array | undefined, dwt: Float32Array | undefined, N: number, C: number, w: SlidingWindow): boolean;
} {
  const cache = new Map<string, Tables>();
  const keepTable = tableKeeper(cache);
  const tables = (C: number, w: SlidingWindow, count: number): Tables => {
    const key = `${C},${w.H},${w.W},${count}`;
    let t = cache.get(key);
    if (t === undefined) {
      t = tablesOf(C, w, count);
      if (keepTable(t.col.length + t.chan.length)) cache.set(key, t);
    }
    return t;
  };
  const chunkOf = (N: number, C: number, w: SlidingWindow): number => Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / (C * w.H * w.W))));
  const directs = new Map<string, Direct>();
  const direct = (C: number, w: SlidingWindow, count: number): Direct => {
    const key = `${C},${w.H},${w.W},${count}`;
    let d = directs.get(key);
    if (d === undefined) {
      d = directOf(C, w, count);
      if (keepTable(2 * d.L)) directs.set(key, d);
    }
    return d;
  };

  /** Stride 1: the padded-layout kernels of depthwise-direct.ts. */
  const forwardDirect = (x: Float32Array, wt: Float32Array, b: Float32Array | undefined, y: Float32Array, N: number, C: number, w: SlidingWindow): boolean => {
    const KK = w.kh * w.kw;
    const HW = w.H * w.W;
    const P = w.OH * w.OW;
    const chunk = chunkOf(N, C, w);
    const full = direct(C, w, chunk);
    const { wAt, xAt, yAt, idxAt, idx2At, end: at } = regions({ wAt: C * KK, xAt: (chunk + 1) * C * HW, yAt: (chunk + 1) * C * P, idxAt: full.L, idx2At: full.L });
    const arena = wasmArena(at + directScratch(full));
    if (arena === null) return false;
    const { f32, i32 } = arena;
    f32.set(wt.subarray(0, C * KK), wAt);
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const count = Math.min(chunk, N - n0);
      const d = direct(C, w, count);
      i32.set(d.pad, idxAt);
      i32.set(d.out, idx2At);
      stage(f32, x, xAt, n0, count, C * HW);
      f32.fill(0, yAt, yAt + (count + 1) * C * P);
      directForward(arena, d, C, HW, P, xAt, wAt, b, yAt, idxAt, idx2At, at);
      y.set(f32.subarray(yAt, yAt + count * C * P), n0 * C * P);
    }
    return true;
  };

  const backwardDirect = (x: Float32Array, wt: Float32Array, dy: Float32Array, dx: Float32Array | undefined, dwt: Float32Array | undefined, N: number, C: number, w: SlidingWindow): boolean => {
    const KK = w.kh * w.kw;
    const HW = w.H * w.W;
    const P = w.OH * w.OW;
    const chunk = chunkOf(N, C, w);
    const full = direct(C, w, chunk);
    const { wAt, dwAt, xAt, dyAt, dxAt, idxAt, idx2At, end: at } = regions({
      wAt: C * KK, dwAt: C * KK, xAt: (chunk + 1) * C * HW, dyAt: (chunk + 1) * C * P, dxAt: (chunk + 1) * C * HW, idxAt: full.L, idx2At: full.L,
    });
    const arena = wasmArena(at + directScratch(full));
    if (arena === null) return false;
    const { f32, i32 } = arena;
    f32.set(wt.subarray(0, C * KK), wAt);
    f32.fill(0, dwAt, dwAt + C * KK);
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const count = Math.min(chunk, N - n0);
      const d = direct(C, w, count);
      i32.set(d.pad, idxAt);
      i32.set(d.out, idx2At);
      stage(f32, dy, dyAt, n0, count, C * P);
      if (dwt !== undefined) {
        stage(f32, x, xAt, n0, count, C * HW);
      }
      if (dx !== undefined) f32.fill(0, dxAt, dxAt + (count + 1) * C * HW);
      directBackward(arena, d, C, HW, P, dwt !== undefined ? xAt : undefined, dyAt, wAt, dwAt, dx !== undefined ? dxAt : undefined, idxAt, idx2At, at);
      if (dx !== undefined) dx.set(f32.subarray(dxAt, dxAt + count * C * HW), n0 * C * HW);
    }
    if (dwt !== undefined) for (let i = 0; i < C * KK; i++) dwt[i] += f32[dwAt + i];
    return true;
  };

  return {
    /** y = depthwise(x, wt) + b, every entry of y [N, C, OH, OW] written. */
    forward(x, wt, b, y, N, C, w) {
      if (w.sh === 1 && w.sw === 1) return forwardDirect(x, wt, b, y, N, C, w);
      const KK = w.kh * w.kw;
      const HW = w.H * w.W;
      const P = w.OH * w.OW;
      const chunk = chunkOf(N, C, w);
      const Lmax = up4(chunk * P);
      const { wAt, xAt, colIdxAt, chanIdxAt, colAt, ycAt, yAt, end } = regions({
        wAt: C * KK, xAt: (chunk + 1) * C * HW, colIdxAt: KK * Lmax, chanIdxAt: Lmax, colAt: KK * Lmax, ycAt: Lmax, yAt: (chunk + 1) * C * P,
      });
      const arena = wasmArena(end);
      if (arena === null) return false;
      const { f32, i32, gather, scatter, axpy } = arena;
      f32.set(wt.subarray(0, C * KK), wAt);
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const count = Math.min(chunk, N - n0);
        const L = up4(count * P);
        const t = tables(C, w, count);
        i32.set(t.col, colIdxAt);
        i32.set(t.chan, chanIdxAt);
        stage(f32, x, xAt, n0, count, C * HW);
        f32.fill(0, yAt, yAt + (count + 1) * C * P);
        for (let c = 0; c < C; c++) {
          gather(4 * colIdxAt, KK * L, 4 * (xAt + c * HW), 4 * colAt);
          f32.fill(b !== undefined ? b[c] : 0, ycAt, ycAt + L);
          for (let k = 0; k < KK; k++) axpy(4 * (wAt + c * KK + k), 4 * (colAt + k * L), 4 * ycAt, L / 4);
          scatter(4 * chanIdxAt, L, 4 * (yAt + c * P), 4 * ycAt);
        }
        y.set(f32.subarray(yAt, yAt + count * C * P), n0 * C * P);
      }
      return true;
    },

    /** From dy [N, C, OH, OW]: dx (if given) set to the input gradient, dwt (if given) += the weight gradient. */
    backward(x, wt, dy, dx, dwt, N, C, w) {
      if (w.sh === 1 && w.sw === 1) return backwardDirect(x, wt, dy, dx, dwt, N, C, w);
      const KK = w.kh * w.kw;
      const HW = w.H * w.W;
      const P = w.OH * w.OW;
      const chunk = chunkOf(N, C, w);
      const Lmax = up4(chunk * P);
      const { wAt, dwAt, xAt, dyAt, colIdxAt, chanIdxAt, dycAt, dxAt, end } = regions({
        wAt: C * KK, dwAt: C * KK, xAt: (chunk + 1) * C * HW, dyAt: (chunk + 1) * C * P, colIdxAt: KK * Lmax, chanIdxAt: Lmax, dycAt: Lmax, dxAt: (chunk + 1) * C * HW,
      });
      const arena = wasmArena(end);
      if (arena === null) return false;
      const { f32, i32, gather, gatherDot, scatterAxpy } = arena;
      f32.set(wt.subarray(0, C * KK), wAt);
      f32.fill(0, dwAt, dwAt + C * KK);
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const count = Math.min(chunk, N - n0);
        const L = up4(count * P);
        const t = tables(C, w, count);
        i32.set(t.col, colIdxAt);
        i32.set(t.chan, chanIdxAt);
        stage(f32, dy, dyAt, n0, count, C * P);
        if (dwt !== undefined) {
          stage(f32, x, xAt, n0, count, C * HW);
        }
        if (dx !== undefined) f32.fill(0, dxAt, dxAt + (count + 1) * C * HW);
        for (let c = 0; c < C; c++) {
          gather(4 * chanIdxAt, L, 4 * (dyAt + c * P), 4 * dycAt);
          for (let k = 0; k < KK; k++) {
            const row = 4 * (colIdxAt + k * L);
            if (dwt !== undefined) gatherDot(row, L, 4 * (xAt + c * HW), 4 * dycAt, 4 * (dwAt + c * KK + k));
            if (dx !== undefined) scatterAxpy(row, L, 4 * (dxAt + c * HW), 4 * dycAt, 4 * (wAt + c * KK + k));
          }
        }
        if (dx !== undefined) dx.set(f32.subarray(dxAt, dxAt + count * C * HW), n0 * C * HW);
      }
      if (dwt !== undefined) for (let i = 0; i < C * KK; i++) dwt[i] += f32[dwAt + i];
      return true;
    },
  };
}
