// The output stage of a fused conv layer in JS (residual add, clamp, HardSwish; where the
// WebAssembly kernels do not apply it themselves) and the 2-D max pool folded into a conv step.
import { type Pool2d, type PoolWindow, maxPool2d } from './pool-2d';

/** The output stage: y = act(conv + bias [+ residual]), act a clamp to [lo, hi] then HardSwish if set. */
export interface ConvPost {
  /** Output clamp (Relu: 0, Infinity; Clip: min, max; none: -Infinity, Infinity). */
  lo: number;
  hi: number;
  /** HardSwish after the clamp. */
  hardswish?: boolean;
  /** A residual of the output's shape is added before the clamp. */
  residual?: boolean;
}

/** dst[dOff + i] = act(src[sOff + i] + res[rOff + i]) for i < n (res may be absent). */
export function finishConv(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, n: number, res: Float32Array | undefined, rOff: number, p: ConvPost): void {
  const { lo, hi } = p;
  if (res) {
    addClamp(src, sOff, dst, dOff, n, res, rOff, lo, hi);
    if (p.hardswish) hardSwish(dst, dOff, dst, dOff, n, -Infinity, Infinity);
  } else if (p.hardswish) hardSwish(src, sOff, dst, dOff, n, lo, hi);
  else clampTo(src, sOff, dst, dOff, n, lo, hi);
}

/** A 2-D max pool applied to the layer's output (pads below the kernel, so every window has a value). */
export interface ConvPool extends PoolWindow {
  pb: number;
  pr: number;
}

/** Max pool of `planes` planes H×W at src[sOff] into dst[dOff] (planes of PH×PW). */
export function maxPoolPlanes(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, p: ConvPool): void {
  const PH = Math.floor((H + p.pt + p.pb - p.kh) / p.sy) + 1;
  const PW = Math.floor((W + p.pl + p.pr - p.kw) / p.sx) + 1;
  if (p.kh === 2 && p.kw === 2 && p.sy === 2 && p.sx === 2 && p.pt === 0 && p.pl === 0) {
    maxPool2x2(src, sOff, dst, dOff, planes, H, W, PH, PW);
    return;
  }
  const g: Pool2d = { kh: p.kh, kw: p.kw, sy: p.sy, sx: p.sx, pt: p.pt, pl: p.pl, OH: PH, OW: PW };
  // The pads are below the kernel, so every window holds an input element (pool2dFits).
  maxPool2d(src, sOff, dst, dOff, planes, H, W, g);
}

/** The 2×2 stride-2 unpadded pool (LeNet, VGG): four reads per output (no row buffer). */
function maxPool2x2(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, planes: number, H: number, W: number, PH: number, PW: number): void {
  let o = dOff;
  for (let c = 0; c < planes; c++) {
    for (let py = 0; py < PH; py++) {
      let a = sOff + (c * H + 2 * py) * W;
      for (let px = 0; px < PW; px++, a += 2) {
        const b = a + W;
        // Math.max gives NaN when any of the four is NaN, as maxPool2d does.
        dst[o++] = Math.max(src[a], src[a + 1], src[b], src[b + 1]);
      }
    }
  }
}

// Separate monomorphic loops (one shape each, so each compiles to a tight loop).
function addClamp(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, n: number, res: Float32Array, rOff: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    const v = src[sOff + i] + res[rOff + i];
    dst[dOff + i] = v < lo ? lo : v > hi ? hi : v;
  }
}

function clampTo(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, n: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    const v = src[sOff + i];
    dst[dOff + i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** dst = HardSwish(clamp(src)): x · min(max(x/6 + 1/2, 0), 1), one pass. */
function hardSwish(src: Float32Array, sOff: number, dst: Float32Array, dOff: number, n: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    let v = src[sOff + i];
    v = v < lo ? lo : v > hi ? hi : v;
    const g = v * 0.16666666666666666 + 0.5;
    dst[dOff + i] = g <= 0 ? 0 : g >= 1 ? v : v * g;
  }
}
