// Messages between a BatchPool (the engine's thread) and its workers (session-worker.ts, started as
// worker threads in Node and Web Workers in the browser). Inputs and outputs travel in
// SharedArrayBuffers: one message per worker and run, never one per sample.

export type Kernels = 'dense' | 'sparse';

/** Main → worker: the model's encoded bytes and how to build its Session (again to load another model). */
export interface InitMessage {
  type: 'init';
  id: number;
  bytes: Uint8Array;
  kernels: Kernels;
  label: string;
  sparseMinSparsity?: number;
  wasm?: boolean;
  /** SessionOptions.sampleDims: one sample's dims where the model's input leaves them symbolic. */
  sampleDims?: number[];
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
  /**
   * Work sharing (with `output`): every worker of the run takes chunks of `chunk` samples from the
   * shared counter (an Int32 at index 0: the next sample, counted from `start`) until `count` are
   * taken, so a worker on a busy or slower core simply takes fewer chunks.
   */
  counter?: SharedArrayBuffer;
  chunk?: number;
}

export type ToWorker = InitMessage | RunMessage;

/** Worker → main: the Session of init `id` is built. */
export interface ReadyMessage {
  type: 'ready';
  id: number;
}

/** Worker → main: a shard is done; `data` is set (transferred) when the run had no output buffer. */
export interface DoneMessage {
  type: 'done';
  id: number;
  outputPerSample: number;
  data?: Float32Array;
  /** Samples this worker ran. */
  samples: number;
}

export interface FailMessage {
  type: 'error';
  /** Undefined for a failure outside any message. */
  id?: number;
  message: string;
}

export type FromWorker = ReadyMessage | DoneMessage | FailMessage;
