// "Beside the original's": per point, the exported file and the unpruned model timed in alternation
// in onnxruntime (core/eval/alternate.ts). The unpruned model's session is made at the first point
// and kept open for the whole evaluate / sweep request (the request has one thread setting), then
// disposed.

import { timeAgainstOriginal, type EvalContext, type EvalData, type EvalPoint, type EvalSettings, type OriginalMeasure, type Runner } from '../../core/eval';
import { isCancelled } from '../../core/errors';
import { encodeModel } from '../../core/onnx/encode';
import type { JobContext, OpenModel } from '../context';
import type { DisposableRunner } from '../platform';
import type { LargeBatch } from './large-batch';

export interface OriginalTracker {
  /**
   * The point with `original` set: `exported` (the point's onnxruntime runner, still open; undefined
   * when onnxruntime could not load the exported file) timed in alternation with the unpruned model.
   */
  compare(point: EvalPoint, exported: Runner | undefined, evalCtx: EvalContext): Promise<EvalPoint>;
  /** Closes the unpruned model's session. */
  dispose(): Promise<void>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The request's tracker; `wanted` is false when onnxruntime is not among its runtimes (then points
 * carry no `original`).
 */
export function originalTracker(
  ctx: JobContext,
  open: OpenModel,
  io: { name: string; sampleDims: number[] },
  data: EvalData,
  settings: EvalSettings,
  threads: LargeBatch,
  wanted: boolean,
): OriginalTracker {
  let session: Promise<DisposableRunner | string> | undefined;
  /** The unpruned model's runner, or why there is none (made once). */
  const originalRunner = (): Promise<DisposableRunner | string> => {
    const make = ctx.platform.ort;
    if (!make) return Promise.resolve('onnxruntime is not available in this engine');
    session ??= make(encodeModel(open.model), io, { threads: threads.workers }).catch((e: unknown) => `onnxruntime could not load the unpruned model: ${errorText(e)}`);
    return session;
  };
  return {
    async compare(point, exported, evalCtx) {
      if (!wanted) return point;
      const ort = point.results.find((r) => r.runtime === 'onnxruntime');
      if (!exported || !ort || ort.unavailable !== undefined) {
        return { ...point, original: { unavailable: `the exported file did not run in onnxruntime${ort?.unavailable ? ` (${ort.unavailable})` : ''}` } };
      }
      const runner = await originalRunner();
      let original: OriginalMeasure;
      if (typeof runner === 'string') original = { unavailable: runner };
      else {
        try {
          original = await timeAgainstOriginal(runner, exported, data, settings, evalCtx, exported.workers ?? threads.workers);
        } catch (e) {
          if (isCancelled(e)) throw e;
          original = { unavailable: `failed while timing in alternation: ${errorText(e)}` };
        }
      }
      return { ...point, original };
    },
    async dispose() {
      const runner = await session;
      session = undefined;
      if (runner && typeof runner !== 'string') await runner.dispose();
    },
  };
}
