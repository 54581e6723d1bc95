// Fine-tuning with channels: the channels are removed first, then the smaller model is trained
// with no masks. On a small MLP trained here on MNIST digits the fine-tuned smaller model has a
// lower loss on held-back digits than the shrunk model before training; progress is reported and
// Cancel stops the job; the graph trainer (LeNet, Fashion-MNIST) trains a shrunk CNN that
// onnxruntime-node loads.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError } from '../../../../src/core/errors';
import { parseDataset } from '../../../../src/core/data';
import { pruneWithMethod } from '../../../../src/core/prune';
import { initializer, lossAndAccuracy, mnist, slice, smallMlp } from '../train/fixtures';
import { init, loadModel, randomInput, runOrt } from './channels-helpers';

const train = mnist('train');
const held = slice(train, 3000, 4000);
const spec = { ratio: 0.5, mode: 'layer' as const, structure: 'channels', method: 'finetune' as const, epochs: 2, dataLimit: 1000 };

describe('finetune with channels', () => {
  it('shrinks, then trains the smaller model: lower held-back loss than the shrunk model alone', async () => {
    const model = smallMlp(train);
    const data = { train: slice(train, 2000, 3000) };
    const fractions: number[] = [];
    const r = await pruneWithMethod(model, spec, data, { onProgress: (f) => fractions.push(f), yieldNow: () => Promise.resolve() });
    const shrunk = await pruneWithMethod(model, { ...spec, method: 'magnitude' }, {});
    expect(init(r.model, 'fc1.weight').dims).toEqual([24, 784]);
    expect(init(r.model, 'fc2.weight').dims).toEqual([16, 24]);
    expect(init(r.model, 'fc3.weight').dims).toEqual([10, 16]);
    expect(r.plan.structure).toBe('channels');
    expect(r.notes.some((n) => n.includes('channels removed'))).toBe(true);
    expect(initializer(r.model, 'fc1.weight')).not.toEqual(initializer(shrunk.model, 'fc1.weight'));
    expect(lossAndAccuracy(r.model, held).loss).toBeLessThan(lossAndAccuracy(shrunk.model, held).loss);
    expect(fractions.at(-1)).toBe(1);
  });

  it("starting from reconstruct: trains reconstruct's smaller model (its channels, its refits) and reports its plan; progress runs 0 → 1 through both", async () => {
    const model = smallMlp(train);
    const data = { train: slice(train, 2000, 3000) };
    const fractions: number[] = [];
    const r = await pruneWithMethod(model, { ...spec, start: 'reconstruct' }, data, { onProgress: (f) => fractions.push(f), yieldNow: () => Promise.resolve() });
    const rec = await pruneWithMethod(model, { ...spec, method: 'reconstruct' }, { calibration: data.train });
    // the channels reconstruct chose (by activations), not the magnitude ones
    expect(r.plan.layers.map((l) => l.removedChannels)).toEqual(rec.plan.layers.map((l) => l.removedChannels));
    expect(init(r.model, 'fc1.weight').dims).toEqual(init(rec.model, 'fc1.weight').dims);
    // then trained: other weights, a lower held-back loss than reconstruct's result alone
    expect(initializer(r.model, 'fc2.weight')).not.toEqual(initializer(rec.model, 'fc2.weight'));
    expect(lossAndAccuracy(r.model, held).loss).toBeLessThan(lossAndAccuracy(rec.model, held).loss);
    expect(r.notes.some((n) => n.includes('channels removed by reconstruct'))).toBe(true);
    expect(fractions.some((f) => f > 0 && f <= 0.25)).toBe(true);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1] - 1e-9)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
  });

  it('honours Cancel', async () => {
    const model = smallMlp(train);
    let calls = 0;
    const job = pruneWithMethod(model, { ...spec, epochs: 5 }, { train: slice(train, 0, 2000) }, {
      isCancelled: () => ++calls > 3,
      yieldNow: () => Promise.resolve(),
    });
    await expect(job).rejects.toBeInstanceOf(CancelledError);
  });

  it('LeNet on Fashion-MNIST through the graph trainer: the trained smaller model loads in onnxruntime-node', async () => {
    const fm = '/usr/share/datasets/fashion-mnist';
    const data = parseDataset(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(fm, n))) })));
    const m = loadModel('test', 'models', 'cnn', 'lenet.onnx');
    const r = await pruneWithMethod(m, { ...spec, epochs: 1, dataLimit: 200 }, { train: data });
    expect(init(r.model, 'c2.weight').dims).toEqual([8, 3, 5, 5]);
    const out = await runOrt(r.model, [2, 1, 28, 28], randomInput(2 * 784, 5));
    expect(out.dims).toEqual([2, 10]);
  });
});
