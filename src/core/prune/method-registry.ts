// The one list of pruning methods: name, label, one-line description, the data each needs and its
// defaults. The engine validates against it, the CLI builds its help and options from it and the
// renderer its method choices and default settings, so a method or a default is changed here only.
// Also the prune request as every front end writes it (PruneSpec) and its defaults filled in.
import type { PruneOptions } from './types';
import { canonicalStructure, DEFAULT_CHANNEL_MULTIPLE, DEFAULT_IMPORTANCE, DEFAULT_STRUCTURE } from './structure';

export type PruneMethod = 'magnitude' | 'reconstruct' | 'finetune' | 'wanda';

/** finetune's Adam learning rate unless the request sets one (better than 2e-4 on the sample model at 0.9: 97.10% vs 96.95%). */
export const FINETUNE_LEARNING_RATE = 5e-4;

/**
 * reconstruct in global scope, single weights: how the plan's total of zeros is split between the
 * layers. 'plan': as the magnitude plan splits it (one |w| threshold); 'output': by each layer's
 * measured effect on the model's outputs (core/prune/reconstruct/allocation.ts).
 */
export type ReconstructAllocation = 'plan' | 'output';
export const RECONSTRUCT_ALLOCATIONS: readonly ReconstructAllocation[] = Object.freeze(['plan', 'output']);
export const DEFAULT_GLOBAL_ALLOCATION: ReconstructAllocation = 'output';

export function isReconstructAllocation(v: unknown): v is ReconstructAllocation {
  return typeof v === 'string' && (RECONSTRUCT_ALLOCATIONS as readonly string[]).includes(v);
}

/** What a method needs besides the model: nothing, unlabelled calibration samples, labelled training samples. */
export type MethodDataNeed = 'none' | 'calibration' | 'training';

export interface MethodInfo {
  name: PruneMethod;
  /** For a choice in a UI, e.g. "Fine-tune (training data)". */
  label: string;
  /** One line: what the method does. */
  description: string;
  data: MethodDataNeed;
  defaults: {
    /** Samples of its data used; undefined = all of them. */
    dataLimit?: number;
    /** Most epochs of training at the target ratio (early stopping may end sooner). */
    epochs?: number;
    /** Knowledge distillation from the unpruned model while fine-tuning (graph trainer); see FinetuneOptions.distill. */
    distill?: { alpha: number; temperature: number };
    /** Re-estimate BatchNormalization statistics after each prune step; see FinetuneOptions.recalibrateBatchNorm. */
    recalibrateBatchNorm?: boolean;
    /** Adam's learning rate while fine-tuning; see FinetuneOptions.learningRate. */
    learningRate?: number;
  };
}

export const METHOD_REGISTRY: Readonly<Record<PruneMethod, Readonly<MethodInfo>>> = Object.freeze({
  magnitude: {
    name: 'magnitude',
    label: 'Magnitude',
    description: 'Removes the smallest |w| and changes nothing else. Instant.',
    data: 'none',
    defaults: {},
  },
  reconstruct: {
    name: 'reconstruct',
    label: 'Reconstruct (calibration)',
    description: 'Layer by layer, picks the mask and refits the kept weights to keep each layer’s outputs on unlabelled samples.',
    data: 'calibration',
    defaults: { dataLimit: 1000 },
  },
  finetune: {
    name: 'finetune',
    label: 'Fine-tune (training data)',
    description: "Magnitude mask (or reconstruct's result), then the kept weights train for a few epochs on labelled data; pruned weights stay zero.",
    data: 'training',
    defaults: { epochs: 8, distill: { alpha: 0.5, temperature: 4 }, recalibrateBatchNorm: true, learningRate: FINETUNE_LEARNING_RATE },
  },
  wanda: {
    name: 'wanda',
    label: 'Wanda (calibration)',
    description: 'Removes the lowest |w| × input norm in each output row, norms from unlabelled samples; no weight update. Fast.',
    data: 'calibration',
    defaults: { dataLimit: 1000 },
  },
});

/** Every method, in the order they are shown and swept. */
export const PRUNE_METHODS: readonly PruneMethod[] = Object.freeze(Object.keys(METHOD_REGISTRY) as PruneMethod[]);

/** How a method's data is named in messages. */
export const DATA_NOUN: Readonly<Record<Exclude<MethodDataNeed, 'none'>, string>> = Object.freeze({
  calibration: 'calibration samples',
  training: 'labelled training samples',
});

export function isPruneMethod(v: unknown): v is PruneMethod {
  return typeof v === 'string' && (PRUNE_METHODS as readonly string[]).includes(v);
}

/** "magnitude, reconstruct, finetune or wanda". */
export function methodNames(conjunction = 'or'): string {
  const names = [...PRUNE_METHODS];
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/**
 * A prune request as the front ends write it; `D` is how a dataset is named (the engine protocol's
 * DatasetSource). The data of a method goes in the field its need names: `calibration` for
 * reconstruct and wanda, `train` for finetune.
 */
export interface PruneSpec<D = unknown> extends PruneOptions {
  /** Default 'magnitude'. */
  method?: PruneMethod;
  // channelMultiple (PruneOptions): a request with structure 'channels' defaults to DEFAULT_CHANNEL_MULTIPLE.
  /** reconstruct: calibration samples (labels unused). Default: the bundled training split. */
  calibration?: D;
  /** finetune: labelled training samples. Default: the bundled training split. */
  train?: D;
  /** Samples of the method's data used (default: METHOD_REGISTRY[method].defaults.dataLimit). */
  dataLimit?: number;
  /** finetune: at most this many epochs (default: METHOD_REGISTRY.finetune.defaults.epochs). */
  epochs?: number;
  /** reconstruct, mode 'global', unstructured: how the zeros are split between layers (default DEFAULT_GLOBAL_ALLOCATION). */
  allocation?: ReconstructAllocation;
  /** reconstruct, wanda: the ratio split across transformer blocks by their calibration sensitivity (block-allocate.ts). */
  allocateBlocks?: boolean;
  /** finetune: false = no distillation from the unpruned model (default: on, METHOD_REGISTRY.finetune.defaults.distill). */
  distill?: boolean;
  /** finetune: Adam's learning rate (default METHOD_REGISTRY.finetune.defaults.learningRate). */
  learningRate?: number;
  /**
   * finetune: the mask to train from. 'magnitude' (default): the magnitude mask, reached in a
   * gradual schedule; 'reconstruct': reconstruct's result on (up to its data limit of) the training
   * samples, then trained in one step with the unpruned model as the distillation teacher.
   */
  start?: FinetuneStart;
}

export type FinetuneStart = 'magnitude' | 'reconstruct';
export const FINETUNE_STARTS: readonly FinetuneStart[] = ['magnitude', 'reconstruct'];

/**
 * The spec with the method and its defaults filled in and the method fields it does not use left
 * out: two specs that give the same pruned model resolve to equal objects.
 */
export function resolveSpec<D>(spec: PruneSpec<D>): PruneSpec<D> {
  const method = spec.method ?? 'magnitude';
  const info = METHOD_REGISTRY[method] as MethodInfo | undefined;
  const out: PruneSpec<D> = { ratio: spec.ratio, mode: spec.mode, method };
  if (spec.select !== undefined) out.select = spec.select;
  if (spec.overrides !== undefined) out.overrides = spec.overrides;
  const structure = canonicalStructure(spec.structure);
  if (structure !== DEFAULT_STRUCTURE) out.structure = structure;
  if (structure === 'channels' && spec.importance !== undefined && spec.importance !== DEFAULT_IMPORTANCE) out.importance = spec.importance;
  if (structure === 'channels') out.channelMultiple = spec.channelMultiple ?? DEFAULT_CHANNEL_MULTIPLE;
  if (info === undefined) return out;
  if (info.data === 'calibration' && spec.calibration !== undefined) out.calibration = spec.calibration;
  if (info.data === 'calibration' && spec.allocateBlocks === true) out.allocateBlocks = true;
  if (info.data === 'training' && spec.train !== undefined) out.train = spec.train;
  const dataLimit = info.data === 'none' ? undefined : (spec.dataLimit ?? info.defaults.dataLimit);
  if (dataLimit !== undefined) out.dataLimit = dataLimit;
  if (method === 'reconstruct' && spec.mode === 'global' && structure === DEFAULT_STRUCTURE && spec.allocation !== undefined && spec.allocation !== DEFAULT_GLOBAL_ALLOCATION) {
    out.allocation = spec.allocation;
  }
  const epochs = info.defaults.epochs === undefined ? undefined : (spec.epochs ?? info.defaults.epochs);
  if (epochs !== undefined) out.epochs = epochs;
  if (info.defaults.distill !== undefined && spec.distill === false) out.distill = false;
  const lr = info.defaults.learningRate === undefined ? undefined : (spec.learningRate ?? info.defaults.learningRate);
  if (lr !== undefined) out.learningRate = lr;
  if (method === 'finetune' && spec.start === 'reconstruct') out.start = 'reconstruct';
  return out;
}
