// The exported file's onnxruntime time ×original read from the timing in alternation (its median
// ratio; nothing where too few runs were timed), and its columns in the sweep CSV (on the
// onnxruntime record only; the exported facts on every record).
import { describe, expect, it } from 'vitest';
import { sweepCsv, SWEEP_CSV_COLUMNS } from '../../../../src/core/dump/sweep-csv';
import { ortTimeRatio, ortTooFew } from '../../../../src/core/eval/original';
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
  original: {
    batch1: { rounds: 7, runs: 100, samples: 100, originalSeconds: 0.6, exportedSeconds: 0.3, ratio: 0.5 },
    batch: { rounds: 7, runs: 14, samples: 1400, originalSeconds: 1.4, exportedSeconds: 0.7, ratio: 0.5, batch: 100, workers: 2 },
  },
};

describe('ortTimeRatio', () => {
  it('the median ratios of batch 1 and the large batch', () => {
    expect(ortTimeRatio(point)).toEqual({ batch1: 0.5, batch: 0.5 });
    expect(ortTimeRatio({ ...point, original: { ...point.original!, batch: { ...point.original!.batch!, ratio: 2 } } }).batch).toBe(2);
  });

  it('nothing when onnxruntime could not run, or too few runs were timed (then the reason)', () => {
    expect(ortTimeRatio({ ...point, original: { unavailable: 'no' } })).toEqual({});
    expect(ortTimeRatio({ ...point, original: undefined })).toEqual({});
    const few = { ...point, original: { ...point.original!, batch1: { rounds: 7, runs: 40, samples: 40, originalSeconds: 0.1, exportedSeconds: 0.1, tooFew: '40 samples' } } };
    expect(ortTimeRatio(few)).toEqual({ batch: 0.5 });
    expect(ortTooFew(few)).toEqual({ batch1: '40 samples' });
    expect(ortTooFew(point)).toEqual({});
  });
});

describe('sweep CSV columns of the exported file', () => {
  it('facts on every record, ×original on the onnxruntime record', () => {
    const [head, ...rows] = sweepCsv([point], { model: 'm.onnx', dataset: 'd' }).trim().split(/\r?\n/).map((l) => l.split(','));
    expect(head).toEqual([...SWEEP_CSV_COLUMNS]);
    const at = (r: string[], c: string): string => r[head.indexOf(c)];
    const [dense, ort] = rows;
    for (const r of rows) expect(['exported_params', 'exported_nonzero_params', 'exported_macs', 'dense_file_bytes', 'sparse_file_bytes'].map((c) => at(r, c))).toEqual(['1000', '400', '900', '4100', '5000']);
    expect(['ort_time_vs_original_batch1', 'ort_time_vs_original_batch', 'ort_vs_original_rounds'].map((c) => at(ort, c))).toEqual(['0.5', '0.5', '7']);
    expect(['ort_time_vs_original_batch1', 'ort_time_vs_original_batch', 'ort_vs_original_rounds'].map((c) => at(dense, c))).toEqual(['', '', '']);
  });
});
