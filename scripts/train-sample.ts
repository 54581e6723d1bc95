// Trains the bundled sample model: an MLP 784→1000→1000→10 with ReLU, on the 8,000 training
// digits of resources/mnist (see resources/README.md), with the project's own trainer
// (src/core/train), and writes resources/sample-mlp.onnx with the project's encoder in
// torch.onnx.export's form. Prints the test accuracy by our forward pass and by onnxruntime-node
// (the oracle), which must agree.
//
// Reproducible: fixed seeds for the initial weights, the shuffling and the augmentation.
// Usage: npx tsx scripts/train-sample.ts [--epochs N] [--out FILE]
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset, type Dataset } from '../src/core/data';
import { encodeModel } from '../src/core/onnx';
import { initMlp, mlpToModel, predict, randomShift, trainMlp } from '../src/core/train';

export const SAMPLE_CONFIG = {
  sizes: [784, 1000, 1000, 10],
  initSeed: 1,
  trainSeed: 2,
  epochs: 15,
  batchSize: 64,
  optimizer: 'adam' as const,
  learningRate: 1e-3,
  learningRateDecay: 0.85,
  /** Random shifts of up to ±2 pixels per axis while training. */
  maxShift: 2,
};

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const epochs = Number(argValue('--epochs') ?? SAMPLE_CONFIG.epochs);
const outPath = argValue('--out') ?? join(root, 'resources', 'sample-mlp.onnx');

function load(prefix: string): Dataset {
  const file = (kind: string) => join(root, 'resources', 'mnist', `${prefix}-${kind}.gz`);
  return parseDataset(['images-idx3-ubyte', 'labels-idx1-ubyte'].map((k) => ({ name: file(k), bytes: new Uint8Array(readFileSync(file(k))) })));
}

async function main(): Promise<void> {
  const train = load('train');
  const test = load('test');
  console.log(`training on ${train.count} digits, testing on ${test.count}`);
  const layers = initMlp(SAMPLE_CONFIG.sizes, SAMPLE_CONFIG.initSeed);
  const started = Date.now();
  trainMlp(layers, train, {
    epochs,
    batchSize: SAMPLE_CONFIG.batchSize,
    optimizer: SAMPLE_CONFIG.optimizer,
    learningRate: SAMPLE_CONFIG.learningRate,
    learningRateDecay: SAMPLE_CONFIG.learningRateDecay,
    seed: SAMPLE_CONFIG.trainSeed,
    augment: randomShift(28, 28, SAMPLE_CONFIG.maxShift),
    onEpoch: (r) => {
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, train accuracy ${r.trainAccuracy.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    },
  });

  const predicted = predict(layers, test.images, test.count);
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  const accuracy = correct / test.count;
  console.log(`test accuracy (prunescope forward): ${accuracy.toFixed(4)} (${correct}/${test.count})`);

  const model = mlpToModel(layers, {
    docString: 'MLP 784-1000-1000-10 trained by scripts/train-sample.ts on resources/mnist (8,000 digits).',
    metadata: {
      test_accuracy: accuracy.toFixed(4),
      test_set: 'resources/mnist/test-*-ubyte.gz (2,000 digits)',
      training: JSON.stringify({ ...SAMPLE_CONFIG, epochs }),
    },
  });
  const bytes = encodeModel(model);
  writeFileSync(outPath + '.tmp', bytes);
  renameSync(outPath + '.tmp', outPath);
  console.log(`wrote ${outPath} (${bytes.length} bytes)`);

  // The oracle: onnxruntime-node on the file just written.
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
