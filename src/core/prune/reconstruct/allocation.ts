// How many weights each layer gives up when reconstruction prunes several layers to one overall
// count (global scope): the split that minimises the summed cost of the layers, each layer's cost
// measured alone on the unpruned model (not sequentially) at its OBS / SparseGPT solve.
//
// 'output' (the default in global scope, method-registry's DEFAULT_GLOBAL_ALLOCATION): the cost of
// k zeros in a layer is the change of the model's first output on the first calibration samples
// (class scores [N, C] or a language model's [N, T, V]: KL divergence of the softmax per row; other outputs Σ‖y − y₀‖² / Σ‖y₀ − ȳ₀‖²),
// with that layer alone pruned and solved (bias corrected) at a grid of ratios. 'curve': the layer's own relative output error ‖W X − W′X − Δb‖² / ‖W X − mean‖² at
// the same grid. For both, the cost is linear between grid points, its lower convex hull is
// taken, and the hull segments are taken cheapest (cost per weight removed) first until the count
// is reached, the last one in part (equal marginal cost, as allocate.ts does for sensitivity
// curves). 'saliency': the cost of k zeros is the sum of the layer's k smallest OBS saliencies
// w²/[H⁻¹]_jj (each weight removed alone, its row refitted) over its output energy: one threshold.
// Every kind gives exactly `total` zeros; no layer prunes more than `maxRatio` of its weights
// (default 0.95) unless the total asks for it.
//
// Chosen on a validation split (scripts/reconstruct-cnns.ts --scope global --allocation K --val
// 10000: accuracy on the last 10,000 train images, calibration the first 1,000; points below the
// unpruned model at ratio 0.5; 'output' MSE = the logits compared by squared error instead of KL):
//   LeNet:     per layer −0.17, one |w| threshold (plan) −0.16, curve −0.10, output MSE −0.03, output −0.03
//   ResNet:    per layer −0.35, plan −0.29, curve −0.24, output MSE −0.16, output −0.18
//   MobileNet: per layer −1.69, plan −0.99, saliency −1.02, curve −0.63, output MSE −0.50, output −0.31
import { GroupMoments } from './moments';
import { collect } from './collect';
import { feedTensor, feedsOf, type Feed } from './activations';
import { groupShares } from './layer';
import { dampedInverseSteps, multiplySteps, sparseSweepSteps, upperFactorSteps, type Steps } from './solver';
import { biasSlot, storedWeight, weightMatrix, withBiasShifts, withWeights, type Target } from './targets';
import { DataType, type Model } from '../../onnx/model';
import { Session, unsupportedNodes, type RtTensor } from '../../runtime';

export type Allocation = 'plan' | 'saliency' | 'curve' | 'output';

export const ALLOCATIONS: readonly Allocation[] = ['plan', 'saliency', 'curve', 'output'];

/** Calibration samples the 'output' allocation runs the whole model on, per layer and grid ratio. */
export const OUTPUT_SAMPLES = 256;

/** The ratios at which 'output' and 'curve' measure each layer's cost. */
export const GRID_RATIOS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** The tensor name progress reports while the zeros are being allocated. */
export const ALLOCATING = 'allocating zeros';


export interface AllocationOptions {
  kind: Exclude<Allocation, 'plan'>;
  /** Zeros over all targets. */
  total: number;
  dampening: number;
  maxRows?: number;
  /** No layer prunes more than this fraction unless `total` needs it (default 0.95). */
  maxRatio?: number;
  centred: (t: Target) => boolean;
  progress: (f: number) => void;
}

/** One layer's cost of pruning: error (relative) after k zeros, at the points k (ascending, first 0). */
export interface LayerCurve {
  n: number;
  ks: number[];
  errs: number[];
}

/** The statistics of a layer on the unpruned model: moments per group, damped inverse, fitted weights. */
function* layerStats(model: Model, t: Target, feed: Feed, o: AllocationOptions, seed: number, progress: (f: number) => void) {
  const w = weightMatrix(t, t.tensor.data as Float32Array);
  const { moments } = yield* collect(t, { models: [model], feed, w, maxRows: o.maxRows, seed, progress });
  const centred = o.centred(t);
  const size = t.rows * t.cols;
  const hinvs: Float64Array[] = [];
  for (const m of moments) {
    const h = centred ? m.centred().h : m.h.slice();
    let trace = 0;
    for (let i = 0; i < t.cols; i++) trace += h[i * t.cols + i];
    hinvs.push(yield* dampedInverseSteps(h, t.cols, o.dampening * (trace > 0 ? trace / t.cols : 1)));
  }
  // the output energy the bias cannot take up: Σ ‖y − ȳ‖² (Σ ‖y‖² without a bias)
  let energy = 0;
  for (const m of moments) {
    energy += m.yy;
    if (centred) for (let r = 0; r < t.rows; r++) energy -= (m.sy[r] * m.sy[r]) / Math.max(1, m.rows);
  }
  return { w, moments, hinvs, centred, size, energy: energy > 0 ? energy : 1 };
}

/** Relative error of weights v (rows × cols per group) against the layer's unpruned outputs. */
function relError(moments: GroupMoments[], v: Float64Array, size: number, centred: boolean, energy: number): number {
  let e = 0;
  moments.forEach((m, g) => {
    const part = v.subarray(g * size, (g + 1) * size);
    e += m.error(part, centred ? m.biasShift(part) : undefined);
  });
  return e / energy;
}

/** The bias shift per output channel for weights v (undefined without bias correction). */
function shiftOf(moments: GroupMoments[], v: Float64Array, size: number, centred: boolean): Float64Array | undefined {
  if (!centred) return undefined;
  const rows = moments[0].outputs;
  const out = new Float64Array(rows * moments.length);
  moments.forEach((m, g) => out.set(m.biasShift(v.subarray(g * size, (g + 1) * size)), g * rows));
  return out;
}

/**
 * The error at the model's first output when one target's weights (and bias) change, on the first
 * OUTPUT_SAMPLES calibration samples: for class scores ([N, C]) or a language model's next-token
 * scores ([N, T, V]) the summed KL divergence of the softmax of each row of y from that of y₀; for
 * any other output Σ ‖y − y₀‖² / Σ ‖y₀ − ȳ₀‖².
 */
class OutputError {
  private y0: Float32Array | undefined;
  private energy = 1;
  private readonly x: RtTensor;
  private readonly feeds: Record<string, RtTensor>;

  constructor(private readonly model: Model, feed: Feed) {
    this.x = feedTensor(feed, 0, Math.min(feed.count, OUTPUT_SAMPLES));
    this.feeds = feedsOf(feed, this.x);
    this.tokens = feed.dataType !== DataType.FLOAT;
  }

  /** The input is token ids: a language model, whose [N, T, V] output is next-token scores. */
  private readonly tokens: boolean;
  /** Score rows compared as softmax distributions: [N, C] class scores, or a language model's [N, T, V]; 0 for any other output. */
  private rowLength = 0;

  private run(m: Model): Float32Array {
    const out = Session.create(m, { kernels: 'dense' }).run(this.feeds)[m.graph.outputs[0].name];
    const last = out.dims[out.dims.length - 1];
    const scores = out.dims[0] === this.x.dims[0] && last > 1 && (out.dims.length === 2 || (this.tokens && out.dims.length === 3));
    this.rowLength = scores ? last : 0;
    return out.data as Float32Array;
  }

  *error(t: Target, v: Float64Array, shift: Float64Array | undefined): Steps<number> {
    yield;
    if (this.y0 === undefined) {
      const y0 = this.run(this.model);
      const n = this.x.dims[0];
      const per = y0.length / n;
      let e = 0;
      for (let j = 0; j < per; j++) {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += y0[i * per + j];
        mean /= n;
        for (let i = 0; i < n; i++) e += (y0[i * per + j] - mean) ** 2;
      }
      this.y0 = y0;
      this.energy = e > 0 ? e : 1;
    }
    const changed = withWeights(this.model, new Map([[t.tensor.name, storedWeight(t, v)]]));
    const y = this.run(shift === undefined ? changed : withBiasShifts(changed, [{ target: t, shift }]));
    let e = 0;
    if (this.rowLength > 0) {
      const per = this.rowLength;
      for (let i = 0; i < y.length / per; i++) {
        const p = softmax(this.y0.subarray(i * per, (i + 1) * per));
        const q = softmax(y.subarray(i * per, (i + 1) * per));
        for (let j = 0; j < per; j++) if (p[j] > 0) e += p[j] * Math.log(p[j] / Math.max(q[j], 1e-30));
      }
      return e === e ? e : Infinity;
    }
    for (let i = 0; i < y.length; i++) e += (y[i] - this.y0[i]) ** 2;
    return e === e ? e / this.energy : Infinity;
  }
}

function softmax(z: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const out = Float64Array.from(z, (v) => Math.exp(v - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / sum);
}

/** The k smallest of `values` with their layers, exactly `total` of them over all layers, at most `cap[l]` from layer l. */
function smallest(values: Float64Array[], total: number, cap: number[]): number[] {
  const items: { v: number; l: number }[] = [];
  values.forEach((a, l) => {
    const sorted = a.slice().sort();
    for (let i = 0; i < cap[l]; i++) items.push({ v: sorted[i], l });
  });
  items.sort((x, y) => x.v - y.v || x.l - y.l);
  const counts = values.map(() => 0);
  for (let i = 0; i < total && i < items.length; i++) counts[items[i].l]++;
  return counts;
}

/** Exactly `total` zeros split between the layers along their convex cost curves (see the file comment). */
export function allocateByCurves(curves: LayerCurve[], total: number, cap: number[]): number[] {
  interface Seg { l: number; from: number; to: number; cost: number }
  const segs: Seg[] = [];
  curves.forEach((c, l) => {
    const pts: { k: number; e: number }[] = [];
    let max = 0;
    c.ks.forEach((k, i) => {
      if (k > cap[l] && i > 0) return;
      max = Math.max(max, c.errs[i]);
      pts.push({ k, e: max });
    });
    const hull: { k: number; e: number }[] = [];
    for (const p of pts) {
      while (hull.length >= 2) {
        const a = hull[hull.length - 2];
        const b = hull[hull.length - 1];
        if ((b.e - a.e) * (p.k - a.k) >= (p.e - a.e) * (b.k - a.k)) hull.pop();
        else break;
      }
      hull.push(p);
    }
    for (let i = 1; i < hull.length; i++) segs.push({ l, from: hull[i - 1].k, to: hull[i].k, cost: (hull[i].e - hull[i - 1].e) / (hull[i].k - hull[i - 1].k) });
  });
  segs.sort((a, b) => a.cost - b.cost || a.l - b.l || a.from - b.from);
  const counts = curves.map(() => 0);
  let left = total;
  for (const s of segs) {
    if (left <= 0) break;
    const take = Math.min(left, s.to - s.from);
    counts[s.l] = s.from + take;
    left -= take;
  }
  // a cap between grid points: what is left goes where there is room, largest room first
  const room = counts.map((c, l) => ({ l, r: cap[l] - c })).sort((a, b) => b.r - a.r || a.l - b.l);
  for (const { l, r } of room) {
    const take = Math.min(left, r);
    counts[l] += take;
    left -= take;
  }
  return counts;
}

/** Per target, the exact number of zeros (summing to `o.total`), by the allocation `o.kind`. */
export function* allocateZeros(model: Model, targets: Target[], feed: Feed, given: AllocationOptions): Steps<number[]> {
  // 'output' runs the whole model; one the runtime cannot run to its end is measured layer by layer
  const o = given.kind === 'output' && unsupportedNodes(model).length > 0 ? { ...given, kind: 'curve' as const } : given;
  const ns = targets.map((t) => t.rows * t.cols * t.groups);
  const all = ns.reduce((a, b) => a + b, 0);
  const maxRatio = o.maxRatio ?? 0.95;
  // the cap lifted evenly when the total needs more than maxRatio everywhere
  const over = Math.max(maxRatio, all > 0 ? o.total / all : 0);
  const cap = ns.map((n) => Math.min(n, Math.ceil(over * n)));
  const saliencies: Float64Array[] = [];
  const curves: LayerCurve[] = [];
  const outputs = new OutputError(model, feed);
  for (let l = 0; l < targets.length; l++) {
    const t = targets[l];
    const frac = (f: number): void => o.progress((l + f) / targets.length);
    const s = yield* layerStats(model, t, feed, o, 0xa11c + l, (f) => frac(0.5 * f));
    const { rows, cols: d, groups } = t;
    const fits: Float64Array[] = [];
    const sal = new Float64Array(ns[l]);
    for (let g = 0; g < groups; g++) {
      const m = s.moments[g];
      const a = s.centred ? m.centred().a : m.cross();
      const fit = yield* multiplySteps(a, rows, d, s.hinvs[g]);
      fits.push(fit);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < d; j++) {
          const v = (fit[r * d + j] * fit[r * d + j]) / s.hinvs[g][j * d + j] / s.energy;
          sal[g * s.size + r * d + j] = v === v ? v : Infinity;
        }
      }
    }
    saliencies.push(sal);
    if (o.kind === 'curve' || o.kind === 'output') {
      const ks = [0];
      const errs = [0];
      const us: Float64Array[] = [];
      for (let g = 0; g < groups; g++) us.push(yield* upperFactorSteps(s.hinvs[g], d));
      const salGroups = fits.map((_, g) => sal.subarray(g * s.size, (g + 1) * s.size));
      for (const ratio of GRID_RATIOS) {
        const k = Math.round(ratio * ns[l]);
        if (k <= ks[ks.length - 1]) continue;
        const shares = groupShares(salGroups, k);
        const v = new Float64Array(ns[l]);
        for (let g = 0; g < groups; g++) {
          const f = fits[g].slice();
          const mask = yield* sparseSweepSteps(f, rows, d, us[g], { prune: shares[g], blockSize: 128 });
          for (let i = 0; i < s.size; i++) v[g * s.size + i] = mask[i] === 0 ? 0 : f[i];
        }
        ks.push(k);
        errs.push(o.kind === 'output' ? (yield* outputs.error(t, v, shiftOf(s.moments, v, s.size, s.centred))) : relError(s.moments, v, s.size, s.centred, s.energy));
      }
      if (ks[ks.length - 1] < ns[l]) {
        const zero = new Float64Array(ns[l]);
        ks.push(ns[l]);
        errs.push(o.kind === 'output' ? (yield* outputs.error(t, zero, shiftOf(s.moments, zero, s.size, s.centred))) : relError(s.moments, zero, s.size, s.centred, s.energy));
      }
      curves.push({ n: ns[l], ks, errs });
    }
    frac(1);
  }
  return o.kind !== 'saliency' ? allocateByCurves(curves, o.total, cap) : smallest(saliencies, o.total, cap);
}

/** Whether a target's solve is centred (its bias takes up the mean): as reconstructSteps decides. */
export function centredFor(model: Model, correct: boolean): (t: Target) => boolean {
  return (t) => correct && biasSlot(model, t) !== undefined;
}
