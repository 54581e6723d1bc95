// Pure helpers of the Sensitivity panel (no DOM, no engine calls): the curves as points arrive
// (Progress.sensitivity), the ratio the overlay shows by default, the accuracy drop per graph
// node at a ratio, and the allocation's sparsity over the analysed tensors.

import type { AllocationRow, ModelSummary, SensitivityCurve, SensitivityPoint } from '../../engine/protocol';

/** A curve as the panel holds it while points arrive: tensor, and its points by ratio (ascending). */
export interface LiveCurve {
  tensor: string;
  /** Elements of the tensor, once the full answer gave it (0 until then). */
  params: number;
  nodes: string[];
  points: SensitivityPoint[];
  notes?: string[];
}

/** Adds one point of curve `index` (tensor `tensor`) to `curves` (a new array; the point replaces one at the same ratio). */
export function mergeSensitivityPoint(curves: readonly LiveCurve[], index: number, tensor: string, point: SensitivityPoint): LiveCurve[] {
  const out = curves.slice();
  while (out.length <= index) out.push({ tensor: '', params: 0, nodes: [], points: [] });
  const prev = out[index];
  const base = prev.tensor === tensor ? prev : { tensor, params: 0, nodes: [], points: [] };
  const points = [...base.points.filter((p) => p.ratio !== point.ratio), point].sort((a, b) => a.ratio - b.ratio);
  out[index] = { ...base, points };
  return out;
}

/** The curves of the full answer, as the panel holds them. */
export function liveCurves(curves: readonly SensitivityCurve[]): LiveCurve[] {
  return curves.map((c) => ({ tensor: c.tensor, params: c.params, nodes: c.nodes, points: [...c.points].sort((a, b) => a.ratio - b.ratio), ...(c.notes ? { notes: c.notes } : {}) }));
}

/** Every ratio any curve has a point at, ascending. */
export function curveRatios(curves: readonly LiveCurve[]): number[] {
  return [...new Set(curves.flatMap((c) => c.points.map((p) => p.ratio)))].sort((a, b) => a - b);
}

/** The overlay's default ratio: the highest ≤ 0.9, else the lowest; undefined without points. */
export function defaultOverlayRatio(ratios: readonly number[]): number | undefined {
  if (ratios.length === 0) return undefined;
  const under = ratios.filter((r) => r <= 0.9 + 1e-12);
  return under.length > 0 ? Math.max(...under) : Math.min(...ratios);
}

/**
 * The accuracy drop (baseline − accuracy, in accuracy fractions) at `ratio` per main-graph node
 * index: each node that reads an analysed tensor; a node reading several takes the largest drop.
 */
export function accuracyDropByNode(model: Pick<ModelSummary, 'graph'>, curves: readonly LiveCurve[], baselineAccuracy: number, ratio: number): Map<number, number> {
  const indexOf = new Map(model.graph.nodes.map((n) => [n.name, n.index]));
  // A curve's node names come with the full answer; while points arrive, the nodes reading the tensor.
  const readers = (tensor: string): number[] => model.graph.nodes.filter((n) => n.inputs.includes(tensor)).map((n) => n.index);
  const out = new Map<number, number>();
  for (const c of curves) {
    const p = c.points.find((q) => Math.abs(q.ratio - ratio) < 1e-9);
    if (!p) continue;
    const drop = baselineAccuracy - p.accuracy;
    const nodes = c.nodes.length > 0 ? c.nodes.map((n) => indexOf.get(n)).filter((i): i is number => i !== undefined) : readers(c.tensor);
    for (const i of nodes) out.set(i, Math.max(out.get(i) ?? -Infinity, drop));
  }
  return out;
}

/** Parameter-weighted sparsity of allocation rows: Σ round(ratio·n) / Σ n. */
export function allocatedSparsity(rows: readonly Pick<AllocationRow, 'params' | 'ratio'>[]): number {
  const total = rows.reduce((s, r) => s + r.params, 0);
  return total > 0 ? rows.reduce((s, r) => s + Math.round(r.ratio * r.params), 0) / total : 0;
}

/** A target sparsity typed as a percent (90 or 90%): the fraction, or why it cannot be used. */
export function parseTarget(text: string): number | { error: string } {
  const t = text.trim().replace(/%$/, '').trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) return { error: `"${text}" is not a sparsity: give a percent such as 90` };
  if (v <= 0 || v >= 100) return { error: `${text}%: the target sparsity must lie between 0% and 100%` };
  return v / 100;
}
