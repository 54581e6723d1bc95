// Conv (1-D and 2-D, any group including depthwise, strides, dilations, pads, auto_pad, bias) as
// im2col + matrix products over chunks of samples: forward Y = W·col, backward dW = dY·colᵀ,
// dcol = Wᵀ·dY scattered back (col2im); both are `patches`. im2col is recomputed in backward instead of kept.
// Conv runs on WebAssembly SIMD (conv-wasm.ts, depthwise-wasm.ts) where available, on these JS loops otherwise.
import type { Kernel, KernelFactory } from '../kernel';
import { matmul, matmulABt, transposed } from '../matmul';
import { depthwiseBackward, depthwiseForward } from './depthwise';
import { convOnWasm } from './conv-wasm';
import { depthwiseOnWasm } from './depthwise-wasm';
import { GraphTrainError, attrInt, value, type Value } from '../value';
import { windowDims, windowOver, windowSpec, type SlidingWindow } from '../sliding-window';

/** Most floats of one chunk's patch matrix; the chunk then holds at least one sample. */
export const CHUNK_FLOATS = 1 << 16;

export interface Geometry {
  w: SlidingWindow;
  N: number;
  C: number;
  M: number;
  G: number;
  Cg: number;
  Mg: number;
  K: number;
  P: number;
  chunk: number;
}

/**
 * The patch matrix of samples n0..n1 of group g, col[k, (n − n0)·P + p]: back false gathers it from
 * x (im2col, padding as 0); back true adds col back into x at the input positions (col2im, the
 * transpose: the input gradient).
 */
export function patches(x: Float32Array, col: Float32Array, g: Geometry, grp: number, n0: number, n1: number, back: boolean): void {
  const { w, C, Cg, P } = g;
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
  const Q = (n1 - n0) * P;
  for (let c = 0; c < Cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = ((c * kh + i) * kw + j) * Q;
        for (let n = n0; n < n1; n++) {
          const plane = (n * C + grp * Cg + c) * H * W;
          let o = row + (n - n0) * P;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= H) {
              if (!back) col.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const r = plane + iy * W;
            let ix = -pl + j * dw;
            if (back) {
              for (let ox = 0; ox < OW; ox++, ix += sw, o++) if (ix >= 0 && ix < W) x[r + ix] += col[o];
            } else {
              for (let ox = 0; ox < OW; ox++, ix += sw) col[o++] = ix >= 0 && ix < W ? x[r + ix] : 0;
            }
          }
        }
      }
    }
  }
}

export const conv: KernelFactory = (ctx) => {
  const { node, label } = ctx;
  const group = attrInt(node, 'group', 1);
  if (group < 1) throw new GraphTrainError(`${label} has group ${group}`);
  const geometry = (x: Value, wt: Value): Geometry => {
    if (x.dims.length !== 3 && x.dims.length !== 4) throw new GraphTrainError(`${label}: input of rank ${x.dims.length}; fine-tuning handles 1-D and 2-D Conv`);
    if (wt.dims.length !== x.dims.length) throw new GraphTrainError(`${label}: a weight of rank ${wt.dims.length} for an input of rank ${x.dims.length}`);
    const spec = windowSpec(node, label, wt.dims.slice(2));
    const w = windowOver(spec, x.dims.slice(2), label);
    const [N, C] = x.dims;
    const M = wt.dims[0];
    const Cg = C / group;
    if (!Number.isInteger(Cg) || M % group !== 0 || wt.dims[1] !== Cg) {
      throw new GraphTrainError(`${label}: ${C} input channels, weight [${wt.dims.join(', ')}] and group ${group} do not fit`);
    }
    if (spec.kernel.some((k, i) => k !== wt.dims[2 + i])) throw new GraphTrainError(`${label}: kernel_shape [${spec.kernel.join(', ')}] differs from the weight's [${wt.dims.slice(2).join(', ')}]`);
    const K = Cg * w.kh * w.kw;
    const P = w.OH * w.OW;
    return { w, N, C, M, G: group, Cg, Mg: M / group, K, P, chunk: Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / (K * P)))) };
  };
  const onWasm = convOnWasm();
  const depthwiseWasm = depthwiseOnWasm();

  const kernel: Kernel = {
    forward([x, wt, b]) {
      const g = geometry(x!, wt!);
      const { N, M, G, Mg, K, P, chunk } = g;
      const out = value(windowDims(N, M, g.w, x!.dims.length));
      const y = out.data;
      if (K === g.w.kh * g.w.kw && Mg === 1) {
        if (depthwiseWasm.forward(x!.data, wt!.data, b?.data, y, N, M, g.w)) return { outputs: [out] };
        depthwiseForward(x!.data, wt!.data, y, N, M, g.w);
        if (b !== undefined) for (let i = 0; i < y.length; i++) y[i] += b.data[Math.floor(i / P) % M];
        return { outputs: [out] };
      }
      if (onWasm.forward(x!.data, wt!.data, b?.data, y, g)) return { outputs: [out] };
      const col = new Float32Array(K * chunk * P);
      const yb = new Float32Array(Mg * chunk * P);
      for (let grp = 0; grp < G; grp++) {
        for (let n0 = 0; n0 < N; n0 += chunk) {
          const n1 = Math.min(N, n0 + chunk);
          const Q = (n1 - n0) * P;
          patches(x!.data, col, g, grp, n0, n1, false);
          yb.fill(0, 0, Mg * Q);
          matmul(wt!.data, grp * Mg * K, col, 0, yb, 0, Mg, K, Q);
          for (let m = 0; m < Mg; m++) {
            const oc = grp * Mg + m;
            const bias = b !== undefined ? b.data[oc] : 0;
            for (let n = n0; n < n1; n++) {
              const dst = (n * M + oc) * P;
              const src = m * Q + (n - n0) * P;
              for (let p = 0; p < P; p++) y[dst + p] = yb[src + p] + bias;
            }
          }
        }
      }
      return { outputs: [out] };
    },

    backward(dOut, [x, wt, b], _outs, _saved, need) {
      const g = geometry(x!, wt!);
      const { N, M, G, Mg, K, P, chunk } = g;
      const dx = need[0] ? new Float32Array(x!.data.length) : undefined;
      const dw = need[1] ? new Float32Array(wt!.data.length) : undefined;
      const db = need[2] && b !== undefined ? new Float64Array(M) : undefined;
      if (K === g.w.kh * g.w.kw && Mg === 1) {
        if (depthwiseWasm.backward(x!.data, wt!.data, dOut, dx, dw, N, M, g.w)) {
          if (db !== undefined) for (let n = 0; n < N; n++) for (let c = 0; c < M; c++) for (let p = (n * M + c) * P, e = p + P; p < e; p++) db[c] += dOut[p];
          return [dx, dw, db !== undefined ? Float32Array.from(db) : undefined];
        }
        depthwiseBackward(x!.data, wt!.data, dOut, dx, dw, N, M, g.w);
        if (db !== undefined) for (let i = 0; i < dOut.length; i++) db[Math.floor(i / P) % M] += dOut[i];
        return [dx, dw, db !== undefined ? Float32Array.from(db) : undefined];
      }
      if (onWasm.backward(x!.data, wt!.data, dOut, dx, dw, db, g)) return [dx, dw, db !== undefined ? Float32Array.from(db) : undefined];
      const col = new Float32Array(K * chunk * P);
      const dyb = new Float32Array(Mg * chunk * P);
      const dcol = dx !== undefined ? new Float32Array(K * chunk * P) : undefined;
      for (let grp = 0; grp < G; grp++) {
        const wT = dx !== undefined ? transposed(wt!.data, grp * Mg * K, Mg, K) : undefined;
        for (let n0 = 0; n0 < N; n0 += chunk) {
          const n1 = Math.min(N, n0 + chunk);
          const Q = (n1 - n0) * P;
          for (let m = 0; m < Mg; m++) {
            const oc = grp * Mg + m;
            let s = 0;
            for (let n = n0; n < n1; n++) {
              const src = (n * M + oc) * P;
              const dst = m * Q + (n - n0) * P;
              for (let p = 0; p < P; p++) {
                const v = dOut[src + p];
                dyb[dst + p] = v;
                s += v;
              }
            }
            if (db !== undefined) db[oc] += s;
          }
          if (dw !== undefined) {
            patches(x!.data, col, g, grp, n0, n1, false);
            matmulABt(dyb, 0, col, 0, dw, grp * Mg * K, Mg, Q, K);
          }
          if (dx !== undefined) {
            dcol!.fill(0, 0, K * Q);
            matmul(wT!, 0, dyb, 0, dcol!, 0, K, Mg, Q);
            patches(dx, dcol!, g, grp, n0, n1, true);
          }
        }
      }
      return [dx, dw, db !== undefined ? Float32Array.from(db) : undefined];
    },
  };
  return kernel;
};
