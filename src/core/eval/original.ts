// The deployment question, part two: the exported file's onnxruntime time beside the unpruned
// model's measured in the same request (OriginalMeasure), as a multiple. Pure and small: the
// renderer, the CLI and the bench read it.
import type { EvalPoint, OriginalMeasure, RuntimeMeasure } from './types';

/** The onnxruntime figures of the unpruned model from a measure of it. */
export function originalOf(m: RuntimeMeasure | undefined, source: OriginalMeasure['source']): OriginalMeasure {
  if (!m) return { source, unavailable: 'onnxruntime was not measured' };
  if (m.unavailable !== undefined) return { source, unavailable: m.unavailable };
  return {
    source,
    ...(m.batch1Seconds !== undefined ? { batch1Seconds: m.batch1Seconds } : {}),
    ...(m.batchThroughput !== undefined ? { batchThroughput: m.batchThroughput } : {}),
    ...(m.workers !== undefined ? { workers: m.workers } : {}),
  };
}

/**
 * The exported file's onnxruntime time as a multiple of the unpruned model's (below 1: faster), at
 * batch 1 and at the large batch (the inverse ratio of throughputs); undefined where either is missing.
 */
export function ortTimeRatio(point: EvalPoint): { batch1?: number; batch?: number } {
  const o = point.original;
  const m = point.results.find((r) => r.runtime === 'onnxruntime');
  if (!o || o.unavailable !== undefined || !m || m.unavailable !== undefined) return {};
  const out: { batch1?: number; batch?: number } = {};
  if (m.batch1Seconds !== undefined && o.batch1Seconds !== undefined && o.batch1Seconds > 0) out.batch1 = m.batch1Seconds / o.batch1Seconds;
  if (m.batchThroughput !== undefined && o.batchThroughput !== undefined && m.batchThroughput > 0) out.batch = o.batchThroughput / m.batchThroughput;
  return out;
}

/** What users call the onnxruntime figures of a point: the exported file run there. */
export const EXPORTED_ORT_LABEL = 'exported file in onnxruntime';
