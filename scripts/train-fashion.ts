// Trains an MLP 784→1000→1000→10 (ReLU) on Fashion-MNIST with the project's own trainer, the same
// shape and form as the sample model, and writes resources/fashion-mlp.onnx (torch.onnx.export's
// form via mlpToModel) with its test accuracy and training configuration in the metadata.
// Training: the first --subset images of Debian's train file (default 20,000 of 60,000, to keep
// training near a quarter of an hour on 2 shared cores); test: the 10,000 t10k images (disjoint).
// The test set is used only to report the accuracy, never to choose anything.
// Prints the test accuracy by our forward pass and by onnxruntime-node (the oracle).
//
// Usage: npx tsx scripts/train-fashion.ts [--data DIR] [--subset N] [--epochs N] [--out FILE]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset, type Dataset } from '../src/core/data';
import { encodeModel } from '../src/core/onnx';
import { initMlp, mlpToModel, predict, randomShift, trainMlp } from '../src/core/train';

export const FASHION_CONFIG = {
  sizes: [784, 1000, 1000, 10],
  initSeed: 1,
  trainSeed: 2,
  epochs: 5,
  subset: 20000,
  batchSize: 64,
  optimizer: 'adam' as const,
  learningRate: 1e-3,
  learningRateDecay: 0.7,
  /** Random shifts of up to ±1 pixel per axis while training. */
  maxShift: 1,
};

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const dataDir = argValue('--data') ?? '/usr/share/datasets/fashion-mnist';
const epochs = Number(argValue('--epochs') ?? FASHION_CONFIG.epochs);
const subset = Number(argValue('--subset') ?? FASHION_CONFIG.subset);
const outPath = argValue('--out') ?? join(root, 'resources', 'fashion-mlp.onnx');

function load(prefix: 'train' | 't10k'): Dataset {
  const file = (kind: string): string => join(dataDir, `${prefix}-${kind}.gz`);
  return parseDataset(['images-idx3-ubyte', 'labels-idx1-ubyte'].map((k) => ({ name: file(k), bytes: new Uint8Array(readFileSync(file(k))) })));
}

async function main(): Promise<void> {
  const all = load('train');
  const test = load('t10k');
  const n = Math.min(subset, all.count);
  const train = { images: all.images.subarray(0, n * 784), labels: all.labels.subarray(0, n), count: n };
  console.log(`training on the first ${n} of ${all.count} Fashion-MNIST train images, testing on ${test.count} t10k images`);
  const layers = initMlp(FASHION_CONFIG.sizes, FASHION_CONFIG.initSeed);
  const started = Date.now();
  trainMlp(layers, train, {
    epochs,
    batchSize: FASHION_CONFIG.batchSize,
    optimizer: FASHION_CONFIG.optimizer,
    learningRate: FASHION_CONFIG.learningRate,
    learningRateDecay: FASHION_CONFIG.learningRateDecay,
    seed: FASHION_CONFIG.trainSeed,
    augment: FASHION_CONFIG.maxShift > 0 ? randomShift(28, 28, FASHION_CONFIG.maxShift) : undefined,
    onEpoch: (r) => {
      console.log(`epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, train accuracy ${r.trainAccuracy.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    },
  });
  const minutes = (Date.now() - started) / 60000;

  const predicted = predict(layers, test.images, test.count);
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  const accuracy = correct / test.count;
  console.log(`test accuracy (prunescope forward): ${accuracy.toFixed(4)} (${correct}/${test.count}); trained in ${minutes.toFixed(1)} min`);

  const model = mlpToModel(layers, {
    docString: `MLP 784-1000-1000-10 trained by scripts/train-fashion.ts on the first ${n} Fashion-MNIST training images.`,
    metadata: {
      test_accuracy: accuracy.toFixed(4),
      test_set: 'Fashion-MNIST t10k-*-ubyte.gz (10,000 images, Debian dataset-fashion-mnist)',
      train_set: `Fashion-MNIST train-*-ubyte.gz, images 0..${n - 1} of ${all.count}`,
      classes: 'T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot',
      training: JSON.stringify({ ...FASHION_CONFIG, epochs, subset: n }),
    },
  });
  const bytes = encodeModel(model);
  writeFileSync(outPath + '.tmp', bytes);
  renameSync(outPath + '.tmp', outPath);
  console.log(`wrote ${outPath} (${bytes.length} bytes)`);

  const session = await ort.InferenceSession.create(outPath);
  const out = await session.run({ input: new ort.Tensor('float32', test.images, [test.count, 1, 28, 28]) });
  const logits = out.logits.data as Float32Array;
  let ortCorrect = 0;
  let agree = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    if (best === test.labels[i]) ortCorrect++;
    if (best === predicted[i]) agree++;
  }
  console.log(`test accuracy (onnxruntime-node): ${(ortCorrect / test.count).toFixed(4)} (${ortCorrect}/${test.count}); predictions agree on ${agree}/${test.count}`);
  if (ortCorrect !== correct) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
