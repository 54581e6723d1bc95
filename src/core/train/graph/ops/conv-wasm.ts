// Conv's three products (forward Y = W·col, weight gradient dWᵀ = col·dYᵀ, input gradient
// dcol = Wᵀ·dY) on the WebAssembly SIMD kernel of gemm-wasm.ts, with every operand moved in the
// module's memory: the inputs are copied in whole, the patch matrix (im2col), the packed panels and
// the scatter back into the input gradient (col2im) are the module's gather / scatter over offset
// tables built once per layer, chunk size and group. Returns false (nothing written) without
// WebAssembly; conv.ts then runs its JS path.
import { tableKeeper, wasmArena } from '../gemm-wasm';
import type { Geometry } from './conv';

/** Most floats of one chunk's patch matrix; a chunk holds at least one sample. */
const CHUNK_FLOATS = 1 << 16;

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Samples per chunk: the patch matrix of a chunk holds at most CHUNK_FLOATS floats (at least one sample). */
function chunkOf(g: Geometry): number {
  return Math.max(1, Math.min(g.N, Math.floor(CHUNK_FLOATS / (g.K * g.P))));
}

/**
 * For each patch-matrix entry (k, q) of `count` samples of group grp (k = (c·kh + i)·kw + j,
 * q = n·P + oy·OW + ox), the float index of the input value it reads, relative to the chunk's first
 * sample, or −1 in the padding.
 */
function sources(g: Geometry, grp: number, count: number): Int32Array {
  const { w, C, Cg, K, P } = g;
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
  const Q = count * P;
  const src = new Int32Array(K * Q).fill(-1);
  for (let c = 0; c < Cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = ((c * kh + i) * kw + j) * Q;
        for (let n = 0; n < count; n++) {
          const plane = (n * C + grp * Cg + c) * H * W;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= H) continue;
            const o = row + n * P + oy * OW;
            for (let ox = 0, ix = j * dw - pl; ox < OW; ox++, ix += sw) if (ix >= 0 && ix < W) src[o + ox] = plane + iy * W + ix;
          }
        }
      }
    }
  }
  return src;
}

/**
 * A move table of `length` entries: entry d = 4 · (the float index `at(d)` returns, −1 = `none`),
 * byte offsets for the module's gather / scatter.
 */
function table(length: number, none: number, at: (d: number) => number): Int32Array {
  const t = new Int32Array(length);
  for (let d = 0; d < length; d++) {
    const s = at(d);
    t[d] = 4 * (s < 0 ? none : s);
  }
  return t;
}

/** Conv on WebAssembly for one node: its move tables, kept per input size, chunk size and group. */
export function convOnWasm(): {
  forward(x: Float32Array, wt: Float32Array, b: Float32Array | undefined, y: Float32Array, g: Geometry): boolean;
  backward(x: Float32Array, wt: Float32Array, dy: Float32Array, dx: Float32Array | undefined, dw: Float32Array | undefined, db: Float64Array | undefined, g: Geometry): boolean;
} {
  const tables = new Map<string, Int32Array>();
  const keepTable = tableKeeper(tables);
  let srcKey = '';
  let src: Int32Array | undefined;
  const cached = (g: Geometry, name: string, grp: number, count: number, make: (s: Int32Array) => Int32Array): Int32Array => {
    const key = `${g.C},${g.w.H},${g.w.W},${grp},${count}`;
    const t = tables.get(`${name}:${key}`);
    if (t !== undefined) return t;
    if (srcKey !== key) {
      src = sources(g, grp, count);
      srcKey = key;
    }
    const made = make(src!);
    if (keepTable(made.length)) tables.set(`${name}:${key}`, made);
    return made;
  };

  return {
    /** y = conv(x, wt) + b (y [N, M, P], every entry written). */
    forward(x, wt, b, y, g) {
      const { N, C, M, G, Mg, K, P } = g;
      const CHW = C * g.w.H * g.w.W;
      const chunk = chunkOf(g);
      const Mp = up(Mg, 4);
      const Qmax = up(chunk * P, 8);
      const wAt = 0;
      const xAt = wAt + G * Mp * K;
      const idxAt = xAt + chunk * CHW + 1;
      const colAt = idxAt + Qmax * Math.max(K, Mg);
      const yAt = colAt + Qmax * K;
      const outAt = yAt + Mp * Qmax;
      const arena = wasmArena(outAt + chunk * Mg * P);
      if (arena === null) return false;
      const { f32, i32, gemm, gather } = arena;
      f32.fill(0, wAt, xAt);
      for (let grp = 0; grp < G; grp++) f32.set(wt.subarray(grp * Mg * K, (grp + 1) * Mg * K), wAt + grp * Mp * K);
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const n1 = Math.min(N, n0 + chunk);
        const count = n1 - n0;
        const Q = count * P;
        const Qp = up(Q, 8);
        f32.set(x.subarray(n0 * CHW, n1 * CHW), xAt);
        f32[xAt + count * CHW] = 0;
        for (let grp = 0; grp < G; grp++) {
          // The patch matrix in 8-column panels: (k, q) at (q >> 3)·8K + 8k + (q & 7).
          const col = cached(g, 'col', grp, count, (s) => table(Qp * K, count * CHW, (d) => {
            const q = 8 * Math.floor(d / (8 * K)) + (d % 8);
            return q < Q ? s[Math.floor((d % (8 * K)) / 8) * Q + q] : -1;
          }));
          i32.set(col, idxAt);
          gather(4 * idxAt, Qp * K, 4 * xAt, 4 * colAt);
          for (let m = 0; m < Mp; m++) f32.fill(b !== undefined && m < Mg ? b[grp * Mg + m] : 0, yAt + m * Qp, yAt + (m + 1) * Qp);
          gemm(4 * (wAt + grp * Mp * K), 4 * K, 4 * colAt, 32 * K, 4 * yAt, 4 * Qp, Mp / 4, Qp / 8, K);
          // [Mg × Qp] → [count, Mg, P].
          const out = cached(g, 'out', 0, count, () => table(count * Mg * P, 0, (d) => {
            const p = d % P;
            const m = Math.floor(d / P) % Mg;
            return m * Qp + Math.floor(d / (Mg * P)) * P + p;
          }));
          i32.set(out, idxAt);
          gather(4 * idxAt, count * Mg * P, 4 * yAt, 4 * outAt);
          if (G === 1) y.set(f32.subarray(outAt, outAt + count * M * P), n0 * M * P);
          else for (let n = 0; n < count; n++) y.set(f32.subarray(outAt + n * Mg * P, outAt + (n + 1) * Mg * P), ((n0 + n) * M + grp * Mg) * P);
        }
      }
      return true;
    },

    /** From dy [N, M, P]: dx (if given) set to the input gradient, dw and db (if given) += the weight and bias gradients. */
    backward(x, wt, dy, dx, dw, db, g) {
      const { N, C, M, G, Mg, K, P } = g;
      const CHW = C * g.w.H * g.w.W;
      const chunk = chunkOf(g);
      const Kp4 = up(K, 4);
      const Qmax = up(chunk * P, 8);
      const Mp8 = up(Mg, 8);
      const xAt = 0;
      const dyAt = xAt + chunk * CHW + 1;
      const idxAt = dyAt + chunk * M * P + 1;
      // dWᵀ: a = col [Kp4 × Q] (row-major), panels = dYᵀ [Q × Mp8] in 8-column panels, y = dWᵀ [Kp4 × Mp8] per group, summed over the chunks.
      const colAt = idxAt + Qmax * Math.max(Kp4, Mp8);
      const dytAt = colAt + Kp4 * Qmax;
      const dwAt = dytAt + Qmax * Mp8;
      // dx: a = Wᵀ [Kp4 × Mg] per group, panels = dY [Mg × Q] in 8-column panels, y = dcol [Kp4 × Qp], scattered into dx's chunk.
      const wtAt = dwAt + G * Kp4 * Mp8;
      const dypAt = wtAt + G * Kp4 * Mg;
      const dcolAt = dypAt + Qmax * Mg;
      const dxAt = dcolAt + Kp4 * Qmax;
      const arena = wasmArena(dxAt + chunk * CHW + 1);
      if (arena === null) return false;
      const { f32, i32, gemm, gather, scatter } = arena;
      if (dw !== undefined) f32.fill(0, dwAt, wtAt);
      if (dx !== undefined) {
        f32.fill(0, wtAt, dypAt);
        for (let oc = 0; oc < M; oc++) {
          const grp = Math.floor(oc / Mg);
          const base = wtAt + grp * Kp4 * Mg + (oc - grp * Mg);
          for (let k = 0; k < K; k++) f32[base + k * Mg] = wt[oc * K + k];
        }
      }
      if (db !== undefined) {
        for (let n = 0; n < N; n++) {
          for (let oc = 0; oc < M; oc++) {
            let s = 0;
            for (let p = (n * M + oc) * P, e = p + P; p < e; p++) s += dy[p];
            db[oc] += s;
          }
        }
      }
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const n1 = Math.min(N, n0 + chunk);
        const count = n1 - n0;
        const Q = count * P;
        const Qp = up(Q, 8);
        f32.set(dy.subarray(n0 * M * P, n1 * M * P), dyAt);
        f32[dyAt + count * M * P] = 0;
        if (dw !== undefined) {
          f32.set(x.subarray(n0 * CHW, n1 * CHW), xAt);
          f32[xAt + count * CHW] = 0;
        }
        if (dx !== undefined) f32.fill(0, dxAt, dxAt + count * CHW + 1);
        for (let grp = 0; grp < G; grp++) {
          // dY of the group's channels: (m, q) ← dy[(n·M + grp·Mg + m)·P + p].
          const dyOf = (m: number, q: number): number => (Math.floor(q / P) * M + grp * Mg + m) * P + (q % P);
          if (dw !== undefined) {
            // The patch matrix row-major, (k, q) at k·Q + q: the order its sources are listed in.
            const col = cached(g, 'colRows', grp, count, (s) => table(K * Q, count * CHW, (d) => s[d]));
            i32.set(col, idxAt);
            gather(4 * idxAt, K * Q, 4 * xAt, 4 * colAt);
            // dYᵀ in 8-column panels: (q, m) at (m >> 3)·8Q + 8q + (m & 7).
            const dyT = cached(g, 'dyT', grp, count, () => table(Mp8 * Q, count * M * P, (d) => {
              const m = 8 * Math.floor(d / (8 * Q)) + (d % 8);
              return m < Mg ? dyOf(m, Math.floor((d % (8 * Q)) / 8)) : -1;
            }));
            i32.set(dyT, idxAt);
            gather(4 * idxAt, Mp8 * Q, 4 * dyAt, 4 * dytAt);
            gemm(4 * colAt, 4 * Q, 4 * dytAt, 32 * Q, 4 * (dwAt + grp * Kp4 * Mp8), 4 * Mp8, Kp4 / 4, Mp8 / 8, Q);
          }
          if (dx !== undefined) {
            // dY in 8-column panels: (m, q) at (q >> 3)·8Mg + 8m + (q & 7).
            const pan = cached(g, 'dyPanels', grp, count, () => table(Qp * Mg, count * M * P, (d) => {
              const q = 8 * Math.floor(d / (8 * Mg)) + (d % 8);
              return q < Q ? dyOf(Math.floor((d % (8 * Mg)) / 8), q) : -1;
            }));
            i32.set(pan, idxAt);
            gather(4 * idxAt, Qp * Mg, 4 * dyAt, 4 * dypAt);
            f32.fill(0, dcolAt, dcolAt + Kp4 * Qp);
            gemm(4 * (wtAt + grp * Kp4 * Mg), 4 * Mg, 4 * dypAt, 32 * Mg, 4 * dcolAt, 4 * Qp, Kp4 / 4, Qp / 8, Mg);
            // dcol (k, q) at k·Qp + q goes back to the input position it was read from.
            const back = cached(g, 'col2im', grp, count, (s) => table(K * Qp, count * CHW, (d) => {
              const q = d % Qp;
              return q < Q ? s[Math.floor(d / Qp) * Q + q] : -1;
            }));
            i32.set(back, idxAt);
            scatter(4 * idxAt, K * Qp, 4 * dxAt, 4 * dcolAt);
          }
        }
        if (dx !== undefined) dx.set(f32.subarray(dxAt, dxAt + count * CHW), n0 * CHW);
      }
      if (dw !== undefined) {
        for (let oc = 0; oc < M; oc++) {
          const grp = Math.floor(oc / Mg);
          const s = dwAt + grp * Kp4 * Mp8 + (oc - grp * Mg);
          for (let k = 0; k < K; k++) dw[oc * K + k] += f32[s + k * Mp8];
        }
      }
      return true;
    },
  };
}
