// Per-node error of a pruned model (core/eval/node-error.ts): the sample MLP pruned 0.8 by
// magnitude, its first Gemm's error recomputed here in plain JS from the decoded weights and the
// samples, the model outputs against onnxruntime-node; the model against itself; the ResNet fixture
// on Fashion-MNIST; a channel-pruned model's changed shapes; exposing values leaves outputs alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../src/core/data';
import { nodeErrors, withValuesAsOutputs } from '../../../../src/core/eval/node-error';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import type { Model, Tensor } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { Session } from '../../../../src/core/runtime';
import { ORT_ONE_THREAD } from '../../../support/ort';

const ROOT = join(__dirname, '../../../..');
const FMNIST = '/usr/share/datasets/fashion-mnist';

const load = (path: string): Model => decodeModel(new Uint8Array(readFileSync(join(ROOT, path))), path);
const mnist = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(ROOT, 'resources/mnist', f))) })));
const fashion = parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(FMNIST, f))) })));

const weight = (m: Model, name: string): Float32Array => m.graph.initializers.find((t: Tensor) => t.name === name)!.data as Float32Array;

/** Pooled ‖a − b‖/‖a‖ and cosine over all values, in float64. */
function pooled(a: ArrayLike<number>, b: ArrayLike<number>): { relL2: number; cosine: number } {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  let dd = 0;
  for (let i = 0; i < a.length; i++) {
    aa += a[i] * a[i];
    bb += b[i] * b[i];
    ab += a[i] * b[i];
    dd += (a[i] - b[i]) ** 2;
  }
  return { relL2: Math.sqrt(dd / aa), cosine: ab / Math.sqrt(aa * bb) };
}

/** y = x·Wᵀ + b for `n` samples (W: out × in, as the Gemm holds it with transB = 1). */
function gemm(x: Float32Array, n: number, w: Float32Array, bias: Float32Array): Float64Array {
  const out = bias.length;
  const k = w.length / out;
  const y = new Float64Array(n * out);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < out; j++) {
      let acc = bias[j];
      for (let i = 0; i < k; i++) acc += x[s * k + i] * w[j * k + i];
      y[s * out + j] = acc;
    }
  }
  return y;
}

async function ortLogits(m: Model, x: Float32Array, n: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(m), ORT_ONE_THREAD);
  try {
    const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
    return res[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('per-node error', () => {
  const mlp = load('resources/sample-mlp.onnx');
  const mlpPruned = applyPrune(mlp, planPrune(mlp, { ratio: 0.8, mode: 'layer' }));

  it('of the first pruned Gemm matches its output computed here from the decoded weights, and the outputs match onnxruntime', async () => {
    const n = 40;
    // Batches of 16 (16 + 16 + 8): the sums must not depend on the split.
    const report = await nodeErrors(mlp, mlpPruned, mnist, { samples: n, batch: 16 });
    expect(report.samples).toBe(n);
    const x = mnist.images.subarray(0, n * 784);
    expect(weight(mlpPruned, 'fc1.weight').filter((v) => v === 0).length).toBe(Math.round(0.8 * 784000));
    const a = gemm(x, n, weight(mlp, 'fc1.weight'), weight(mlp, 'fc1.bias'));
    const b = gemm(x, n, weight(mlpPruned, 'fc1.weight'), weight(mlpPruned, 'fc1.bias'));
    const want = pooled(a, b);
    const fc1 = report.nodes.find((d) => d.name === '/fc1/Gemm')!;
    expect(fc1.index).toBe(1);
    expect(fc1.opType).toBe('Gemm');
    expect(fc1.outputs[0].value).toBe('/fc1/Gemm_output_0');
    expect(want.relL2).toBeGreaterThan(0.01);
    expect(Math.abs(fc1.outputs[0].relL2! - want.relL2)).toBeLessThan(1e-5);
    expect(Math.abs(fc1.outputs[0].cosine! - want.cosine)).toBeLessThan(1e-5);
    // Every node of the graph, in graph order, with a number.
    expect(report.nodes.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const d of report.nodes) expect(Number.isFinite(d.outputs[0].relL2)).toBe(true);
    // Flatten reads only the input: no error.
    expect(report.nodes[0].outputs[0].relL2).toBe(0);
    // The model outputs and the top-1 agreement against onnxruntime's outputs of both models.
    const oa = await ortLogits(mlp, x, n);
    const ob = await ortLogits(mlpPruned, x, n);
    const ref = pooled(oa, ob);
    expect(report.outputs[0].value).toBe('logits');
    expect(Math.abs(report.outputs[0].relL2! - ref.relL2)).toBeLessThan(1e-4);
    expect(Math.abs(report.outputs[0].cosine! - ref.cosine)).toBeLessThan(1e-4);
    let agree = 0;
    const top = (o: Float32Array, s: number): number => o.subarray(s * 10, s * 10 + 10).reduce((bi, v, i, arr) => (v > arr[bi] ? i : bi), 0);
    for (let s = 0; s < n; s++) if (top(oa, s) === top(ob, s)) agree++;
    expect(report.top1Agreement).toBe(agree / n);
  });

  it('does not depend on how the samples are split into batches (a small value budget shrinks them)', async () => {
    const whole = await nodeErrors(mlp, mlpPruned, mnist, { samples: 24, batch: 24 });
    const progress: number[] = [];
    // The MLP's values take 2 × (784 + 4·1000 + 10) × 4 bytes per sample: a budget of 100 kB holds 2 samples.
    const small = await nodeErrors(mlp, mlpPruned, mnist, { samples: 24, batch: 8, valueBudget: 100_000 }, { onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([8, 10, 12, 14, 16, 18, 20, 22, 24]);
    whole.nodes.forEach((d, i) => {
      expect(small.nodes[i].outputs[0].relL2!).toBeCloseTo(d.outputs[0].relL2!, 10);
      expect(small.nodes[i].outputs[0].cosine!).toBeCloseTo(d.outputs[0].cosine!, 10);
    });
    expect(small.top1Agreement).toBe(whole.top1Agreement);
  });

  it('of a model against itself is 0 and cosine 1 everywhere', async () => {
    const report = await nodeErrors(mlp, mlp, mnist, { samples: 20, batch: 8 });
    for (const v of [...report.nodes.flatMap((d) => d.outputs), ...report.outputs]) {
      expect(v.relL2).toBe(0);
      expect(v.cosine).toBeCloseTo(1, 12);
    }
    expect(report.top1Agreement).toBe(1);
  });

  it('leaves the final outputs as they were when every value is exposed (the fused layers split)', () => {
    const x = mnist.images.subarray(0, 5 * 784);
    for (const m of [mlpPruned, load('test/models/cnn/resnet.onnx')]) {
      const values = m.graph.nodes.map((nd) => nd.outputs[0]);
      const plain = Session.create(m, { kernels: 'dense' });
      const exposed = Session.create(withValuesAsOutputs(m, values), { kernels: 'dense' });
      expect(plain.layers.some((l) => l.nodes.length > 1)).toBe(true);
      expect(exposed.layers.every((l) => l.nodes.length === 1)).toBe(true);
      const y0 = Float32Array.from(plain.runFloat(x, 5));
      const y1 = exposed.runFloat(x, 5);
      expect(pooled(y0, y1).relL2).toBeLessThan(1e-5);
    }
  });

  it('of a ResNet on Fashion-MNIST is a finite number for every Conv', async () => {
    const resnet = load('test/models/cnn/resnet.onnx');
    const convs = resnet.graph.nodes.filter((nd) => nd.opType === 'Conv' || nd.opType === 'Gemm').map((nd) => nd.inputs[1]);
    const pruned = applyPrune(resnet, planPrune(resnet, { ratio: 0.5, mode: 'layer', select: convs }));
    const report = await nodeErrors(resnet, pruned, fashion, { samples: 6, batch: 4 });
    const convErrors = report.nodes.filter((d) => d.opType === 'Conv');
    expect(convErrors.length).toBe(9);
    for (const d of convErrors) {
      expect(Number.isFinite(d.outputs[0].relL2), d.name).toBe(true);
      expect(d.outputs[0].relL2!, d.name).toBeGreaterThan(0);
      expect(d.outputs[0].cosine!, d.name).toBeLessThan(1);
      expect(d.outputs[0].cosine!, d.name).toBeGreaterThan(-1);
    }
    expect(report.outputs[0].relL2).toBeGreaterThan(0);
  });

  it('reports the values whose shape changed in a channel-pruned model, without a number', async () => {
    const resnet = load('test/models/cnn/resnet.onnx');
    const pruned = applyPrune(resnet, planPrune(resnet, { ratio: 0.5, mode: 'layer', structure: 'channels' }));
    const report = await nodeErrors(resnet, pruned, fashion, { samples: 3 });
    const changed = report.nodes.flatMap((d) => d.outputs).filter((v) => v.shapeChanged);
    expect(changed.length).toBeGreaterThan(0);
    for (const v of changed) {
      expect(v.relL2).toBeUndefined();
      const count = (d: number[]): number => d.reduce((p, x) => p * x, 1);
      expect(count(v.shapeChanged!.pruned)).toBeLessThan(count(v.shapeChanged!.original));
    }
    // Half of the stem's 16 channels removed (ratio 0.5), 3 samples of 28×28.
    const stem = report.nodes.find((d) => d.name === '/stem/stem.0/Conv')!;
    expect(stem.outputs[0].shapeChanged).toEqual({ original: [3, 16, 28, 28], pruned: [3, 8, 28, 28] });
    // The logits keep their shape: a number.
    expect(Number.isFinite(report.outputs[0].relL2)).toBe(true);
  });

  it('refuses a model the runtime cannot run, naming the op', async () => {
    const bad: Model = { ...mlp, graph: { ...mlp.graph, nodes: mlp.graph.nodes.map((nd, i) => (i === 2 ? { ...nd, opType: 'NoSuchOp' } : nd)) } };
    await expect(nodeErrors(mlp, bad, mnist, { samples: 2, prunedLabel: 'bad.onnx' })).rejects.toThrow(/bad\.onnx: .*NoSuchOp/);
  });
});
