// Reconstruction pruning (OBS / SparseGPT style) on any model Prunescope's runtime runs: every
// selected weight of a Gemm, a MatMul (constant 2-D weight) or a Conv (any group, stride,
// dilation, padding), in graph order, is pruned to exactly its planned number of zeros and its
// kept weights are refitted so the node's outputs on calibration samples stay as close as
// possible to the unpruned model's, minimising ‖W X − W′ X‖² with X the rows that actually reach
// the node (earlier selected layers already pruned and reconstructed): the input's rows for Gemm /
// MatMul, its im2col patches for Conv (per group, H = XᵀX per group). With bias correction (the
// default) the node's bias takes up the mean output difference: the solve runs on the statistics
// about the means, and the bias of a Conv or Gemm (created when it has none) shifts by the mean of
// the target minus the pruned outputs. MatMul has no bias and is solved as it stands.
//
// Bounded memory: the rows are never stored. The runtime computes the node's input one batch of
// calibration samples at a time; a sample of the rows (at most `maxRows` per group, drawn with a
// seeded generator) is folded into H = Σ xxᵀ (and A = Σ (W x₀) xᵀ) as it is read.
import { CancelledError } from '../errors';
import type { Model } from '../onnx/model';
import { unsupportedNodes } from '../runtime';
import { defaultPrunable } from './plan';
import { PruneError } from './types';
import { inputFeed } from './reconstruct/activations';
import { solveLayer } from './reconstruct/layer';
import { collect } from './reconstruct/collect';
import { runSteps, type Steps } from './reconstruct/solver';
import { ALLOCATING, ALLOCATIONS as ALLOCATION_NAMES, allocateZeros, centredFor, type Allocation } from './reconstruct/allocation';
import { magnitudeMask, type GroupPattern, type StructuredSolve } from './reconstruct/structured';
import { DEFAULT_STRUCTURE, parseStructure } from './structure';
import { ancestorNodes, biasSlot, findTargets, realInputs, residualPath, storedWeight, weightMatrix, withBiasShifts, withWeights, type Target } from './reconstruct/targets';

export { gemmChain } from './reconstruct/chain';

export interface ReconstructProgress {
  /** 0-based index of the layer being solved, and the number of layers. */
  layer: number;
  layers: number;
  /** Weight tensor of the layer. */
  tensor: string;
  /** Overall fraction done, 0..1. */
  fraction: number;
}

export interface ReconstructOptions {
  /** Fraction 0..1 of each layer's weights to remove (exactly round(ratio × n) per layer). */
  ratio: number;
  /** Unlabelled calibration samples, back to back, as the model input takes them (e.g. 784 per 28×28 image). */
  calibration: Float32Array;
  calibrationCount: number;
  /** The shape of one calibration sample, when known: checked against the model's input, and fills its unknown dims. */
  sampleShape?: number[];
  /** Only per-layer ratios here (global plans and overrides arrive as prunedCounts). */
  mode?: 'layer';
  /** The weight tensors to prune (default: the keys of prunedCounts, else defaultPrunable). */
  select?: string[];
  /** Exact zeros per weight tensor (a plan's per-tensor counts); a selected tensor not listed is left unchanged. */
  prunedCounts?: Record<string, number>;
  /**
   * What is removed together (core/prune/structure.ts): 'unstructured' (default), 'N:M' (the mask
   * chosen by OBS saliency in every group of M inputs as the sweep reaches it) or 'RxC' blocks.
   * Channels are pruned by the channel path, not here. For N:M the ratio is 1 − N/M.
   */
  structure?: string;
  /**
   * N:M / blocks: per tensor, a mask (1 kept, 0 pruned, in the tensor's own order) whose counts the
   * result keeps: zeros per row and group for N:M, blocks of each shape for blocks; the magnitude
   * plan's, so that the result has its counts. Default: magnitude N:M, or round(ratio × blocks)
   * blocks of smallest Σ|w| (the ratio, or the tensor's prunedCounts / n).
   */
  masks?: Record<string, Uint8Array>;
  /** Damping λ as a fraction of the mean diagonal of XᵀX (default 0.01). */
  dampening?: number;
  /**
   * What each layer's outputs are fitted to: 'dense' (default) the unpruned model's outputs of the
   * layer, W X₀ with X₀ the unpruned model's activations, so each layer also corrects the error the
   * earlier pruned layers left in its input; 'layer' the pruned layer's own input, W X (plain SparseGPT).
   */
  target?: 'dense' | 'layer';
  /**
   * Shift the bias of each solved Conv / Gemm by the mean difference between its target and its
   * pruned outputs on the calibration rows, the weights solved on the centred statistics (default true).
   */
  biasCorrection?: boolean;
  /**
   * Layers of at most EXACT_BUDGET (rows × columns³ per group) multiply-adds are pruned by greedy
   * OBS one weight at a time, which also splits the zeros between rows and groups (default true);
   * larger ones, and all with false, by the SparseGPT sweep.
   */
  exact?: boolean;
  /**
   * With target 'dense': a layer whose output reaches a residual Add (through BatchNormalization at
   * most) is fitted to also cancel the drift of the Add's other input (default true).
   */
  residual?: boolean;
  /**
   * How the zeros are split between the layers: 'plan' (default) as given (prunedCounts, or
   * round(ratio × n) per layer); 'output' / 'curve' / 'saliency' the same total re-split by each
   * layer's measured error (reconstruct/allocation.ts). Unstructured only.
   */
  allocation?: Allocation;
  /** With an allocation: tensors whose counts stay as given (e.g. a plan's overrides); the others share the rest. */
  fixedCounts?: string[];
  /** Columns per mask-selection block (default 128, as SparseGPT). */
  blockSize?: number;
  /** Most calibration rows (patches) per group and layer (default: by the layer's size, see rowBudget). */
  maxRows?: number;
  onProgress?: (p: ReconstructProgress) => void;
  /** Polled between steps; when it returns true, reconstructPrune throws CancelledError. */
  isCancelled?: () => boolean;
}

export interface ReconstructLayerReport {
  tensor: string;
  node: string;
  /** The tensor's dims. */
  dims: number[];
  /** Groups (Conv group), and rows × columns of the weight matrix per group. */
  groups: number;
  matrix: [number, number];
  /** Calibration rows used per group, of the rows available. */
  rows: number;
  rowsAvailable: number;
  n: number;
  pruned: number;
  kept: number;
  ratio: number;
  /**
   * ‖Y₀ − W′X − Δb‖² / ‖Y₀‖² on the calibration rows reaching the layer, with Y₀ what the layer is
   * fitted to (the unpruned model's W X₀, or W X with target 'layer') and Δb the bias shift…
   */
  outputError: number;
  /** …and for magnitude pruning of the same layer at the same count (bias unchanged), on the same rows. */
  magnitudeOutputError: number;
  /** The node's bias was shifted (bias correction). */
  biasCorrected: boolean;
}

export interface ReconstructReport {
  ratio: number;
  calibrationCount: number;
  dampening: number;
  layers: ReconstructLayerReport[];
  prunableParams: number;
  prunedParams: number;
  keptParams: number;
}

/**
 * Why reconstruction cannot prune `selected` of `model`, in words naming the node; undefined when
 * it can. Checked before anything runs.
 */
export function reconstructProblem(model: Model, selected: string[]): string | undefined {
  if (selected.length === 0) return 'no weight is selected for reconstruction';
  const inputs = realInputs(model);
  if (inputs.length === 0) return 'reconstruct feeds calibration samples to the model, and it has no input';
  const targets = findTargets(model, selected);
  if (typeof targets === 'string') return targets;
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  for (const n of model.graph.nodes) if (n.opType === 'Constant') inits.add(n.outputs[0]);
  for (const t of targets) {
    if (inits.has(t.input)) return `${t.label} (${t.node.opType}) multiplies "${t.tensor.name}" by the constant "${t.input}": no calibration data reaches it`;
    const path = ancestorNodes(model, [t.input]);
    const bad = unsupportedNodes({ ...model, graph: { ...model.graph, nodes: path } });
    if (bad.length > 0) {
      const b = bad[0];
      return `the runtime cannot run ${b.opType} "${b.name}"${b.reason !== undefined ? ` (${b.reason})` : ''}, on the path to ${t.label} (${t.node.opType}); reconstruct runs the model to get each layer's inputs`;
    }
    const produced = path.some((n) => n.outputs.includes(t.input));
    if (!produced && t.input !== inputs[0]) return `${t.label} (${t.node.opType}) reads "${t.input}", which no node computes`;
  }
  return undefined;
}

/** Magnitude pruning at the same count, for the comparison in the report: the k smallest |w| zeroed (ties by index). */
function magnitudePruned(w: Float32Array, k: number): Float32Array {
  const order = Array.from({ length: w.length }, (_, i) => i).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const out = w.slice();
  for (let i = 0; i < k; i++) out[order[i]] = 0;
  return out;
}

function relError(num: number, den: number): number {
  return den > 0 ? num / den : num === 0 ? 0 : Infinity;
}

/**
 * A new Model with every selected weight pruned to its exact number of zeros and its kept weights
 * reconstructed on the calibration samples; the input model is not modified.
 */
export function reconstructPrune(model: Model, options: ReconstructOptions): { model: Model; report: ReconstructReport } {
  return runSteps(reconstructSteps(model, options));
}

/** The structured solve of target `t`: its layout and the counts to keep (from `stored`, a mask in the tensor's order, or magnitude). */
function structuredOf(t: Target, pattern: GroupPattern, w: Float64Array, stored: Uint8Array | undefined, ratio: number): StructuredSolve {
  const inputs = t.kind === 'conv' ? Number(t.tensor.dims[1]) : t.cols;
  const positions = t.cols / inputs;
  const all = t.rows * t.groups;
  const mask = stored === undefined
    ? magnitudeMask(w, all, t.cols, inputs, positions, pattern, ratio)
    : Uint8Array.from(weightMatrix(t, Float32Array.from(stored)));
  return { pattern, inputs, positions, mask };
}

/**
 * reconstructPrune in steps of a few milliseconds of work each (see Steps in ./reconstruct/solver):
 * for callers that pause between steps to send progress and receive a cancel message.
 */
export function* reconstructSteps(model: Model, options: ReconstructOptions): Steps<{ model: Model; report: ReconstructReport }> {
  const { ratio, calibration, calibrationCount: count } = options;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new PruneError(`the ratio must be a number from 0 to 1, got ${String(ratio)}`);
  }
  if ((options.mode ?? 'layer') !== 'layer') throw new PruneError(`reconstruction pruning supports mode "layer" only, got "${String(options.mode)}"`, 'unsupported');
  const damp = options.dampening ?? 0.01;
  if (!Number.isFinite(damp) || damp <= 0) throw new PruneError(`the dampening must be a positive number, got ${String(damp)}`);
  if (!Number.isInteger(count) || count < 1) throw new PruneError(`the calibration set must hold at least one sample, got ${String(count)}`, 'bad-dataset');
  const counts = options.prunedCounts;
  const select = options.select ?? (counts !== undefined ? Object.keys(counts) : defaultPrunable(model));
  const problem = reconstructProblem(model, select);
  if (problem !== undefined) throw new PruneError(`reconstruction pruning: ${problem}`, 'unsupported');
  const targets = findTargets(model, select) as Target[];
  const feed = inputFeed(model, calibration, count, options.sampleShape);
  const nOf = (t: Target): number => t.rows * t.cols * t.groups;
  if (counts !== undefined) {
    for (const [name, k] of Object.entries(counts)) {
      const t = targets.find((x) => x.tensor.name === name);
      if (t === undefined) throw new PruneError(`reconstruction pruning: "${name}" has a count but is not selected`);
      if (!Number.isInteger(k) || k < 0 || k > nOf(t)) throw new PruneError(`reconstruction pruning: ${String(k)} zeros asked for "${name}", which has ${nOf(t)} weights`);
    }
  }
  const structure = parseStructure(options.structure ?? DEFAULT_STRUCTURE);
  if (structure.kind === 'channels') throw new PruneError('reconstruction pruning removes channels through the channel path, not the weight solver', 'unsupported');
  const pattern: GroupPattern | undefined = structure.kind === 'nm' || structure.kind === 'blocks' ? structure : undefined;
  for (const [name, m] of Object.entries(options.masks ?? {})) {
    const t = targets.find((x) => x.tensor.name === name);
    if (t === undefined) throw new PruneError(`reconstruction pruning: "${name}" has a mask but is not selected`);
    if (m.length !== nOf(t)) throw new PruneError(`reconstruction pruning: the mask for "${name}" has ${m.length} values, the tensor ${nOf(t)}`);
  }
  const planned = (t: Target): number => (counts === undefined ? Math.round(ratio * nOf(t)) : (counts[t.tensor.name] ?? 0));
  const blockSize = options.blockSize ?? 128;
  const target = options.target ?? 'dense';
  const correct = options.biasCorrection ?? true;
  const allocation = options.allocation ?? 'plan';
  if (!ALLOCATION_NAMES.includes(allocation)) throw new PruneError(`reconstruction pruning: unknown allocation "${String(allocation)}" (${ALLOCATION_NAMES.join(', ')})`);
  if (allocation !== 'plan' && pattern !== undefined) throw new PruneError(`reconstruction pruning: allocation "${allocation}" splits single weights; with structure ${options.structure ?? ''} use "uniform"`, 'unsupported');
  // the share of the progress bar the allocation pass takes
  const before = allocation === 'plan' ? 0 : allocation === 'output' ? 0.5 : 0.3;
  let zerosFor = planned;
  const fixed = new Set(options.fixedCounts ?? []);
  const free = targets.filter((t) => !fixed.has(t.tensor.name));
  if (allocation !== 'plan' && free.length > 1) {
    const zeros = yield* allocateZeros(model, free, feed, {
      kind: allocation, total: free.reduce((s, t) => s + planned(t), 0), dampening: damp, maxRows: options.maxRows,
      centred: centredFor(model, correct),
      progress: (f) => {
        if (options.isCancelled?.() === true) throw new CancelledError('reconstruction pruning was cancelled');
        options.onProgress?.({ layer: 0, layers: targets.length, tensor: ALLOCATING, fraction: before * f });
      },
    });
    const byName = new Map(free.map((t, i) => [t.tensor.name, zeros[i]]));
    zerosFor = (t) => byName.get(t.tensor.name) ?? planned(t);
  }
  const weights = new Map<string, Float32Array>();
  const shifts: { target: Target; shift: Float64Array }[] = [];
  const reports: ReconstructLayerReport[] = [];
  const L = targets.length;
  for (let l = 0; l < L; l++) {
    const t = targets[l];
    const name = t.tensor.name;
    const progress = (f: number): void => {
      if (options.isCancelled?.() === true) throw new CancelledError('reconstruction pruning was cancelled');
      options.onProgress?.({ layer: l, layers: L, tensor: name, fraction: before + ((1 - before) * (l + f)) / L });
    };
    progress(0);
    const n = nOf(t);
    const w = weightMatrix(t, t.tensor.data as Float32Array);
    const solve = pattern === undefined ? undefined : structuredOf(t, pattern, w, options.masks?.[name], counts === undefined ? ratio : zerosFor(t) / n);
    const prune = solve === undefined ? zerosFor(t) : solve.mask.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    const base = { tensor: name, node: t.label, dims: t.tensor.dims.map(Number), groups: t.groups, matrix: [t.rows, t.cols] as [number, number], n };
    const w0 = t.tensor.data as Float32Array;
    if (prune === 0) {
      let zeros = 0;
      for (let i = 0; i < n; i++) if (w0[i] === 0) zeros++;
      reports.push({ ...base, rows: 0, rowsAvailable: 0, pruned: zeros, kept: n - zeros, ratio: n > 0 ? zeros / n : 0, outputError: 0, magnitudeOutputError: 0, biasCorrected: false });
      progress(1);
      continue;
    }
    const current = withBiasShifts(withWeights(model, weights), shifts);
    // The unpruned path differs from the pruned one once a weight it depends on has changed.
    // Fitted to the unpruned outputs, a layer whose output reaches a residual Add also corrects the Add's other input.
    const residual = target === 'dense' && options.residual !== false ? residualPath(model, t) : undefined;
    const upstream = new Set(ancestorNodes(model, residual === undefined ? [t.input] : [t.input, residual.other]).flatMap((node) => node.inputs));
    const dense = target === 'dense' && [...weights.keys()].some((k) => upstream.has(k));
    const { moments, available } = yield* collect(t, {
      models: dense ? [current, model] : [current], feed, w, maxRows: options.maxRows, seed: 0x5eed + l,
      residual, progress: (f) => progress(0.5 * f),
    });
    const centred = correct && biasSlot(model, t) !== undefined;
    const solved = yield* solveLayer(w, t.rows, t.cols, moments, { prune, dampening: damp, blockSize, centred, exact: options.exact, structured: solve, onProgress: (f) => progress(0.5 + 0.5 * f) });
    const stored = storedWeight(t, solved);
    weights.set(name, stored);
    const mag = solve === undefined ? weightMatrix(t, magnitudePruned(w0, prune)) : w.map((v, i) => (solve.mask[i] === 0 ? 0 : v));
    const size = t.rows * t.cols;
    let ref = 0;
    let err = 0;
    let magErr = 0;
    const shift = new Float64Array(t.rows * t.groups);
    moments.forEach((m, g) => {
      const part = (a: Float64Array): Float64Array => a.subarray(g * size, (g + 1) * size);
      const c = centred ? m.biasShift(part(solved)) : undefined;
      if (c !== undefined) shift.set(c, g * t.rows);
      ref += m.yy;
      err += m.error(part(solved), c);
      magErr += m.error(part(mag));
    });
    if (centred) shifts.push({ target: t, shift });
    let zeros = 0;
    for (let i = 0; i < n; i++) if (stored[i] === 0) zeros++;
    reports.push({
      ...base, rows: moments[0].rows, rowsAvailable: available, pruned: zeros, kept: n - zeros, ratio: n > 0 ? zeros / n : 0,
      outputError: relError(err, ref), magnitudeOutputError: relError(magErr, ref), biasCorrected: centred,
    });
    progress(1);
  }
  const total = reports.reduce((s, r) => s + r.n, 0);
  const prunedParams = reports.reduce((s, r) => s + r.pruned, 0);
  return {
    model: withBiasShifts(withWeights(model, weights), shifts),
    report: {
      ratio, calibrationCount: count, dampening: damp, layers: reports,
      prunableParams: total, prunedParams, keptParams: total - prunedParams,
    },
  };
}
