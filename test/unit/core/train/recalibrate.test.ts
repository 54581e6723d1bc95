// BatchNormalization recalibration on a hand-built x → BN1 → BN2 → GlobalAveragePool → Flatten:
// with one batch, BN1's new statistics are the per-channel mean and unbiased variance of x
// (computed here directly); BN2 sees BN1 normalising by the batch's own statistics, so its input
// has mean b1 and biased variance s1²·v/(v + ε) (v the biased variance of x). With two batches the
// statistics are the averages of the batches'. The input model is not modified.
import { describe, expect, it } from 'vitest';
import { DataType, type Model, type Node } from '../../../../src/core/onnx/model';
import { recalibrateBatchNorm } from '../../../../src/core/train/graph';
import { mulberry32 } from '../../../../src/core/train';
import { initializer } from './fixtures';

const N = 6;
const C = 2;
const S = 4; // 2 × 2
const rand = mulberry32(3);
const x = Float32Array.from({ length: N * C * S }, (_v, i) => (i % (C * S) < S ? 2 : -1) + 3 * rand());
const s1 = [1.5, 0.5];
const b1 = [0.25, -2];

function model(): Model {
  const init = (name: string, data: number[]) => ({ name, dataType: DataType.FLOAT, dims: [C], data: Float32Array.from(data) });
  const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attributes: [] });
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'bn', valueInfo: [], sparseInitializers: [],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', C, 2, 2] } }],
      outputs: [{ name: 'logits', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', C] } }],
      initializers: [
        init('s1', s1), init('b1', b1), init('m1', [0, 0]), init('v1', [1, 1]),
        init('s2', [1, 1]), init('b2', [0, 0]), init('m2', [0, 0]), init('v2', [1, 1]),
      ],
      nodes: [
        node('bn1', 'BatchNormalization', ['x', 's1', 'b1', 'm1', 'v1'], ['a']),
        node('bn2', 'BatchNormalization', ['a', 's2', 'b2', 'm2', 'v2'], ['b']),
        node('gap', 'GlobalAveragePool', ['b'], ['g']),
        node('flat', 'Flatten', ['g'], ['logits']),
      ],
    },
  };
}

/** Per channel mean and biased variance of samples from..to of x, in float64. */
function stats(from: number, to: number): { mean: number[]; variance: number[] } {
  const mean = [0, 0];
  const variance = [0, 0];
  for (let c = 0; c < C; c++) {
    const v: number[] = [];
    for (let n = from; n < to; n++) for (let i = 0; i < S; i++) v.push(x[(n * C + c) * S + i]);
    mean[c] = v.reduce((a, b) => a + b, 0) / v.length;
    variance[c] = v.reduce((a, b) => a + (b - mean[c]) ** 2, 0) / v.length;
  }
  return { mean, variance };
}

describe('recalibrateBatchNorm', () => {
  it('one batch: BN1 takes the mean and unbiased variance of x, BN2 those of BN1 in batch mode', () => {
    const m = model();
    const out = recalibrateBatchNorm(m, x, N, undefined, N);
    const { mean, variance } = stats(0, N);
    const k = (N * S) / (N * S - 1);
    for (let c = 0; c < C; c++) {
      expect(initializer(out, 'm1')[c]).toBeCloseTo(mean[c], 5);
      expect(initializer(out, 'v1')[c]).toBeCloseTo(variance[c] * k, 4);
      expect(initializer(out, 'm2')[c]).toBeCloseTo(b1[c], 5);
      expect(initializer(out, 'v2')[c]).toBeCloseTo(((s1[c] ** 2 * variance[c]) / (variance[c] + 1e-5)) * k, 4);
    }
    expect(Array.from(initializer(m, 'm1'))).toEqual([0, 0]);
    expect(Array.from(initializer(m, 'v2'))).toEqual([1, 1]);
  });

  it('two batches: the averages of the batch means and unbiased variances', () => {
    const out = recalibrateBatchNorm(model(), x, N, undefined, N / 2);
    const a = stats(0, N / 2);
    const b = stats(N / 2, N);
    const k = ((N / 2) * S) / ((N / 2) * S - 1);
    for (let c = 0; c < C; c++) {
      expect(initializer(out, 'm1')[c]).toBeCloseTo((a.mean[c] + b.mean[c]) / 2, 5);
      expect(initializer(out, 'v1')[c]).toBeCloseTo(((a.variance[c] + b.variance[c]) / 2) * k, 4);
    }
  });
});
