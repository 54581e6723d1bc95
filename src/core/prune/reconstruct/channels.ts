// Reconstruct with `channels`: which channels go is decided by the calibration data, the model is
// shrunk by the channel path (channels/plan.ts, channels/apply.ts), and every node whose weight
// lost input channels is refitted by least squares to the original model's outputs.
//
// Importance of output channel c of a channel group (a producer, or producers tied by a residual
// Add): √Σ_k Σ_q E[x_q²] ‖W_k[:, q]‖² over every consumer k (Conv of group 1, Gemm, MatMul) that
// reads the channel and the columns q of its weight fed by it (a Conv's taps, a Gemm's H×W block
// after a Flatten), E over the calibration rows reaching the consumer: the root-mean-square change
// of the consumers' outputs when the channel alone is removed. Per layer the lowest go; a global
// pool compares these scores across groups as they are.
//
// Refit of a consumer: X the rows reaching it in the shrunk model (earlier consumers already
// refitted), Y₀ = W₀X₀ its outputs in the original model; W = A (H + λI)⁻¹ with H = XᵀX and
// A = Y₀ᵀX about their means (λ the solver's damping: a fraction of H's mean diagonal), and the
// bias (Conv, Gemm; created when absent) takes up the mean: b += mean(Y₀) − W mean(X).
import type { Model } from '../../onnx/model';
import { unsupportedNodes } from '../../runtime';
import { mulberry32 } from '../../train/random';
import { find, type Analysis } from '../channels/spaces';
import { applyChannels } from '../channels/apply';
import { planChannels } from '../channels/plan';
import { defaultPrunable } from '../prunable';
import { PruneError, type PruneOptions, type PrunePlan } from '../types';
import { inputFeed, valueBatches } from './activations';
import { chooseRows, rowReader } from './patches';
import { dampedInverseSteps, multiplySteps, type Steps } from './solver';
import { biasSlot, findTargets, storedWeight, weightMatrix, withBiasShifts, withWeights, type Target } from './targets';
import { channelAnalysis } from '../channels/unshare';

export interface ChannelReconstructOptions {
  calibration: Float32Array;
  calibrationCount: number;
  sampleShape?: number[];
  /** λ as a fraction of the mean diagonal of H (default 0.01). */
  dampening?: number;
  /** Most calibration rows per consumer (default 16 per column of the refitted weight, at least 4096). */
  maxRows?: number;
  /** 0..1 of the whole job; may throw to stop. */
  onProgress?: (fraction: number, message: string) => void;
}

export interface ConsumerRefit {
  tensor: string;
  node: string;
  /** Relative output error ‖Y₀ − Y‖² / ‖Y₀ − mean Y₀‖² on the calibration rows: shrunk only, and refitted. */
  shrunkError: number;
  refitError: number;
}

/** The consumer of a slice cut: a weight read along its input axis by a node reconstruct can solve (group 1). */
function consumerTarget(model: Model, tensor: string, axis: number): Target | undefined {
  const t = findTargets(model, [tensor]);
  if (typeof t === 'string' || t.length !== 1 || t[0].groups !== 1) return undefined;
  const inputAxis = t[0].kind === 'conv' ? 1 : t[0].transposed ? 0 : 1;
  return axis === inputAxis ? t[0] : undefined;
}

/** Σ over sampled rows of x_q² and the row count, per weight column q, for the value reaching `t`. */
function* columnPower(t: Target, model: Model, feed: ReturnType<typeof inputFeed>, budget: number, seed: number): Steps<Float64Array> {
  const d = t.cols;
  const sum = new Float64Array(d);
  const x = new Float64Array(d);
  const rand = mulberry32(seed);
  let rows = 0;
  yield* valueBatches([model], [t.input], feed, (xs, _first, n) => {
    const v = xs[0][0];
    const reader = rowReader(t, v.dims);
    const take = Math.min(reader.count, Math.ceil((budget * n) / feed.count));
    for (const r of chooseRows(reader.count, take, rand)) {
      reader.read(v.data as Float32Array, r, 0, x, 0);
      for (let q = 0; q < d; q++) sum[q] += x[q] * x[q];
      rows++;
    }
  });
  for (let q = 0; q < d; q++) sum[q] /= Math.max(1, rows);
  return sum;
}

/** Activation importance per root space (see the file's head). */
function* activationScores(model: Model, a: Analysis, feed: ReturnType<typeof inputFeed>): Steps<Map<number, Float64Array>> {
  const scores = new Map<number, Float64Array>();
  let seed = 0x5c0;
  for (const cut of a.cuts) {
    if (cut.kind !== 'slice') continue;
    const t = consumerTarget(model, cut.tensor, cut.axis);
    if (t === undefined) continue;
    const power = yield* columnPower(t, model, feed, 4096, seed++);
    const w = weightMatrix(t, t.tensor.data as Float32Array);
    const taps = t.kind === 'conv' ? t.cols / Number(t.tensor.dims[1]) : 1;
    const perInput = new Float64Array(t.cols / taps);
    for (let q = 0; q < t.cols; q++) {
      let norm = 0;
      for (let o = 0; o < t.rows; o++) norm += w[o * t.cols + q] ** 2;
      perInput[Math.floor(q / taps)] += power[q] * norm;
    }
    // input index j → (space, channel) along the cut's description of the activation
    const period = cut.desc.segs.reduce((s, g) => s + g.size, 0) * cut.desc.block;
    for (let j = 0; j < perInput.length; j++) {
      let u = Math.floor((j % period) / cut.desc.block);
      for (const seg of cut.desc.segs) {
        if (u >= seg.size) {
          u -= seg.size;
          continue;
        }
        if (seg.space >= 0) {
          const root = find(a, seg.space);
          const s = scores.get(root) ?? new Float64Array(a.spaces[root].size);
          s[u] += perInput[j];
          scores.set(root, s);
        }
        break;
      }
    }
  }
  for (const s of scores.values()) for (let c = 0; c < s.length; c++) s[c] = Math.sqrt(s[c]);
  return scores;
}

/**
 * The channel plan by activation importance: each root's scores go to planChannels as the scores of
 * its selected producers (an equal share each, so that the group's sum is the score). Groups no
 * consumer reads keep the weights' L1 norms.
 */
function activationPlan(model: Model, a: Analysis, scores: Map<number, Float64Array>, opts: PruneOptions): PrunePlan {
  const selected = new Set(opts.select ?? defaultPrunable(model));
  const given = new Map<string, Float64Array>();
  const members = new Map<number, number[]>();
  a.spaces.forEach((_, k) => members.set(find(a, k), [...(members.get(find(a, k)) ?? []), k]));
  for (const [root, ks] of members) {
    const s = scores.get(root);
    if (s === undefined || !s.some((v) => v > 0)) continue;
    const share = s.map((v) => v / ks.length);
    for (const k of ks) if (selected.has(a.spaces[k].producer.tensor)) given.set(a.spaces[k].producer.tensor, share);
  }
  const plan = planChannels(model, { ...opts, importance: 'l1' }, given);
  // thresholds of scored groups are scores, not weights of the model
  return { ...plan, globalThreshold: 0, layers: plan.layers.map((l) => ({ ...l, threshold: 0 })) };
}

/** Refits one consumer of the shrunk model `current` to the original model's outputs. */
function* refit(
  t1: Target, t0: Target, current: Model, model: Model, feed: ReturnType<typeof inputFeed>, damp: number, maxRows: number | undefined, seed: number,
): Steps<{ model: Model; report: ConsumerRefit }> {
  const d = t1.cols;
  const rows = t1.rows;
  const w0 = weightMatrix(t0, t0.tensor.data as Float32Array);
  const w1 = weightMatrix(t1, t1.tensor.data as Float32Array);
  const h = new Float64Array(d * d);
  const acc = new Float64Array(rows * d);
  const mx = new Float64Array(d);
  const my = new Float64Array(rows);
  const x = new Float64Array(d);
  const x0 = new Float64Array(t0.cols);
  const y = new Float64Array(rows);
  const samples: { x: Float64Array; y: Float64Array }[] = [];
  const rand = mulberry32(seed);
  const budget = maxRows ?? Math.max(4096, 16 * d);
  let n = 0;
  yield* valueBatches([current, model], [t1.input], feed, (xs, _first, count) => {
    const [v1, v0] = [xs[0][0], xs[1][0]];
    const r1 = rowReader(t1, v1.dims);
    const r0 = rowReader(t0, v0.dims);
    if (r1.count !== r0.count) throw new PruneError(`${t1.label}: the shrunk model gives ${r1.count} rows, the original ${r0.count}`);
    const take = Math.min(r1.count, Math.ceil((budget * count) / feed.count));
    for (const r of chooseRows(r1.count, take, rand)) {
      r1.read(v1.data as Float32Array, r, 0, x, 0);
      r0.read(v0.data as Float32Array, r, 0, x0, 0);
      for (let o = 0; o < rows; o++) {
        let s = 0;
        for (let i = 0; i < t0.cols; i++) s += w0[o * t0.cols + i] * x0[i];
        y[o] = s;
        my[o] += s;
      }
      for (let i = 0; i < d; i++) {
        mx[i] += x[i];
        const v = x[i];
        if (v === 0) continue;
        for (let j = i; j < d; j++) h[i * d + j] += v * x[j];
        for (let o = 0; o < rows; o++) acc[o * d + i] += y[o] * v;
      }
      if (samples.length < 2048) samples.push({ x: x.slice(), y: y.slice() });
      n++;
    }
  });
  const bias = biasSlot(current, t1);
  for (let i = 0; i < d; i++) mx[i] /= Math.max(1, n);
  for (let o = 0; o < rows; o++) my[o] /= Math.max(1, n);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      if (bias !== undefined) h[i * d + j] -= n * mx[i] * mx[j];
      h[j * d + i] = h[i * d + j];
    }
  }
  if (bias !== undefined) for (let o = 0; o < rows; o++) for (let i = 0; i < d; i++) acc[o * d + i] -= n * my[o] * mx[i];
  let trace = 0;
  for (let i = 0; i < d; i++) trace += h[i * d + i];
  const hinv = yield* dampedInverseSteps(h, d, damp * (trace > 0 ? trace / d : 1));
  const w = yield* multiplySteps(acc, rows, d, hinv);
  const shift = new Float64Array(rows);
  if (bias !== undefined) {
    const alpha = Number(t1.node.attributes.find((x2) => x2.name === 'alpha')?.value ?? 1);
    for (let o = 0; o < rows; o++) shift[o] = (t1.node.opType === 'Gemm' ? alpha : 1) * (my[o] - meanOutput(w, o, d, mx));
  }
  // errors on (up to 2048 of) the rows: shrunk only against refitted, relative to Y₀'s spread
  const offset = Float64Array.from({ length: rows }, (_, o) => (bias !== undefined ? my[o] - meanOutput(w, o, d, mx) : 0));
  let e0 = 0;
  let e1 = 0;
  let ref = 0;
  for (const s of samples) {
    for (let o = 0; o < rows; o++) {
      let a0 = 0;
      let a1 = 0;
      for (let i = 0; i < d; i++) {
        a0 += w1[o * d + i] * s.x[i];
        a1 += w[o * d + i] * s.x[i];
      }
      e0 += (s.y[o] - a0) ** 2;
      e1 += (s.y[o] - a1 - offset[o]) ** 2;
      ref += (s.y[o] - my[o]) ** 2;
    }
  }
  const stored = storedWeight(t1, w);
  let out = withWeights(current, new Map([[t1.tensor.name, stored]]));
  if (bias !== undefined) {
    const [t2] = findTargets(out, [t1.tensor.name]) as Target[];
    out = withBiasShifts(out, [{ target: t2, shift }]);
  }
  return { model: out, report: { tensor: t1.tensor.name, node: t1.label, shrunkError: ref > 0 ? e0 / ref : 0, refitError: ref > 0 ? e1 / ref : 0 } };
}

/** Row o of w times the mean row. */
function meanOutput(w: Float64Array, o: number, d: number, mx: Float64Array): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += w[o * d + i] * mx[i];
  return s;
}

/**
 * Channel pruning by reconstruct: the plan by activation importance, the smaller model, and the
 * least-squares refit of every consumer that lost input channels.
 */
export function* channelReconstructSteps(
  given: Model, opts: PruneOptions, options: ChannelReconstructOptions,
): Steps<{ model: Model; plan: PrunePlan; refits: ConsumerRefit[] }> {
  const a = channelAnalysis(given);
  const model = a.ix.model;
  const damp = options.dampening ?? 0.01;
  if (!Number.isFinite(damp) || damp <= 0) throw new PruneError(`the dampening must be a positive number, got ${String(damp)}`);
  const bad = unsupportedNodes(model);
  if (bad.length > 0) {
    const b = bad[0];
    throw new PruneError(`reconstruct with channels runs the model on the calibration samples, and the runtime cannot run ${b.opType} "${b.name}"${b.reason !== undefined ? ` (${b.reason})` : ''}`, 'unsupported');
  }
  const feed = inputFeed(model, options.calibration, options.calibrationCount, options.sampleShape);
  options.onProgress?.(0, 'channel importance on the calibration samples');
  const scores = yield* activationScores(model, a, feed);
  const plan = activationPlan(model, a, scores, opts);
  let current = applyChannels(model, plan);
  const lost = new Set((plan.shapeChanges ?? []).filter((s) => s.removed.length > 0).map((s) => `${s.tensor}@${s.axis}`));
  const consumers: { t0: Target; name: string }[] = [];
  for (const cut of a.cuts) {
    if (cut.kind !== 'slice' || !lost.has(`${cut.tensor}@${cut.axis}`)) continue;
    const t0 = consumerTarget(model, cut.tensor, cut.axis);
    if (t0 !== undefined && !consumers.some((c) => c.name === cut.tensor)) consumers.push({ t0, name: cut.tensor });
  }
  consumers.sort((x, y) => x.t0.index - y.t0.index);
  const refits: ConsumerRefit[] = [];
  for (let k = 0; k < consumers.length; k++) {
    const { t0, name } = consumers[k];
    options.onProgress?.((k + 0.5) / (consumers.length + 0.5), `refitting ${name} (${k + 1} of ${consumers.length})`);
    const t1 = findTargets(current, [name]);
    if (typeof t1 === 'string') throw new PruneError(`reconstruct with channels: ${t1}`, 'unsupported');
    const r = yield* refit(t1[0], t0, current, model, feed, damp, options.maxRows, 0x7e1 + k);
    current = r.model;
    refits.push(r.report);
  }
  options.onProgress?.(1, 'channels refitted');
  return { model: current, plan, refits };
}
