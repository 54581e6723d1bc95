// Value types of evaluation: the runtimes, their measures, a sweep's points and the settings. The
// engine protocol re-exports them (RunnerName as RuntimeName); they are defined here only.
import type { TokenIds } from '../data/token-ids';
import type { PruneMethod } from '../prune/method-registry';

export type RunnerName = 'sparse' | 'dense' | 'onnxruntime';

/** Every runtime, in the order results list them. */
export const RUNNER_NAMES: readonly RunnerName[] = Object.freeze(['sparse', 'dense', 'onnxruntime']);

/** Something that maps `batch` samples (back to back in `input`) to their outputs (back to back). */
export interface Runner {
  name: RunnerName;
  runBatch(input: Float32Array, batch: number): Promise<Float32Array> | Float32Array;
  /** Threads that run a large batch (worker threads, or onnxruntime's intra-op threads); default 1. Batch 1 runs on one. */
  workers?: number;
  /**
   * The same large batch on one of those workers: timed after the batch on all of them, for
   * reference (the speed-up of the workers measured in the same run). Only with workers > 1.
   */
  runBatchOneWorker?(input: Float32Array, batch: number): Promise<Float32Array> | Float32Array;
}

/** A runtime that cannot run this model: it is reported, never run. */
export interface UnavailableRunner {
  name: RunnerName;
  unavailable: string;
}

export type RunnerSlot = Runner | UnavailableRunner;

export function isAvailable(slot: RunnerSlot): slot is Runner {
  return !('unavailable' in slot);
}

/** The labelled samples evaluate needs (a structural subset of src/core/data's Dataset). */
export interface EvalData {
  name?: string;
  /** The file the samples come from, for messages. */
  file?: string;
  /** count × sampleSize values, back to back. */
  images: Float32Array;
  labels: Int32Array | ArrayLike<number>;
  count: number;
  sampleSize: number;
  /** The dims of one sample (fills an input's symbolic dims: a CNN exported with dynamic height and width). */
  sampleShape?: readonly number[];
  /** A language-model test set (token ids [N, T], no labels): evaluated by next-token loss and perplexity. */
  tokens?: TokenIds;
}

export interface RuntimeMeasure {
  runtime: RunnerName;
  accuracy: number;
  /** Seconds for the whole set, one sample at a time. */
  batch1Seconds?: number;
  /** Samples per second at the large batch. */
  batchThroughput?: number;
  /** Threads that ran the large batch (worker threads; onnxruntime's intra-op threads). */
  workers?: number;
  /** Samples per second at the large batch on one of those workers (measured in the same run, when workers > 1). */
  oneWorkerThroughput?: number;
  /** Language models (token-id test sets): next-token mean cross-entropy, natural log (accuracy is NaN then). */
  loss?: number;
  /** exp(loss). */
  perplexity?: number;
  unavailable?: string;
}

/**
 * The model a point exports, as a file: what onnxruntime runs (the pruned model encoded; for
 * channels, the smaller dense model).
 */
export interface ExportedFacts {
  /** Elements of every initializer, sparse initializer (stored values) and Constant value, in all graphs. */
  params: number;
  /** Those that are not zero. */
  nonzeroParams: number;
  /** Multiply-accumulates of the dense graph at batch 1 (core/analysis/macs.ts); a lower bound when macsUnknown > 0. */
  macs: number;
  /** Nodes of a counted op (Gemm, MatMul, Conv, ConvTranspose) whose MACs could not be derived. */
  macsUnknown?: number;
  /** Bytes of the dense export (zeros in place): the encoded file. */
  denseBytes: number;
  /** Bytes of the sparse export (the pruned tensors as COO sparse initializers): the encoded file. */
  sparseBytes: number;
}

/**
 * One side-by-side timing of the exported file and the unpruned model in onnxruntime (batch 1, or
 * the large batch): after an untimed warm-up of both, `rounds` rounds each timing two chunks of the
 * samples in the order original, exported, exported, original (core/eval/alternate.ts).
 */
export interface AlternatedTiming {
  /** Rounds timed. */
  rounds: number;
  /** Timed runs of each side in all rounds (batch 1: samples; large batch: batches). */
  runs: number;
  /** Samples each side ran in all rounds. */
  samples: number;
  /** Seconds of the unpruned model's timed runs, all rounds. */
  originalSeconds: number;
  /** Seconds of the exported file's timed runs, all rounds. */
  exportedSeconds: number;
  /** Median over the rounds of (exported file's time / unpruned model's time); absent when `tooFew`. */
  ratio?: number;
  /** Why no ratio is given: too few timed runs for a stable figure. */
  tooFew?: string;
}

/**
 * onnxruntime on the unpruned model (the open model as it is, one session kept open for the whole
 * request) timed in alternation with the point's exported file, with the same settings and threads:
 * what the exported file's onnxruntime time is set beside.
 */
export interface OriginalMeasure {
  batch1?: AlternatedTiming;
  /** The large batch (`batch` samples per run) on `workers` threads. */
  batch?: AlternatedTiming & { batch: number; workers: number };
  /** onnxruntime could not run the unpruned model (or is not available). */
  unavailable?: string;
}

export interface EvalPoint {
  ratio: number;
  /** The pruning method of this point (absent = 'magnitude'). */
  method?: PruneMethod;
  sparsity: number;
  samples: number;
  results: RuntimeMeasure[];
  /** The exported file of this point: parameters, MACs and sizes. */
  exported?: ExportedFacts;
  /** The exported file and the unpruned model timed in alternation in onnxruntime (when onnxruntime was measured). */
  original?: OriginalMeasure;
}

export interface EvalSettings {
  /** Large-batch size (default 1000); 0 skips the batched measurement. */
  batch?: number;
  /** Measure batch-1 time (default true). */
  batch1?: boolean;
  /** Use at most this many samples. */
  limit?: number;
}

/** What a client asks of an evaluation: the settings and which runtimes to measure (default all). */
export interface EvalOptions extends EvalSettings {
  runtimes?: RunnerName[];
  /** Threads for the large batch (sparse runtime's workers, onnxruntime's intra-op threads); default: the engine's. */
  workers?: number;
}

export interface EvalProgress {
  done: number;
  total: number;
  message: string;
  point?: EvalPoint;
}

/** Checked between samples; `cancelled` turns true when the job should stop. */
export interface CancelToken {
  readonly cancelled: boolean;
}

export interface EvalContext {
  /** Milliseconds from any fixed origin (performance.now in practice). */
  now(): number;
  onProgress?(progress: EvalProgress): void;
  cancel?: CancelToken;
  /** Lets the event loop run (a macrotask); awaited every `yieldEveryMs` of work. */
  yieldNow?(): Promise<void>;
  /** Default 50. */
  yieldEveryMs?: number;
  /** Minimum interval between progress reports inside a point, default 100 (≤ 250 required). */
  progressEveryMs?: number;
  /**
   * Awaited before each timed large batch of a runtime on several threads: lets threads still
   * spinning after the previous runtime (onnxruntime's intra-op threads) go idle, so neither side
   * pays for the other's leftovers.
   */
  settle?(): Promise<void>;
}
