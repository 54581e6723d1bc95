// The one CSV of evaluation results, written by the CLI's `sweep --csv` and the app's "sweep
// results as CSV" alike: one record per point and runtime, naming the model and the dataset, with
// each value rounded to what was measured (accuracy to the resolution of its sample count, seconds
// to milliseconds, throughput to whole samples per second), and the point's exported file (its
// parameters, MACs, file bytes, and on the onnxruntime record its time ×original).

import { ortTimeRatio } from '../eval/original';
import type { EvalPoint, RuntimeMeasure } from '../eval/types';
import { PRUNE_METHODS } from '../prune/method-registry';
import { toCsv, type CsvValue } from './csv';

export interface SweepCsvContext {
  /** The model's file name. */
  model: string;
  /** The dataset's name. */
  dataset: string;
}

export const SWEEP_CSV_COLUMNS: readonly string[] = Object.freeze([
  'model',
  'dataset',
  'method',
  'ratio',
  'sparsity',
  'runtime',
  'samples',
  'accuracy',
  'batch1_seconds',
  'throughput_per_s',
  'workers',
  'one_worker_throughput_per_s',
  'unavailable',
  'exported_params',
  'exported_nonzero_params',
  'exported_macs',
  'dense_file_bytes',
  'sparse_file_bytes',
  'ort_time_vs_original_batch1',
  'ort_time_vs_original_batch',
  'ort_vs_original_rounds',
  // Language models on token ids (accuracy empty): next-token mean cross-entropy and exp of it.
  'loss',
  'perplexity',
]);

/** Decimals that keep every accuracy k / samples distinct: ⌈log10(samples)⌉ (4 for 2,000 samples). */
export function accuracyDecimals(samples: number): number {
  return samples > 1 ? Math.ceil(Math.log10(samples) - 1e-12) : 0;
}

function rounded(x: number | undefined, decimals: number): number | undefined {
  return x === undefined || !Number.isFinite(x) ? undefined : Number(x.toFixed(decimals));
}

function record(ctx: SweepCsvContext, p: EvalPoint, m: RuntimeMeasure): CsvValue[] {
  const ok = m.unavailable === undefined;
  return [
    ctx.model,
    ctx.dataset,
    p.method ?? 'magnitude',
    p.ratio,
    p.sparsity,
    m.runtime,
    p.samples,
    ok ? rounded(m.accuracy, accuracyDecimals(p.samples)) : undefined,
    ok ? rounded(m.batch1Seconds, 3) : undefined,
    ok ? rounded(m.batchThroughput, 0) : undefined,
    ok ? m.workers : undefined,
    ok ? rounded(m.oneWorkerThroughput, 0) : undefined,
    m.unavailable,
    p.exported?.params,
    p.exported?.nonzeroParams,
    p.exported?.macs,
    p.exported?.denseBytes,
    p.exported?.sparseBytes,
    // The exported file's onnxruntime time ×original (median of the rounds timed in alternation with
    // the original; empty where too few runs were timed): on the onnxruntime record only.
    ...(m.runtime === 'onnxruntime' && p.original ? [rounded(ortTimeRatio(p).batch1, 3), rounded(ortTimeRatio(p).batch, 3), p.original.batch1?.rounds ?? p.original.batch?.rounds] : [undefined, undefined, undefined]),
    ok ? rounded(m.loss, 6) : undefined,
    ok ? rounded(m.perplexity, 6) : undefined,
  ];
}

/** The CSV text: points by method (in the registry's order), then by ascending ratio. */
export function sweepCsv(points: readonly EvalPoint[], ctx: SweepCsvContext): string {
  const method = (p: EvalPoint): number => PRUNE_METHODS.indexOf(p.method ?? 'magnitude');
  const sorted = [...points].sort((a, b) => method(a) - method(b) || a.ratio - b.ratio);
  return toCsv(SWEEP_CSV_COLUMNS, sorted.flatMap((p) => p.results.map((m) => record(ctx, p, m))));
}
