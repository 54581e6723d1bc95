// The one sweep CSV: the columns both front ends write, one record per point and runtime, the
// model and dataset named, values rounded to what was measured.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../../src/core/dump/csv';
import { accuracyDecimals, sweepCsv, SWEEP_CSV_COLUMNS } from '../../../../src/core/dump/sweep-csv';
import type { EvalPoint } from '../../../../src/core/eval/types';

describe('accuracyDecimals', () => {
  it('is the fewest decimals that keep k / samples apart', () => {
    // 1/2000 = 0.0005 needs 4 decimals; 1/100 = 0.01 needs 2; 1/10000 = 0.0001 needs 4; 1/101 needs 3.
    expect(accuracyDecimals(2000)).toBe(4);
    expect(accuracyDecimals(100)).toBe(2);
    expect(accuracyDecimals(10000)).toBe(4);
    expect(accuracyDecimals(101)).toBe(3);
    expect(accuracyDecimals(1)).toBe(0);
    for (const n of [7, 200, 2000, 1234]) {
      const d = accuracyDecimals(n);
      const seen = new Set<string>();
      for (let k = 0; k <= n; k++) seen.add((k / n).toFixed(d));
      expect(seen.size).toBe(n + 1);
    }
  });
});

describe('sweepCsv', () => {
  const points: EvalPoint[] = [
    {
      ratio: 0.9,
      method: 'reconstruct',
      sparsity: 0.9,
      samples: 2000,
      results: [{ runtime: 'sparse', accuracy: 1931 / 2000, batch1Seconds: 0.123456, batchThroughput: 51234.56 }],
    },
    {
      ratio: 0.9,
      sparsity: 0.9,
      samples: 2000,
      results: [
        { runtime: 'sparse', accuracy: 1901 / 2000, batch1Seconds: 0.1, batchThroughput: 40000.4 },
        { runtime: 'onnxruntime', accuracy: NaN, unavailable: 'not installed, "ort"' },
      ],
    },
    { ratio: 0, sparsity: 0, samples: 2000, results: [{ runtime: 'dense', accuracy: 1965 / 2000, batch1Seconds: 0.2004, batchThroughput: 9999.5 }] },
  ];

  it('writes one record per point and runtime with the model and dataset, by method then ratio', () => {
    const rows = parseCsv(sweepCsv(points, { model: 'a,b.onnx', dataset: 'mnist test' }));
    expect(rows[0]).toEqual([...SWEEP_CSV_COLUMNS]);
    expect(rows[0].join(',')).toContain('ratio,sparsity,runtime');
    const at = (r: string[], c: string): string => r[rows[0].indexOf(c)];
    expect(rows.slice(1).map((r) => `${at(r, 'method')} ${at(r, 'ratio')} ${at(r, 'runtime')}`)).toEqual([
      'magnitude 0 dense',
      'magnitude 0.9 sparse',
      'magnitude 0.9 onnxruntime',
      'reconstruct 0.9 sparse',
    ]);
    for (const r of rows.slice(1)) {
      expect(at(r, 'model')).toBe('a,b.onnx');
      expect(at(r, 'dataset')).toBe('mnist test');
      expect(at(r, 'samples')).toBe('2000');
    }
    const dense = rows[1];
    // 1965/2000 = 0.9825 exactly at 4 decimals; 0.2004 s to ms; 9999.5 /s to whole samples.
    expect([at(dense, 'accuracy'), at(dense, 'batch1_seconds'), at(dense, 'throughput_per_s')]).toEqual(['0.9825', '0.2', '10000']);
    const rec = rows[4];
    expect([at(rec, 'accuracy'), at(rec, 'batch1_seconds'), at(rec, 'throughput_per_s')]).toEqual(['0.9655', '0.123', '51235']);
    const ort = rows[3];
    expect([at(ort, 'accuracy'), at(ort, 'batch1_seconds'), at(ort, 'throughput_per_s'), at(ort, 'unavailable')]).toEqual(['', '', '', 'not installed, "ort"']);
  });

  it('a language model\'s record has loss and perplexity, accuracy empty', () => {
    const rows = parseCsv(sweepCsv([{ ratio: 0.5, sparsity: 0.5, samples: 64, results: [{ runtime: 'dense', accuracy: NaN, loss: 2.0981234, perplexity: Math.exp(2.0981234) }] }], { model: 'lm.onnx', dataset: 'ids' }));
    const at = (c: string): string => rows[1][rows[0].indexOf(c)];
    expect([at('accuracy'), at('loss'), at('perplexity')]).toEqual(['', '2.098123', Math.exp(2.0981234).toFixed(6).replace(/0+$/, '')]);
  });
});
