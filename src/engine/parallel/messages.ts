// Messages between a SessionPool (main thread) and its workers (worker-entry.ts). Inputs and outputs
// travel in SharedArrayBuffers: one message per shard, never one per sample.

export type Kernels = 'dense' | 'sparse';

/** Main → worker, once: the model's encoded bytes and how to build its Session. */
export interface InitMessage {
  type: 'init';
  bytes: Uint8Array;
  kernels: Kernels;
  label: string;
  sparseMinSparsity?: number;
  wasm?: boolean;
}

/** Main → worker: run samples [start, start + count) of `input` and write their outputs into `output`. */
export interface RunMessage {
  type: 'run';
  id: number;
  input: SharedArrayBuffer;
  /** Byte offset of sample 0 in `input`. */
  inputOffset: number;
  sampleSize: number;
  start: number;
  count: number;
  /** Where the outputs go, or undefined when the output size per sample is not known yet (first run). */
  output?: SharedArrayBuffer;
  outputPerSample?: number;
}

export type ToWorker = InitMessage | RunMessage;

export interface ReadyMessage {
  type: 'ready';
}

/** Worker → main: a shard is done; `data` is set (transferred) when the run had no output buffer. */
export interface DoneMessage {
  type: 'done';
  id: number;
  outputPerSample: number;
  data?: Float32Array;
}

export interface FailMessage {
  type: 'error';
  /** Undefined for an init failure. */
  id?: number;
  message: string;
}

export type FromWorker = ReadyMessage | DoneMessage | FailMessage;
