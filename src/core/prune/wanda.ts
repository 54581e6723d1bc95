// Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models"):
// each weight is scored S_ij = |W_ij| · ‖X_j‖₂, with X_j the j-th input feature of the layer over
// every calibration row that reaches it (a token, a Gemm row, a Conv im2col patch: all leading dims
// flattened), and the lowest scores are removed within each output row; no weight is updated.
// Unstructured: every output row loses the same number of weights (the layer's exact count spread
// over the rows); N:M: the N highest scores of each group of M inputs are kept; blocks: the blocks
// of lowest mean score. Layers are pruned in graph order, each scored on the activations of the
// model whose earlier selected layers are already pruned (as SparseGPT goes block by block).
//
// Bounded memory: only the sum of squares per input column is kept; the runtime computes the
// layer's input one batch of calibration samples at a time.
import { CancelledError } from '../errors';
import type { Model } from '../onnx/model';
import { defaultPrunable } from './plan';
import { PruneError } from './types';
import { reconstructProblem } from './reconstruct';
import { inputFeed, valueBatches } from './reconstruct/activations';
import { rowReader } from './reconstruct/patches';
import { runSteps, type Steps } from './reconstruct/solver';
import { magnitudeMask, type GroupPattern } from './reconstruct/structured';
import { findTargets, storedWeight, weightMatrix, withWeights, type Target } from './reconstruct/targets';
import { DEFAULT_STRUCTURE, parseStructure } from './structure';

export interface WandaProgress {
  layer: number;
  layers: number;
  tensor: string;
  /** Overall fraction done, 0..1. */
  fraction: number;
}

export interface WandaOptions {
  /** Fraction 0..1 of each layer's weights to remove (exactly round(ratio × n) per layer). */
  ratio: number;
  /** Unlabelled calibration samples, back to back, as the model input takes them. */
  calibration: Float32Array;
  calibrationCount: number;
  sampleShape?: number[];
  /** The weight tensors to prune (default: the keys of prunedCounts, else defaultPrunable). */
  select?: string[];
  /** Exact zeros per weight tensor (a plan's counts); a selected tensor not listed is left unchanged. */
  prunedCounts?: Record<string, number>;
  /** 'unstructured' (default), 'N:M' or 'RxC' blocks (core/prune/structure.ts); not channels. */
  structure?: string;
  /** N:M / blocks: per tensor, the plan's mask (tensor order) whose zero count the result keeps. */
  masks?: Record<string, Uint8Array>;
  onProgress?: (p: WandaProgress) => void;
  isCancelled?: () => boolean;
}

export interface WandaLayerReport {
  tensor: string;
  node: string;
  /** Calibration rows (tokens, patches) the norms were taken over. */
  rows: number;
  n: number;
  pruned: number;
}

export interface WandaReport {
  calibrationCount: number;
  layers: WandaLayerReport[];
}

/** Why Wanda cannot prune `selected` of `model` (the same needs as reconstruct: one float input, runnable paths). */
export function wandaProblem(model: Model, selected: string[]): string | undefined {
  return reconstructProblem(model, selected)?.replace(/\breconstruct(ion)?\b/g, 'wanda');
}

/** The Wanda scores |W| · ‖X_col‖ as rows × cols per group (the weightMatrix view). */
export function wandaScores(w: Float64Array, rows: number, cols: number, groups: number, sumSquares: Float64Array): Float64Array {
  const s = new Float64Array(w.length);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++) {
      const o = (g * rows + r) * cols;
      for (let i = 0; i < cols; i++) s[o + i] = Math.abs(w[o + i]) * Math.sqrt(sumSquares[g * cols + i]);
    }
  }
  return s;
}

/** Unstructured Wanda mask (1 kept): `k` zeros spread over the rows (the first k mod R rows one more), lowest scores of each row (ties by index). */
export function rowMask(scores: Float64Array, rows: number, cols: number, k: number): Uint8Array {
  const mask = new Uint8Array(rows * cols).fill(1);
  const base = Math.floor(k / rows);
  const extra = k - base * rows;
  const order = new Int32Array(cols);
  for (let r = 0; r < rows; r++) {
    const kr = Math.min(cols, base + (r < extra ? 1 : 0));
    if (kr === 0) continue;
    const o = r * cols;
    for (let i = 0; i < cols; i++) order[i] = i;
    order.sort((a, b) => scores[o + a] - scores[o + b] || a - b);
    for (let i = 0; i < kr; i++) mask[o + order[i]] = 0;
  }
  return mask;
}

/** Σ x_j² per group and input column over every calibration row reaching `t` in `current`. */
function* columnSquares(t: Target, current: Model, feed: ReturnType<typeof inputFeed>, progress: (f: number) => void): Steps<{ sums: Float64Array; rows: number }> {
  const { cols, groups } = t;
  const sums = new Float64Array(groups * cols);
  const x = new Float64Array(cols);
  let rows = 0;
  yield* valueBatches([current], [t.input], feed, (xs, first, n) => {
    const reader = rowReader(t, xs[0][0].dims);
    const data = xs[0][0].data as Float32Array;
    for (let r = 0; r < reader.count; r++) {
      for (let g = 0; g < groups; g++) {
        reader.read(data, r, g, x, 0);
        const o = g * cols;
        for (let i = 0; i < cols; i++) sums[o + i] += x[i] * x[i];
      }
    }
    rows += reader.count;
    progress((first + n) / feed.count);
  });
  return { sums, rows };
}

export function wandaPrune(model: Model, options: WandaOptions): { model: Model; report: WandaReport } {
  return runSteps(wandaSteps(model, options));
}

/** wandaPrune in steps (one batch of calibration samples each), for callers that send progress and take a cancel. */
export function* wandaSteps(model: Model, options: WandaOptions): Steps<{ model: Model; report: WandaReport }> {
  const { ratio, calibration, calibrationCount: count } = options;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new PruneError(`the ratio must be a number from 0 to 1, got ${String(ratio)}`);
  if (!Number.isInteger(count) || count < 1) throw new PruneError(`the calibration set must hold at least one sample, got ${String(count)}`, 'bad-dataset');
  const counts = options.prunedCounts;
  const select = options.select ?? (counts !== undefined ? Object.keys(counts) : defaultPrunable(model));
  const problem = wandaProblem(model, select);
  if (problem !== undefined) throw new PruneError(`wanda pruning: ${problem}`, 'unsupported');
  const structure = parseStructure(options.structure ?? DEFAULT_STRUCTURE);
  if (structure.kind === 'channels') throw new PruneError('wanda prunes single weights, N:M groups or blocks, not channels', 'unsupported');
  const pattern: GroupPattern | undefined = structure.kind === 'nm' || structure.kind === 'blocks' ? structure : undefined;
  const targets = findTargets(model, select) as Target[];
  const feed = inputFeed(model, calibration, count, options.sampleShape);
  const weights = new Map<string, Float32Array>();
  const layers: WandaLayerReport[] = [];
  for (let l = 0; l < targets.length; l++) {
    const t = targets[l];
    const name = t.tensor.name;
    const n = t.rows * t.cols * t.groups;
    const progress = (f: number): void => {
      if (options.isCancelled?.() === true) throw new CancelledError('wanda pruning was cancelled');
      options.onProgress?.({ layer: l, layers: targets.length, tensor: name, fraction: (l + f) / targets.length });
    };
    progress(0);
    const k = counts === undefined ? Math.round(ratio * n) : (counts[name] ?? 0);
    if (!Number.isInteger(k) || k < 0 || k > n) throw new PruneError(`wanda pruning: ${String(k)} zeros asked for "${name}", which has ${n} weights`);
    const stored = options.masks?.[name];
    if (stored !== undefined && stored.length !== n) throw new PruneError(`wanda pruning: the mask for "${name}" has ${stored.length} values, the tensor ${n}`);
    const planned = stored === undefined ? k : stored.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    if (planned === 0) {
      layers.push({ tensor: name, node: t.label, rows: 0, n, pruned: 0 });
      progress(1);
      continue;
    }
    const { sums, rows } = yield* columnSquares(t, withWeights(model, weights), feed, progress);
    const w = weightMatrix(t, t.tensor.data as Float32Array);
    const scores = wandaScores(w, t.rows, t.cols, t.groups, sums);
    const all = t.rows * t.groups;
    let mask: Uint8Array;
    if (pattern === undefined) mask = rowMask(scores, all, t.cols, k);
    else {
      const inputs = t.kind === 'conv' ? Number(t.tensor.dims[1]) : t.cols;
      mask = magnitudeMask(scores, all, t.cols, inputs, t.cols / inputs, pattern, planned / n);
    }
    const pruned = w.map((v, i) => (mask[i] === 0 ? 0 : v));
    weights.set(name, storedWeight(t, pruned));
    layers.push({ tensor: name, node: t.label, rows, n, pruned: mask.reduce((a, v) => a + (v === 0 ? 1 : 0), 0) });
    progress(1);
  }
  return { model: withWeights(model, weights), report: { calibrationCount: count, layers } };
}
