// The deployment question, part two: the exported file's onnxruntime time as a multiple of the
// unpruned model's, both timed in alternation in the same request (alternate.ts). Pure and small:
// the renderer, the CLI, the CSV and the bench read it.
import { MIN_TIMED_SAMPLES, ROUNDS } from './alternate';
import type { EvalPoint } from './types';

/**
 * The exported file's onnxruntime time as a multiple of the unpruned model's (below 1: faster), at
 * batch 1 and at the large batch: the median of the rounds' ratios; undefined where it was not
 * measured or too few runs were timed for a stable figure.
 */
export function ortTimeRatio(point: EvalPoint): { batch1?: number; batch?: number } {
  const o = point.original;
  if (!o || o.unavailable !== undefined) return {};
  return {
    ...(o.batch1?.ratio !== undefined ? { batch1: o.batch1.ratio } : {}),
    ...(o.batch?.ratio !== undefined ? { batch: o.batch.ratio } : {}),
  };
}

/** Why a point's ×original is missing at batch 1 / the large batch although it was timed (too few runs). */
export function ortTooFew(point: EvalPoint): { batch1?: string; batch?: string } {
  const o = point.original;
  return {
    ...(o?.batch1?.tooFew !== undefined ? { batch1: o.batch1.tooFew } : {}),
    ...(o?.batch?.tooFew !== undefined ? { batch: o.batch.tooFew } : {}),
  };
}

/** How ×original is measured, in words (the CLI's note and the Evaluate panel's say it). */
export const ALTERNATION_TEXT = `timed in alternation with the original on the same samples after a warm-up of both, median of ${ROUNDS} rounds`;

/** What a missing ratio means when too few runs were timed. */
export const TOO_FEW_TEXT = `fewer than ${MIN_TIMED_SAMPLES} samples: too few for a stable figure`;

/** What users call the onnxruntime figures of a point: the exported file run there. */
export const EXPORTED_ORT_LABEL = 'exported file in onnxruntime';
