// N:M and block masks chosen inside the OBS / SparseGPT sweep (Frantar & Alistarh 2023).
//
// The solver's columns of a Conv weight run channel-major (column i·taps + p for input channel i
// at tap p), but N:M groups and block columns run along the input channels at a fixed tap
// (core/prune/layout.ts). The solve is permuted to tap-major order (column p·inputs + i), where
// every group is a run of consecutive columns; OBS is indifferent to the column order as long as
// H, its inverse and W are permuted together. Gemm / MatMul have one tap: no permutation.
//
// - N:M: row by row, when the sweep reaches the first column of a group it keeps the N entries
//   with the largest w² / U_jj² (the OBS saliency of the weights as already updated by the
//   earlier columns), then prunes the others column by column, each error spread over the later
//   columns of the row.
// - R×C blocks: the columns are taken in chunks of whole block columns (about blockSize wide);
//   at each chunk the blocks (R consecutive output rows × C columns, rows of different Conv groups
//   allowed in one block, each row with its own group's factor) with the smallest sum of
//   saliencies are pruned, as many as keep each block shape's running total on its share of the
//   layer's count, then every row sweeps the chunk.
// The counts (zeros per row and group for N:M, blocks per shape) come from a mask: the magnitude
// plan's, so the result has the plan's counts, or magnitudeMask's.
import type { Steps } from './solver';

export type GroupPattern = { kind: 'nm'; n: number; m: number } | { kind: 'blocks'; rows: number; cols: number };

/** How a structured layer is solved: its pattern, the weight's layout, and the counts to reach. */
export interface StructuredSolve {
  pattern: GroupPattern;
  /** Input channels per group and taps of the weight (1 tap for Gemm / MatMul). */
  inputs: number;
  positions: number;
  /** 1 kept, 0 pruned, in the solver's matrix order (all groups' rows back to back): the counts to keep. */
  mask: Uint8Array;
}

/** Column ranges [start, end) of the groups along the inputs at each tap, in tap-major order. */
export function columnUnits(inputs: number, positions: number, width: number): Int32Array {
  const out: number[] = [];
  for (let p = 0; p < positions; p++) {
    for (let i0 = 0; i0 < inputs; i0 += width) out.push(p * inputs + i0, p * inputs + Math.min(inputs, i0 + width));
  }
  return Int32Array.from(out);
}

/** perm[q] = the channel-major column of tap-major column q (q = p·inputs + i ↔ i·positions + p). */
export function tapMajor(inputs: number, positions: number): Int32Array {
  const perm = new Int32Array(inputs * positions);
  for (let p = 0; p < positions; p++) for (let i = 0; i < inputs; i++) perm[p * inputs + i] = i * positions + p;
  return perm;
}

function permuteColumns<T extends Float64Array | Uint8Array>(a: T, rows: number, perm: Int32Array, inverse: boolean): T {
  const d = perm.length;
  const out = a.slice() as T;
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    for (let q = 0; q < d; q++) {
      if (inverse) out[o + perm[q]] = a[o + q];
      else out[o + q] = a[o + perm[q]];
    }
  }
  return out;
}

function permuteSymmetric(h: Float64Array, perm: Int32Array): Float64Array {
  const d = perm.length;
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    const ra = perm[a] * d;
    for (let b = 0; b < d; b++) out[a * d + b] = h[ra + perm[b]];
  }
  return out;
}

function saliency(v: number, ujj: number): number {
  const s = (v * v) / (ujj * ujj);
  return s === s ? s : Infinity;
}

/** The k smallest of `scores` (ties by position): their positions. */
function smallest(scores: Float64Array, k: number): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  return order.subarray(0, k);
}

/** Prunes w[r, j] with its OBS update of the later columns of row r. */
function pruneEntry(w: Float64Array, r: number, j: number, d: number, u: Float64Array): void {
  const rw = r * d;
  const rj = j * d;
  const err = w[rw + j] / u[rj + j];
  for (let i = j + 1; i < d; i++) w[rw + i] -= err * u[rj + i];
  w[rw + j] = 0;
}

function* nmSweep(
  w: Float64Array, rows: number, d: number, us: Float64Array[], perGroup: number, units: Int32Array, mask: Uint8Array, progress: (f: number) => void,
): Steps<Uint8Array> {
  const out = new Uint8Array(rows * d).fill(1);
  const nu = units.length / 2;
  for (let r = 0; r < rows; r++) {
    yield;
    progress(r / rows);
    const u = us[Math.floor(r / perGroup)];
    for (let g = 0; g < nu; g++) {
      const s = units[2 * g];
      const e = units[2 * g + 1];
      let k = 0;
      for (let j = s; j < e; j++) if (mask[r * d + j] === 0) k++;
      if (k > 0) {
        const sc = new Float64Array(e - s);
        for (let j = s; j < e; j++) sc[j - s] = saliency(w[r * d + j], u[j * d + j]);
        for (const x of smallest(sc, k)) out[r * d + s + x] = 0;
      }
      for (let j = s; j < e; j++) if (out[r * d + j] === 0) pruneEntry(w, r, j, d, u);
    }
  }
  return out;
}

function* blockSweep(
  w: Float64Array, rows: number, d: number, us: Float64Array[], perGroup: number, units: Int32Array, blockRows: number,
  mask: Uint8Array, blockSize: number, progress: (f: number) => void,
): Steps<Uint8Array> {
  const out = new Uint8Array(rows * d).fill(1);
  const nu = units.length / 2;
  const rowBlocks = Math.ceil(rows / blockRows);
  const shape = (rb: number, cu: number): string => `${Math.min(rows, (rb + 1) * blockRows) - rb * blockRows}x${units[2 * cu + 1] - units[2 * cu]}`;
  // per block shape: blocks in the layer, blocks the mask prunes, blocks seen and pruned so far
  const total = new Map<string, { all: number; pruned: number; seen: number; done: number }>();
  for (let rb = 0; rb < rowBlocks; rb++) {
    for (let cu = 0; cu < nu; cu++) {
      const key = shape(rb, cu);
      const c = total.get(key) ?? { all: 0, pruned: 0, seen: 0, done: 0 };
      c.all++;
      let zero = true;
      for (let r = rb * blockRows; r < Math.min(rows, (rb + 1) * blockRows) && zero; r++) {
        for (let j = units[2 * cu]; j < units[2 * cu + 1]; j++) if (mask[r * d + j] !== 0) zero = false;
      }
      if (zero) c.pruned++;
      total.set(key, c);
    }
  }
  for (let c0 = 0; c0 < nu;) {
    let c1 = c0 + 1;
    while (c1 < nu && units[2 * c1 + 1] - units[2 * c0] <= blockSize) c1++;
    for (const [key, c] of total) {
      const cands: number[] = [];
      for (let rb = 0; rb < rowBlocks; rb++) for (let cu = c0; cu < c1; cu++) if (shape(rb, cu) === key) cands.push(rb * nu + cu);
      if (cands.length === 0) continue;
      c.seen += cands.length;
      const target = Math.round((c.pruned * c.seen) / c.all);
      const k = target - c.done;
      c.done = target;
      if (k <= 0) continue;
      const scores = new Float64Array(cands.length);
      cands.forEach((b, x) => {
        const rb = Math.floor(b / nu);
        const cu = b - rb * nu;
        let s = 0;
        for (let r = rb * blockRows; r < Math.min(rows, (rb + 1) * blockRows); r++) {
          const u = us[Math.floor(r / perGroup)];
          for (let j = units[2 * cu]; j < units[2 * cu + 1]; j++) s += saliency(w[r * d + j], u[j * d + j]);
        }
        scores[x] = s;
      });
      for (const x of smallest(scores, k)) {
        const rb = Math.floor(cands[x] / nu);
        const cu = cands[x] - rb * nu;
        for (let r = rb * blockRows; r < Math.min(rows, (rb + 1) * blockRows); r++) {
          for (let j = units[2 * cu]; j < units[2 * cu + 1]; j++) out[r * d + j] = 0;
        }
      }
    }
    const s = units[2 * c0];
    const e = units[2 * c1 - 1];
    for (let r = 0; r < rows; r++) {
      if ((r & 7) === 7) yield;
      const u = us[Math.floor(r / perGroup)];
      for (let j = s; j < e; j++) if (out[r * d + j] === 0) pruneEntry(w, r, j, d, u);
    }
    c0 = c1;
    progress(c0 / nu);
  }
  return out;
}

/**
 * The structured sweep over `fits` (per group rows × d, the weights to prune, already refitted)
 * with the damped inverses `hinvs` (d × d per group): the pruned weights (all groups back to back,
 * float64) and their mask (1 kept), in the solver's matrix order. `upper` is the factor of
 * solver.ts (UᵀU = the matrix given); `progress` gets the fraction of the sweep done.
 */
export function* structuredSweep(
  fits: Float64Array[], hinvs: Float64Array[], rows: number, d: number, s: StructuredSolve, blockSize: number,
  upper: (a: Float64Array, d: number) => Steps<Float64Array>, progress: (fraction: number) => void = () => undefined,
): Steps<{ w: Float64Array; mask: Uint8Array }> {
  const groups = fits.length;
  const all = rows * groups;
  const perm = tapMajor(s.inputs, s.positions);
  if (perm.length !== d) throw new Error(`a weight of ${s.inputs} inputs × ${s.positions} taps does not have ${d} columns`);
  const w = new Float64Array(all * d);
  fits.forEach((f, g) => w.set(permuteColumns(f, rows, perm, false), g * rows * d));
  const us: Float64Array[] = [];
  for (const h of hinvs) us.push(yield* upper(permuteSymmetric(h, perm), d));
  const mask = permuteColumns(s.mask, all, perm, false);
  const p = s.pattern;
  const kept = p.kind === 'nm'
    ? yield* nmSweep(w, all, d, us, rows, columnUnits(s.inputs, s.positions, p.m), mask, progress)
    : yield* blockSweep(w, all, d, us, rows, columnUnits(s.inputs, s.positions, p.cols), p.rows, mask, blockSize, progress);
  return { w: permuteColumns(w, all, perm, true), mask: permuteColumns(kept, all, perm, true) };
}

/**
 * Magnitude N:M / blocks on the matrix `w` (all groups' rows back to back, channel-major columns):
 * N:M keeps the N largest |w| of every group (a group shorter than M keeps min(N, its size));
 * blocks removes round(ratio × blocks) blocks of smallest mean |w| (ties by block index), as the
 * magnitude plan does (grouped-plan.ts). 1 = kept.
 */
export function magnitudeMask(w: Float64Array, rows: number, d: number, inputs: number, positions: number, pattern: GroupPattern, ratio: number): Uint8Array {
  const perm = tapMajor(inputs, positions);
  const pw = permuteColumns(w, rows, perm, false);
  const mask = new Uint8Array(rows * d).fill(1);
  if (pattern.kind === 'nm') {
    const units = columnUnits(inputs, positions, pattern.m);
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < units.length / 2; g++) {
        const s = units[2 * g];
        const e = units[2 * g + 1];
        const sc = new Float64Array(e - s);
        for (let j = s; j < e; j++) sc[j - s] = Math.abs(pw[r * d + j]);
        for (const x of smallest(sc, Math.max(0, e - s - pattern.n))) mask[r * d + s + x] = 0;
      }
    }
  } else {
    const units = columnUnits(inputs, positions, pattern.cols);
    const nu = units.length / 2;
    const rowBlocks = Math.ceil(rows / pattern.rows);
    const sc = new Float64Array(rowBlocks * nu);
    for (let r = 0; r < rows; r++) {
      const rb = Math.floor(r / pattern.rows);
      const h = Math.min(rows, (rb + 1) * pattern.rows) - rb * pattern.rows;
      for (let cu = 0; cu < nu; cu++) {
        const size = h * (units[2 * cu + 1] - units[2 * cu]);
        for (let j = units[2 * cu]; j < units[2 * cu + 1]; j++) sc[rb * nu + cu] += Math.abs(pw[r * d + j]) / size;
      }
    }
    for (const b of smallest(sc, Math.round(ratio * sc.length))) {
      const rb = Math.floor(b / nu);
      const cu = b - rb * nu;
      for (let r = rb * pattern.rows; r < Math.min(rows, (rb + 1) * pattern.rows); r++) {
        for (let j = units[2 * cu]; j < units[2 * cu + 1]; j++) mask[r * d + j] = 0;
      }
    }
  }
  return permuteColumns(mask, rows, perm, true);
}
