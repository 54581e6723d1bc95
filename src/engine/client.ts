// EngineClient: the one requesting side of the engine protocol, over any message link (a Web
// Worker, the preload's MessagePort, a child process, an in-process host). Used by the renderer,
// the CLI, main's tests and the tests. Types and plain JS only.
//
// Two options cover what the callers differ in:
// - survivesRestart: the engine behind the link may die and be replaced while the link stays (the
//   desktop: main restarts a dead utility process and the preload connects the same link to the
//   new one). A closed link then rejects only the requests in flight; later requests go out again,
//   and `ready` waits for the new engine. Without it, a closed link closes the client for good.
// - onActivity: told the number of requests in flight whenever it changes (the status bar).

import type { EngineError, ErrorCode, Progress, ReadyMessage, Request, RequestType, Response, ResultMap } from './protocol';

/** A two-way message link. `onMessage` may return an unsubscribe function. */
export interface EngineLink {
  post(message: Request): void;
  onMessage(listener: (message: Response | ReadyMessage) => void): void | (() => void);
}

export interface EngineClientOptions {
  /** The link outlives the engine behind it (see above). Default false. */
  survivesRestart?: boolean;
  /** Called with the number of requests in flight whenever it changes. More with onActivity(). */
  onActivity?: (busy: number) => void;
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
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?(progress: Progress): void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly survivesRestart: boolean;
  private readonly activityListeners: ((busy: number) => void)[] = [];
  private readonly readyListeners: (() => void)[] = [];
  private readyNow = false;
  private readyResolve!: () => void;
  private readyPromise!: Promise<void>;

  constructor(
    private readonly link: EngineLink,
    options: EngineClientOptions = {},
  ) {
    this.survivesRestart = options.survivesRestart ?? false;
    if (options.onActivity) this.activityListeners.push(options.onActivity);
    this.waitForReady();
    const off = link.onMessage((m) => this.receive(m));
    if (typeof off === 'function') this.unsubscribe = off;
  }

  /** Resolves when the engine has sent its ReadyMessage (after a restart: the new engine's). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Whether the engine has said it is ready (and has not died since). */
  get isReady(): boolean {
    return this.readyNow;
  }

  /** Number of requests still waiting for their result. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Calls `listener` each time an engine says it is ready. */
  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  /** Calls `listener` with the number of requests in flight whenever it changes. */
  onActivity(listener: (busy: number) => void): void {
    this.activityListeners.push(listener);
  }

  request<B extends RequestBody>(body: B, options: RequestOptions = {}): PendingRequest<B['type']> {
    const id = this.nextId++;
    const promise = new Promise<ResultMap[B['type']]>((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(new EngineRequestError({ code: 'internal', message: this.closedReason }));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
    });
    if (!this.pending.has(id)) return { id, promise };
    this.emitActivity();
    try {
      this.link.post({ ...body, id } as Request);
    } catch (e) {
      const message = `could not send to the engine: ${e instanceof Error ? e.message : String(e)}`;
      this.settle(id, (p) => p.reject(new EngineRequestError({ code: 'internal', message })));
    }
    return { id, promise };
  }

  /** Shorthand: the promise of a request. */
  call<B extends RequestBody>(body: B, onProgress?: (progress: Progress) => void): Promise<ResultMap[B['type']]> {
    return this.request(body, { onProgress }).promise;
  }

  /** Asks the engine to stop request `id`; that request then rejects with code 'cancelled'. */
  cancel(id: number): void {
    if (!this.pending.has(id) || this.closedReason !== undefined) return;
    try {
      this.link.post({ id: this.nextId++, type: 'cancel', target: id });
    } catch {
      // The link is gone; linkClosed will reject everything.
    }
  }

  /**
   * The engine is gone (process died, port closed, worker failed): every request in flight rejects
   * with `reason`. Unless the client survives restarts, later requests reject with it too.
   */
  linkClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    if (this.survivesRestart) {
      if (this.readyNow) this.waitForReady();
    } else {
      this.closedReason = reason;
      this.unsubscribe?.();
    }
    this.readyNow = false;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, (p) => p.reject(new EngineRequestError({ code: 'internal', message: reason })));
    }
  }

  /** Feeds one message from the engine (the link listener; an in-process engine's ready). */
  receive(message: Response | ReadyMessage): void {
    if (message.type === 'ready') {
      this.readyNow = true;
      this.readyResolve();
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

  private waitForReady(): void {
    this.readyPromise = new Promise<void>((resolve) => (this.readyResolve = resolve));
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
