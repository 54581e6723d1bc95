// What the engine host needs from where it runs (Node child process, Electron utility process,
// Web Worker, in-process CLI). Everything platform-specific is injected through this object.

import type { Model } from '../core/onnx/model';
import type { TensorBytes } from '../core/onnx/external';
import type { Runner } from '../core/eval';
import type { Stats } from '../core/stats';
import type { CompanionInput } from '../core/runtime/companion-inputs';

/** The model input an onnxruntime runner is fed: its name and the dims of one sample. */
export interface OrtInput {
  name: string;
  /** Dims of one sample (without the batch dim). */
  sampleDims: number[];
  /** The input takes int64 (token ids): the float samples are fed as integers. */
  int64?: boolean;
  /** The input takes int32 (token ids): the float samples are fed as integers. */
  int32?: boolean;
  /** The model's other inputs and what they are fed (core/runtime/companion-inputs.ts). */
  companions?: CompanionInput[];
  /** The input takes float16: the samples are rounded to it (a float16 output is read back as float32). */
  float16?: boolean;
}

export interface DisposableRunner extends Runner {
  dispose(): Promise<void> | void;
}

/** Makes an onnxruntime runner for a model's bytes (1 intra-op thread at batch 1, `threads` above). */
export type OrtRunnerFactory = (modelBytes: Uint8Array, input: OrtInput, options?: { threads?: number }) => Promise<DisposableRunner>;

/**
 * Large batches of one model run on several threads (the Node engine: worker threads over shared
 * memory; the browser: Web Workers where SharedArrayBuffer is available). One per request: a sweep
 * loads each point's model into the same threads.
 */
export interface ParallelRunner {
  /** Threads that run a large batch. */
  readonly workers: number;
  /** Builds this model (encoded bytes) on every thread, replacing the one they had; `sampleDims`: SessionOptions.sampleDims. */
  load(modelBytes: Uint8Array, sampleDims?: number[]): Promise<void>;
  /** Runs a large batch (samples back to back) on every thread, or on the first `use`. */
  runBatch(input: Float32Array, batch: number, use?: number): Promise<Float32Array>;
  /** These samples where the threads read them in place (shared memory); a copy made once per request. */
  share(images: Float32Array): Float32Array;
  dispose(): Promise<void>;
}

export interface LoadedModelFile {
  model: Model;
  bytes: Uint8Array;
  fileName: string;
  /** The external data, left unread (tensors keep `external`, no `data`), read tensor by tensor on demand. */
  external?: TensorBytes;
}

/** What an output write must respect: inputs never to overwrite, and the job's cancel. */
export interface OutputOptions {
  /** Input files never to write over (compared by identity where the platform can: device + inode). */
  protect?: readonly { path: string; what: string }[];
  /** Checked until the file is in place: once cancelled, nothing is written. */
  cancel?: { readonly cancelled: boolean };
}

/**
 * A model being written with external data: `append` adds a tensor's bytes to the data file (a
 * temporary file until `commit`) and says where they went; `commit` writes the .onnx and puts both
 * files in place; `abort` removes everything written so far.
 */
export interface ExternalWriter {
  /** The data file's name beside the model, as the .onnx refers to it. */
  readonly location: string;
  append(bytes: Uint8Array): Promise<{ offset: number; length: number }>;
  commit(modelBytes: Uint8Array): Promise<void>;
  abort(): Promise<void>;
}

export interface EnginePlatform {
  readFile(path: string): Promise<Uint8Array>;
  writeFileAtomic(path: string, data: Uint8Array | string, options?: OutputOptions): Promise<void>;
  /**
   * Writes text given in pieces atomically, without joining them (a matrix dump can be larger than
   * one string may be); absent: the pieces are joined and written with writeFileAtomic.
   */
  writeTextAtomic?(path: string, pieces: Iterable<string>, options?: OutputOptions): Promise<void>;
  /**
   * Reads and decodes a model file; its external data is either read too or left unread behind
   * `external` (the Node engine). Default: readFile + decodeModel.
   */
  loadModel?(path: string): Promise<LoadedModelFile>;
  /**
   * The entries of a folder and of its subfolders, one level down ("cat", "cat/1.png"), for image
   * folders; absent where folders cannot be listed (the browser: its picker sends the files).
   */
  listFolder?(path: string): Promise<{ path: string; kind: 'file' | 'dir' }[]>;
  /** The bundled sample model's bytes. */
  sample(): Promise<Uint8Array>;
  /**
   * The bundled MNIST files of a split (an IDX images + labels pair): 'test' (default, 2,000 digits)
   * or 'train' (the 8,000 digits the sample model was trained on, for calibration and fine-tuning).
   */
  sampleDataset(split?: 'train' | 'test'): Promise<{ name: string; bytes: Uint8Array }[]>;
  ort?: OrtRunnerFactory;
  /** Which onnxruntime `ort` is and on how many threads (e.g. "onnxruntime-web 1.30 (WebAssembly, 1 thread…)"). */
  ortLabel?: string;
  /** Milliseconds (performance.now). */
  now(): number;
  /** Path policy: may this path be read (write=false) or written (write=true)? */
  allow(path: string, write: boolean): boolean;
  /** True when two paths name the same file (default: string equality). */
  samePath?(a: string, b: string): boolean;
  /** A file inside a folder (default: joined with '/'). */
  joinPath?(dir: string, name: string): string;
  /** Creates a folder (and its parents) if missing; absent where folders cannot be written. */
  makeDir?(dir: string): Promise<void>;
  /** Lets other messages through (a macrotask); default setTimeout 0. */
  yieldNow?(): Promise<void>;
  /**
   * Statistics of a float32 tensor counted on other threads (the Node engine: worker threads that
   * read the shared model bytes), or undefined when this tensor is counted in this thread (small,
   * not in shared memory, no workers here).
   */
  parallelStats?(values: Float32Array, bins: number | undefined): Promise<Stats> | undefined;
  /**
   * How many threads run a large batch when `requested` (the request's EvalOptions.workers) is
   * undefined or not: the platform's default and its own setting; throws a one-line message when
   * that setting is bad. Absent: one thread.
   */
  parallelWorkers?(requested?: number): number;
  /** Starts `workers` (≥ 2) threads for large batches; absent or undefined where there are none. */
  parallelRunner?(workers: number, label: string): ParallelRunner | undefined;
  /**
   * Bytes of tensor data a request may load into memory at once (a model with external data loaded
   * whole for evaluate, the runtime, finetune…); absent: no limit.
   */
  memoryLimit?(): number;
  /** Writes a model with its tensors in an external data file beside it, tensor by tensor (stream-export.ts). */
  externalWriter?(target: string, options: OutputOptions): Promise<ExternalWriter>;
  /** The file name of a path for messages (default: after the last / or \). */
  baseName?(path: string): string;
  // issue 16: report
  /** The report viewer script (out/report/viewer.js, built by vite.report.config.ts); absent where there is none. */
  reportViewer?(): Promise<string>;
}

export function baseNameOf(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}
