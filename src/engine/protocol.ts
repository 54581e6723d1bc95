// The one message protocol between a client (renderer, CLI, tests) and the engine (utility
// process, child process, Web Worker or in-process). Requests carry an id; the engine answers each
// with zero or more `progress` messages and then exactly one `result` or `error`. `cancel` names
// the id of a running request, which then ends with an error of code 'cancelled'.
// Types only: this file is imported by the renderer as well.

import type { Dim, DataTypeCode } from '../core/onnx/model';

// ---------------------------------------------------------------- shared value types

/** Where a model or dataset comes from. Paths only ever come from a user's dialog or drop. */
export type Source =
  | { kind: 'path'; path: string }
  | { kind: 'bytes'; name: string; bytes: ArrayBuffer }
  | { kind: 'sample' };

/**
 * A labelled dataset: a pair of IDX files (images, labels), one text file, or the bundled MNIST
 * digits (split 'test' by default: 2,000 digits; 'train': the 8,000 digits the sample model was
 * trained on, disjoint from the test split, for calibration and fine-tuning).
 */
export type DatasetSource =
  | { kind: 'sample'; split?: 'train' | 'test' }
  | { kind: 'paths'; paths: string[] }
  | { kind: 'bytes'; files: { name: string; bytes: ArrayBuffer }[] };

export type PruneMode = 'layer' | 'global';

/**
 * How the pruned weights are chosen and the kept ones updated:
 * - 'magnitude': the smallest |w| are removed, nothing else changes (default);
 * - 'reconstruct': one shot, layer by layer, each layer's mask and kept weights are chosen to keep
 *   its outputs on unlabelled calibration samples (`calibration`) — OBS / SparseGPT style;
 * - 'finetune': magnitude pruning, then the kept weights are trained on labelled data (`train`)
 *   while pruned weights stay exactly zero.
 */
export type PruneMethod = 'magnitude' | 'reconstruct' | 'finetune';

export interface PruneSpec {
  ratio: number;
  mode: PruneMode;
  /** Initializer names to prune; undefined = the default selection (Gemm / MatMul weights). */
  select?: string[];
  /** Per-initializer ratios that replace `ratio` for that tensor. */
  overrides?: Record<string, number>;
  /** Default 'magnitude'. */
  method?: PruneMethod;
  /** reconstruct: calibration samples (labels unused). Default: the bundled training split. */
  calibration?: DatasetSource;
  /** finetune: labelled training samples. Default: the bundled training split. */
  train?: DatasetSource;
  /** reconstruct: calibration samples used (default 1000); finetune: training samples used (default all). */
  dataLimit?: number;
  /** finetune: at most this many epochs (default chosen by the engine; early stopping may end sooner). */
  epochs?: number;
}

export interface LayerPruneReport {
  tensor: string;
  /** Node(s) using it, for display. */
  nodes: string[];
  dims: number[];
  n: number;
  kept: number;
  ratio: number;
  threshold: number;
}

export interface PruneReport {
  layers: LayerPruneReport[];
  totalParams: number;
  prunableParams: number;
  keptParams: number;
  /** Estimated sizes in bytes of the exported file: zeroed in place, and as sparse initializers. */
  denseBytes: number;
  sparseBytes: number;
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

export interface InitializerSummary {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  dtype: string;
  params: number;
  /**
   * Elements equal to zero; null when not counted: the engine's 'open' leaves counting to 'stats'
   * (a count reads every weight, which on a large model costs as much again as the decode).
   */
  zeros: number | null;
  external: boolean;
}

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
  /** Initializers selected for pruning by default (Gemm / MatMul weights). */
  defaultPrunable: string[];
  /** Ops the runtime cannot execute (empty when Prunescope's runtime can run it). */
  unsupportedOps: string[];
}

export interface TensorStatistics {
  name: string;
  dims: number[];
  dtype: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  nonFinite: number;
  absP50: number;
  absP90: number;
  absP99: number;
  histogram: { min: number; max: number; counts: number[] };
}

export type RuntimeName = 'sparse' | 'dense' | 'onnxruntime';

export interface RuntimeMeasure {
  runtime: RuntimeName;
  accuracy: number;
  /** Seconds for the whole set, one sample at a time. */
  batch1Seconds?: number;
  /** Samples per second at the large batch. */
  batchThroughput?: number;
  workers?: number; oneWorkerThroughput?: number; // as core's RuntimeMeasure (src/core/eval/types.ts)
  /** Set when this runtime could not run the model; the other fields are then absent. */
  unavailable?: string;
}

export interface EvalPoint {
  ratio: number;
  /** The pruning method of this point (absent = 'magnitude'). */
  method?: PruneMethod;
  sparsity: number;
  samples: number;
  results: RuntimeMeasure[];
}

export interface EvalOptions {
  runtimes?: RuntimeName[];
  /** Large-batch size (default 1000); 0 skips the batched measurement. */
  batch?: number;
  /** Measure batch-1 time (default true). */
  batch1?: boolean;
  /** Use at most this many samples of the dataset. */
  limit?: number;
  /** Threads for the large batch (sparse runtime's workers, onnxruntime's intra-op threads); default: the engine's. */
  workers?: number;
}

export interface DatasetSummary {
  name: string;
  samples: number;
  sampleShape: number[];
  classes: number;
}

// ---------------------------------------------------------------- requests

export type Request =
  | { id: number; type: 'open'; source: Source }
  | { id: number; type: 'close'; modelId: number }
  | { id: number; type: 'stats'; modelId: number; tensors?: string[]; bins?: number }
  | { id: number; type: 'prunePreview'; modelId: number; spec: PruneSpec }
  /**
   * Runs a (possibly slow) pruning method with progress and cancel and keeps the pruned model in
   * the engine, so evaluate / export / dumps with an equal spec reuse it instead of recomputing.
   */
  | { id: number; type: 'prune'; modelId: number; spec: PruneSpec }
  | { id: number; type: 'dataset'; source: DatasetSource }
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
    }
  | { id: number; type: 'dumpJson'; modelId: number; path?: string }
  | { id: number; type: 'dumpMatrix'; modelId: number; tensor: string; spec?: PruneSpec }
  | { id: number; type: 'dumpMatrices'; modelId: number; dir: string; spec?: PruneSpec }
  | { id: number; type: 'cancel'; target: number };

export type RequestType = Request['type'];

/** What each request resolves to. */
export interface ResultMap {
  open: ModelSummary;
  close: null;
  stats: TensorStatistics[];
  prunePreview: PruneReport;
  prune: PruneReport;
  dataset: DatasetSummary;
  evaluate: EvalPoint;
  sweep: EvalPoint[];
  export: { path?: string; bytes?: ArrayBuffer; report: PruneReport };
  dumpJson: { path?: string; text?: string };
  dumpMatrix: { text: string; rows: number; cols: number };
  dumpMatrices: { dir: string; files: string[] };
  cancel: null;
}

// ---------------------------------------------------------------- responses

export interface Progress {
  done: number;
  total: number;
  message: string;
  /** A sweep reports each finished point as it completes. */
  point?: EvalPoint;
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
