// The Evaluate chart's right axis (evaluate-series.ts): batch-1 time per runtime by default; the exported file's
// onnxruntime time ×original, its MACs or its file size as one series (per method with several),
// with the values computed by hand from the points.
import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../../../../src/engine/protocol';
import { chartSeries } from '../../../../src/renderer/views/evaluate-series';

const palette = ['#a', '#b', '#c', '#d'];
const point = (ratio: number, ortSeconds: number, macs: number, bytes: number): EvalPoint => ({
  ratio,
  sparsity: ratio,
  samples: 100,
  results: [
    { runtime: 'dense', accuracy: 0.9, batch1Seconds: 1 },
    { runtime: 'onnxruntime', accuracy: 0.9, batch1Seconds: ortSeconds, batchThroughput: 1000 / ortSeconds },
  ],
  exported: { params: 10, nonzeroParams: 5, macs, denseBytes: bytes, sparseBytes: bytes },
  original: {
    batch1: { rounds: 7, runs: 100, samples: 100, originalSeconds: 0.4, exportedSeconds: ortSeconds, ratio: ortSeconds / 0.4 },
    batch: { rounds: 7, runs: 14, samples: 1400, originalSeconds: 0.56, exportedSeconds: 1.4 * ortSeconds, ratio: ortSeconds / 0.4, batch: 100, workers: 1 },
  },
});
const points = [point(0.5, 0.2, 2_000_000, 2 * 2 ** 20), point(0.8, 0.1, 500_000, 2 ** 19)];

describe('chartSeries right axis', () => {
  const measure = (right: Parameters<typeof chartSeries>[2]): { label: string; data: { x: number; y: number }[] }[] =>
    chartSeries(points, palette, right).series.filter((s) => s.kind === 'measure');

  it('batch-1 time: one dashed series per runtime', () => {
    expect(measure('time').map((s) => s.label)).toEqual(['dense time', 'onnxruntime time']);
  });

  it('onnxruntime ×original: the exported file time over the original time', () => {
    // The medians of the rounds' ratios, as the points carry them.
    expect(measure('ort-b1')).toEqual([{ label: 'onnxruntime ×original b1', color: '#d', kind: 'measure', data: [{ x: 0.5, y: 0.5 }, { x: 0.8, y: 0.25 }] }]);
    expect(measure('ort-batch')[0].data).toEqual([{ x: 0.5, y: 0.5 }, { x: 0.8, y: 0.25 }]);
  });

  it('MACs in millions, file size in MB', () => {
    expect(measure('macs')[0].data).toEqual([{ x: 0.5, y: 2 }, { x: 0.8, y: 0.5 }]);
    expect(measure('file')[0].data).toEqual([{ x: 0.5, y: 2 }, { x: 0.8, y: 0.5 }]);
  });

  it('several methods: one series per method', () => {
    const two = [...points, { ...points[0], method: 'finetune' as const }];
    expect(chartSeries(two, palette, 'macs').series.filter((s) => s.kind === 'measure').map((s) => s.label)).toEqual(['magnitude MACs', 'finetune MACs']);
  });
});

describe('chartSeries for a language model (token ids)', () => {
  const lm = (ratio: number, loss: number): EvalPoint => ({
    ratio,
    sparsity: ratio,
    samples: 10,
    results: [{ runtime: 'dense', accuracy: NaN, loss, perplexity: Math.exp(loss) }],
  });

  it('plots perplexity, not accuracy, on the left axis', () => {
    const r = chartSeries([lm(0, 1), lm(0.5, 2)], palette, 'time');
    expect(r.language).toBe(true);
    const left = r.series.filter((s) => s.kind === 'accuracy');
    expect(left.map((s) => s.label)).toEqual(['dense perplexity']);
    expect(left[0].data.map((d) => d.x)).toEqual([0, 0.5]);
    expect(left[0].data[0].y).toBeCloseTo(Math.E, 12);
    expect(left[0].data[1].y).toBeCloseTo(Math.E ** 2, 12);
  });

  it('time on the right axis: the set at the large batch (samples ÷ throughput), as the engine measures a language model', () => {
    // 10 sequences at 40 and 20 sequences per second: 0.25 s and 0.5 s for the set.
    const timed = (ratio: number, rate: number): EvalPoint => ({ ...lm(ratio, 1), results: [{ ...lm(ratio, 1).results[0], batchThroughput: rate }] });
    const right = chartSeries([timed(0, 40), timed(0.5, 20)], palette, 'time').series.filter((s) => s.kind === 'measure');
    expect(right).toEqual([{ label: 'dense time', color: '#a', kind: 'measure', data: [{ x: 0, y: 0.25 }, { x: 0.5, y: 0.5 }] }]);
  });

  it('a classifier stays on accuracy', () => {
    expect(chartSeries(points, palette, 'time').language).toBe(false);
  });
});
