// The one message protocol between a client (renderer, CLI, tests) and the engine (utility
// process, child process, Web Worker or in-process). Requests carry an id; the engine answers each
// with zero or more `progress` messages and then exactly one `result` or `error`. `cancel` names
// the id of a running request, which then ends with an error of code 'cancelled'.
// The domain types (prune spec, evaluation points, statistics) are core's, re-exported here; the
// method registry, the ratio-list grammar and the sweep CSV are re-exported too, so that every
// client (the renderer imports only this file and the client) reads the same definitions.

import type { Dim, DataTypeCode } from '../core/onnx/model';
import type { PruneMethod, PruneSpec as CorePruneSpec } from '../core/prune/method-registry';
import type { EvalOptions, EvalPoint, RunnerName as RunnerNameOf } from '../core/eval/types';
import type { TensorStatistics } from '../core/stats/tensor-stats';
import type { LayerPlan, ShapeChange, TensorCopy } from '../core/prune/types';
import type { TensorFacts } from '../core/analysis/weights';
import type { PrunableTensor } from '../core/prune/prunable';
import type { MethodAvailability } from '../core/prune/applicability';
import type { ModelDiff } from '../core/diff/types';
import type { SensitivityPoint, SensitivityReport, SensitivityResult } from '../core/prune/sensitivity-report';

export type { PrunableTensor } from '../core/prune/prunable';
export type { MethodAvailability } from '../core/prune/applicability';
export { PRUNABLE_OP_TYPES, DEFAULT_PRUNE_OP_TYPES } from '../core/prune/prunable';

export type { PruneMode, ShapeChange, TensorCopy } from '../core/prune/types';
export type { ChannelImportance, PruneStructure } from '../core/prune/structure';
export { parseStructure, formatStructure, CHANNEL_IMPORTANCES, DEFAULT_IMPORTANCE, DEFAULT_STRUCTURE, STRUCTURE_FORMS, CHANNEL_MULTIPLES, DEFAULT_CHANNEL_MULTIPLE } from '../core/prune/structure';
export type { PruneMethod, MethodInfo, MethodDataNeed, FinetuneStart } from '../core/prune/method-registry';
export { METHOD_REGISTRY, PRUNE_METHODS, DATA_NOUN, FINETUNE_STARTS, isPruneMethod, methodNames, resolveSpec } from '../core/prune/method-registry';
export type { RunnerName as RuntimeName, RuntimeMeasure, EvalPoint, EvalOptions, ExportedFacts, OriginalMeasure } from '../core/eval/types';
export { RUNNER_NAMES } from '../core/eval/types';
export { ortTimeRatio, ortTooFew, ALTERNATION_TEXT, TOO_FEW_TEXT, EXPORTED_ORT_LABEL } from '../core/eval/original';
export type { TensorStatistics } from '../core/stats/tensor-stats';
export { DEFAULT_RATIOS, parseRatioList, uniqueSorted } from '../core/eval/ratios';
export { sweepCsv, SWEEP_CSV_COLUMNS, type SweepCsvContext } from '../core/dump/sweep-csv';
// issue 16: node errors
import type { NodeErrorReport } from '../core/eval/node-error-types';
export type { NodeErrorReport, NodeError, ValueError } from '../core/eval/node-error-types';
export { DEFAULT_NODE_ERROR_SAMPLES } from '../core/eval/node-error-types';
// issue 16: sensitivity
export { SENSITIVITY_RATIOS } from '../core/prune/sensitivity-report';
export type { SensitivityPoint, SensitivityCurve, SensitivityResult, SensitivityReport, AllocationComparison, Allocation, AllocationRow } from '../core/prune/sensitivity-report';
import type { WeightRow } from '../core/analysis';
import type { NodeMetricsReport } from '../core/analysis/node-metrics';
// issue 16: metrics
export type { NodeMetrics, NodeMetricsReport, MetricsTotals } from '../core/analysis/node-metrics';
export { parseNodeQuery, matchesQuery, needsMetrics, QUERY_METRICS, type QueryTerm, type ParsedQuery, type QueryNode, type MetricName } from '../core/analysis/node-query';
import type { DatasetPreview } from '../core/data/preview';
import type { ImageNormalization } from '../core/data/normalize';
export type { DatasetPreview, PreviewSample } from '../core/data/preview';
export { parseNormalization, describeNormalization, type ImageNormalization } from '../core/data/normalize';
export { bundledDigitsMisfit } from '../core/data/digits-fit';
// issue 16: diff
export type { ModelDiff, DiffSummary, NodeDiff, NodeRef, TensorDiff, ValueDiff, MatchHow } from '../core/diff/types';
export { DEFAULT_DIFF_BINS, MAX_DIFF_BINS } from '../core/diff/types';

// ---------------------------------------------------------------- shared value types

/** Where a model or dataset comes from. Paths only ever come from a user's dialog or drop. */
export type Source =
  | { kind: 'path'; path: string }
  | { kind: 'bytes'; name: string; bytes: ArrayBuffer; dataFiles?: { name: string; file: Blob }[] }
  | { kind: 'sample' };

/**
 * A labelled dataset: a pair of IDX files (images, labels), one text file, or the bundled MNIST
 * digits (split 'test' by default: 2,000 digits; 'train': the 8,000 digits the sample model was
 * trained on, disjoint from the test split, for calibration and fine-tuning).
 */
export type DatasetSource =
  | { kind: 'sample'; split?: 'train' | 'test' }
  /** An IDX pair, a text file, an .npy pair or one .npz (told apart by their content). */
  | { kind: 'paths'; paths: string[] }
  | { kind: 'bytes'; files: { name: string; bytes: ArrayBuffer }[] }
  /**
   * A folder of PNG / JPEG images, one subfolder per class, read by the engine (desktop, CLI) and
   * brought to the model input's channels and H × W; `normalize` defaults to 0..1.
   */
  | { kind: 'folder'; path: string; normalize?: ImageNormalization }
  /** The same folder picked in a browser: its files named by their path below `root` ("cat/1.png"). */
  | { kind: 'folderFiles'; root: string; files: { name: string; bytes: ArrayBuffer }[]; normalize?: ImageNormalization };

/** A prune request; its datasets are named by DatasetSource. */
export type PruneSpec = CorePruneSpec<DatasetSource>;

/** One pruned tensor: the display fields of core's plan for it. */
export type LayerPruneReport = Pick<LayerPlan, 'tensor' | 'nodes' | 'dims' | 'n' | 'kept' | 'ratio' | 'threshold' | 'structure' | 'removedChannels' | 'keptDims'>;

export interface PruneReport {
  layers: LayerPruneReport[];
  /** Canonical structure text when not unstructured (core/prune/structure.ts). */
  structure?: string;
  /** channels: every tensor whose shape changes (the pruned weights and those that follow them). */
  shapeChanges?: ShapeChange[];
  /** channels: readers of a shared constant that read their own copy of it in the pruned model. */
  copies?: TensorCopy[];
  /** What the plan left out and why, one sentence each (channels: groups kept whole). */
  notes?: string[];
  totalParams: number;
  prunableParams: number;
  keptParams: number;
  /** Estimated sizes in bytes of the exported file: zeroed in place, and as sparse initializers. */
  denseBytes: number;
  sparseBytes: number;
  /** prunePreview: whether each method can prune this selection, and if not why. */
  methods?: MethodAvailability;
  /** prunePreview: why the structure cannot prune this selection (then no layer is listed). */
  refused?: string;
}

export interface ValueSummary {
  name: string;
  elemType?: DataTypeCode;
  shape?: Dim[];
  /** Human-readable type, e.g. float32[N,1,28,28]. */
  type: string;
}

export interface AttributeSummary {
  name: string;
  type: string;
  /** Short display string; tensors and graphs are summarized. */
  value: string;
}

/**
 * An initializer's facts (core's). `zeros` is null when not counted: the engine's 'open' leaves
 * counting to 'stats' (a count reads every weight, which on a large model costs as much again as
 * the decode).
 */
export type InitializerSummary = TensorFacts;

export interface NodeSummary {
  /** Stable id within its graph: the node index. */
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeSummary[];
  /** Subgraphs held by attributes (If branches, Loop / Scan bodies). */
  subgraphs: { attribute: string; graph: GraphSummary }[];
}

export interface GraphSummary {
  name: string;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** value_info plus initializer shapes: every tensor whose type is known. */
  values: ValueSummary[];
  nodes: NodeSummary[];
  /** Initializers of this graph (the weights a node uses appear as its inputs). */
  initializers: InitializerSummary[];
}

export interface ModelSummary {
  modelId: number;
  fileName: string;
  fileBytes: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  metadata: { key: string; value: string }[];
  graph: GraphSummary;
  /** Node count per op type, over the main graph and every subgraph. */
  opCounts: Record<string, number>;
  nodeCount: number;
  paramCount: number;
  /** Tensors selected for pruning by default (Conv, Gemm and MatMul weights; see core/prune/prunable.ts). */
  defaultPrunable: string[];
  /** Every prunable tensor of the main graph (weights of Conv, ConvTranspose, Gemm, MatMul), in graph order. */
  prunable: PrunableTensor[];
  /** Whether each method can prune the default selection, and if not why (prunePreview answers it for other selections). */
  methods: MethodAvailability;
  /** Ops the runtime cannot execute (empty when Prunescope's runtime can run it). */
  unsupportedOps: string[];
  /** The weight table, when 'open' asked for it (`weights`). */
  weights?: WeightSummary[];
}

/** Which weights a weight table lists and whether their zeros are counted. */
export interface WeightTableOptions {
  /** Constant-node tensors smaller than this (in elements) are left out (default 1: all). */
  minConstantParams?: number;
  /** Count every weight's zeros (default true; reads every weight). */
  zeros?: boolean;
}

/**
 * One stored weight (initializer, sparse initializer or Constant tensor, of the main graph or a
 * subgraph) with its shape, type, parameters, zeros, sparsity and where it lives.
 */
export type WeightSummary = WeightRow;

/** A weight of any graph: its graph path as the weight table gives it ('' = main graph) and name. */
export interface WeightRef {
  graph: string;
  name: string;
}

/**
 * Whether a runtime can run the open (unpruned) model, found out before anything is evaluated:
 * Prunescope's runtimes by planning it, onnxruntime by loading it. `label` says which runtime it is
 * (e.g. onnxruntime-web and its threads); `unavailable` is the reason in words when it cannot.
 */
export interface RuntimeStatus {
  runtime: RunnerNameOf;
  label: string;
  unavailable?: string;
}

export interface DatasetSummary {
  name: string;
  samples: number;
  sampleShape: number[];
  classes: number;
  /** What was done to the stored values (uint8 scaled by 1/255, images resized and normalised); absent: used as stored. */
  conversion?: string;
  /** Class names by label (image folders). */
  classNames?: string[];
  /** The .npz arrays the samples and labels were taken from. */
  arrays?: { samples: string; labels: string };
  /** The first samples as small pictures (with `preview: true` in the request). */
  preview?: DatasetPreview;
  /** A language-model test set (token ids, no labels): "64 sequences × 32 tokens, vocabulary 75 from the model". */
  tokens?: string;
  /** What the model's other inputs are fed beside the samples (checked against a model): "attention_mask: all ones (…)". */
  fed?: string;
}

// ---------------------------------------------------------------- requests

export type Request =
  /** `weights`: also answer with the model's weight table (ModelSummary.weights). */
  | { id: number; type: 'open'; source: Source; weights?: WeightTableOptions }
  | { id: number; type: 'close'; modelId: number }
  /**
   * Statistics of the named tensors of the main graph (default: its initializers), or of
   * `weights`: weights of any graph as the weight table names them (sparse ones as dense values).
   */
  | { id: number; type: 'stats'; modelId: number; tensors?: string[]; weights?: WeightRef[]; bins?: number }
  | { id: number; type: 'prunePreview'; modelId: number; spec: PruneSpec }
  /**
   * Runs a (possibly slow) pruning method with progress and cancel and keeps the pruned model in
   * the engine, so evaluate / export / dumps with an equal spec reuse it instead of recomputing.
   */
  | { id: number; type: 'prune'; modelId: number; spec: PruneSpec }
  /**
   * Describes a dataset. `modelId`: the model it is for (an image folder is resized to its input,
   * and the dataset is checked against it: a misfit is a 'bad-dataset' error); `preview`: also
   * answer with the first samples as pictures.
   */
  | { id: number; type: 'dataset'; source: DatasetSource; modelId?: number; preview?: boolean }
  /** Which runtimes can run the open model, and why not (before Run). */
  | { id: number; type: 'runtimes'; modelId: number }
  | {
      id: number;
      type: 'evaluate';
      modelId: number;
      spec: PruneSpec;
      dataset: DatasetSource;
      options?: EvalOptions;
    }
  | {
      id: number;
      type: 'sweep';
      modelId: number;
      spec: Omit<PruneSpec, 'ratio'>;
      ratios: number[];
      /** Sweep each of these methods over the ratios (one curve each); default [spec.method]. */
      methods?: PruneMethod[];
      dataset: DatasetSource;
      options?: EvalOptions;
    }
  | {
      id: number;
      type: 'export';
      modelId: number;
      spec: PruneSpec;
      format: 'dense' | 'sparse';
      /** A path to write atomically, or undefined to get the bytes back. */
      path?: string;
      /** With `path`: every initializer of 1 KB or more in a data file beside it (always so for a model opened with external data). */
      externalData?: boolean;
    }
  | { id: number; type: 'dumpJson'; modelId: number; path?: string }
  | { id: number; type: 'dumpMatrix'; modelId: number; tensor: string; spec?: PruneSpec }
  /**
   * Every main-graph initializer and Constant tensor as a text matrix in `dir`; with `weights`, the
   * real-valued weights of the weight table instead (every graph, sparse ones as dense matrices).
   */
  | { id: number; type: 'dumpMatrices'; modelId: number; dir: string; spec?: PruneSpec; weights?: Pick<WeightTableOptions, 'minConstantParams'> }
  | { id: number; type: 'cancel'; target: number }
  // issue 16: node errors
  /**
   * Every node's output error of a pruned model against the open model `modelId` (per node index
   * of its main graph): the pruned model is `prunedModelId` (a second open model) or, without it,
   * the open model pruned by `spec` (through the method cache). `samples`: the first N of the
   * dataset (default DEFAULT_NODE_ERROR_SAMPLES).
   */
  | { id: number; type: 'nodeErrors'; modelId: number; spec?: PruneSpec; prunedModelId?: number; dataset: DatasetSource; samples?: number }
  // issue 16: report
  /**
   * A shareable HTML report of the model (summary, graph, MACs and parameters per node, each
   * weight's histogram) and, with `dataset`, a sweep of `spec` over `ratios` (default: a short list).
   * `path`: written atomically there; else the HTML is answered. `compareModelId`: a second open
   * model, diffed against this one (and, with `errors`, its per-node error against this one on
   * `dataset`). `sensitivity` (needs `dataset`): a sensitivity analysis, with an allocation when
   * `allocate` is set. `errors` (needs `dataset`): per-node error of the compared model, or without
   * one, of this model pruned by `spec` at `errors.ratio` (default REPORT_ERRORS_RATIO). `given`:
   * results the app already has (a sweep, a sensitivity analysis), put in as they are, not re-run.
   * `sweep: false`: no sweep even with a dataset (default: a sweep whenever a dataset is given).
   */
  | { id: number; type: 'report'; modelId: number; path?: string; dataset?: DatasetSource; ratios?: number[]; spec?: Omit<PruneSpec, 'ratio'>; options?: EvalOptions; compareModelId?: number; tool?: string; sweep?: boolean; sensitivity?: ReportSensitivityOptions; errors?: ReportErrorsOptions; given?: ReportGiven }
  // issue 16: diff
  /** What differs between two open models (A = modelA, B = modelB); `bins` of the changed tensors' histograms (default 32; 0: none). */
  | { id: number; type: 'diff'; modelA: number; modelB: number; bins?: number }
  // issue 16: metrics
  /**
   * Per-node metrics of the main graph (params, zeros, sparsity, bytes, MACs at batch 1) and the
   * model's totals; with `spec`, of the model that spec prunes. `cachedOnly`: a data-aware method's
   * result only when a 'prune' already computed it (else the answer is null), never a slow run.
   */
  | { id: number; type: 'nodeMetrics'; modelId: number; spec?: PruneSpec; cachedOnly?: boolean }
  // issue 16: sensitivity
  /**
   * For every selected tensor (default: the default prunable selection) and each ratio (default
   * SENSITIVITY_RATIOS), accuracy and loss with only that tensor pruned (per layer, in `structure`);
   * each point is sent as progress. `allocate`: also per-layer ratios reaching that overall
   * sparsity, compared on the same samples with uniform per-layer and global magnitude pruning.
   */
  | { id: number; type: 'sensitivity'; modelId: number; dataset: DatasetSource; ratios?: number[]; select?: string[]; structure?: string; limit?: number; allocate?: number }
  /**
   * Per-layer ratios reaching `target` overall sparsity from the curves of a finished sensitivity
   * analysis (`result` as that request answered it; nothing is measured again, so it answers at
   * once, with `comparison` empty). With `dataset` (the analysis' own): also the allocated, uniform
   * per-layer and global prunings measured on `result.samples` of its samples.
   */
  | { id: number; type: 'allocate'; modelId: number; result: SensitivityResult; target: number; dataset?: DatasetSource };

export type RequestType = Request['type'];

/** What each request resolves to. */
export interface ResultMap {
  open: ModelSummary;
  close: null;
  stats: TensorStatistics[];
  prunePreview: PruneReport;
  prune: PruneReport;
  dataset: DatasetSummary;
  runtimes: RuntimeStatus[];
  evaluate: EvalPoint;
  sweep: EvalPoint[];
  /** `externalData`: the data file written beside `path` (a model whose weights were in external files, streamed). */
  export: { path?: string; bytes?: ArrayBuffer; report: PruneReport; externalData?: string };
  /** `bytes`: the size of the JSON written to `path`. */
  dumpJson: { path?: string; text?: string; bytes?: number };
  dumpMatrix: { text: string; rows: number; cols: number };
  /** `values`: matrix elements written; `skipped`: weights left out (not real numbers). */
  dumpMatrices: { dir: string; files: string[]; values: number; skipped: string[] };
  cancel: null;
  // issue 16: node errors
  nodeErrors: NodeErrorReport;
  // issue 16: report
  /** `html` when no path was given; `sections`: the titles of the sections the report holds. */
  report: { path?: string; html?: string; bytes: number; sections: string[] };
  // issue 16: diff
  diff: ModelDiff;
  // issue 16: metrics
  nodeMetrics: NodeMetricsReport | null;
  // issue 16: sensitivity
  sensitivity: SensitivityReport;
  allocate: NonNullable<SensitivityReport['allocation']>;
}

// ---------------------------------------------------------------- responses

export interface Progress {
  done: number;
  total: number;
  message: string;
  /** A sweep reports each finished point as it completes. */
  point?: EvalPoint;
  // issue 16: sensitivity
  /** A sensitivity analysis reports each finished point (curve index, tensor) as it completes. */
  sensitivity?: { curve: number; tensor: string; point: SensitivityPoint };
}

export type ErrorCode =
  | 'bad-request'
  | 'not-found'
  | 'bad-model'
  | 'bad-dataset'
  | 'unsupported'
  | 'io'
  | 'cancelled'
  | 'internal';

export interface EngineError {
  code: ErrorCode;
  message: string;
  /** The file the error is about, when there is one. */
  file?: string;
}

export type Response =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: EngineError };

/** Sent once by an engine when it is ready to serve. */
export interface ReadyMessage {
  type: 'ready';
  id: -1;
}

/**
 * Messages from Electron main to the engine over the utility process's parent port (never from
 * the renderer): main allows the paths the user picked in a dialog or dropped on the window.
 * A desktop engine refuses every other path. Node/CLI/test engines are started unrestricted.
 */
export type ControlMessage =
  | { type: 'allow'; paths: string[]; write?: boolean }
  | { type: 'port' };

// ---------------------------------------------------------------- issue 16: report

/** The version of the ReportData layout (bumped when a field changes meaning). */
export const REPORT_FORMAT = 2;

/** The sensitivity section of a report: the analysis's ratios (default SENSITIVITY_RATIOS), samples, allocation target. */
export interface ReportSensitivityOptions {
  ratios?: number[];
  limit?: number;
  allocate?: number;
}

/** The node-error section of a report: the ratio of the spec when no model is compared, and the samples. */
export interface ReportErrorsOptions {
  ratio?: number;
  samples?: number;
}

/** Results the caller already has, written into the report as they are. */
export interface ReportGiven {
  sweep?: { dataset: string; samples: number; points: EvalPoint[] };
  sensitivity?: { dataset: string; result: SensitivityReport };
}

/** A report's per-node error: of `pruned` against `original` on `samples` of `dataset`. */
export interface ReportNodeErrors {
  original: string;
  pruned: string;
  dataset: string;
  report: NodeErrorReport;
}

/** Everything a report file holds, as JSON in its <script type="application/json" id="prunescope-report">. */
export interface ReportData {
  format: typeof REPORT_FORMAT;
  /** The tool that wrote it, e.g. "prunescope 0.1.0". */
  tool: string;
  /** ISO 8601 time it was written. */
  created: string;
  model: ModelSummary;
  /** Per-node metrics of the main graph (core/analysis/node-metrics.ts: parameters, zeros, bytes, MACs at batch 1). */
  metrics: NodeMetricsReport;
  /** Each weight's statistics and histogram (bounded bins). */
  histograms: TensorStatistics[];
  /** The accuracy and time sweep, when a dataset was given. */
  sweep?: { dataset: string; samples: number; points: EvalPoint[] };
  /** Per-tensor sensitivity (accuracy when only that tensor is pruned) and the allocation if asked for. */
  sensitivity?: { dataset: string; result: SensitivityReport };
  /** What changed between this model (A) and another (B, `other`). */
  diff?: { other: string; diff: ModelDiff };
  /** Per-node output error of a pruned model against the original. */
  nodeErrors?: ReportNodeErrors;
  /** The optional sections this report does not hold, each with why (e.g. "not requested: give --compare OTHER"). */
  omitted: { section: string; why: string }[];
}
