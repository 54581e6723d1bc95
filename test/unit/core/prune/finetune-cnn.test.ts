// Fine-tuning a real CNN (test/models/cnn/lenet.onnx, trained on Fashion-MNIST) at 70% of its
// Conv and Gemm weights, on training images only: the pruned weights stay exactly zero, the
// counts are round(0.7 × n), and on 1,000 test images (accuracy measured by onnxruntime-node) it
// beats magnitude pruning at the same ratio. A model with an op the trainer lacks is refused
// before anything runs, naming the node.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Model } from '../../../../src/core/onnx';
import { applyPrune, planPrune, pruneWithMethod, type MethodResult, type MethodSpec } from '../../../../src/core/prune';
import { finetuneProblem } from '../../../../src/core/train';
import { CancelledError } from '../../../../src/core/errors';
import { cnn, fashion } from '../train/graph-fixtures';
import { initializer, slice, zeroCount } from '../train/fixtures';

const WEIGHTS = ['c1.weight', 'c2.weight', 'f1.weight', 'f2.weight', 'f3.weight'];
const spec: MethodSpec = { ratio: 0.7, mode: 'layer', select: WEIGHTS, method: 'finetune', epochs: 2, finetune: { steps: 1 } };
const trainSet = fashion('train');
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

async function accuracy(model: Model, images: Float32Array, labels: Int32Array, n: number): Promise<number> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const res = await session.run({ x: new ort.Tensor('float32', images.slice(0, n * 784), [n, 1, 28, 28]) });
  const logits = res.logits.data as Float32Array;
  await session.release();
  let correct = 0;
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[s * 10 + c] > logits[s * 10 + best]) best = c;
    if (best === labels[s]) correct++;
  }
  return correct / n;
}

describe('fine-tuning LeNet on Fashion-MNIST at 70%', () => {
  const lenet = cnn('lenet');
  const test = fashion('t10k');
  const train = slice(trainSet, 0, 3000);
  let result: MethodResult;
  let magnitude: Model;
  const fractions: number[] = [];

  beforeAll(async () => {
    result = await pruneWithMethod(lenet, spec, { train }, { onProgress: (f) => fractions.push(f) });
    magnitude = applyPrune(lenet, planPrune(lenet, spec));
  }, 600_000);

  it('keeps every magnitude-pruned weight exactly zero, round(0.7 × n) zeros per tensor', () => {
    for (const name of WEIGHTS) {
      const mag = initializer(magnitude, name);
      const out = bits(initializer(result.model, name));
      let pruned = 0;
      for (let i = 0; i < mag.length; i++) {
        if (mag[i] !== 0) continue;
        pruned++;
        if (out[i] !== 0) throw new Error(`${name}[${i}] was pruned but is ${initializer(result.model, name)[i]} after fine-tuning`);
      }
      expect(pruned, name).toBe(Math.round(0.7 * mag.length));
      expect(zeroCount(initializer(result.model, name)), name).toBe(pruned);
    }
  });

  it('trains the kept weights and the biases', () => {
    expect(initializer(result.model, 'c1.weight')).not.toEqual(initializer(magnitude, 'c1.weight'));
    expect(initializer(result.model, 'c2.bias')).not.toEqual(initializer(lenet, 'c2.bias'));
    expect(result.notes.join('\n')).toMatch(/fine-tuned on 2700 samples/);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  it('beats magnitude pruning on 1,000 test images (onnxruntime-node measures both)', async () => {
    const n = 1000;
    const mag = await accuracy(magnitude, test.images, test.labels, n);
    const ft = await accuracy(result.model, test.images, test.labels, n);
    expect(ft).toBeGreaterThan(mag);
  });
});

describe('finetuneProblem', () => {
  it('names the first node of an op the trainer lacks and suggests reconstruct', () => {
    const lenet = cnn('lenet');
    // LeNet with an Elu (no trainer kernel) between the first pooling and the second Conv.
    const nodes = lenet.graph.nodes.flatMap((n) => {
      if (n.name !== '/c2/Conv') return [n];
      return [
        { name: '/act/Elu', opType: 'Elu', domain: '', inputs: [n.inputs[0]], outputs: ['/act/Elu_output_0'], attributes: [] },
        { ...n, inputs: ['/act/Elu_output_0', ...n.inputs.slice(1)] },
      ];
    });
    const withElu: Model = { ...lenet, graph: { ...lenet.graph, nodes } };
    expect(finetuneProblem(withElu, WEIGHTS)).toBe('fine-tuning cannot differentiate node "/act/Elu" (Elu): Elu is not among the ops it trains through; try reconstruct');
    expect(finetuneProblem(lenet, WEIGHTS)).toBeUndefined();
    expect(finetuneProblem(cnn('resnet'), [])).toBeUndefined();
    expect(finetuneProblem(cnn('mobilenet'), [])).toBeUndefined();
  });

  it('checks on the model\'s own weights without changing a bit of them (no copies are made for the check)', () => {
    for (const name of ['lenet', 'resnet', 'mobilenet'] as const) {
      const model = cnn(name);
      const before = model.graph.initializers.map((t) => new Uint8Array((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength).slice());
      const selected = model.graph.initializers.filter((t) => t.dims.length >= 2).map((t) => t.name);
      expect(finetuneProblem(model, selected)).toBeUndefined();
      model.graph.initializers.forEach((t, i) => {
        const d = t.data as Float32Array;
        expect(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), `${name} ${t.name}`).toEqual(before[i]);
      });
    }
  });

  it('stops with CancelledError when cancelled during training', async () => {
    let polls = 0;
    await expect(pruneWithMethod(cnn('lenet'), spec, { train: slice(trainSet, 0, 400) }, { isCancelled: () => ++polls > 3 }))
      .rejects.toThrow(CancelledError);
    expect(polls).toBe(4);
  });

  it('refuses the model in pruneWithMethod before any training', async () => {
    const lenet = cnn('lenet');
    const nodes = lenet.graph.nodes.map((n) => (n.opType === 'Relu' && n.name === '/Relu' ? { ...n, opType: 'LSTM', name: '/rnn/LSTM' } : n));
    const model: Model = { ...lenet, graph: { ...lenet.graph, nodes } };
    let progress = 0;
    await expect(pruneWithMethod(model, spec, { train: slice(trainSet, 0, 10) }, { onProgress: () => progress++ }))
      .rejects.toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/node "\/rnn\/LSTM" \(LSTM\).*try reconstruct$/) });
    expect(progress).toBe(0);
  });
});
