// Magnitude pruning: the options, the plan computed from a model, and the error of pruning.
import { ProblemError, type ProblemKind } from '../errors';
import type { ChannelImportance } from './structure';
import type { WeightLayout } from './layout';
import type { ChannelScoring } from './channels/effective';

export type PruneMode = 'layer' | 'global';

/** Which weights to prune and how many: the magnitude part of every prune request. */
export interface PruneOptions {
  /** Fraction 0..1 of the selected weights to remove (smallest |w| first). */
  ratio: number;
  /**
   * 'layer': every selected tensor loses round(ratio × n) of its own entries.
   * 'global': one |w| cut over all selected tensors removes round(ratio × N_total) entries.
   */
  mode: PruneMode;
  /** Initializer or Constant-output names to prune; undefined = defaultPrunable(model). */
  select?: string[];
  /**
   * Ratios replacing `ratio` for single tensors, pruned per layer in either mode. In global mode
   * an overridden tensor is taken out of the global pool and pruned on its own at its ratio; the
   * global cut covers the remaining selected tensors. An override must name a selected tensor.
   */
  overrides?: Record<string, number>;
  /**
   * What is removed together (core/prune/structure.ts): 'unstructured' (default), 'channels',
   * 'N:M' or 'RxC' blocks, in the canonical text of formatStructure.
   */
  structure?: string;
  /** channels: how a channel is scored (default 'l1'). */
  importance?: ChannelImportance;
  /**
   * channels: keep a multiple of this many channels in every group whose size is one (the nearest,
   * at least one multiple; default 1 = exactly round(ratio × channels) removed). onnxruntime's CPU
   * convolutions run slower on channel counts that are not multiples of 8 (MobileNet at 0.25 ran
   * 1.7–2× slower than the unpruned model, 0.83–0.95× with multiples of 8).
   */
  channelMultiple?: number;
  /** channels: how norms become scores (default DEFAULT_CHANNEL_SCORING; scripts/channels-cnns.ts compares them). */
  channelScoring?: Readonly<ChannelScoring>;
}

/** A tensor whose shape changes when channels are removed (the pruned weight, or a follower). */
export interface ShapeChange {
  tensor: string;
  before: number[];
  after: number[];
  /** The axis that shrank and the indices removed from it, ascending. */
  axis: number;
  removed: number[];
  /**
   * Set for a shape constant (a Reshape's shape) whose entry `index` changes from `before` to
   * `after`; its dims stay (before = after, removed empty). A tensor cut on two axes has two entries.
   */
  value?: { index: number; before: number; after: number };
}

/**
 * A shared constant a channel prune gave one of its readers as a copy (channels/unshare.ts): node
 * `node` (its index in the graph) reads `copy` at input `slot` in the pruned model instead of `tensor`.
 */
export interface TensorCopy {
  tensor: string;
  copy: string;
  node: number;
  slot: number;
}

/** The plan for one tensor. The report fields match LayerPruneReport of the engine protocol. */
export interface LayerPlan {
  tensor: string;
  /** Names of the main-graph nodes using the tensor (op type and index when a node has no name). */
  nodes: string[];
  dims: number[];
  /** Number of elements. */
  n: number;
  /** Elements left unpruned (n − pruned). */
  kept: number;
  /** Actual fraction pruned: pruned / n (0 for an empty tensor). */
  ratio: number;
  /** The largest |w| pruned in this tensor, or 0 when nothing is pruned. */
  threshold: number;
  /** Elements pruned (exactly round(ratio × n) per layer; the tensor's share of the global count). */
  pruned: number;
  /**
   * The masking rule: an element is pruned when |w| < cutoff, or when |w| === cutoff and it is one
   * of the first `tiesPruned` such elements in index order. NaN counts as +Infinity.
   */
  cutoff: number;
  tiesPruned: number;
  /** The ratio asked for this tensor (its override, the layer ratio, or the global ratio). */
  requested: number;
  /** True when pruned on its own at an override ratio. */
  overridden: boolean;
  /**
   * Set for a structured plan (canonical structure text); absent = unstructured. For 'N:M' and
   * blocks the masking rule (cutoff, tiesPruned) applies to the scores of the groups, not to |w|.
   */
  structure?: string;
  /** Structured plans: how the weight reads as outputs × inputs (core/prune/layout.ts). */
  layout?: WeightLayout;
  /** channels: the output channels / neurons removed (ascending), and the weight's dims after. */
  removedChannels?: number[];
  keptDims?: number[];
}

export interface PrunePlan {
  mode: PruneMode;
  ratio: number;
  layers: LayerPlan[];
  /** Elements in every initializer (dense and sparse) and Constant-node value of the main graph. */
  totalParams: number;
  /** Elements in the selected tensors. */
  prunableParams: number;
  /** Elements of the selected tensors left unpruned. */
  keptParams: number;
  prunedParams: number;
  /** Global mode: the |w| cut of the pool (the largest pruned |w| over the pool), else 0. */
  globalThreshold: number;
  /** Canonical structure text when not unstructured. */
  structure?: string;
  /** channels: every tensor whose shape changes (pruned weights and the tensors that follow them). */
  shapeChanges?: ShapeChange[];
  /** channels: the readers of shared constants that read their own copy (whose change is the copy's). */
  copies?: TensorCopy[];
  /** What the plan left out and why (channels: groups kept whole because they cannot shrink). */
  notes?: string[];
}

/**
 * A prune request that cannot be carried out. Kind 'invalid' (the default): unknown tensor, bad
 * ratio…; 'unsupported': the model is not one the method handles; 'bad-dataset': the method's data
 * does not fit.
 */
export class PruneError extends ProblemError {
  constructor(message: string, kind: Extract<ProblemKind, 'invalid' | 'unsupported' | 'bad-dataset'> = 'invalid') {
    super(kind, message);
    this.name = 'PruneError';
  }
}
