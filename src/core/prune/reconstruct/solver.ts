// The numerical core of reconstruction pruning: the input second-moment matrix H = XᵀX of a
// layer, the upper Cholesky factor of its damped inverse, and the OBS / SparseGPT sweep that
// removes weights column by column while the kept weights of each row absorb the error.
// Everything is float64; matrices are dense, row-major. The O(d³) steps are generators that
// yield (nothing) every row or column, a few milliseconds of work at most, so a caller can pause
// between yields (progress messages, cancel); the plain functions run them to the end.

/** Work split into steps: each yield is a point where the caller may pause. */
export type Steps<T> = Generator<void, T, void>;

/** Runs a stepped computation to its end. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** The non-zero entries of each sample: sample s owns idx/val[start[s] .. start[s+1]). */
export interface SparseRows {
  count: number;
  width: number;
  start: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

/** Gathers the non-zero entries of `count` samples of `width` values each. */
export function sparseRows(x: Float32Array, count: number, width: number): SparseRows {
  let nnz = 0;
  for (let i = 0; i < count * width; i++) if (x[i] !== 0) nnz++;
  const start = new Int32Array(count + 1);
  const idx = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let k = 0;
  for (let s = 0; s < count; s++) {
    start[s] = k;
    const off = s * width;
    for (let j = 0; j < width; j++) {
      const v = x[off + j];
      if (v !== 0) {
        idx[k] = j;
        val[k] = v;
        k++;
      }
    }
  }
  start[count] = k;
  return { count, width, start, idx, val };
}

/** H = Σ_s x_s x_sᵀ (width × width, both triangles filled). */
export function secondMoment(x: SparseRows): Float64Array {
  return runSteps(secondMomentSteps(x));
}

export function* secondMomentSteps(x: SparseRows): Steps<Float64Array> {
  const d = x.width;
  const h = new Float64Array(d * d);
  for (let s = 0; s < x.count; s++) {
    const a = x.start[s];
    const b = x.start[s + 1];
    for (let p = a; p < b; p++) {
      const vi = x.val[p];
      const row = x.idx[p] * d;
      // upper triangle only (idx ascending within a sample), mirrored below
      for (let q = p; q < b; q++) h[row + x.idx[q]] += vi * x.val[q];
    }
    if ((s & 15) === 15) yield;
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) h[j * d + i] = h[i * d + j];
  return h;
}

/** In place: the lower Cholesky factor L of a symmetric positive-definite a (a = L Lᵀ); upper part zeroed. */
export function choleskyLower(a: Float64Array, d: number): void {
  runSteps(choleskySteps(a, d));
}

function* choleskySteps(a: Float64Array, d: number): Steps<void> {
  for (let j = 0; j < d; j++) {
    yield;
    const rj = j * d;
    let diag = a[rj + j];
    for (let k = 0; k < j; k++) diag -= a[rj + k] * a[rj + k];
    if (!(diag > 0)) throw new Error(`the damped second-moment matrix is not positive definite at column ${j} (pivot ${diag})`);
    const ljj = Math.sqrt(diag);
    a[rj + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) a[i * d + j] = 0;
}

/** The inverse of a lower-triangular L (lower-triangular, new array), row by row. */
function* invertLowerSteps(l: Float64Array, d: number): Steps<Float64Array> {
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    yield;
    // row i of L⁻¹: (e_i − Σ_{k<i} L[i][k] · row k of L⁻¹) / L[i][i]; row k is zero past column k
    const ri = i * d;
    inv[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const a = l[ri + k];
      if (a === 0) continue;
      const rk = k * d;
      for (let j = 0; j <= k; j++) inv[ri + j] -= a * inv[rk + j];
    }
    const lii = l[ri + i];
    for (let j = 0; j <= i; j++) inv[ri + j] /= lii;
  }
  return inv;
}

/** (H + λI)⁻¹, full symmetric, via H + λI = L Lᵀ and L⁻ᵀ L⁻¹. `h` is consumed (it holds the result). */
export function dampedInverse(h: Float64Array, d: number, lambda: number): Float64Array {
  return runSteps(dampedInverseSteps(h, d, lambda));
}

export function* dampedInverseSteps(h: Float64Array, d: number, lambda: number): Steps<Float64Array> {
  for (let i = 0; i < d; i++) h[i * d + i] += lambda;
  yield* choleskySteps(h, d);
  const linv = yield* invertLowerSteps(h, d);
  // Hinv[i][j] = Σ_{k ≥ max(i,j)} Linv[k][i] Linv[k][j]
  const hinv = h;
  hinv.fill(0);
  for (let k = 0; k < d; k++) {
    yield;
    const rk = k * d;
    for (let i = 0; i <= k; i++) {
      const v = linv[rk + i];
      if (v === 0) continue;
      const ri = i * d;
      for (let j = 0; j <= i; j++) hinv[ri + j] += v * linv[rk + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) hinv[j * d + i] = hinv[i * d + j];
  return hinv;
}

/** U upper-triangular with UᵀU = a (a symmetric positive-definite, not modified): U = Lᵀ of a = L Lᵀ. */
export function upperFactor(a: Float64Array, d: number): Float64Array {
  return runSteps(upperFactorSteps(a, d));
}

export function* upperFactorSteps(a: Float64Array, d: number): Steps<Float64Array> {
  const l = a.slice();
  yield* choleskySteps(l, d);
  const u = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) u[i * d + j] = l[j * d + i];
  return u;
}

/**
 * U, upper-triangular, with UᵀU = (H + λI)⁻¹: the factor the SparseGPT sweep reads (row j of U
 * holds the OBS update of the columns after j once the columns before j are fixed). `h` is consumed.
 */
export function inverseUpperFactor(h: Float64Array, d: number, lambda: number): Float64Array {
  return upperFactor(dampedInverse(h, d, lambda), d);
}

/** A = Σ_s y_s x_sᵀ (outputs × x.width) for dense y (count × outputs) and sparse x over the same samples. */
export function crossMoment(y: Float64Array, outputs: number, x: SparseRows): Float64Array {
  return runSteps(crossMomentSteps(y, outputs, x));
}

export function* crossMomentSteps(y: Float64Array, outputs: number, x: SparseRows): Steps<Float64Array> {
  const d = x.width;
  const a = new Float64Array(outputs * d);
  for (let s = 0; s < x.count; s++) {
    if ((s & 7) === 7) yield;
    const p0 = x.start[s];
    const p1 = x.start[s + 1];
    for (let r = 0; r < outputs; r++) {
      const v = y[s * outputs + r];
      if (v === 0) continue;
      const rr = r * d;
      for (let p = p0; p < p1; p++) a[rr + x.idx[p]] += v * x.val[p];
    }
  }
  return a;
}

/** out = w · m for w rows × d and m d × d (row-major, float64). */
export function multiply(w: Float64Array, rows: number, d: number, m: Float64Array): Float64Array {
  return runSteps(multiplySteps(w, rows, d, m));
}

export function* multiplySteps(w: Float64Array, rows: number, d: number, m: Float64Array): Steps<Float64Array> {
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    yield;
    const rr = r * d;
    for (let i = 0; i < d; i++) {
      const v = w[rr + i];
      if (v === 0) continue;
      const ri = i * d;
      for (let j = 0; j < d; j++) out[rr + j] += v * m[ri + j];
    }
  }
  return out;
}

export interface SweepOptions {
  /** Zeros to place in the whole matrix (rows × d). */
  prune: number;
  blockSize: number;
  /** Called after each block with the fraction of columns done; may throw to stop. */
  onBlock?: (fraction: number) => void;
}

/**
 * The SparseGPT sweep over w (rows × d, float64, modified in place) with the upper factor u of
 * the damped inverse second moment. Columns are taken in blocks; in each block the entries with
 * the smallest w² / U_jj² over all rows (the OBS saliency of the weights as they stand after the
 * earlier blocks' updates) are pruned — as many as make the running total round(prune × end / d),
 * so the matrix ends with exactly `prune` zeros — and each pruned weight's error
 * w_j / U_jj × U[j, j+1..] is subtracted from the rest of its row. Returns the mask (1 = kept).
 */
export function sparseSweep(w: Float64Array, rows: number, d: number, u: Float64Array, opts: SweepOptions): Uint8Array {
  return runSteps(sparseSweepSteps(w, rows, d, u, opts));
}

export function* sparseSweepSteps(w: Float64Array, rows: number, d: number, u: Float64Array, opts: SweepOptions): Steps<Uint8Array> {
  const mask = new Uint8Array(rows * d).fill(1);
  const bs = Math.max(1, opts.blockSize);
  let done = 0;
  const scores = new Float64Array(rows * bs);
  for (let c0 = 0; c0 < d; c0 += bs) {
    const c1 = Math.min(d, c0 + bs);
    const width = c1 - c0;
    const target = Math.round((opts.prune * c1) / d);
    const k = target - done;
    if (k > 0) {
      const n = rows * width;
      for (let r = 0; r < rows; r++) {
        for (let j = c0; j < c1; j++) {
          const ujj = u[j * d + j];
          const v = w[r * d + j];
          const sc = (v * v) / (ujj * ujj);
          scores[r * width + (j - c0)] = sc === sc ? sc : Infinity;
        }
      }
      const sorted = scores.slice(0, n).sort();
      const cut = sorted[k - 1];
      let ties = 0;
      for (let p = 0; p < k; p++) if (sorted[p] === cut) ties++;
      for (let r = 0; r < rows; r++) {
        if ((r & 7) === 7) yield;
        const rw = r * d;
        for (let j = c0; j < c1; j++) {
          const sc = scores[r * width + (j - c0)];
          if (sc < cut || (sc === cut && ties > 0 && ties--)) {
            mask[rw + j] = 0;
            const rj = j * d;
            const err = w[rw + j] / u[rj + j];
            for (let i = j + 1; i < d; i++) w[rw + i] -= err * u[rj + i];
            w[rw + j] = 0;
          }
        }
      }
      done = target;
    }
    opts.onBlock?.(c1 / d);
  }
  return mask;
}
