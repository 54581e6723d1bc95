// What a request handler gets: the platform, the open models, dataset cache, progress and cancel.

import type { CancelToken } from '../core/eval';
import type { Dataset } from '../core/data';
import type { Model } from '../core/onnx/model';
import type { TensorBytes } from '../core/onnx/external';
import type { PrunedCache } from './methods/cache';
import type { EnginePlatform } from './platform';
import type { Progress, Request, RequestType, ResultMap } from './protocol';

export interface OpenModel {
  modelId: number;
  model: Model;
  fileName: string;
  fileBytes: number;
  /** The path it was read from, if any (exports never write there). */
  path?: string;
  /** Its external data while not yet read into `model` (see external-load.ts). */
  external?: TensorBytes;
  /** The whole external data being read into `model` (one load for concurrent requests). */
  loading?: Promise<void>;
}

export class ModelStore {
  private nextId = 1;
  private readonly models = new Map<number, OpenModel>();

  add(entry: Omit<OpenModel, 'modelId'>): OpenModel {
    const open = { ...entry, modelId: this.nextId++ };
    this.models.set(open.modelId, open);
    return open;
  }

  get(modelId: number): OpenModel | undefined {
    return this.models.get(modelId);
  }

  delete(modelId: number): boolean {
    return this.models.delete(modelId);
  }

  get size(): number {
    return this.models.size;
  }
}

/** Keeps the last few parsed datasets so a sweep after an evaluate does not parse again. */
export class DatasetCache {
  private readonly entries: { key: string; dataset: Dataset }[] = [];
  constructor(private readonly capacity = 2) {}

  get(key: string): Dataset | undefined {
    return this.entries.find((e) => e.key === key)?.dataset;
  }

  put(key: string, dataset: Dataset): void {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.unshift({ key, dataset });
    this.entries.length = Math.min(this.entries.length, this.capacity);
  }
}

export interface JobContext {
  platform: EnginePlatform;
  models: ModelStore;
  datasets: DatasetCache;
  /** Models pruned by a slow method, reused by later requests with an equal spec. */
  pruned: PrunedCache;
  cancel: CancelToken;
  progress(progress: Progress): void;
  yieldNow(): Promise<void>;
  /** Buffers to transfer (not copy) with the result, where the link supports it. */
  transfer: ArrayBuffer[];
}

export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

export type Handler<T extends RequestType> = (request: RequestOf<T>, ctx: JobContext) => Promise<ResultMap[T]>;

export type HandlerTable = { [T in Exclude<RequestType, 'cancel'>]: Handler<T> };
