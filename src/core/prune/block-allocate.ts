// Per-block ratio allocation: the overall ratio split across a transformer's blocks (found by name,
// core/analysis/blocks.ts) by each block's measured sensitivity on the calibration samples.
//
// 1. Groups: each block's selected weights; each selected weight in no block (an lm head, a patch
//    embedding) is a group of its own.
// 2. Probes: each group alone is magnitude-pruned (every tensor of it at the probe ratio, per
//    layer) and the model is run on the calibration samples: the calibration loss is the
//    next-token loss (mean −log softmax of the next id) when the samples are token ids, else the
//    output's squared error relative to the unpruned output's (Σ(y − y₀)² / Σy₀²).
// 3. The groups' loss-vs-ratio curves go to allocate() (the equal-marginal-cost allocation of the
//    sensitivity analysis, allocate.ts): group ratios whose parameter-weighted mean is the ratio.
// 4. Exact counts: K = round(ratio × Σn) zeros in all, split over the groups by their allocated
//    ratios and within a group over its tensors by size (largest remainders), as per-tensor
//    overrides k/n that plan to exactly k zeros each. The method (magnitude, Wanda, reconstruct)
//    then prunes each tensor to its count.
import { weightBlocks } from '../analysis/blocks';
import { nextTokenNll } from '../eval/language-model';
import { DataType, type Model } from '../onnx/model';
import { allocate } from './allocate';
import { applyPrune } from './apply';
import { planPrune } from './plan';
import { inputFeed, valueBatches, type Feed } from './reconstruct/activations';
import type { Steps } from './reconstruct/solver';
import type { SensitivityCurve } from './sensitivity-report';
import { PruneError } from './types';

export interface BlockAllocationOptions {
  /** The overall fraction of the selected weights to remove. */
  ratio: number;
  /** The weight tensors (a plan's selection). */
  select: string[];
  calibration: Float32Array;
  calibrationCount: number;
  sampleShape?: number[];
  /**
   * The most a group's ratio moves from `ratio` (default DEFAULT_MAX_SHIFT): the probes span
   * ratio ± maxShift and no group is given more; with the total fixed, none much less.
   */
  maxShift?: number;
  onProgress?: (fraction: number, message: string) => void;
}

export interface BlockGroup {
  /** `/blocks.3`, or the tensor's name for a weight in no block. */
  name: string;
  tensors: string[];
  params: number;
  /** Calibration loss with this group alone pruned at each probe ratio. */
  curve: { ratio: number; loss: number }[];
  /** Zeros given to the group, and its ratio (zeros / params). */
  pruned: number;
  ratio: number;
}

export interface BlockAllocation {
  /** 'next-token' (token ids) or 'output-error' (float samples). */
  loss: 'next-token' | 'output-error';
  baselineLoss: number;
  groups: BlockGroup[];
  /** Per-tensor ratios k/n, each planning to exactly k zeros; Σk = round(ratio × Σn). */
  overrides: Record<string, number>;
  pruned: number;
  params: number;
}

/** How far a group's ratio may move from the overall ratio (default of BlockAllocationOptions.maxShift). */
export const DEFAULT_MAX_SHIFT = 0.1;

/** The probes around `ratio`: every maxShift / 4 up to ± maxShift, within 0..0.95. */
export function probeRatios(ratio: number, maxShift = DEFAULT_MAX_SHIFT): number[] {
  const out = new Set<number>();
  for (let k = -4; k <= 4; k++) {
    const r = Math.round((ratio + (k * maxShift) / 4) * 1000) / 1000;
    if (r > 0 && r <= 0.95) out.add(r);
  }
  return [...out].sort((a, b) => a - b);
}

/** `total` split into integers proportional to `weights`, each at most its cap (largest remainders). */
export function splitCounts(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w, i) => Math.min(caps[i], sum > 0 ? (total * w) / sum : 0));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => i).sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || a - b);
  // largest remainders first, then any tensor with room (a capped one cannot take more)
  for (const pass of [0, 1]) {
    for (const i of order) {
      if (left <= 0) break;
      if (out[i] < caps[i] && (pass === 1 || exact[i] > out[i])) {
        const take = pass === 0 ? 1 : Math.min(left, caps[i] - out[i]);
        out[i] += take;
        left -= take;
      }
    }
  }
  if (left !== 0) throw new PruneError(`cannot place ${total} zeros in tensors of ${caps.reduce((a, b) => a + b, 0)} weights`);
  return out;
}

/** Mean calibration loss of `model` (see the file comment); `dense`: the unpruned outputs per batch, filled on the first call. */
function* calibrationLoss(model: Model, feed: Feed, output: string, dense: Float32Array[]): Steps<number> {
  let sum = 0;
  let count = 0;
  let batch = 0;
  const tokens = feed.dataType !== DataType.FLOAT;
  const length = feed.sampleDims[0];
  yield* valueBatches([model], [output], feed, (xs, first, n) => {
    const y = xs[0][0].data as Float32Array;
    if (tokens) {
      const ids = feed.calibration.subarray(first * length, (first + n) * length);
      const v = y.length / (n * length);
      const nll = nextTokenNll(y, ids, n, length, v);
      sum += nll.sum;
      count += nll.count;
    } else {
      if (dense.length <= batch) dense.push(y.slice());
      const y0 = dense[batch];
      for (let i = 0; i < y.length; i++) {
        sum += (y[i] - y0[i]) ** 2;
        count += y0[i] ** 2;
      }
    }
    batch++;
  });
  return count > 0 ? sum / count : 0;
}

/** The per-block allocation of `options.ratio` over the selected weights of `model` (see the file comment). */
export function* blockAllocationSteps(model: Model, options: BlockAllocationOptions): Steps<BlockAllocation> {
  const { ratio, select } = options;
  if (!(ratio >= 0 && ratio <= 1)) throw new PruneError(`the ratio must be a number from 0 to 1, got ${String(ratio)}`);
  const { blocks, outside } = weightBlocks(model, select);
  if (blocks.length < 2) {
    throw new PruneError(`per-block allocation needs a model whose nodes are named by block (/layer.3/, /h.3/, /blocks.3/…); ${blocks.length === 0 ? 'none of the selected weights is read by such a node' : 'the selected weights are in one block only'}`, 'unsupported');
  }
  const sizes = new Map(planPrune(model, { ratio: 0, mode: 'layer', select }).layers.map((l) => [l.tensor, l.n]));
  const groups: BlockGroup[] = [...blocks.map((b) => ({ name: b.name, tensors: b.tensors })), ...outside.map((t) => ({ name: t, tensors: [t] }))]
    .map((g) => ({ ...g, params: g.tensors.reduce((s, t) => s + (sizes.get(t) ?? 0), 0), curve: [], pruned: 0, ratio: 0 }));
  const feed = inputFeed(model, options.calibration, options.calibrationCount, options.sampleShape);
  const output = model.graph.outputs[0].name;
  const tokens = feed.dataType !== DataType.FLOAT;
  if (tokens && feed.sampleDims.length !== 1) throw new PruneError(`token ids are [N, T]; the model's input takes samples of [${feed.sampleDims.join(', ')}]`, 'bad-dataset');
  const dense: Float32Array[] = [];
  const baselineLoss = yield* calibrationLoss(model, feed, output, dense);
  const probes = probeRatios(ratio, options.maxShift);
  const runs = groups.length * probes.length;
  let done = 0;
  for (const g of groups) {
    for (const r of probes) {
      options.onProgress?.(done / runs, `block allocation: ${g.name} at ${r}`);
      const probe = applyPrune(model, planPrune(model, { ratio: r, mode: 'layer', select: g.tensors }));
      g.curve.push({ ratio: r, loss: yield* calibrationLoss(probe, feed, output, dense) });
      done++;
    }
  }
  const curves: SensitivityCurve[] = groups.map((g) => ({
    tensor: g.name, params: g.params, nodes: [], nodesRun: 0,
    points: g.curve.map((p) => ({ ratio: p.ratio, pruned: p.ratio, loss: p.loss, accuracy: 0 })),
  }));
  const params = groups.reduce((s, g) => s + g.params, 0);
  const reachable = groups.reduce((s, g) => s + g.params * Math.max(...probes), 0) / Math.max(1, params);
  const target = Math.min(ratio, reachable);
  const allocation = allocate({ samples: feed.count, structure: 'unstructured', baseline: { accuracy: 0, loss: baselineLoss }, curves, totalNodes: 0 }, target);
  const total = Math.round(ratio * params);
  const groupCounts = splitCounts(total, allocation.rows.map((row) => row.ratio * row.params), groups.map((g) => g.params));
  const overrides: Record<string, number> = {};
  groups.forEach((g, i) => {
    g.pruned = groupCounts[i];
    g.ratio = g.params > 0 ? g.pruned / g.params : 0;
    const n = g.tensors.map((t) => sizes.get(t) ?? 0);
    const counts = splitCounts(g.pruned, n, n);
    g.tensors.forEach((t, j) => (overrides[t] = n[j] > 0 ? counts[j] / n[j] : 0));
  });
  options.onProgress?.(1, 'block allocation done');
  return { loss: tokens ? 'next-token' : 'output-error', baselineLoss, groups, overrides, pruned: total, params };
}
