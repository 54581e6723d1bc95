// One weight tensor's OBS / SparseGPT solve from its accumulated moments: per group the damped
// inverse of H, the least-squares refit to the unpruned outputs when A is given, then the sweep
// that prunes exactly the group's share of zeros. The shares of a grouped convolution follow the
// OBS saliency w² / [H⁻¹]_jj over the whole tensor, so groups whose weights matter less lose more.
// With `centred`, H and A are the statistics about the means (the bias takes up the mean).
import { EXACT_BUDGET, exactPrune } from './exact';
import type { GroupMoments } from './moments';
import { dampedInverseSteps, multiplySteps, sparseSweepSteps, upperFactorSteps, type Steps } from './solver';
import { structuredSweep, type StructuredSolve } from './structured';

export interface SolveOptions {
  /** Zeros in the whole tensor. */
  prune: number;
  /** λ as a fraction of the mean diagonal of H. */
  dampening: number;
  blockSize: number;
  /** N:M or blocks: the pattern and the counts to keep (`prune` is then unused); absent = unstructured. */
  structured?: StructuredSolve;
  /** Solve on the centred statistics: the bias absorbs the mean output difference (GroupMoments.biasShift). */
  centred?: boolean;
  /** Greedy OBS one weight at a time where the layer is small enough (EXACT_BUDGET); default true. */
  exact?: boolean;
  /** Fraction 0..1 of the solve done; may throw to stop. */
  onProgress?: (fraction: number) => void;
}

/** Float32 of a kept weight, never exactly zero (so the zero count equals the pruned count). */
export function keptValue(v: number): number {
  const f = Math.fround(v);
  if (f !== 0) return f;
  return v < 0 ? -1.401298464324817e-45 : 1.401298464324817e-45;
}

/** How many of `prune` zeros each group gets: the smallest saliencies over all groups (ties by index). */
export function groupShares(saliency: Float64Array[], prune: number): number[] {
  if (saliency.length === 1) return [prune];
  const all = new Float64Array(saliency.reduce((s, a) => s + a.length, 0));
  let off = 0;
  for (const s of saliency) {
    all.set(s, off);
    off += s.length;
  }
  if (prune === 0) return saliency.map(() => 0);
  const cut = all.slice().sort()[prune - 1];
  let below = 0;
  for (let i = 0; i < all.length; i++) if (all[i] < cut) below++;
  let ties = prune - below;
  return saliency.map((s) => {
    let k = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i] < cut) k++;
      else if (s[i] === cut && ties > 0) {
        k++;
        ties--;
      }
    }
    return k;
  });
}

/**
 * The pruned weights (rows × d per group, back to back, float64 values already rounded to
 * float32, exactly `prune` zeros) for the unpruned `w` of the same layout.
 */
export function* solveLayer(w: Float64Array, rows: number, d: number, moments: GroupMoments[], opts: SolveOptions): Steps<Float64Array> {
  const groups = moments.length;
  const size = rows * d;
  const hinvs: Float64Array[] = [];
  const fits: Float64Array[] = [];
  for (let g = 0; g < groups; g++) {
    const m = moments[g];
    const c = opts.centred === true ? m.centred() : undefined;
    const h = c !== undefined ? c.h : m.h.slice();
    let trace = 0;
    for (let i = 0; i < d; i++) trace += h[i * d + i];
    const lambda = opts.dampening * (trace > 0 ? trace / d : 1);
    const hinv = yield* dampedInverseSteps(h, d, lambda);
    hinvs.push(hinv);
    // ‖W₀X₀ − W′X‖² = ‖W₀X₀ − W*X‖² + ‖(W* − W′)X‖² for the least-squares W* = A (H + λI)⁻¹:
    // prune W* against the pruned path's own H.
    // Fitted to the layer's own input the target is W itself (no damping shrink).
    fits.push(m.a === undefined ? w.slice(g * size, (g + 1) * size) : yield* multiplySteps(c !== undefined ? c.a : m.a, rows, d, hinv));
    opts.onProgress?.((0.2 * (g + 1)) / groups);
  }
  if (opts.structured !== undefined) {
    const { w: pruned, mask } = yield* structuredSweep(fits, hinvs, rows, d, opts.structured, opts.blockSize, upperFactorSteps, (x) => opts.onProgress?.(0.2 + 0.8 * x));
    opts.onProgress?.(1);
    for (let i = 0; i < pruned.length; i++) pruned[i] = mask[i] === 0 ? 0 : keptValue(pruned[i]);
    return pruned;
  }
  const out = new Float64Array(size * groups);
  if (opts.exact !== false && groups * rows * d * d * d <= EXACT_BUDGET) {
    const { values, mask } = yield* exactPrune(fits, hinvs, rows, d, opts.prune, (x) => opts.onProgress?.(0.2 + 0.8 * x));
    for (let i = 0; i < out.length; i++) out[i] = mask[i] === 0 ? 0 : keptValue(values[i]);
    return out;
  }
  const saliency = fits.map((f, g) => {
    const s = new Float64Array(size);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        const v = (f[r * d + j] * f[r * d + j]) / hinvs[g][j * d + j];
        s[r * d + j] = v === v ? v : Infinity;
      }
    }
    return s;
  });
  const shares = groupShares(saliency, opts.prune);
  for (let g = 0; g < groups; g++) {
    const u = yield* upperFactorSteps(hinvs[g], d);
    const f = fits[g];
    const mask = yield* sparseSweepSteps(f, rows, d, u, {
      prune: shares[g], blockSize: opts.blockSize,
      onBlock: (x) => opts.onProgress?.(0.2 + (0.8 * (g + x)) / groups),
    });
    for (let i = 0; i < size; i++) out[g * size + i] = mask[i] === 0 ? 0 : keptValue(f[i]);
  }
  return out;
}
