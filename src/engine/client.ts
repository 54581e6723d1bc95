// EngineClient: the requesting side of the engine protocol over any message link (a Worker, a
// MessagePort, a child process, or an in-process host). Types and plain JS only: usable from the
// renderer, the CLI, main and tests.

import type { EngineError, ErrorCode, Progress, ReadyMessage, Request, RequestType, Response, ResultMap } from './protocol';

/** A two-way message link. `onMessage` may return an unsubscribe function. */
export interface EngineLink {
  post(message: Request): void;
  onMessage(listener: (message: Response | ReadyMessage) => void): void | (() => void);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as the caller writes it: the client assigns the id. */
export type RequestBody<T extends RequestType = RequestType> = DistributiveOmit<Extract<Request, { type: T }>, 'id'>;

export interface RequestOptions {
  onProgress?(progress: Progress): void;
}

export interface PendingRequest<T extends RequestType> {
  id: number;
  promise: Promise<ResultMap[T]>;
}

/** The rejection of a request: an Error carrying the engine's error fields. */
export class EngineRequestError extends Error implements EngineError {
  readonly code: ErrorCode;
  readonly file?: string;
  constructor(error: EngineError) {
    super(error.message);
    this.name = 'EngineRequestError';
    this.code = error.code;
    if (error.file !== undefined) this.file = error.file;
  }
}

interface Pending {
  type: RequestType;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?(progress: Progress): void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;
  private readyResolve!: () => void;
  private unsubscribe: (() => void) | undefined;
  /** Resolves when the engine has sent its ReadyMessage. */
  readonly ready: Promise<void>;

  constructor(private readonly link: EngineLink) {
    this.ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
    const off = link.onMessage((m) => this.receive(m));
    if (typeof off === 'function') this.unsubscribe = off;
  }

  /** Number of requests still waiting for their result. */
  get pendingCount(): number {
    return this.pending.size;
  }

  request<B extends RequestBody>(body: B, options: RequestOptions = {}): PendingRequest<B['type']> {
    const id = this.nextId++;
    const promise = new Promise<ResultMap[B['type']]>((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(new EngineRequestError({ code: 'internal', message: this.closedReason }));
        return;
      }
      this.pending.set(id, {
        type: body.type,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress,
      });
      try {
        this.link.post({ ...body, id } as Request);
      } catch (e) {
        this.pending.delete(id);
        reject(new EngineRequestError({ code: 'internal', message: `could not send to the engine: ${(e as Error).message}` }));
      }
    });
    return { id, promise };
  }

  /** Asks the engine to stop request `id`; that request then rejects with code 'cancelled'. */
  cancel(id: number): void {
    if (!this.pending.has(id) || this.closedReason !== undefined) return;
    const cancelId = this.nextId++;
    try {
      this.link.post({ id: cancelId, type: 'cancel', target: id });
    } catch {
      // The link is gone; linkClosed will reject everything.
    }
  }

  /** The link is gone (process died, port closed): every pending request rejects with `reason`. */
  linkClosed(reason: string): void {
    this.closedReason = reason;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new EngineRequestError({ code: 'internal', message: reason }));
    this.unsubscribe?.();
  }

  /** Feeds one message from the engine (called by the link listener). */
  receive(message: Response | ReadyMessage): void {
    if (message.type === 'ready') {
      this.readyResolve();
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      p.onProgress?.(message.progress);
    } else if (message.type === 'result') {
      this.pending.delete(message.id);
      p.resolve(message.value);
    } else if (message.type === 'error') {
      this.pending.delete(message.id);
      p.reject(new EngineRequestError(message.error));
    }
  }
}
