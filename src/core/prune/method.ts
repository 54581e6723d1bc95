// One entry for every pruning method: magnitude (the plan applied as it is), reconstruct (one-shot
// OBS / SparseGPT-style reconstruction on unlabelled calibration samples) and finetune (magnitude
// masks, then masked training on labelled samples). Slow methods run in steps and pause every
// ~50 ms of work for the caller's yieldNow, so an engine can send progress and receive a cancel.
import type { Dataset } from '../data/dataset';
import type { Model } from '../onnx/model';
import { narrowHalf, promoteHalf } from '../runtime/half-promote';
import { CancelledError } from '../errors';
import { applyPrune, pruneMask } from './apply';
import { finetuneSteps, type FinetuneOptions } from './finetune';
import { DEFAULT_GLOBAL_ALLOCATION, isPruneMethod, METHOD_REGISTRY, methodNames, resolveSpec, type FinetuneStart, type PruneMethod, type PruneSpec } from './method-registry';
import { planPrune } from './plan';
import { reconstructProblem, reconstructSteps, type ReconstructOptions } from './reconstruct';
import { declaredSampleSize } from './reconstruct/activations';
import { ALLOCATING } from './reconstruct/allocation';
import type { Steps } from './reconstruct/solver';
import { weightTensor } from './reconstruct/targets';
import { wandaProblem, wandaSteps } from './wanda';
import { channelReconstructSteps } from './reconstruct/channels';
import { PruneError, type PruneOptions, type PrunePlan } from './types';
import { blockAllocationSteps } from './block-allocate';
import { channelsFinetuneStart } from './channels/finetune';

export interface MethodSpec extends PruneOptions {
  /** Default 'magnitude'. */
  method?: PruneMethod;
  /** Samples of the method's data used (default: the method's registry default; all when it has none). */
  dataLimit?: number;
  /** finetune: most epochs at the target ratio (default: the registry's; early stopping may end sooner). */
  epochs?: number;
  /** finetune: the trainer's settings beyond epochs (schedule steps, learning rate, seed…). */
  finetune?: Omit<FinetuneOptions, 'epochs' | 'onProgress'>;
  /** reconstruct, wanda: the ratio split across transformer blocks by calibration sensitivity (block-allocate.ts). */
  allocateBlocks?: boolean;
  /** reconstruct: damping and fitting target (see ReconstructOptions). */
  reconstruct?: Pick<ReconstructOptions, 'dampening' | 'target' | 'blockSize' | 'maxRows' | 'allocation'>;
  /** finetune: start from the magnitude mask (default) or from reconstruct's result (PruneSpec.start). */
  start?: FinetuneStart;
}

export interface MethodData {
  /** reconstruct: unlabelled calibration samples (labels ignored). */
  calibration?: Dataset;
  /** finetune: labelled training samples. */
  train?: Dataset;
}

export interface MethodHooks {
  /** fraction 0..1 of the whole job. */
  onProgress?: (fraction: number, message: string) => void;
  isCancelled?: () => boolean;
  /** Awaited every ~50 ms of work so an engine can receive its cancel message. */
  yieldNow?: () => Promise<void>;
}

export interface MethodResult {
  model: Model;
  /**
   * The per-tensor counts. magnitude: planPrune(model, spec). reconstruct / finetune: planPrune of
   * the result with the same spec, whose counts equal the magnitude plan's and whose masks select
   * exactly the result's zeros (its thresholds are then 0 or the result's smallest kept |w|); with
   * N:M / blocks the same (every pruned group is exactly 0, the lowest score). channels: the channel
   * plan of the input model that was applied (reconstruct's ranks channels by activations).
   */
  plan: PrunePlan;
  method: PruneMethod;
  /** What was done, for the user (schedule, epochs, samples, validation accuracy…). */
  notes: string[];
}

/**
 * The one conversion of a prune request (any front end's spec) into the options of pruneWithMethod
 * and planPrune: the magnitude fields, the method and its defaults; the data is loaded separately.
 */
export function methodSpecOf(spec: PruneSpec): MethodSpec {
  const r = resolveSpec(spec);
  const out: MethodSpec = { ratio: r.ratio, mode: r.mode, select: r.select, overrides: r.overrides, method: r.method };
  if (r.structure !== undefined) out.structure = r.structure;
  if (r.importance !== undefined) out.importance = r.importance;
  if (r.channelMultiple !== undefined) out.channelMultiple = r.channelMultiple;
  if (r.dataLimit !== undefined) out.dataLimit = r.dataLimit;
  if (r.epochs !== undefined) out.epochs = r.epochs;
  if (r.allocation !== undefined) out.reconstruct = { allocation: r.allocation };
  if (r.allocateBlocks === true) out.allocateBlocks = true;
  if (r.distill === false) out.finetune = { distill: false };
  if (r.learningRate !== undefined && r.learningRate !== METHOD_REGISTRY.finetune.defaults.learningRate) out.finetune = { ...out.finetune, learningRate: r.learningRate };
  if (r.start !== undefined) out.start = r.start;
  return out;
}

/** Runs stepped work, checking for cancel at every step and pausing for yieldNow every ~50 ms. */
async function drive<T>(steps: Steps<T>, hooks: MethodHooks, report: () => void): Promise<T> {
  let last = Date.now();
  try {
    for (;;) {
      if (hooks.isCancelled?.() === true) throw new CancelledError('pruning was cancelled');
      const r = steps.next();
      if (r.done === true) return r.value;
      const now = Date.now();
      if (now - last >= 50) {
        report();
        if (hooks.yieldNow !== undefined) await hooks.yieldNow();
        last = Date.now();
      }
    }
  } finally {
    steps.return(undefined as T);
  }
}

function limitOf(spec: MethodSpec, dflt: number | undefined, what: string): number | undefined {
  const n = spec.dataLimit ?? dflt;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new PruneError(`the ${what} sample limit must be a positive integer, got ${String(n)}`);
  return n;
}

/** The masks (1 kept) of a structured plan's tensors, in each tensor's own order. */
function structuredMasks(model: Model, plan: PrunePlan): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const l of plan.layers) {
    const t = weightTensor(model, l.tensor);
    if (t === undefined) throw new PruneError(`the model has no weight named "${l.tensor}"`);
    out[l.tensor] = pruneMask(t, l);
  }
  return out;
}

/** The plan of `spec` with the overall ratio split across the blocks (block-allocate.ts), and what was done in words. */
async function allocateBlocks(
  model: Model, spec: MethodSpec, plan: PrunePlan, data: { calibration: Float32Array; count: number; sampleShape: number[] }, hooks: MethodHooks,
): Promise<{ options: PruneOptions; plan: PrunePlan; notes: string[] }> {
  if (plan.structure !== undefined) throw new PruneError('per-block allocation splits single weights (unstructured) only', 'unsupported');
  if (spec.mode === 'global' || (spec.overrides !== undefined && Object.keys(spec.overrides).length > 0)) {
    throw new PruneError('per-block allocation sets every layer\'s ratio itself: not with global pruning or overrides', 'unsupported');
  }
  let [fraction, message] = [0, 'block allocation'];
  const steps = blockAllocationSteps(model, {
    ratio: spec.ratio, select: plan.layers.map((l) => l.tensor), calibration: data.calibration, calibrationCount: data.count, sampleShape: data.sampleShape,
    onProgress: (f, m) => ([fraction, message] = [f * 0.3, m]),
  });
  const a = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
  const options: PruneOptions = { ...spec, mode: 'layer', select: plan.layers.map((l) => l.tensor), overrides: a.overrides };
  const notes = [
    `per-block allocation (${a.loss === 'next-token' ? 'next-token loss' : 'relative output error'} on the calibration samples, ${a.baselineLoss.toPrecision(4)} unpruned; each group magnitude-pruned alone): ` +
      a.groups.map((g) => `${g.name} ${(100 * g.ratio).toFixed(1)}%`).join(', ') + ` — ${a.pruned} of ${a.params} weights`,
  ];
  return { options, plan: planPrune(model, options), notes };
}

/** Prunes `model` with the method; never mutates `model`. */
export async function pruneWithMethod(model: Model, spec: MethodSpec, data: MethodData, hooks: MethodHooks = {}): Promise<MethodResult> {
  // A float16 model: the data-aware methods compute in float32 (runtime/half-promote.ts) and the
  // result is stored back in float16; magnitude reads the float16 weights as they are.
  const wide = (spec.method ?? 'magnitude') !== 'magnitude' ? promoteHalf(model) : undefined;
  if (wide === undefined) return pruneAt(model, spec, data, hooks);
  const r = await pruneAt(wide, spec, data, hooks);
  return { ...r, model: narrowHalf(r.model, model), notes: [...r.notes, 'computed in float32 (the float16 weights widened), stored back in float16'] };
}

async function pruneAt(model: Model, spec: MethodSpec, data: MethodData, hooks: MethodHooks): Promise<MethodResult> {
  const method = spec.method ?? 'magnitude';
  if (!isPruneMethod(method)) throw new PruneError(`unknown pruning method "${String(method)}" (${methodNames()})`);
  let options: PruneOptions = spec;
  let plan = planPrune(model, options);
  if (spec.allocateBlocks === true && method !== 'reconstruct' && method !== 'wanda') {
    throw new PruneError('per-block allocation measures the blocks on calibration samples: use it with reconstruct or wanda', 'unsupported');
  }
  if (method === 'magnitude') {
    hooks.onProgress?.(1, 'magnitude pruning');
    return { model: applyPrune(model, plan), plan, method, notes: [...(plan.notes ?? [])] };
  }

  if (method === 'reconstruct' || method === 'wanda') {
    const calib = data.calibration;
    if (calib === undefined) throw new PruneError(`${method} needs calibration samples`, 'bad-dataset');
    const count = Math.min(calib.count, limitOf(spec, METHOD_REGISTRY[method].defaults.dataLimit, 'calibration') ?? calib.count);
    if (count < 1) throw new PruneError(`the calibration set "${calib.name}" holds no samples`, 'bad-dataset');
    const inputs = declaredSampleSize(model);
    if (inputs !== undefined && calib.sampleSize !== inputs) {
      throw new PruneError(`the calibration set "${calib.name}" has samples of ${calib.sampleSize} values, the model takes ${inputs}`, 'bad-dataset');
    }
    const calibration = calib.images.subarray(0, count * calib.sampleSize);
    const blockNotes: string[] = [];
    if (spec.allocateBlocks === true) {
      const allocated = await allocateBlocks(model, spec, plan, { calibration, count, sampleShape: calib.sampleShape }, hooks);
      ({ options, plan } = allocated);
      blockNotes.push(...allocated.notes);
    }
    if (method === 'wanda') {
      if (plan.structure === 'channels') throw new PruneError('wanda prunes single weights, N:M groups or blocks, not channels', 'unsupported');
      const problem = wandaProblem(model, plan.layers.map((l) => l.tensor));
      if (problem !== undefined) throw new PruneError(`wanda cannot prune this model: ${problem}`, 'unsupported');
      let [fraction, message] = [0, 'wanda'];
      const steps = wandaSteps(model, {
        ratio: spec.ratio, calibration, calibrationCount: count, sampleShape: calib.sampleShape,
        prunedCounts: Object.fromEntries(plan.layers.map((l) => [l.tensor, l.pruned])),
        ...(plan.structure === undefined ? {} : { structure: plan.structure, masks: structuredMasks(model, plan) }),
        onProgress: (p) => ([fraction, message] = [p.fraction, `wanda: scoring ${p.tensor} (layer ${p.layer + 1} of ${p.layers})`]),
      });
      const { model: out } = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
      hooks.onProgress?.(1, 'wanda done');
      return { model: out, plan: planPrune(out, options), method, notes: [`wanda: |w| × input norm on ${count} calibration samples of "${calib.name}", lowest per output row removed, no weight update`, ...blockNotes] };
    }
    if (plan.structure === 'channels') {
      // channels chosen by activations, the model shrunk, each consumer refitted (reconstruct/channels.ts)
      let [fraction, message] = [0, 'reconstructing channels'];
      const steps = channelReconstructSteps(model, options, {
        ...spec.reconstruct, calibration, calibrationCount: count, sampleShape: calib.sampleShape,
        onProgress: (f, m) => ([fraction, message] = [f, m]),
      });
      const r = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
      hooks.onProgress?.(1, 'reconstruction done');
      const notes = [
        `channels ranked by their activations on ${count} calibration samples of "${calib.name}" × the weights reading them; consumers refitted by least squares`,
        ...(r.plan.notes ?? []),
        ...r.refits.map((x) => `${x.tensor}: relative output error ${x.refitError.toExponential(2)} refitted (${x.shrunkError.toExponential(2)} shrunk only)`),
      ];
      return { model: r.model, plan: r.plan, method, notes };
    }
    const selected = plan.layers.map((l) => l.tensor);
    const problem = reconstructProblem(model, selected);
    if (problem !== undefined) throw new PruneError(`reconstruct cannot prune this model: ${problem}`, 'unsupported');
    const prunedCounts: Record<string, number> = {};
    for (const l of plan.layers) prunedCounts[l.tensor] = l.pruned;
    // N:M / blocks: the magnitude plan's masks carry the counts (per group, per block shape) the result keeps
    const masks = plan.structure === undefined ? undefined : structuredMasks(model, plan);
    // global scope, single weights: the plan's total re-split between the layers by their
    // measured error (reconstruct/allocation.ts); overridden tensors keep their counts
    const allocation = spec.reconstruct?.allocation ?? (spec.mode === 'global' && plan.structure === undefined ? DEFAULT_GLOBAL_ALLOCATION : 'plan');
    let fraction = 0;
    let message = 'reconstructing';
    const steps = reconstructSteps(model, {
      ...spec.reconstruct,
      allocation,
      fixedCounts: Object.keys(spec.overrides ?? {}),
      ratio: spec.ratio,
      calibration,
      calibrationCount: count,
      sampleShape: calib.sampleShape,
      prunedCounts,
      ...(masks === undefined ? {} : { structure: plan.structure, masks }),
      onProgress: (p) => {
        fraction = p.fraction;
        message = p.tensor === ALLOCATING ? `allocating the zeros between ${p.layers} layers` : `reconstructing ${p.tensor} (layer ${p.layer + 1} of ${p.layers})`;
      },
    });
    const { model: out, report } = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
    hooks.onProgress?.(1, 'reconstruction done');
    const notes = [
      `reconstructed on ${count} calibration samples of "${calib.name}" (dampening ${report.dampening})`,
      ...(allocation === 'plan' ? [] : [`zeros split between the layers by allocation "${allocation}" (the same total as the plan): ${report.layers.map((l) => `${l.tensor} ${l.ratio.toFixed(2)}`).join(', ')}`]),
      ...blockNotes,
      ...report.layers.map((l) => `${l.tensor}: relative output error ${l.outputError.toExponential(2)} (magnitude pruning: ${l.magnitudeOutputError.toExponential(2)})`),
    ];
    return { model: out, plan: planPrune(out, options), method, notes };
  }

  // finetune; with channels: remove them first, then train the smaller model with no masks (its
  // plan stays the channel plan of the input model)
  const train = data.train;
  if (train === undefined) throw new PruneError('finetune needs labelled training samples', 'bad-dataset');
  const channels = plan.structure === 'channels';
  if (spec.start === 'reconstruct' && !channels) return finetuneFromReconstruct(model, spec, train, hooks);
  const limit = limitOf(spec, METHOD_REGISTRY.finetune.defaults.dataLimit, 'training');
  const count = Math.min(train.count, limit ?? train.count);
  let fraction = 0;
  let message = 'fine-tuning';
  // channels from reconstruct: its smaller model (channels ranked by activations, the next layers
  // refitted by least squares) is trained as it is; progress 0–0.25 reconstruct, then training.
  const fromReconstruct = spec.start === 'reconstruct' && channels;
  const span = (f: number): number => (fromReconstruct ? 0.25 + 0.75 * f : f);
  let shrunk = channels && !fromReconstruct ? channelsFinetuneStart(model, plan) : undefined;
  if (fromReconstruct) {
    const { dataLimit: _limit, epochs: _epochs, finetune: _finetune, start: _start, ...shared } = spec;
    const rec = await pruneWithMethod(model, { ...shared, method: 'reconstruct' }, { calibration: train }, { ...hooks, onProgress: (f, m) => hooks.onProgress?.(0.25 * f, m) });
    plan = rec.plan;
    const removed = plan.layers.reduce((n, l) => n + (l.removedChannels?.length ?? 0), 0);
    shrunk = {
      model: rec.model,
      options: { ratio: 0, mode: 'layer', select: plan.layers.map((l) => l.tensor) },
      notes: [...rec.notes, `${removed} channels removed by reconstruct (${plan.prunedParams} of ${plan.prunableParams} weights), then the smaller model fine-tuned without masks`],
    };
  }
  const steps = finetuneSteps(
    shrunk?.model ?? model, shrunk?.options ?? options,
    { images: train.images, labels: train.labels, count, sampleSize: train.sampleSize, sampleShape: train.sampleShape, name: train.name },
    {
      ...spec.finetune,
      ...(shrunk !== undefined ? { teacher: model } : {}),
      epochs: spec.epochs ?? METHOD_REGISTRY.finetune.defaults.epochs,
      onProgress: (f, m) => {
        fraction = span(f);
        message = m;
      },
    },
  );
  const result = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
  hooks.onProgress?.(1, 'fine-tuning done');
  if (shrunk !== undefined) return { model: result.model, plan, method, notes: [...shrunk.notes, ...result.notes] };
  return { model: result.model, plan: result.plan, method, notes: result.notes };
}

/**
 * finetune from reconstruct's result (PruneSpec.start 'reconstruct'): reconstruct at the spec's
 * ratio, mode and structure on the training samples (labels unused; reconstruct's data limit),
 * then finetune it in one step: the same ratio's magnitude plan on a model whose pruned weights
 * are exactly zero picks exactly those zeros (the counts match per tensor, or in total in global
 * mode), and the unpruned model is the distillation teacher. Progress: 0–0.25 reconstruct.
 */
async function finetuneFromReconstruct(model: Model, spec: MethodSpec, train: Dataset, hooks: MethodHooks): Promise<MethodResult> {
  const scaled = (from: number, to: number): MethodHooks => ({ ...hooks, onProgress: (f, m) => hooks.onProgress?.(from + (to - from) * f, m) });
  const { dataLimit: _limit, epochs: _epochs, finetune: _finetune, start: _start, ...shared } = spec;
  const rec = await pruneWithMethod(model, { ...shared, method: 'reconstruct' }, { calibration: train }, scaled(0, 0.25));
  const tuned = await pruneWithMethod(
    rec.model,
    { ...spec, start: 'magnitude', finetune: { ...spec.finetune, steps: 1, teacher: model } },
    { train },
    scaled(0.25, 1),
  );
  return { ...tuned, notes: [`started from reconstruct's mask and weights at ratio ${spec.ratio} (${spec.mode === 'global' ? 'global' : 'per layer'})`, ...rec.notes, ...tuned.notes] };
}
