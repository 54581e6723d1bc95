// Exact greedy OBS (as Optimal Brain Compression does it) for layers small enough: each row is
// pruned one weight at a time, always the weight whose removal costs least, w_p² / [H⁻¹]_pp, the
// rest of the row absorbing it (w −= w_p / [H⁻¹]_pp · H⁻¹[:, p]) and H⁻¹ losing row and column p.
// The SparseGPT sweep fixes a block's mask from the saliencies before any update; on a few
// columns (a 3×3 depthwise kernel, a first layer) the greedy path with updates after every
// removal picks better masks. Each row's removal costs (made non-decreasing) also decide how many
// zeros each row and group gets: the `prune` cheapest removals over the whole tensor.
import type { Steps } from './solver';

/** Rows × d³ multiply-adds at most for the exact path (seconds); larger layers take the sweep. */
export const EXACT_BUDGET = 1e9;

/**
 * Greedy OBS on one row (w and hinv copied, not modified): `steps` removals, or all of them.
 * Returns the row after `steps` removals and the cost of every removal (cumulative maximum).
 */
function greedyRow(w: Float64Array, hinv: Float64Array, d: number, steps: number): { row: Float64Array; cost: Float64Array; alive: Uint8Array } {
  const row = w.slice();
  const h = hinv.slice();
  const alive = new Uint8Array(d).fill(1);
  const cost = new Float64Array(d);
  let worst = 0;
  for (let s = 0; s < steps; s++) {
    let p = -1;
    let best = Infinity;
    for (let j = 0; j < d; j++) {
      if (alive[j] === 0) continue;
      const hjj = h[j * d + j];
      const c = hjj > 0 ? (row[j] * row[j]) / hjj : row[j] === 0 ? 0 : Infinity;
      if (p < 0 || c < best) {
        p = j;
        best = c;
      }
    }
    worst = Math.max(worst, best);
    cost[s] = worst;
    const hpp = h[p * d + p];
    if (hpp > 0) {
      const f = row[p] / hpp;
      for (let j = 0; j < d; j++) if (alive[j] === 1) row[j] -= f * h[j * d + p];
      const hp = h.slice(p * d, (p + 1) * d);
      for (let i = 0; i < d; i++) {
        const hip = hp[i];
        if (hip === 0 || alive[i] === 0) continue;
        const ri = i * d;
        const q = hip / hpp;
        for (let j = 0; j < d; j++) h[ri + j] -= q * hp[j];
      }
    }
    alive[p] = 0;
    row[p] = 0;
  }
  return { row, cost, alive };
}

/**
 * The pruned fits (rows × d per group, back to back, float64, as the greedy path leaves them) and
 * the mask (1 = kept, exactly `prune` zeros) for the fitted weights and damped inverses per group.
 */
export function* exactPrune(
  fits: Float64Array[], hinvs: Float64Array[], rows: number, d: number, prune: number, onProgress?: (f: number) => void,
): Steps<{ values: Float64Array; mask: Uint8Array }> {
  const groups = fits.length;
  const total = groups * rows;
  const costs = new Float64Array(total * d);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++) {
      yield;
      const { cost } = greedyRow(fits[g].subarray(r * d, (r + 1) * d), hinvs[g], d, d);
      costs.set(cost, (g * rows + r) * d);
      onProgress?.((0.5 * (g * rows + r + 1)) / total);
    }
  }
  // The `prune` cheapest removals; each row's costs are non-decreasing, so a row's share is a prefix.
  const counts = new Int32Array(total);
  if (prune > 0) {
    const cut = costs.slice().sort()[prune - 1];
    let below = 0;
    for (let i = 0; i < costs.length; i++) if (costs[i] < cut) below++;
    let ties = prune - below;
    for (let i = 0; i < costs.length; i++) {
      if (costs[i] < cut || (costs[i] === cut && ties-- > 0)) counts[Math.floor(i / d)]++;
    }
  }
  const values = new Float64Array(total * d);
  const mask = new Uint8Array(total * d).fill(1);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++) {
      yield;
      const k = counts[g * rows + r];
      const src = fits[g].subarray(r * d, (r + 1) * d);
      const at = (g * rows + r) * d;
      if (k === 0) values.set(src, at);
      else {
        const { row, alive } = greedyRow(src, hinvs[g], d, k);
        values.set(row, at);
        mask.set(alive, at);
      }
      onProgress?.(0.5 + (0.5 * (g * rows + r + 1)) / total);
    }
  }
  return { values, mask };
}
