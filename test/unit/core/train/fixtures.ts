// Shared fixtures for the pruning-method tests: the bundled MNIST splits, the sample model, a small
// MLP trained here, accuracy / loss computed independently of the trainer (by the runtime Session).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { Session } from '../../../../src/core/runtime';
import { initMlp, mlpToModel, trainMlp } from '../../../../src/core/train';

export const ROOT = join(__dirname, '..', '..', '..', '..');

export function mnist(split: 'train' | 'test'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => {
    const p = join(ROOT, 'resources', 'mnist', n);
    return { name: p, bytes: new Uint8Array(readFileSync(p)) };
  }));
}

export function sampleModel(): Model {
  return decodeModel(new Uint8Array(readFileSync(join(ROOT, 'resources', 'sample-mlp.onnx'))), 'sample-mlp.onnx');
}

/** Samples from..to of a dataset as a new Dataset (views, not copies). */
export function slice(d: Dataset, from: number, to: number): Dataset {
  return { ...d, images: d.images.subarray(from * d.sampleSize, to * d.sampleSize), labels: d.labels.subarray(from, to), count: to - from };
}

/** An MLP 784→48→32→10 trained for two epochs on the first 2,000 train digits, as an ONNX model. */
export function smallMlp(train: Dataset): Model {
  const layers = initMlp([784, 48, 32, 10], 5);
  trainMlp(layers, { images: train.images, labels: train.labels, count: 2000 }, { epochs: 2, seed: 3 });
  return mlpToModel(layers);
}

export function initializer(m: Model, name: string): Float32Array {
  const t = m.graph.initializers.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  return t.data as Float32Array;
}

export function zeroCount(a: Float32Array): number {
  let z = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

/** Mean softmax cross-entropy and top-1 accuracy by the runtime's dense kernels. */
export function lossAndAccuracy(m: Model, d: Dataset): { loss: number; accuracy: number } {
  const logits = Session.create(m, { kernels: 'dense' }).runFloat(d.images, d.count);
  const classes = logits.length / d.count;
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < d.count; s++) {
    const row = logits.subarray(s * classes, (s + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    if (best === d.labels[s]) correct++;
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - row[best]);
    loss += Math.log(sum) - (row[d.labels[s]] - row[best]);
  }
  return { loss: loss / d.count, accuracy: correct / d.count };
}
