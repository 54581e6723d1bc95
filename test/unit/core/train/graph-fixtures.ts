// Fixtures of the graph-trainer tests: the Fashion-MNIST CNNs (test/models/cnn, or the same
// architectures in /tmp/cnntry before they land) and Fashion-MNIST itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { ROOT } from './fixtures';

export const CNNS = ['lenet', 'resnet', 'mobilenet'] as const;

export function cnnPath(name: (typeof CNNS)[number]): string {
  const inRepo = join(ROOT, 'test', 'models', 'cnn', `${name}.onnx`);
  return existsSync(inRepo) ? inRepo : join('/tmp/cnntry', `${name}.onnx`);
}

export function cnnBytes(name: (typeof CNNS)[number]): Uint8Array {
  return new Uint8Array(readFileSync(cnnPath(name)));
}

export function cnn(name: (typeof CNNS)[number]): Model {
  return decodeModel(cnnBytes(name), `${name}.onnx`);
}

const FASHION = '/usr/share/datasets/fashion-mnist';

export function fashion(split: 'train' | 't10k'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => {
    const p = join(FASHION, n);
    return { name: p, bytes: new Uint8Array(readFileSync(p)) };
  }));
}
