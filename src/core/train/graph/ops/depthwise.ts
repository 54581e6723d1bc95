// Depthwise Conv (one input channel per output channel) as direct loops over each channel's
// window: no patch matrix, since every output uses only kh · kw weights.
import type { SlidingWindow } from '../sliding-window';

/** y[n, c] (+)= Σ_ij w[c, i, j] · x[n, c] shifted; y is [N, C, OH, OW], zero-filled by the caller. */
export function depthwiseForward(x: Float32Array, wt: Float32Array, y: Float32Array, N: number, C: number, w: SlidingWindow): void {
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xp = (n * C + c) * H * W;
      const yp = (n * C + c) * OH * OW;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const wv = wt[(c * kh + i) * kw + j];
          if (wv === 0) continue;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= H) continue;
            const xr = xp + iy * W;
            const yr = yp + oy * OW;
            let ix = j * dw - pl;
            for (let ox = 0; ox < OW; ox++, ix += sw) if (ix >= 0 && ix < W) y[yr + ox] += wv * x[xr + ix];
          }
        }
      }
    }
  }
}

/** dx (if given) += the input gradient, dwt (if given) += the weight gradient, from dy [N, C, OH, OW]. */
export function depthwiseBackward(
  x: Float32Array, wt: Float32Array, dy: Float32Array, dx: Float32Array | undefined, dwt: Float32Array | undefined, N: number, C: number, w: SlidingWindow,
): void {
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xp = (n * C + c) * H * W;
      const yp = (n * C + c) * OH * OW;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const k = (c * kh + i) * kw + j;
          const wv = wt[k];
          let s = 0;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= H) continue;
            const xr = xp + iy * W;
            const yr = yp + oy * OW;
            let ix = j * dw - pl;
            for (let ox = 0; ox < OW; ox++, ix += sw) {
              if (ix < 0 || ix >= W) continue;
              const g = dy[yr + ox];
              s += g * x[xr + ix];
              if (dx !== undefined) dx[xr + ix] += g * wv;
            }
          }
          if (dwt !== undefined) dwt[k] += s;
        }
      }
    }
  }
}
