// The statistics one layer's solve needs, accumulated row by row over the sampled calibration
// rows without keeping the rows: per group H = Σ x xᵀ over the pruned path's inputs x, the sums
// Σ x, Σ y₀ and Σ ‖y₀‖² of the layer's target outputs y₀ = W x₀, and (when each layer is fitted to
// the unpruned model's outputs) A = Σ y₀ xᵀ with x₀ the unpruned model's input at the same sample
// and position. Fitted to the layer's own input (x₀ = x), A = W H and the sums follow from H.
//
// With a bias free to move (bias correction), the best bias for any weights V is the mean output
// difference, and what is left is the same problem on centred statistics: H − n x̄ x̄ᵀ and
// A − n ȳ₀ x̄ᵀ (centred()).

import { multiply } from './solver';

export class GroupMoments {
  readonly h: Float64Array;
  /** Σ y₀ xᵀ (outputs × d); undefined when fitted to the layer's own input (then it is W H). */
  readonly a: Float64Array | undefined;
  /** Σ x (d) and Σ y₀ (outputs). */
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  /** Σ ‖y₀‖². */
  yy = 0;
  rows = 0;
  private readonly y: Float64Array;

  /** `w` outputs × d: the group's unpruned weights; `dense`: x₀ differs from x (A accumulated). */
  constructor(readonly d: number, private readonly w: Float64Array, readonly outputs: number, readonly dense: boolean) {
    this.h = new Float64Array(d * d);
    this.a = dense ? new Float64Array(outputs * d) : undefined;
    this.sx = new Float64Array(d);
    this.sy = new Float64Array(outputs);
    this.y = new Float64Array(outputs);
  }

  /**
   * Adds one row x (and x₀ when dense), read from the arrays at the offsets; `extra` (outputs,
   * when given) is added to the target W x₀ of this row.
   */
  add(x: Float64Array, xo: number, x0?: Float64Array, x0o = 0, extra?: Float64Array): void {
    const { d, h, sx } = this;
    this.rows++;
    for (let i = 0; i < d; i++) {
      const v = x[xo + i];
      if (v === 0) continue;
      sx[i] += v;
      const r = i * d;
      for (let j = i; j < d; j++) h[r + j] += v * x[xo + j];
    }
    const { a, w, y, outputs, sy } = this;
    if (a === undefined || x0 === undefined) return;
    for (let o = 0; o < outputs; o++) {
      let s = 0;
      const r = o * d;
      for (let i = 0; i < d; i++) s += w[r + i] * x0[x0o + i];
      if (extra !== undefined) s += extra[o];
      y[o] = s;
      sy[o] += s;
      this.yy += s * s;
    }
    for (let o = 0; o < outputs; o++) {
      const v = y[o];
      if (v === 0) continue;
      const r = o * d;
      for (let i = 0; i < d; i++) a[r + i] += v * x[xo + i];
    }
  }

  /** Fills the lower triangle of H from the upper, and the target sums when x₀ = x (call once, after the last row). */
  finish(): void {
    const { d, h, w, outputs, sx, sy } = this;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) h[j * d + i] = h[i * d + j];
    if (this.dense) return;
    const wh = this.cross();
    let yy = 0;
    for (let o = 0; o < outputs; o++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        s += w[o * d + i] * sx[i];
        yy += w[o * d + i] * wh[o * d + i];
      }
      sy[o] = s;
    }
    this.yy = yy;
  }

  private wh: Float64Array | undefined;

  /** A = Σ y₀ xᵀ (W H when x₀ = x). */
  cross(): Float64Array {
    if (this.a !== undefined) return this.a;
    this.wh ??= multiply(this.w, this.outputs, this.d, this.h);
    return this.wh;
  }

  /** H and A of the rows minus their means (the statistics left once the bias absorbs the mean). */
  centred(): { h: Float64Array; a: Float64Array } {
    const { d, outputs, sx, sy } = this;
    const n = Math.max(1, this.rows);
    const h = this.h.slice();
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) h[i * d + j] -= (sx[i] * sx[j]) / n;
    const a = this.cross().slice();
    for (let o = 0; o < outputs; o++) for (let i = 0; i < d; i++) a[o * d + i] -= (sy[o] * sx[i]) / n;
    return { h, a };
  }

  /** The best bias shift for weights v (outputs × d): the mean of y₀ − v x over the rows. */
  biasShift(v: Float64Array): Float64Array {
    const { d, outputs, sx, sy } = this;
    const n = Math.max(1, this.rows);
    const out = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let s = sy[o];
      for (let i = 0; i < d; i++) s -= v[o * d + i] * sx[i];
      out[o] = s / n;
    }
    return out;
  }

  /**
   * Σ ‖y₀ − v x − c‖² over the rows, for weights v (outputs × d) and a bias shift c (outputs; none
   * when undefined): ‖y₀‖² − 2⟨v, A⟩ + ⟨v, v H⟩ − 2 c·Σy₀ + 2 c·v Σx + n ‖c‖².
   */
  error(v: Float64Array, c?: Float64Array): number {
    const { d, outputs, h, sx, sy } = this;
    const a = this.cross();
    const vh = multiply(v, outputs, d, h);
    let e = this.yy;
    for (let k = 0; k < outputs * d; k++) e += v[k] * vh[k] - 2 * v[k] * a[k];
    if (c !== undefined) {
      for (let o = 0; o < outputs; o++) {
        let vs = 0;
        for (let i = 0; i < d; i++) vs += v[o * d + i] * sx[i];
        e += -2 * c[o] * sy[o] + 2 * c[o] * vs + this.rows * c[o] * c[o];
      }
    }
    return Math.max(0, e);
  }
}

