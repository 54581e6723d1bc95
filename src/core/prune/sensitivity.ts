// Sensitivity analysis: for every selected tensor and each ratio of a list, only that tensor is
// pruned by magnitude (per layer, in the spec's structure) and the model's accuracy and mean
// cross-entropy are measured on the samples. One curve per tensor, ready to plot.
//
// Speed: pruning a tensor changes only the nodes downstream of it. The values reaching those nodes
// from upstream are computed once per tensor (sensitivity-split.ts) and kept (up to
// FRONTIER_CACHE_BYTES); each ratio then runs only the downstream part, in the sparse runtime.
import type { Model } from '../onnx/model';
import { Session } from '../runtime';
import type { RtTensor } from '../runtime/tensor';
import { Ticker } from '../eval/evaluate';
import type { EvalContext, EvalData } from '../eval/types';
import { applyPrune } from './apply';
import { planPrune } from './plan';
import { selectTensors } from './select';
import { DEFAULT_STRUCTURE, canonicalStructure, parseStructure } from './structure';
import { PruneError, type PrunePlan } from './types';
import { prefixModel, splitAt, suffixModel, type GraphSplit } from './sensitivity-split';
import { dataInput, inputFeeds, measureModel, outputIsProbability, ScoreSum, chunkFor } from './sensitivity-measure';
import type { AccuracyLoss, SensitivityCurve, SensitivityPoint, SensitivityResult } from './sensitivity-report';

export { measureModel } from './sensitivity-measure';
export { SENSITIVITY_RATIOS, type AccuracyLoss, type SensitivityPoint, type SensitivityCurve, type SensitivityResult } from './sensitivity-report';

/** Upstream values kept per tensor; above this they are recomputed for every ratio. */
export const FRONTIER_CACHE_BYTES = 256 * 1024 * 1024;

export interface SensitivityOptions {
  ratios: readonly number[];
  /** Tensors to analyse; default the model's default prunable selection. */
  select?: string[];
  /** As PruneOptions.structure (default unstructured). */
  structure?: string;
  /** Use at most this many samples. */
  limit?: number;
  /** Off: every point runs the whole graph (the check that the downstream-only run changes nothing). */
  downstreamOnly?: boolean;
}

export interface SensitivityContext extends EvalContext {
  /** Each finished point, as it completes. */
  onPoint?(curve: number, tensor: string, point: SensitivityPoint): void;
}

function fullSplit(model: Model): GraphSplit {
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.map((v) => v.name).filter((x) => !init.has(x));
  return { frontier: inputs, computed: [], suffix: model.graph.nodes.map((_, i) => i), prefix: [], reachesOutput: true, batched: inputs };
}

/** The tensors a plan changes (pruned values, or shapes with channels). */
function changedTensors(plan: PrunePlan): string[] {
  return [...plan.layers.filter((l) => l.pruned > 0).map((l) => l.tensor), ...(plan.shapeChanges ?? []).map((c) => c.tensor)];
}

/** Sensitivity curves of every selected tensor (see the file comment). */
export async function sensitivity(model: Model, data: EvalData, opts: SensitivityOptions, ctx: SensitivityContext): Promise<SensitivityResult> {
  const label = data.file ?? data.name ?? 'the dataset';
  const n = opts.limit !== undefined && opts.limit >= 0 ? Math.min(opts.limit, data.count) : data.count;
  if (n === 0) throw new PruneError(`${label}: no samples`, 'bad-dataset');
  if (opts.ratios.length === 0) throw new PruneError('no ratios given for the sensitivity analysis');
  const structure = canonicalStructure(opts.structure);
  const parsed = parseStructure(structure);
  const notes: string[] = [];
  let ratios = opts.ratios;
  if (parsed.kind === 'nm') {
    // N:M keeps N of every M weights whatever the ratio: one point per tensor
    ratios = [1 - parsed.n / parsed.m];
    notes.push(`${structure} prunes a fixed ${1 - parsed.n / parsed.m} of each tensor: one point per tensor, the ratios given are not used`);
  }
  const { tensors, users } = selectTensors(model, { ratio: 0, mode: 'layer', select: opts.select });
  if (tensors.length === 0) throw new PruneError('no tensors selected for the sensitivity analysis');
  const probabilities = outputIsProbability(model);
  const ticker = new Ticker(ctx, (tensors.length * ratios.length + 1) * n);
  const baseline = measureModel(model, data, n, 'the unpruned model', 'dense');
  ticker.report(n, 'unpruned model measured');
  const curves: SensitivityCurve[] = [];
  for (const [ti, t] of tensors.entries()) {
    const plans = ratios.map((ratio) => planPrune(model, { ratio, mode: 'layer', select: [t.name], structure: structure === DEFAULT_STRUCTURE ? undefined : structure }));
    const changed = new Set(plans.flatMap(changedTensors));
    const split = (opts.downstreamOnly === false ? undefined : splitAt(model, changed.size > 0 ? changed : new Set([t.name]))) ?? fullSplit(model);
    const feeds = frontierFeeds(model, split, data, n);
    const curve: SensitivityCurve = { tensor: t.name, params: plans[0].layers[0].n, nodes: users.get(t.name) ?? [], nodesRun: split.reachesOutput ? split.suffix.length : 0, points: [] };
    const planNotes = [...new Set(plans.flatMap((p) => p.notes ?? []))];
    if (planNotes.length > 0) curve.notes = planNotes;
    for (const [ri, ratio] of ratios.entries()) {
      const plan = plans[ri];
      const pruned = plan.layers[0].pruned / Math.max(plan.layers[0].n, 1);
      const base = (1 + ti * ratios.length + ri) * n;
      let score: AccuracyLoss = baseline;
      if (split.reachesOutput && plan.prunedParams > 0) {
        const prunedModel = applyPrune(model, plan);
        const usable = prunedModel.graph.nodes.length === model.graph.nodes.length ? split : fullSplit(prunedModel);
        score = await runSuffix(prunedModel, usable, usable === split ? feeds : frontierFeeds(prunedModel, usable, data, n), data, n, probabilities, ticker, base, `${t.name} at ${ratio}`);
      }
      const point: SensitivityPoint = { ratio, pruned, ...score };
      curve.points.push(point);
      ticker.report(base + n, `${t.name} at ${ratio}: accuracy ${(score.accuracy * 100).toFixed(2)}%`);
      ctx.onPoint?.(ti, t.name, point);
    }
    curves.push(curve);
  }
  return { samples: n, structure, baseline, curves, totalNodes: model.graph.nodes.length, ...(notes.length > 0 ? { notes } : {}) };
}

/** Per chunk of samples, the feeds of the suffix (computed once here), or a function computing them when they are too large to keep. */
type Feeds = (chunk: number, first: number, batch: number) => Record<string, RtTensor>;

function frontierFeeds(model: Model, split: GraphSplit, data: EvalData, n: number): Feeds {
  const chunk = chunkFor(model);
  const input = dataInput(model, 'the model');
  const prefix = split.computed.length > 0 ? Session.create(prefixModel(model, split), { kernels: 'dense', label: 'the unchanged part of the model' }) : undefined;
  const compute = (first: number, batch: number): Record<string, RtTensor> => {
    const given = inputFeeds(input, data, first, batch);
    const feeds: Record<string, RtTensor> = prefix ? prefix.run(given) : {};
    for (const [name, t] of Object.entries(given)) if (split.frontier.includes(name)) feeds[name] = t;
    return feeds;
  };
  if (prefix === undefined) return (_c, first, batch) => compute(first, batch);
  const chunks: Record<string, RtTensor>[] = [];
  let bytes = 0;
  for (let first = 0; first < n; first += chunk) {
    const feeds = compute(first, Math.min(chunk, n - first));
    chunks.push(feeds);
    for (const t of Object.values(feeds)) bytes += (t.data as { byteLength?: number }).byteLength ?? t.data.length * 8;
    if (bytes > FRONTIER_CACHE_BYTES) return (_c, first, batch) => compute(first, batch);
  }
  return (c) => chunks[c];
}

async function runSuffix(
  pruned: Model, split: GraphSplit, feeds: Feeds, data: EvalData, n: number, probabilities: boolean, ticker: Ticker, base: number, what: string,
): Promise<AccuracyLoss> {
  const chunk = chunkFor(pruned);
  const first = feeds(0, 0, Math.min(chunk, n));
  // sparse kernels for every Gemm / MatMul weight; convolutions by the runtime's own cost model
  const session = Session.create(suffixModel(pruned, split, new Map(Object.entries(first)), Math.min(chunk, n)), { kernels: 'sparse', label: what });
  const out = session.outputs[0].name;
  const sum = new ScoreSum(probabilities);
  for (let c = 0, start = 0; start < n; c++, start += chunk) {
    const b = Math.min(chunk, n - start);
    const res = session.run(c === 0 ? first : feeds(c, start, b))[out];
    sum.add(res.data as ArrayLike<number>, b, data.labels, start);
    await ticker.tick(base + start + b, () => `${what}: ${start + b}/${n} samples`);
  }
  return sum.result();
}
