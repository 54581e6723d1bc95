// Reconstruction pruning (OBS / SparseGPT style): layer by layer in graph order, each Gemm's
// weights are pruned to exactly round(ratio × n) zeros and the kept weights are updated so the
// layer's outputs on calibration samples stay as close as possible to the unpruned layer's,
// minimising ‖W X − W′ X‖² with X the activations that actually reach the layer (earlier layers
// already pruned and reconstructed). Biases are untouched. For models made of Flatten / Gemm /
// Relu in a chain (the sample MLP and what torch.onnx.export writes for nn.Linear stacks).
import { CancelledError } from '../errors';
import { DataType, type Model, type Node } from '../onnx/model';
import { mlpFromModel, updateModelWeights, type DenseLayer } from '../train';
import { applyPrune } from './apply';
import { planPrune } from './plan';
import { PruneError } from './types';
import {
  crossMomentSteps, dampedInverseSteps, multiplySteps, runSteps, secondMomentSteps, sparseRows, sparseSweepSteps, upperFactorSteps,
  type SparseRows, type Steps,
} from './reconstruct/solver';

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
  /** Unlabelled calibration samples, back to back, as the model input takes them (e.g. 784 per MNIST digit). */
  calibration: Float32Array;
  calibrationCount: number;
  /** Only per-layer ratios for now (see prunedCounts for global plans and overrides). */
  mode?: 'layer';
  /**
   * Exact zeros per weight tensor (by initializer name), e.g. the per-tensor counts of a global or
   * overridden magnitude plan; a Gemm whose weight is not listed is left unchanged. When absent,
   * every Gemm weight gets round(ratio × n).
   */
  prunedCounts?: Record<string, number>;
  /** Damping λ as a fraction of the mean diagonal of XᵀX (default 0.01). */
  dampening?: number;
  /**
   * What each layer's outputs are fitted to: 'dense' (default) the unpruned model's outputs of the
   * layer, W X₀ with X₀ the unpruned model's activations, so each layer also corrects the error the
   * earlier pruned layers left in its input; 'layer' the pruned layer's own input, W X (plain SparseGPT).
   */
  target?: 'dense' | 'layer';
  /** Columns per mask-selection block (default 128, as SparseGPT). */
  blockSize?: number;
  onProgress?: (p: ReconstructProgress) => void;
  /** Polled between blocks; when it returns true, reconstructPrune throws CancelledError. */
  isCancelled?: () => boolean;
}

export interface ReconstructLayerReport {
  tensor: string;
  node: string;
  /** [outputs, inputs] of the layer. */
  dims: number[];
  n: number;
  pruned: number;
  kept: number;
  ratio: number;
  /** ‖W X − W′ X‖² / ‖W X‖² on the calibration inputs reaching the layer, for reconstruction… */
  outputError: number;
  /** …and for magnitude pruning of the same layer at the same ratio, on the same inputs. */
  magnitudeOutputError: number;
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

function label(node: Node, i: number): string {
  return node.name !== '' ? node.name : `${node.opType} #${i}`;
}

/** The Gemm nodes of a Flatten / Gemm / Relu chain, or a PruneError naming what does not fit. */
export function gemmChain(model: Model, what = 'reconstruction pruning'): Node[] {
  const gemms: Node[] = [];
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const realInputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  if (realInputs.length !== 1) throw new PruneError(`${what} needs a model with one input, this one has ${realInputs.length}`, 'unsupported');
  let current = realInputs[0].name;
  model.graph.nodes.forEach((node, i) => {
    const where = label(node, i);
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw new PruneError(`${what}: node ${where} (${node.domain}.${node.opType}) is not a Flatten / Gemm / Relu`, 'unsupported');
    if (!['Flatten', 'Gemm', 'Relu', 'Identity'].includes(node.opType)) {
      throw new PruneError(`${what} supports chains of Flatten, Gemm and Relu; node ${where} is a ${node.opType}`, 'unsupported');
    }
    if (node.inputs[0] !== current) throw new PruneError(`${what}: node ${where} does not take the output of the node before it (the graph is not a chain)`, 'unsupported');
    if (node.opType === 'Flatten') {
      const axis = node.attributes.find((a) => a.name === 'axis');
      if (axis !== undefined && Number(axis.value) !== 1) throw new PruneError(`${what}: Flatten ${where} has axis ${String(axis.value)}, only 1 is supported`, 'unsupported');
    }
    if (node.opType === 'Gemm') {
      const w = model.graph.initializers.find((t) => t.name === node.inputs[1]);
      if (w === undefined || w.dataType !== DataType.FLOAT) throw new PruneError(`${what}: Gemm ${where} has no float32 weight initializer`, 'unsupported');
      gemms.push(node);
    }
    current = node.outputs[0];
  });
  if (gemms.length === 0) throw new PruneError(`${what}: the model has no Gemm node`, 'unsupported');
  const last = model.graph.nodes[model.graph.nodes.length - 1];
  if (last.opType === 'Relu') throw new PruneError(`${what}: the model ends with a Relu, expected its last Gemm`, 'unsupported');
  // Relu between consecutive Gemms, none elsewhere: checked by position.
  const nodes = model.graph.nodes;
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i].opType !== 'Gemm' || nodes[i] === gemms[gemms.length - 1]) continue;
    const next = nodes.slice(i + 1).find((n) => n.opType !== 'Identity');
    if (next?.opType !== 'Relu') throw new PruneError(`${what}: Gemm ${label(nodes[i], i)} is not followed by a Relu`, 'unsupported');
  }
  return gemms;
}

/**
 * y_k = x W_kᵀ (count × outputs, float64 accumulation) for several weight matrices of the same
 * shape, over the sparse inputs; bias not added. Samples go in tiles small enough to stay in cache
 * while every row passes over them.
 */
function* linear(x: SparseRows, ws: Float32Array[], outputs: number): Steps<Float64Array[]> {
  const { count, width: d, start, idx, val } = x;
  const ys = ws.map(() => new Float64Array(count * outputs));
  const tile = 32;
  for (let s0 = 0; s0 < count; s0 += tile) {
    yield;
    const s1 = Math.min(count, s0 + tile);
    for (let k = 0; k < ws.length; k++) {
      const w = ws[k];
      const y = ys[k];
      for (let o = 0; o < outputs; o++) {
        const r = o * d;
        for (let s = s0; s < s1; s++) {
          let sum = 0;
          for (let p = start[s]; p < start[s + 1]; p++) sum += val[p] * w[r + idx[p]];
          y[s * outputs + o] = sum;
        }
      }
    }
  }
  return ys;
}

function relError(ref: Float64Array, y: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = ref[i] - y[i];
    num += e * e;
    den += ref[i] * ref[i];
  }
  return den > 0 ? num / den : num === 0 ? 0 : Infinity;
}

/** ReLU(y + bias) as float32, y count × outputs. */
function relu(y: Float64Array, bias: Float32Array, len: number): Float32Array {
  const rows = bias.length;
  const next = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const v = y[i] + bias[i % rows];
    next[i] = v > 0 ? v : 0;
  }
  return next;
}

/** Float32 of a kept weight, never exactly zero (so the zero count equals the pruned count). */
function keptValue(v: number): number {
  const f = Math.fround(v);
  if (f !== 0) return f;
  return v < 0 ? -1.401298464324817e-45 : 1.401298464324817e-45;
}

/**
 * A new Model with every Gemm weight pruned to exactly round(ratio × n) zeros and its kept weights
 * reconstructed on the calibration samples; the input model is not modified.
 */
export function reconstructPrune(model: Model, options: ReconstructOptions): { model: Model; report: ReconstructReport } {
  return runSteps(reconstructSteps(model, options));
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
  const gemms = gemmChain(model);
  let layers: DenseLayer[];
  try {
    layers = mlpFromModel(model);
  } catch (e) {
    throw new PruneError(`reconstruction pruning: ${(e as Error).message}`, 'unsupported');
  }
  const inputs0 = layers[0].inputs;
  if (calibration.length < count * inputs0) {
    throw new PruneError(`the calibration set holds ${calibration.length} values, fewer than ${count} samples of ${inputs0}`, 'bad-dataset');
  }
  // Magnitude masks for the comparison in the report (in the Gemms' own layouts).
  const names = gemms.map((g) => g.inputs[1]);
  const counts = options.prunedCounts;
  if (counts !== undefined) {
    for (const [name, k] of Object.entries(counts)) {
      const l = names.indexOf(name);
      if (l < 0) throw new PruneError(`reconstruction pruning: "${name}" is not the weight of a Gemm of the chain`);
      const n = layers[l].inputs * layers[l].outputs;
      if (!Number.isInteger(k) || k < 0 || k > n) throw new PruneError(`reconstruction pruning: ${String(k)} zeros asked for "${name}", which has ${n} weights`);
    }
  }
  const zerosFor = (l: number): number => {
    const n = layers[l].inputs * layers[l].outputs;
    if (counts === undefined) return Math.round(ratio * n);
    return counts[names[l]] ?? 0;
  };
  const overrides: Record<string, number> = {};
  names.forEach((name, l) => (overrides[name] = zerosFor(l) / (layers[l].inputs * layers[l].outputs || 1)));
  const plan = planPrune(model, { ratio: 0, mode: 'layer', select: names, overrides });
  const magnitude = mlpFromModel(applyPrune(model, plan));
  const blockSize = options.blockSize ?? 128;
  const out: DenseLayer[] = [];
  const reports: ReconstructLayerReport[] = [];
  const target = options.target ?? 'dense';
  let act = calibration.subarray(0, count * inputs0);
  /** The unpruned model's activations at the same point (target 'dense'). */
  let actDense = act;
  const L = layers.length;
  for (let l = 0; l < L; l++) {
    const layer = layers[l];
    const { inputs: d, outputs: rows } = layer;
    const progress = (f: number): void => {
      if (options.isCancelled?.() === true) throw new CancelledError('reconstruction pruning was cancelled');
      options.onProgress?.({ layer: l, layers: L, tensor: names[l], fraction: (l + f) / L });
    };
    progress(0);
    const x = sparseRows(act, count, d);
    const n = rows * d;
    const prune = zerosFor(l);
    if (prune === 0) {
      // Not pruned: the layer stays as it is; only its outputs are needed for the next layer.
      out.push({ inputs: d, outputs: rows, weight: layer.weight.slice(), bias: layer.bias.slice() });
      const [ref] = yield* linear(x, [layer.weight], rows);
      let zeros = 0;
      for (let i = 0; i < n; i++) if (layer.weight[i] === 0) zeros++;
      reports.push({
        tensor: names[l], node: label(gemms[l], model.graph.nodes.indexOf(gemms[l])), dims: [rows, d], n,
        pruned: zeros, kept: n - zeros, ratio: n > 0 ? zeros / n : 0, outputError: 0, magnitudeOutputError: 0,
      });
      if (l + 1 < L) {
        const yd = target === 'dense' && actDense !== act ? (yield* linear(sparseRows(actDense, count, d), [layer.weight], rows))[0] : ref;
        act = relu(ref, layer.bias, count * rows);
        if (target === 'dense') actDense = relu(yd, layer.bias, count * rows);
      }
      progress(1);
      continue;
    }
    const h = yield* secondMomentSteps(x);
    let trace = 0;
    for (let i = 0; i < d; i++) trace += h[i * d + i];
    const lambda = damp * (trace > 0 ? trace / d : 1);
    const hinv = yield* dampedInverseSteps(h, d, lambda);
    const u = yield* upperFactorSteps(hinv, d);
    progress(0.05);
    let w: Float64Array = Float64Array.from(layer.weight);
    // The unpruned layer's outputs on the unpruned path's inputs (pre-bias), when they differ from
    // the pruned path's (target 'dense', after the first layer).
    const yDense = target === 'dense' && actDense !== act ? (yield* linear(sparseRows(actDense, count, d), [layer.weight], rows))[0] : undefined;
    if (yDense !== undefined) {
      // ‖Y₀ − W′ X‖² = ‖Y₀ − W* X‖² + ‖(W* − W′) X‖² for the least-squares W* = Y₀ Xᵀ (X Xᵀ + λI)⁻¹
      // (exactly so without damping): prune W* against the pruned path's own second moment.
      w = yield* multiplySteps(yield* crossMomentSteps(yDense, rows, x), rows, d, hinv);
    }
    progress(0.1);
    const mask = yield* sparseSweepSteps(w, rows, d, u, { prune, blockSize, onBlock: (f) => progress(0.1 + 0.8 * f) });
    const weight = new Float32Array(n);
    for (let i = 0; i < n; i++) weight[i] = mask[i] === 0 ? 0 : keptValue(w[i]);
    const pruned = { inputs: d, outputs: rows, weight, bias: layer.bias.slice() };
    out.push(pruned);
    const [ref, y, ym] = yield* linear(x, [layer.weight, weight, magnitude[l].weight], rows);
    if (target === 'dense' && l + 1 < L) {
      const yd = yDense ?? ref;
      const next = new Float32Array(count * rows);
      for (let i = 0; i < next.length; i++) {
        const v = yd[i] + layer.bias[i % rows];
        next[i] = v > 0 ? v : 0;
      }
      actDense = next;
    }
    let zeros = 0;
    for (let i = 0; i < n; i++) if (weight[i] === 0) zeros++;
    reports.push({
      tensor: names[l], node: label(gemms[l], model.graph.nodes.indexOf(gemms[l])), dims: [rows, d], n,
      pruned: zeros, kept: n - zeros, ratio: n > 0 ? zeros / n : 0,
      outputError: relError(ref, y), magnitudeOutputError: relError(ref, ym),
    });
    if (l + 1 < L) {
      const next = new Float32Array(count * rows);
      for (let i = 0; i < next.length; i++) {
        const v = y[i] + pruned.bias[i % rows];
        next[i] = v > 0 ? v : 0;
      }
      act = next;
    }
    progress(1);
  }
  const total = reports.reduce((s, r) => s + r.n, 0);
  const prunedParams = reports.reduce((s, r) => s + r.pruned, 0);
  return {
    model: updateModelWeights(model, out),
    report: {
      ratio, calibrationCount: count, dampening: damp, layers: reports,
      prunableParams: total, prunedParams, keptParams: total - prunedParams,
    },
  };
}
