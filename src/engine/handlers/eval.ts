// dataset, evaluate, sweep: datasets are parsed (and cached), runners are made per prune ratio for
// the sparse and dense runtimes and, where the platform has it, onnxruntime. A spec with a slow
// method (reconstruct, finetune) runs it first (or takes it from the cache) with progress; a sweep
// over several methods gives one point per (method, ratio).

import { checkDatasetFits, type Dataset } from '../../core/data';
import { evaluatePoint, exportedFacts, sampleCount, sessionTokenRunner, weightSparsity, type EvalContext, type EvalPoint as CoreEvalPoint, type EvalProgress, type MakeRunners, type Runner, type RunnerSlot } from '../../core/eval';
import type { Model } from '../../core/onnx/model';
import { encodeModel } from '../../core/onnx/encode';
import { Session, UnsupportedOpError } from '../../core/runtime';
import type { Handler, JobContext, OpenModel } from '../context';
import { describeDataset, loadDataset } from '../datasets';
import { EngineFailure } from '../errors';
import type { PrunedEntry } from '../methods/cache';
import { cascadeKey, prunedModel, type CascadeFrom, type MethodProgress } from '../methods/run';
import { modelCompanions, modelIo } from '../model-io';
import type { CompanionInput } from '../../core/runtime/companion-inputs';
import { getModel } from './common';
import type { DisposableRunner, OrtInput } from '../platform';
import { DataType } from '../../core/onnx/model';
import { largeBatch, type LargeBatch } from './large-batch';
import { cannotRun, withFallback } from './runtimes';
import { originalTracker, type OriginalTracker } from './original';
import { RUNNER_NAMES, type EvalOptions, type EvalPoint, type PruneMethod, type PruneSpec, type RuntimeName } from '../protocol';

export { loadDataset, datasetSummary } from '../datasets';
export { modelIo } from '../model-io';

export const dataset: Handler<'dataset'> = describeDataset;

/** Dims of one sample for the model input: its fixed non-batch dims, else the dataset's sample shape. */
function sampleDims(dims: (number | string | null)[], ds: Dataset): number[] {
  const rest = dims.slice(1);
  if (rest.length > 0 && rest.every((d) => typeof d === 'number' && d > 0)) return rest as number[];
  return ds.sampleShape;
}

const ALL_RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

/** What onnxruntime is fed: the model input's name, a sample's dims, int64 for token ids and float16 for a float16 input. */
function ortInput(io: { name: string; elemType?: number }, dims: number[], companions: CompanionInput[]): OrtInput {
  return {
    name: io.name,
    sampleDims: dims,
    ...(io.elemType === DataType.INT64 ? { int64: true } : {}),
    ...(io.elemType === DataType.INT32 ? { int32: true } : {}),
    ...(io.elemType === DataType.FLOAT16 ? { float16: true } : {}),
    ...(companions.length > 0 ? { companions } : {}),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Gives the pruned model at a ratio (running the method or taking it from the cache). */
type PruneAt = (ratio: number, progress?: MethodProgress) => Promise<PrunedEntry>;

/**
 * Makes the runners of every requested runtime for the model pruned at `ratio` by the spec's
 * method; `methodProgress` receives the method's own progress when it has to run. `pruneAt`
 * replaces the plain prunedModel call (a sweep's fine-tuning cascade). `compare` gets each evaluated
 * point with its onnxruntime runner still open (the ×original timing in alternation).
 */
export function runnerMaker(
  ctx: JobContext,
  open: OpenModel,
  spec: Omit<PruneSpec, 'ratio'>,
  ds: Dataset,
  options: EvalOptions | undefined,
  threads: LargeBatch,
  methodProgress?: (ratio: number) => MethodProgress,
  pruneAt: PruneAt = (ratio, progress) => prunedModel(ctx, open, { ...spec, ratio }, progress),
  compare?: (point: CoreEvalPoint, exported: Runner | undefined) => Promise<CoreEvalPoint>,
): MakeRunners {
  const io = modelIo(open.model, open.fileName);
  checkDatasetFits(ds, io, io.classes);
  const companions = modelCompanions(open.model, open.fileName);
  const runtimes = options?.runtimes ?? ALL_RUNTIMES;
  const dims = sampleDims(io.dims, ds);
  return async (ratio) => {
    const entry = await pruneAt(ratio, methodProgress?.(ratio));
    const p = entry.plan;
    const pruned: Model = entry.model;
    // The zeros the evaluated model holds (a model pruned before it was opened has them at ratio 0).
    // With channels the weights shrink: the elements removed count as pruned (against the plan's sizes).
    const sparsity = weightSparsity(pruned, p.layers.map((l) => l.tensor), new Map(p.layers.map((l) => [l.tensor, l.n])));
    const slots: RunnerSlot[] = [];
    const disposers: DisposableRunner[] = [];
    let ortRunner: Runner | undefined;
    let bytes: Uint8Array | undefined;
    const encoded = (): Uint8Array => (bytes ??= encodeModel(pruned));
    for (const name of runtimes) {
      if (name === 'onnxruntime') {
        if (!ctx.platform.ort) {
          slots.push({ name, unavailable: 'onnxruntime is not available in this engine' });
          continue;
        }
        try {
          const r = await ctx.platform.ort(encoded(), ortInput(io, dims, companions), { threads: threads.workers });
          disposers.push(r);
          // onnxruntime-web has its own thread count (one setting for every session).
          ortRunner = Object.assign(r, { workers: r.workers ?? threads.workers });
          slots.push(ortRunner);
        } catch (e) {
          slots.push({ name, unavailable: `onnxruntime could not load the model: ${errorText(e)}` });
        }
        continue;
      }
      try {
        const session = Session.create(pruned, { kernels: name, sampleDims: dims });
        if (ds.tokens) {
          // Token ids: fed as the model's integer input, on this thread (the workers feed floats).
          const tokens = sessionTokenRunner(name, session);
          slots.push({ name, runBatch: (x, b) => tokens.runIds(Int32Array.from(x), b, x.length / b) });
          continue;
        }
        const run = (input: Float32Array, batch: number): Float32Array => session.runFloat(input, batch);
        // The workers read the samples evaluated (the first `limit`) from one shared copy.
        const used = ds.images.subarray(0, sampleCount(ds, settings(options)) * ds.sampleSize);
        slots.push(name === 'sparse' ? await threads.sparse(run, encoded, used, dims) : { name, runBatch: run });
      } catch (e) {
        if (e instanceof UnsupportedOpError) slots.push({ name, unavailable: `Prunescope's runtime ${cannotRun(e.nodes)}` });
        else throw e;
      }
    }
    return {
      slots,
      sparsity,
      exported: exportedFacts(pruned, p.layers.map((l) => l.tensor), encoded(), ds.sampleShape),
      ...(compare ? { finish: (point: CoreEvalPoint) => compare(point, ortRunner) } : {}),
      dispose: async () => {
        for (const d of disposers) await d.dispose();
      },
    };
  };
}

/**
 * A pause before each timed large batch on several threads when onnxruntime runs on several too:
 * its intra-op threads spin for a while after a run (measured here: a 2-thread job right after one
 * took ~25% longer), which would take the cores from the runtime timed next.
 */
const SETTLE_MS = 100;

function evalContext(ctx: JobContext, onProgress: (p: EvalProgress) => void, threads: LargeBatch, options: EvalOptions | undefined): EvalContext {
  const spinning = threads.workers > 1 && (options?.runtimes ?? ALL_RUNTIMES).includes('onnxruntime') && ctx.platform.ort !== undefined;
  const settle = spinning ? (): Promise<void> => new Promise((r) => setTimeout(r, SETTLE_MS)) : undefined;
  return { now: () => ctx.platform.now(), cancel: ctx.cancel, yieldNow: ctx.yieldNow, onProgress, settle };
}

function settings(options: EvalOptions | undefined): { batch?: number; batch1?: boolean; limit?: number } {
  return { batch: options?.batch, batch1: options?.batch1, limit: options?.limit };
}

/** The evaluation context of the timing in alternation with the unpruned model: its progress at the end of point `index`. */
function originalContext(ctx: JobContext, evalCtx: EvalContext, index: number, count: number): EvalContext {
  const onProgress = (p: EvalProgress): void => {
    if (!p.point) ctx.progress({ done: 1000 * (index + 1) - 1, total: 1000 * count, message: `the exported file and the unpruned model in onnxruntime (×original): ${p.message}` });
  };
  return { ...evalCtx, onProgress };
}

/** Share of a point's progress given to running a slow method (the rest is the evaluation). */
const METHOD_SHARE = 0.6;

function methodShare(method: PruneMethod): number {
  return method === 'magnitude' ? 0 : METHOD_SHARE;
}

/** Progress of point `index` of `count` in 0..1000·count units: method part, then evaluation part. */
function pointProgress(ctx: JobContext, index: number, count: number, method: PruneMethod, label: string): { method: MethodProgress; evaluation: (p: EvalProgress) => void } {
  const share = methodShare(method);
  const total = 1000 * count;
  const at = (f: number): number => Math.round(1000 * (index + Math.min(1, Math.max(0, f))));
  return {
    method: (f, message) => ctx.progress({ done: at(share * f), total, message: `${label}: ${message}` }),
    evaluation: (p) => {
      if (p.point) return;
      const f = p.total > 0 ? p.done / p.total : 0;
      ctx.progress({ done: at(share + (1 - share) * f), total, message: `${label}: ${p.message}` });
    },
  };
}

/** The request's tracker of the unpruned model's onnxruntime figures (see original.ts). */
function tracker(ctx: JobContext, open: OpenModel, ds: Dataset, options: EvalOptions | undefined, threads: LargeBatch): OriginalTracker {
  const io = modelIo(open.model, open.fileName);
  const wanted = (options?.runtimes ?? ALL_RUNTIMES).includes('onnxruntime') && ctx.platform.ort !== undefined;
  return originalTracker(ctx, open, ortInput(io, sampleDims(io.dims, ds), modelCompanions(open.model, open.fileName)), ds, settings(options), threads, wanted);
}

function withMethod(point: EvalPoint, method: PruneMethod): EvalPoint {
  return { ...point, method };
}

export const evaluate: Handler<'evaluate'> = async (request, ctx) => {
  const open = getModel(ctx, request.modelId);
  const req = { ...request, options: withFallback(ctx, open, request.options) };
  const ds = await loadDataset(ctx, req.dataset, open);
  const method = req.spec.method ?? 'magnitude';
  const prog = pointProgress(ctx, 0, 1, method, method === 'magnitude' ? `ratio ${req.spec.ratio}` : `${method} ${req.spec.ratio}`);
  const threads = largeBatch(ctx, req.options, req.options?.runtimes ?? ALL_RUNTIMES, open.fileName);
  const original = tracker(ctx, open, ds, req.options, threads);
  try {
    const evalCtx = evalContext(ctx, prog.evaluation, threads, req.options);
    const compare = (point: CoreEvalPoint, exported: Runner | undefined): Promise<CoreEvalPoint> => original.compare(point, exported, originalContext(ctx, evalCtx, 0, 1));
    const make = runnerMaker(ctx, open, req.spec, ds, req.options, threads, () => prog.method, undefined, compare);
    const point = await evaluatePoint(req.spec.ratio, make, ds, settings(req.options), evalCtx);
    return method === 'magnitude' && req.spec.method === undefined ? point : withMethod(point, method);
  } finally {
    await original.dispose();
    await threads.dispose();
  }
};

/**
 * A fine-tuning cascade over a sweep's ratios (Han et al.'s iterative pruning): each ratio starts
 * from the model fine-tuned at the previous, lower ratio, so the mask grows step by step and each
 * step needs fewer epochs than pruning from the unpruned model at once.
 */
function cascade(ctx: JobContext, open: OpenModel, spec: Omit<PruneSpec, 'ratio'>): PruneAt {
  let from: CascadeFrom | undefined;
  return async (ratio, progress) => {
    const at = { ...spec, ratio };
    const entry = await prunedModel(ctx, open, at, progress, from);
    if (entry.plan.layers.some((l) => l.pruned > 0)) from = { entry, key: cascadeKey(at, from) };
    return entry;
  };
}

/**
 * One point per (method, ratio), methods in the order given, ratios in the order given except for
 * fine-tuning, which runs its ratios in ascending order as a cascade (see `cascade`); each finished
 * point is sent as progress.
 */
export const sweep: Handler<'sweep'> = async (request, ctx) => {
  const open = getModel(ctx, request.modelId);
  const req = { ...request, options: withFallback(ctx, open, request.options) };
  const ds = await loadDataset(ctx, req.dataset, open);
  const methods = req.methods ?? [req.spec.method ?? 'magnitude'];
  const tagged = req.methods !== undefined || req.spec.method !== undefined;
  const count = methods.length * req.ratios.length;
  const points: EvalPoint[] = [];
  let index = 0;
  // One set of large-batch threads for every point: each point loads its model into them.
  const threads = largeBatch(ctx, req.options, req.options?.runtimes ?? ALL_RUNTIMES, open.fileName);
  const original = tracker(ctx, open, ds, req.options, threads);
  try {
    for (const method of methods) {
      const spec = { ...req.spec, method };
      const chained = method === 'finetune';
      const pruneAt: PruneAt = chained ? cascade(ctx, open, spec) : (ratio, progress) => prunedModel(ctx, open, { ...spec, ratio }, progress);
      for (const ratio of chained ? [...req.ratios].sort((a, b) => a - b) : req.ratios) {
        if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
        const label = tagged ? `${method} ${ratio}` : `ratio ${ratio}`;
        const prog = pointProgress(ctx, index, count, method, label);
        const evalCtx = evalContext(ctx, prog.evaluation, threads, req.options);
        const at = index;
        const compare = (point: CoreEvalPoint, exported: Runner | undefined): Promise<CoreEvalPoint> => original.compare(point, exported, originalContext(ctx, evalCtx, at, count));
        const make = runnerMaker(ctx, open, spec, ds, req.options, threads, () => prog.method, pruneAt, compare);
        const raw = await evaluatePoint(ratio, make, ds, settings(req.options), evalCtx);
        const point = tagged ? withMethod(raw, method) : raw;
        points.push(point);
        index++;
        ctx.progress({ done: 1000 * index, total: 1000 * count, message: `${label} done`, point });
      }
    }
  } finally {
    await original.dispose();
    await threads.dispose();
  }
  return points;
};

