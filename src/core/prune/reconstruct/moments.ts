// The statistics one layer's solve needs, accumulated row by row over the sampled calibration
// rows without keeping the rows: per group H = Σ x xᵀ over the pruned path's inputs x, and (when
// each layer is fitted to the unpruned model's outputs) A = Σ (W x₀) xᵀ with x₀ the unpruned
// model's input at the same sample and position.

export class GroupMoments {
  readonly h: Float64Array;
  readonly a: Float64Array | undefined;
  rows = 0;
  private readonly y: Float64Array;

  /** `w` rows × d: the group's unpruned weights, needed for A (pass undefined for H only). */
  constructor(readonly d: number, private readonly w: Float64Array | undefined, private readonly outputs: number) {
    this.h = new Float64Array(d * d);
    this.a = w === undefined ? undefined : new Float64Array(outputs * d);
    this.y = new Float64Array(outputs);
  }

  /** Adds one row x (and x₀ when A is accumulated), both read from buf at the offsets. */
  add(x: Float64Array, xo: number, x0?: Float64Array, x0o = 0): void {
    const { d, h } = this;
    this.rows++;
    for (let i = 0; i < d; i++) {
      const v = x[xo + i];
      if (v === 0) continue;
      const r = i * d;
      for (let j = i; j < d; j++) h[r + j] += v * x[xo + j];
    }
    const { a, w, y, outputs } = this;
    if (a === undefined || w === undefined || x0 === undefined) return;
    for (let o = 0; o < outputs; o++) {
      let s = 0;
      const r = o * d;
      for (let i = 0; i < d; i++) s += w[r + i] * x0[x0o + i];
      y[o] = s;
    }
    for (let o = 0; o < outputs; o++) {
      const v = y[o];
      if (v === 0) continue;
      const r = o * d;
      for (let i = 0; i < d; i++) a[r + i] += v * x[xo + i];
    }
  }

  /** Fills the lower triangle of H from the upper (call once, after the last row). */
  finish(): void {
    const { d, h } = this;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) h[j * d + i] = h[i * d + j];
  }
}

/** Σ_rows δᵀ H δ for δ = a − b (rows × d each): the squared output difference on the rows behind H. */
export function quadratic(a: Float64Array, b: Float64Array | undefined, rows: number, d: number, h: Float64Array): number {
  let total = 0;
  const delta = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) delta[i] = a[r * d + i] - (b === undefined ? 0 : b[r * d + i]);
    for (let i = 0; i < d; i++) {
      const v = delta[i];
      if (v === 0) continue;
      let s = 0;
      const hr = i * d;
      for (let j = 0; j < d; j++) s += h[hr + j] * delta[j];
      total += v * s;
    }
  }
  return total;
}
