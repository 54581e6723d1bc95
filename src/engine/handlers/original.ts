// "Beside the original's": the onnxruntime figures of the unpruned model, once per evaluate / sweep
// request, set on every point. When the request's first point is the unpruned model (magnitude with
// nothing pruned, e.g. ratio 0) its onnxruntime measure is taken; otherwise the unpruned model is
// measured in onnxruntime once, with the same settings and threads, right after the first point.

import { evaluate, originalOf, type EvalContext, type EvalData, type EvalPoint, type EvalSettings, type OriginalMeasure } from '../../core/eval';
import { encodeModel } from '../../core/onnx/encode';
import type { JobContext, OpenModel } from '../context';
import type { PrunedEntry } from '../methods/cache';
import type { MethodProgress } from '../methods/run';
import type { LargeBatch } from './large-batch';
import type { PruneMethod } from '../protocol';

type PruneAt = (ratio: number, progress?: MethodProgress) => Promise<PrunedEntry>;

export interface OriginalTracker {
  /** `pruneAt` that also notes whether the model it gives is the unpruned one. */
  watch(pruneAt: PruneAt, method: PruneMethod): PruneAt;
  /** The point with `original` set (measuring the unpruned model when no point so far is it). */
  attach(point: EvalPoint, evalCtx: EvalContext): Promise<EvalPoint>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What the unpruned model is measured with: the request's model, input, data, settings and threads. */
export interface OriginalRequest {
  ctx: JobContext;
  open: OpenModel;
  io: { name: string; sampleDims: number[] };
  data: EvalData;
  settings: EvalSettings;
  threads: LargeBatch;
}

/** onnxruntime on the open model as it is, alone, with the request's settings. */
async function measureOriginal({ ctx, open, io, data, settings, threads }: OriginalRequest, evalCtx: EvalContext): Promise<OriginalMeasure> {
  const make = ctx.platform.ort;
  if (!make) return { source: 'separate', unavailable: 'onnxruntime is not available in this engine' };
  let runner;
  try {
    runner = await make(encodeModel(open.model), io, { threads: threads.workers });
  } catch (e) {
    return { source: 'separate', unavailable: `onnxruntime could not load the unpruned model: ${errorText(e)}` };
  }
  try {
    const slot = Object.assign(runner, { workers: runner.workers ?? threads.workers });
    const [m] = await evaluate([slot], data, settings, evalCtx);
    return originalOf(m, 'separate');
  } finally {
    await runner.dispose();
  }
}

/**
 * The request's tracker; `wanted` is false when onnxruntime is not among its runtimes (then points
 * carry no `original`).
 */
export function originalTracker(req: OriginalRequest, wanted: boolean): OriginalTracker {
  let original: OriginalMeasure | undefined;
  let lastUnpruned = false;
  return {
    watch: (pruneAt, method) => async (ratio, progress) => {
      const entry = await pruneAt(ratio, progress);
      lastUnpruned = method === 'magnitude' && entry.plan.layers.every((l) => l.pruned === 0);
      return entry;
    },
    async attach(point, evalCtx) {
      if (!wanted) return point;
      if (!original) {
        const ort = point.results.find((r) => r.runtime === 'onnxruntime');
        original = lastUnpruned && ort ? originalOf(ort, 'point') : await measureOriginal(req, evalCtx);
      }
      return { ...point, original };
    },
  };
}
