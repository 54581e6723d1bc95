// The exported file's onnxruntime time ×original, computed by hand from the measures, and its
// columns in the sweep CSV (on the onnxruntime record only; the exported facts on every record).
import { describe, expect, it } from 'vitest';
import { sweepCsv, SWEEP_CSV_COLUMNS } from '../../../../src/core/dump/sweep-csv';
import { originalOf, ortTimeRatio } from '../../../../src/core/eval/original';
import type { EvalPoint } from '../../../../src/core/eval/types';

const point: EvalPoint = {
  ratio: 0.5,
  sparsity: 0.5,
  samples: 100,
  results: [
    { runtime: 'dense', accuracy: 0.9, batch1Seconds: 2, batchThroughput: 50 },
    { runtime: 'onnxruntime', accuracy: 0.9, batch1Seconds: 0.3, batchThroughput: 2000, workers: 2 },
  ],
  exported: { params: 1000, nonzeroParams: 400, macs: 900, denseBytes: 4100, sparseBytes: 5000 },
  original: { source: 'separate', batch1Seconds: 0.6, batchThroughput: 1000, workers: 2 },
};

describe('ortTimeRatio', () => {
  it('batch 1: time / original time; large batch: original throughput / throughput', () => {
    // 0.3 s against 0.6 s: half the time; 2000/s against 1000/s: half the time too.
    expect(ortTimeRatio(point)).toEqual({ batch1: 0.5, batch: 0.5 });
    expect(ortTimeRatio({ ...point, original: { ...point.original!, batchThroughput: 4000 } }).batch).toBe(2);
  });

  it('nothing when the original or the exported file could not be run in onnxruntime', () => {
    expect(ortTimeRatio({ ...point, original: { source: 'point', unavailable: 'no' } })).toEqual({});
    expect(ortTimeRatio({ ...point, original: undefined })).toEqual({});
    expect(ortTimeRatio({ ...point, results: [{ runtime: 'onnxruntime', accuracy: NaN, unavailable: 'failed' }] })).toEqual({});
  });

  it('originalOf keeps the timings, or the reason', () => {
    expect(originalOf({ runtime: 'onnxruntime', accuracy: 0.5, batch1Seconds: 1, batchThroughput: 3, workers: 2 }, 'point')).toEqual({ source: 'point', batch1Seconds: 1, batchThroughput: 3, workers: 2 });
    expect(originalOf({ runtime: 'onnxruntime', accuracy: NaN, unavailable: 'x' }, 'separate')).toEqual({ source: 'separate', unavailable: 'x' });
  });
});

describe('sweep CSV columns of the exported file', () => {
  it('facts on every record, ×original on the onnxruntime record', () => {
    const [head, ...rows] = sweepCsv([point], { model: 'm.onnx', dataset: 'd' }).trim().split(/\r?\n/).map((l) => l.split(','));
    expect(head).toEqual([...SWEEP_CSV_COLUMNS]);
    const at = (r: string[], c: string): string => r[head.indexOf(c)];
    const [dense, ort] = rows;
    for (const r of rows) expect(['exported_params', 'exported_nonzero_params', 'exported_macs', 'dense_file_bytes', 'sparse_file_bytes'].map((c) => at(r, c))).toEqual(['1000', '400', '900', '4100', '5000']);
    expect(['ort_time_vs_original_batch1', 'ort_time_vs_original_batch', 'original_measured'].map((c) => at(ort, c))).toEqual(['0.5', '0.5', 'separate']);
    expect(['ort_time_vs_original_batch1', 'ort_time_vs_original_batch', 'original_measured'].map((c) => at(dense, c))).toEqual(['', '', '']);
  });
});
