// EngineHost: the platform-neutral job host. It validates each request, runs its handler as a job
// (several may run at once, interleaved at their yields), sends progress and exactly one result or
// error per request, and cancels a job when asked.

import { CancelSource } from '../core/eval';
import { DatasetCache, ModelStore, type HandlerTable, type JobContext } from './context';
import { toEngineError } from './errors';
import { handlers as defaultHandlers } from './handlers';
import { residentFor } from './external-load';
import { PrunedCache } from './methods/cache';
import type { EnginePlatform } from './platform';
import type { Request, Response } from './protocol';
import { requestId, validateRequest } from './validate';

/** Sends one message back to the requester; `transfer` lists buffers that may be moved instead of copied. */
export type Send = (message: Response, transfer?: ArrayBuffer[]) => void;

interface Job {
  cancel: CancelSource;
  type: Request['type'];
}

function defaultYield(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class EngineHost {
  readonly models = new ModelStore();
  readonly datasets = new DatasetCache();
  readonly pruned = new PrunedCache();
  /** Running jobs per connection (identified by its send function), by request id. */
  private readonly jobs = new Map<Send, Map<number, Job>>();

  constructor(
    readonly platform: EnginePlatform,
    private readonly table: HandlerTable = defaultHandlers,
  ) {}

  /** Number of running jobs over all connections. */
  get running(): number {
    let n = 0;
    for (const m of this.jobs.values()) n += m.size;
    return n;
  }

  /** Handles one incoming message (anything: it is validated). Never throws. */
  handle(message: unknown, send: Send): void {
    let request: Request;
    try {
      request = validateRequest(message);
    } catch (e) {
      safeSend(send, { id: requestId(message), type: 'error', error: toEngineError(e) });
      return;
    }
    if (request.type === 'cancel') {
      this.jobs.get(send)?.get(request.target)?.cancel.cancel();
      safeSend(send, { id: request.id, type: 'result', value: null });
      return;
    }
    void this.run(request, send);
  }

  /** Cancels every job of a connection (its link closed). */
  disconnect(send: Send): void {
    const m = this.jobs.get(send);
    if (m) for (const job of m.values()) job.cancel.cancel();
    this.jobs.delete(send);
  }

  private async run(request: Exclude<Request, { type: 'cancel' }>, send: Send): Promise<void> {
    let perConn = this.jobs.get(send);
    if (!perConn) {
      perConn = new Map();
      this.jobs.set(send, perConn);
    }
    if (perConn.has(request.id)) {
      safeSend(send, { id: request.id, type: 'error', error: { code: 'bad-request', message: `request id ${request.id} is already running` } });
      return;
    }
    const cancel = new CancelSource();
    perConn.set(request.id, { cancel, type: request.type });
    const ctx: JobContext = {
      platform: this.platform,
      models: this.models,
      datasets: this.datasets,
      pruned: this.pruned,
      cancel,
      transfer: [],
      yieldNow: this.platform.yieldNow ?? defaultYield,
      progress: (progress) => {
        if (!cancel.cancelled) safeSend(send, { id: request.id, type: 'progress', progress });
      },
    };
    try {
      const handler = this.table[request.type] as (r: typeof request, c: JobContext) => Promise<unknown>;
      await residentFor(ctx, request);
      const value = await handler(request, ctx);
      if (cancel.cancelled && request.type !== 'close' && request.type !== 'open') {
        safeSend(send, { id: request.id, type: 'error', error: { code: 'cancelled', message: 'cancelled' } });
      } else {
        safeSend(send, { id: request.id, type: 'result', value: value ?? null }, ctx.transfer);
      }
    } catch (e) {
      safeSend(send, { id: request.id, type: 'error', error: toEngineError(e) });
    } finally {
      perConn.delete(request.id);
      if (perConn.size === 0 && this.jobs.get(send) === perConn) this.jobs.delete(send);
    }
  }
}

function safeSend(send: Send, message: Response, transfer?: ArrayBuffer[]): void {
  try {
    send(message, transfer && transfer.length > 0 ? transfer : undefined);
  } catch {
    // The requester is gone; nothing to tell.
  }
}
