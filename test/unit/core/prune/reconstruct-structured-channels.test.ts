// Reconstruct with `channels`: the channel removed is the one of least activation importance
// (√(E[h_c²] ‖W_next[:, c]‖²), computed here), the next layer is refitted to the least-squares
// solution with intercept (normal equations solved here), and on LeNet the refit brings the logits
// far closer to the unpruned model's than shrinking alone (outputs from onnxruntime-node).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Model } from '../../../../src/core/onnx';
import type { Dataset } from '../../../../src/core/data';
import { applyPrune, pruneWithMethod } from '../../../../src/core/prune';
import { mulberry32 } from '../../../../src/core/train/random';
import { CancelledError } from '../../../../src/core/errors';
import { cnn, fashion } from '../train/graph-fixtures';
import { floatTensor, gemmChain, solve } from './helpers';

function dataset(images: Float32Array, count: number, shape: number[]): Dataset {
  const sampleSize = shape.reduce((a, b) => a * b, 1);
  return { name: 'calib', images, labels: new Int32Array(count), count, sampleShape: shape, sampleSize, classes: 1 };
}

async function run(m: Model, x: Float32Array, dims: number[], output: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, dims) });
  return out[output].data as Float32Array;
}

describe('channels + reconstruct on a two-layer MLP', () => {
  // x [N, 4] → Gemm(W1 [3, 4]) → Relu → Gemm(W2 [2, 3]) → y; one of the 3 hidden neurons goes
  const N = 200;
  const rand = mulberry32(17);
  const x = Float32Array.from({ length: N * 4 }, () => rand() * 2 - 1);
  const w1 = Float32Array.from([1, 0.5, -0.3, 0.2, 0.4, -1, 0.6, 0.1, -0.7, 0.3, 0.9, -0.5]);
  const b1 = Float32Array.from([0.2, 0.1, 0.3]);
  const w2 = Float32Array.from([0.8, 0.3, -0.6, -0.4, 0.25, 0.9]);
  const b2 = Float32Array.from([0.05, -0.1]);
  const m0 = gemmChain([floatTensor('w1', [3, 4], w1), floatTensor('w2', [2, 3], w2)], [floatTensor('b1', [3], b1), floatTensor('b2', [2], b2)]);
  m0.graph.inputs.push({ name: 'x', type: { kind: 'tensor', elemType: 1, shape: ['N', 4] } });
  m0.graph.outputs.push({ name: 'h2' });
  // the Relu between the Gemms
  m0.graph.nodes.splice(1, 0, { name: 'relu', opType: 'Relu', domain: '', inputs: ['h1'], outputs: ['r1'], attributes: [] });
  m0.graph.nodes[2] = { ...m0.graph.nodes[2], inputs: ['r1', 'w2', 'b2'] };

  it('removes the neuron of least activation importance and refits the next layer by least squares with intercept', async () => {
    const h = Array.from({ length: N }, (_, s) => [0, 1, 2].map((c) => Math.max(0, b1[c] + [0, 1, 2, 3].reduce((t, i) => t + w1[c * 4 + i] * x[s * 4 + i], 0))));
    const score = [0, 1, 2].map((c) => h.reduce((t, r) => t + r[c] * r[c], 0) / N * (w2[c] ** 2 + w2[3 + c] ** 2));
    const gone = score.indexOf(Math.min(...score));
    const { model: out, plan } = await pruneWithMethod(m0, {
      ratio: 1 / 3, mode: 'layer', structure: 'channels', method: 'reconstruct', select: ['w1', 'w2'], reconstruct: { dampening: 1e-10 },
    }, { calibration: dataset(x, N, [4]) });
    expect(plan.layers.find((l) => l.tensor === 'w1')?.removedChannels).toEqual([gone]);
    const kept = [0, 1, 2].filter((c) => c !== gone);
    // normal equations of y_o = Σ_k v_k h_k + c on the kept neurons, y_o the unpruned layer's output
    const rows = h.map((r) => [...kept.map((c) => r[c]), 1]);
    const ata = rows[0].map((_, i) => rows[0].map((__, j) => rows.reduce((t, r) => t + r[i] * r[j], 0)));
    const got = out.graph.initializers.find((t) => t.name === 'w2')?.data as Float32Array;
    const bias = out.graph.initializers.find((t) => t.name === 'b2')?.data as Float32Array;
    expect(got.length).toBe(4);
    for (let o = 0; o < 2; o++) {
      const y = h.map((r) => b2[o] + r.reduce((t, v, c) => t + v * w2[o * 3 + c], 0));
      const want = solve(ata, rows[0].map((_, i) => rows.reduce((t, r, s) => t + r[i] * y[s], 0)));
      expect(got[o * 2]).toBeCloseTo(want[0], 4);
      expect(got[o * 2 + 1]).toBeCloseTo(want[1], 4);
      expect(bias[o]).toBeCloseTo(want[2], 4);
    }
  });
});

describe('channels + reconstruct on LeNet (Fashion-MNIST)', () => {
  it('stops with CancelledError when cancelled, and structured reconstruct too', async () => {
    const lenet = cnn('lenet');
    const train = fashion('train');
    const calib = { ...train, count: 200, images: train.images.subarray(0, 200 * 784) };
    for (const structure of ['channels', '2:4']) {
      let calls = 0;
      await expect(pruneWithMethod(lenet, { ratio: 0.5, mode: 'layer', structure, method: 'reconstruct' }, { calibration: calib }, { isCancelled: () => ++calls > 20 }))
        .rejects.toBeInstanceOf(CancelledError);
    }
  }, 60_000);

  it('the refit lowers the logits error of shrinking alone (same channels) and keeps accuracy near the unpruned', async () => {
    const lenet = cnn('lenet');
    const train = fashion('train');
    const test = fashion('t10k');
    const calib = { ...train, count: 500, images: train.images.subarray(0, 500 * 784) };
    const spec = { ratio: 0.5, mode: 'layer' as const, structure: 'channels' };
    const { model: refit, plan } = await pruneWithMethod(lenet, { ...spec, method: 'reconstruct' }, { calibration: calib });
    const shrunk = applyPrune(lenet, plan);
    expect(plan.prunedParams).toBeGreaterThan(0.5 * plan.prunableParams);
    const M = 1000;
    const xs = test.images.slice(0, M * 784);
    const y0 = await run(lenet, xs, [M, 1, 28, 28], 'logits');
    const err = (y: Float32Array): number => y.reduce((t, v, i) => t + (v - y0[i]) ** 2, 0) / y0.reduce((t, v) => t + v * v, 0);
    const acc = (y: Float32Array): number => {
      let c = 0;
      for (let s = 0; s < M; s++) {
        let b = 0;
        for (let k = 1; k < 10; k++) if (y[s * 10 + k] > y[s * 10 + b]) b = k;
        if (b === test.labels[s]) c++;
      }
      return c / M;
    };
    const yRefit = await run(refit, xs, [M, 1, 28, 28], 'logits');
    const yShrunk = await run(shrunk, xs, [M, 1, 28, 28], 'logits');
    expect(err(yRefit)).toBeLessThan(0.2 * err(yShrunk));
    expect(acc(yRefit)).toBeGreaterThan(acc(y0) - 0.06);
    expect(acc(yRefit)).toBeGreaterThan(acc(yShrunk));
  }, 120_000);
});
