// A small client for the engine message protocol (src/engine/protocol.ts) over any link that can
// post requests and deliver responses: the desktop preload's MessagePort or a browser Web Worker.
// Kept in the renderer so the UI depends only on the protocol contract.

import type {
  EngineError,
  Progress,
  ReadyMessage,
  Request,
  Response,
  ResultMap,
} from '../engine/protocol';

export interface EngineLinkPort {
  post(request: Request): void;
  onMessage(listener: (message: Response | ReadyMessage) => void): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as the UI writes it: the client assigns the id. */
export type RequestBody = DistributiveOmit<Request, 'id'>;

/** The error a request rejects with: an Error that also carries the engine's code and file. */
export class EngineRequestError extends Error implements EngineError {
  readonly code: EngineError['code'];
  readonly file?: string;
  constructor(error: EngineError) {
    super(error.message);
    this.name = 'EngineRequestError';
    this.code = error.code;
    this.file = error.file;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
}

export class RendererEngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readyListeners: (() => void)[] = [];
  private activityListeners: ((busy: number) => void)[] = [];
  ready = false;

  constructor(private readonly port: EngineLinkPort) {
    port.onMessage((message) => this.receive(message));
  }

  request<B extends RequestBody>(
    request: B,
    options: { onProgress?: (progress: Progress) => void } = {},
  ): { id: number; promise: Promise<ResultMap[B['type']]> } {
    const id = this.nextId++;
    const promise = new Promise<ResultMap[B['type']]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
    });
    this.emitActivity();
    try {
      this.port.post({ ...request, id } as Request);
    } catch (error) {
      this.settle(id, (p) => p.reject(error instanceof Error ? error : new Error(String(error))));
    }
    return { id, promise };
  }

  /** Shorthand: the promise of a request. */
  call<B extends RequestBody>(request: B, onProgress?: (progress: Progress) => void): Promise<ResultMap[B['type']]> {
    return this.request(request, { onProgress }).promise;
  }

  cancel(target: number): void {
    if (!this.pending.has(target)) return;
    this.port.post({ id: this.nextId++, type: 'cancel', target });
  }

  /** The link died: every pending request fails with the reason. */
  linkClosed(reason: string): void {
    this.ready = false;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, (p) => p.reject(new EngineRequestError({ code: 'internal', message: reason })));
    }
  }

  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  /** Called with the number of requests in flight whenever it changes. */
  onActivity(listener: (busy: number) => void): void {
    this.activityListeners.push(listener);
  }

  get busy(): number {
    return this.pending.size;
  }

  private receive(message: Response | ReadyMessage): void {
    if (message.type === 'ready') {
      this.ready = true;
      for (const listener of this.readyListeners) listener();
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (message.type === 'progress') {
      entry.onProgress?.(message.progress);
    } else if (message.type === 'result') {
      this.settle(message.id, (p) => p.resolve(message.value));
    } else if (message.type === 'error') {
      this.settle(message.id, (p) => p.reject(new EngineRequestError(message.error)));
    }
  }

  private settle(id: number, action: (pending: Pending) => void): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    action(entry);
    this.emitActivity();
  }

  private emitActivity(): void {
    for (const listener of this.activityListeners) listener(this.pending.size);
  }
}
