// Ratio allocation from sensitivity curves: per-tensor ratios that reach a target overall sparsity
// (parameter-weighted over the analysed tensors) with the least predicted increase of the loss.
//
// Method:
// 1. Each curve becomes Δloss(x) = loss − baseline loss against x, the fraction of the tensor
//    actually pruned (= the ratio, unstructured), with the point (0, 0) added, the
//    points sorted by ratio, and made monotone (a running maximum: pruning more never predicts a
//    smaller loss; measured dips are noise) and never below 0.
// 2. Between points Δloss is linear. Its lower convex hull is taken: on a convex piecewise-linear
//    curve the marginal cost (Δloss per parameter removed) grows with the ratio.
// 3. Lagrangian / equal-marginal-cost: the hull segments of all tensors are taken in order of
//    their marginal cost (Δloss increase / parameters removed), cheapest first, until the target
//    count of parameters is removed; the last segment is taken in part. This is the exact optimum
//    of the convexified problem (a fractional knapsack). A tensor's ratio never exceeds its
//    largest measured ratio; a target beyond what the curves cover is refused.
import { PruneError } from './types';
import type { Allocation, AllocationRow, SensitivityResult } from './sensitivity-report';

export type { Allocation, AllocationRow } from './sensitivity-report';

interface Pt {
  r: number;
  d: number;
}

/** The monotone Δloss points of a curve: (0, 0) first, sorted, running max, ≥ 0. */
export function monotoneCurve(points: readonly { ratio: number; pruned?: number; loss: number }[], baselineLoss: number): Pt[] {
  const raw = [{ r: 0, d: 0 }, ...points.map((p) => ({ r: p.pruned ?? p.ratio, d: Number.isFinite(p.loss) ? p.loss - baselineLoss : Infinity }))]
    .sort((a, b) => a.r - b.r);
  const out: Pt[] = [];
  let max = 0;
  for (const p of raw) {
    max = Math.max(max, p.d);
    if (out.length > 0 && out[out.length - 1].r === p.r) out[out.length - 1].d = max;
    else out.push({ r: p.r, d: max });
  }
  return out;
}

/** Lower convex hull of points sorted by r (Andrew's monotone chain, lower half). */
function lowerHull(pts: Pt[]): Pt[] {
  const h: Pt[] = [];
  for (const p of pts) {
    while (h.length >= 2) {
      const a = h[h.length - 2];
      const b = h[h.length - 1];
      // drop b when it lies on or above the segment a → p
      if ((b.d - a.d) * (p.r - a.r) >= (p.d - a.d) * (b.r - a.r)) h.pop();
      else break;
    }
    h.push(p);
  }
  return h;
}

/** Linear interpolation of monotone points at r (clamped to their range). */
export function interpolate(pts: readonly Pt[], r: number): number {
  if (r <= pts[0].r) return pts[0].d;
  for (let i = 1; i < pts.length; i++) {
    if (r <= pts[i].r) {
      const a = pts[i - 1];
      const b = pts[i];
      return b.r === a.r ? b.d : a.d + ((b.d - a.d) * (r - a.r)) / (b.r - a.r);
    }
  }
  return pts[pts.length - 1].d;
}

/**
 * The ratio to ask for to prune the fraction `x` of a tensor: the curves' x axis is the fraction
 * actually pruned (channels round to whole channels and keep some groups whole; a tensor that
 * cannot be pruned alone stays at 0), interpolated back to the requested ratios.
 */
function requestedAt(points: readonly { ratio: number; pruned: number }[], x: number): number {
  if (x <= 0) return 0;
  const pts = [{ ratio: 0, pruned: 0 }, ...points].sort((a, b) => a.pruned - b.pruned || a.ratio - b.ratio);
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    if (x <= b.pruned) return b.pruned === a.pruned ? b.ratio : a.ratio + ((b.ratio - a.ratio) * (x - a.pruned)) / (b.pruned - a.pruned);
  }
  return pts[pts.length - 1].ratio;
}

/** Per-tensor ratios reaching `target` sparsity with the least predicted loss increase (see the file comment). */
export function allocate(result: SensitivityResult, target: number): Allocation {
  if (!(target >= 0 && target <= 1)) throw new PruneError(`the target sparsity must be a number from 0 to 1, got ${String(target)}`);
  const curves = result.curves.filter((c) => c.params > 0);
  if (curves.length === 0) throw new PruneError('no sensitivity curves to allocate from');
  const total = curves.reduce((s, c) => s + c.params, 0);
  const monotone = curves.map((c) => monotoneCurve(c.points, result.baseline.loss));
  const reachable = curves.reduce((s, c, i) => s + c.params * monotone[i][monotone[i].length - 1].r, 0) / total;
  if (target > reachable + 1e-12) {
    throw new PruneError(`the target sparsity ${target} is beyond the measured curves (each tensor at the largest fraction its curve pruned, together ${reachable.toFixed(4)}): add larger ratios, or leave out tensors that cannot be pruned alone`);
  }
  interface Seg { tensor: number; from: number; to: number; cost: number }
  const segs: Seg[] = [];
  monotone.forEach((pts, i) => {
    const hull = lowerHull(pts.filter((p) => Number.isFinite(p.d)));
    for (let k = 1; k < hull.length; k++) {
      const removed = (hull[k].r - hull[k - 1].r) * curves[i].params;
      segs.push({ tensor: i, from: hull[k - 1].r, to: hull[k].r, cost: (hull[k].d - hull[k - 1].d) / removed });
    }
  });
  // Cheapest first; equal costs: the larger tensor first, then earlier segments (keeps each tensor's order).
  segs.sort((a, b) => a.cost - b.cost || curves[b.tensor].params - curves[a.tensor].params || a.tensor - b.tensor || a.from - b.from);
  const ratios = curves.map(() => 0);
  let left = target * total;
  for (const s of segs) {
    if (left <= 0) break;
    const n = curves[s.tensor].params;
    const take = Math.min(left, (s.to - s.from) * n);
    ratios[s.tensor] = s.from + take / n;
    left -= take;
  }
  const rows: AllocationRow[] = curves.map((c, i) => ({
    tensor: c.tensor,
    params: c.params,
    ratio: Math.round(requestedAt(c.points, ratios[i]) * 1e6) / 1e6,
    predictedLossIncrease: interpolate(monotone[i], ratios[i]),
  }));
  const pruned = rows.reduce((s, r) => s + Math.round(r.ratio * r.params), 0);
  return {
    target,
    sparsity: pruned / total,
    rows,
    predictedLossIncrease: rows.reduce((s, r) => s + r.predictedLossIncrease, 0),
    overrides: Object.fromEntries(rows.map((r) => [r.tensor, r.ratio])),
  };
}
