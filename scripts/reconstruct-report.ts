// Accuracy on the bundled MNIST test set of the sample model pruned by magnitude and by
// reconstruction, for a few ratios. Calibration: the first N train digits (disjoint from the test set).
// Usage: npx tsx scripts/reconstruct-report.ts [--calib N] [--damp D] [--block B] [--ratios 0.5,0.9]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Model } from '../src/core/onnx';
import { parseDataset, type Dataset } from '../src/core/data';
import { applyPrune, planPrune } from '../src/core/prune';
import { reconstructPrune } from '../src/core/prune/reconstruct';
import { Session } from '../src/core/runtime';

const ROOT = join(__dirname, '..');
function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const calibCount = Number(arg('calib', '1000'));
const dampening = Number(arg('damp', '0.01'));
const blockSize = Number(arg('block', '128'));
const ratios = arg('ratios', '0.5,0.8,0.9,0.95,0.97').split(',').map(Number);
const modelPath = arg('model', join(ROOT, 'resources', 'sample-mlp.onnx'));
const dataDir = arg('data', join(ROOT, 'resources', 'mnist'));

function load(split: 'train' | 'test'): Dataset {
  const names = split === 'train' ? ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'] : ['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'];
  return parseDataset(names.map((n) => {
    const p = join(dataDir, n);
    return { name: p, bytes: new Uint8Array(readFileSync(p)) };
  }));
}

const train = load('train');
const test = load('test');
const model = decodeModel(new Uint8Array(readFileSync(modelPath)), modelPath);
if (calibCount > train.count) throw new Error(`--calib ${calibCount}: the train split has ${train.count} samples`);
const calibration = train.images.subarray(0, calibCount * train.sampleSize);

function accuracy(m: Model): number {
  const logits = Session.create(m, { kernels: 'dense' }).runFloat(test.images, test.count);
  const classes = logits.length / test.count;
  let correct = 0;
  for (let s = 0; s < test.count; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[s * classes + c] > logits[s * classes + best]) best = c;
    if (best === test.labels[s]) correct++;
  }
  return correct / test.count;
}

const pct = (a: number): string => `${(100 * a).toFixed(2)}%`.padStart(8);
console.log(`model ${modelPath}; test ${test.count} samples; calibration ${calibCount} train samples; dampening ${dampening}; block ${blockSize}`);
console.log(`unpruned accuracy ${pct(accuracy(model)).trim()}`);
console.log('');
console.log('| ratio | magnitude | reconstruct | reconstruct time |');
console.log('|------:|----------:|------------:|-----------------:|');
for (const ratio of ratios) {
  const mag = accuracy(applyPrune(model, planPrune(model, { ratio, mode: 'layer' })));
  const t0 = performance.now();
  const { model: rec } = reconstructPrune(model, { ratio, calibration, calibrationCount: calibCount, dampening, blockSize });
  const secs = (performance.now() - t0) / 1000;
  console.log(`| ${ratio.toFixed(2).padStart(5)} | ${pct(mag).padStart(9)} | ${pct(accuracy(rec)).padStart(11)} | ${`${secs.toFixed(1)} s`.padStart(16)} |`);
}
