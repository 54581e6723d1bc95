// Runs a pruning method for a request: magnitude at once; reconstruct / finetune with their data
// loaded and checked, progress, cancel, and the engine's cache of pruned models (an equal spec is
// answered from the cache). Errors keep core's kinds (see ../errors.ts); a model the method cannot
// handle is named in the message.

import type { Dataset } from '../../core/data';
import type { Model, Tensor } from '../../core/onnx/model';
import { isCancelled, problemKind } from '../../core/errors';
import { applyPrune, METHOD_REGISTRY, planPrune, reconstructProblem, wandaProblem } from '../../core/prune';
import type { JobContext, OpenModel } from '../context';
import { checkFits, datasetLabel, loadDataset } from '../datasets';
import { EngineFailure } from '../errors';
import { modelIo } from '../model-io';
import type { DatasetSource, PruneReport, PruneSpec } from '../protocol';
import { namedWeights } from '../../core/analysis';
import { finetuneProblem } from '../../core/train';
import { DEFAULT_METHOD_DATA, specKey, type PrunedEntry } from './cache';
import { methodSpecOf, pruneWithMethod } from './dispatch';

/** Receives the method's progress: fraction 0..1 of the method, and what it is doing. */
export type MethodProgress = (fraction: number, message: string) => void;

/** The job's own progress for a method run that is the whole job (the 'prune' request). */
export function jobProgress(ctx: JobContext, prefix = ''): MethodProgress {
  return (fraction, message) => ctx.progress({ done: Math.round(fraction * 1000), total: 1000, message: prefix + message });
}

/** A progress callback that passes at most one call per `everyMs` (the last call before 1 always). */
function throttled(ctx: JobContext, report: MethodProgress, everyMs = 100): MethodProgress {
  let last = -Infinity;
  return (fraction, message) => {
    const now = ctx.platform.now();
    if (now - last < everyMs && fraction < 1) return;
    last = now;
    report(Math.min(1, Math.max(0, fraction)), message);
  };
}

function cancelled(): EngineFailure {
  return new EngineFailure('cancelled', 'cancelled');
}

/** The bundled split under its label in the method's notes (its files are named "train"), anything else as loaded. */
function namedForNotes(ds: Dataset, source: DatasetSource): Dataset {
  return source.kind === 'sample' ? { ...ds, name: datasetLabel(source) } : ds;
}

/** The data a method needs, loaded and checked against the model. */
async function methodData(ctx: JobContext, open: OpenModel, spec: PruneSpec): Promise<{ calibration?: Dataset; train?: Dataset }> {
  const io = modelIo(open.model, open.fileName);
  const need = METHOD_REGISTRY[spec.method ?? 'magnitude'].data;
  if (need === 'calibration') {
    const source = spec.calibration ?? DEFAULT_METHOD_DATA;
    const ds = await loadDataset(ctx, source, open);
    // token ids (a language model's calibration set) are checked against its vocabulary too
    checkFits(ds, source, 'calibration set', io, ds.tokens ? io.classes : undefined);
    return { calibration: namedForNotes(ds, source) };
  }
  if (need === 'training') {
    const source = spec.train ?? DEFAULT_METHOD_DATA;
    const ds = await loadDataset(ctx, source, open);
    checkFits(ds, source, 'training set', io, io.classes);
    return { train: namedForNotes(ds, source) };
  }
  return {};
}

/**
 * A sweep's fine-tuning cascade: the model fine-tuned at the previous (lower) ratio, from which
 * the next ratio starts (one prune step, its mask grows from the previous one), and its cache key.
 */
export interface CascadeFrom {
  entry: PrunedEntry;
  key: string;
}

/** The cache key of `spec` run from `from` (or from the unpruned model). */
export function cascadeKey(spec: PruneSpec, from?: CascadeFrom): string {
  return from ? `${specKey(spec)} after ${from.key}` : specKey(spec);
}

/**
 * The model pruned by `spec`, from the cache when an equal spec ran before (then `report` is not
 * called). `report` gets the method's progress (fraction of the method's own work). With `from`
 * (fine-tuning only), the method starts from that earlier result instead of the unpruned model.
 */
export async function prunedModel(ctx: JobContext, open: OpenModel, spec: PruneSpec, report?: MethodProgress, from?: CascadeFrom): Promise<PrunedEntry> {
  const options = methodSpecOf(spec);
  const method = options.method ?? 'magnitude';
  // Plans (and so checks select / overrides / ratio) before any slow work: a PruneError here is the request's fault.
  const plan = planPrune(open.model, options);
  // Ratio 0 on weights the method can prune: nothing to do, every method leaves the model as it is.
  const nothing = plan.layers.length > 0 && plan.layers.every((l) => l.pruned === 0);
  if (method === 'magnitude' || nothing) return { model: applyPrune(open.model, plan), plan, method, notes: [...(plan.notes ?? [])] };
  // channels: a fine-tuned result is already smaller, so every ratio starts from the unpruned model
  const chained = method === 'finetune' && plan.structure !== 'channels' ? from : undefined;
  const key = cascadeKey(spec, chained);
  const hit = ctx.pruned.get(open.modelId, key);
  if (hit) return hit;
  if (method === 'finetune') {
    // Refused before the data loads: the first node the trainer cannot differentiate.
    const problem = finetuneProblem(open.model, plan.layers.map((l) => l.tensor));
    if (problem !== undefined) throw new EngineFailure('unsupported', `${open.fileName}: ${problem}`, open.fileName);
  }
  if (method === 'reconstruct') {
    // Refused before any data loads or anything runs, naming the node.
    const problem = reconstructProblem(open.model, plan.layers.map((l) => l.tensor));
    if (problem !== undefined) throw new EngineFailure('unsupported', `${open.fileName}: reconstruct cannot prune this model: ${problem}`, open.fileName);
  }
  if (method === 'wanda') {
    const problem = plan.structure === 'channels' ? 'it prunes single weights, N:M groups or blocks, not channels' : wandaProblem(open.model, plan.layers.map((l) => l.tensor));
    if (problem !== undefined) throw new EngineFailure('unsupported', `${open.fileName}: wanda cannot prune this model: ${problem}`, open.fileName);
  }
  const data = await methodData(ctx, open, spec);
  if (ctx.cancel.cancelled) throw cancelled();
  const progress = report ? throttled(ctx, report) : undefined;
  let result: PrunedEntry;
  try {
    ctx.pruned.runs++;
    result = await pruneWithMethod(
      chained?.entry.model ?? open.model,
      chained ? { ...options, finetune: { steps: 1 } } : options,
      data,
      { onProgress: progress, isCancelled: () => ctx.cancel.cancelled, yieldNow: ctx.yieldNow },
    );
  } catch (e) {
    if (isCancelled(e) || ctx.cancel.cancelled) throw cancelled();
    if (problemKind(e) === 'unsupported') throw new EngineFailure('unsupported', `${open.fileName}: ${(e as Error).message}`, open.fileName);
    throw e;
  }
  if (ctx.cancel.cancelled) throw cancelled();
  progress?.(1, `${method} done`);
  ctx.pruned.put(open.modelId, key, result);
  return result;
}

function magnitudes(t: Tensor | undefined): ArrayLike<number> | undefined {
  const d = t?.data;
  return d instanceof Float32Array || d instanceof Float64Array ? d : undefined;
}

/**
 * The report of a method's result: the method's notes (what data it calibrated or trained on,
 * distillation, the kept epoch and its validation accuracy, per-layer errors…) after the plan's,
 * and per layer the largest |w| of the ORIGINAL weights that the method set to zero — what a
 * threshold means when the mask is not a magnitude cut (reconstruct picks by saliency, fine-tuning
 * changes the kept weights). Layers whose data is not float stay as planned.
 */
export function methodReport(original: Model, entry: PrunedEntry, planned: PruneReport): PruneReport {
  const notes = [...new Set([...(planned.notes ?? []), ...entry.notes])];
  const report = notes.length > 0 ? { ...planned, notes } : planned;
  if (entry.method === 'magnitude') return report;
  const before = namedWeights(original);
  const after = namedWeights(entry.model);
  return {
    ...report,
    layers: report.layers.map((l) => {
      const a = magnitudes(before.get(l.tensor));
      const b = magnitudes(after.get(l.tensor));
      if (!a || !b || a.length !== b.length) return l;
      let max = 0;
      for (let i = 0; i < a.length; i++) if (b[i] === 0 && a[i] !== 0 && Math.abs(a[i]) > max) max = Math.abs(a[i]);
      return { ...l, threshold: max };
    }),
  };
}
