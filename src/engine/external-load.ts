// A model opened with its external data unread (the Node engine): requests that need the whole
// model in memory (evaluate, the runtime, finetune, dumps, previews) read it all first, once,
// with progress and cancel, or refuse it when it is more than the platform's memory limit.

import { loadExternalData } from '../core/onnx/external';
import type { JobContext, OpenModel } from './context';
import { EngineFailure } from './errors';
import type { Request } from './protocol';

/** Requests that work on a model whose external data is unread (they read it tensor by tensor, or not at all). */
const STREAMING_REQUESTS: ReadonlySet<Request['type']> = new Set(['open', 'close', 'stats', 'export', 'prune', 'dataset', 'cancel']);

export function gigabytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GB` : `${(n / (1 << 20)).toFixed(1)} MB`;
}

/** Reads the model's external data into it (once, however many requests ask at the same time). */
export async function ensureResident(ctx: JobContext, open: OpenModel): Promise<void> {
  const external = open.external;
  if (external === undefined) return;
  const total = external.totalBytes;
  const limit = ctx.platform.memoryLimit?.();
  if (limit !== undefined && total > limit) {
    throw new EngineFailure(
      'unsupported',
      `${open.fileName}: this needs all ${gigabytes(total)} of its external data in memory, more than the ${gigabytes(limit)} this engine may load ` +
        '(statistics, magnitude prune and export work on it tensor by tensor)',
      open.fileName,
    );
  }
  open.loading ??= (async () => {
    let last = ctx.platform.now();
    await loadExternalData(open.model, external, open.fileName, async (done, count, t) => {
      if (ctx.platform.now() - last > 50) {
        ctx.progress({ done, total: count, message: `reading ${t.name} from external data` });
        await ctx.yieldNow();
        last = ctx.platform.now();
      }
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    });
    open.external = undefined;
    await external.close();
  })().finally(() => {
    open.loading = undefined;
  });
  await open.loading;
}

/** Before a request that needs the model in memory: its external data read (see ensureResident). */
export async function residentFor(ctx: JobContext, request: Request): Promise<void> {
  if (STREAMING_REQUESTS.has(request.type) || !('modelId' in request) || request.modelId === undefined) return;
  const open = ctx.models.get(request.modelId);
  if (open) await ensureResident(ctx, open);
}
