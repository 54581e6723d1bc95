// Compares the pruning methods on one model: test accuracy of magnitude, reconstruct and finetune
// at several ratios (per-layer mode), with the unpruned accuracy and the time each method took.
// Calibration (reconstruct) and training (finetune) samples come from --train, which must be
// disjoint from --test. Accuracy is measured by Prunescope's sparse runtime.
//
// Usage:
//   npx tsx scripts/methods-report.ts [--model FILE] [--test IMAGES,LABELS] [--train IMAGES,LABELS]
//     [--ratios 0.5,0.7,0.8,0.9,0.95,0.97] [--methods magnitude,reconstruct,finetune]
//     [--calib N (reconstruct samples, default 1000)] [--train-limit N (finetune samples, default all)]
//     [--epochs N (finetune, default 8)] [--steps N (finetune schedule)] [--lr X] [--cascade]
// Defaults: the sample model and the bundled MNIST splits (test 2,000, train 8,000).
// --cascade: finetune each ratio starting from the previous ratio's finetuned model (ascending).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Model } from '../src/core/onnx';
import { parseDataset, type Dataset } from '../src/core/data';
import { pruneWithMethod, type MethodSpec, type PruneMethod } from '../src/core/prune';
import { Session } from '../src/core/runtime';
import { arg, has, pct, ROOT, runMain, top1 } from './common';

const mnist = (split: string): string => ['images-idx3-ubyte.gz', 'labels-idx1-ubyte.gz'].map((k) => join(ROOT, 'resources', 'mnist', `${split}-${k}`)).join(',');
const modelPath = arg('model', join(ROOT, 'resources', 'sample-mlp.onnx'));
const testPaths = arg('test', mnist('test')).split(',');
const trainPaths = arg('train', mnist('train')).split(',');
const ratios = arg('ratios', '0.5,0.7,0.8,0.9,0.95,0.97').split(',').map(Number);
const methods = arg('methods', 'magnitude,reconstruct,finetune').split(',') as PruneMethod[];
const calib = Number(arg('calib', '1000'));
const trainLimit = process.argv.includes('--train-limit') ? Number(arg('train-limit', '0')) : undefined;
const epochs = Number(arg('epochs', '8'));
const steps = process.argv.includes('--steps') ? Number(arg('steps', '1')) : undefined;
const lr = process.argv.includes('--lr') ? Number(arg('lr', '0')) : undefined;
const cascade = has('cascade');

function load(paths: string[]): Dataset {
  return parseDataset(paths.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
}

const test = load(testPaths);
const train = load(trainPaths);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)), modelPath);

function accuracy(m: Model): number {
  return top1(Session.create(m, { kernels: 'sparse' }).runFloat(test.images, test.count), test.labels, test.count);
}

async function main(): Promise<void> {
  const base = accuracy(model);
  console.log(`model ${modelPath}`);
  console.log(`test: ${test.count} samples (${testPaths[0]}); calibration / training: ${train.name} (${train.count} samples)`);
  console.log(`reconstruct: ${Math.min(calib, train.count)} calibration samples; finetune: ${trainLimit ?? train.count} samples (10% held out for validation), ` +
    `up to ${epochs} epochs at the target${steps !== undefined ? `, ${steps} prune step(s)` : ', default schedule'}${cascade ? ', cascaded over ascending ratios' : ''}`);
  console.log(`unpruned accuracy ${pct(base)}`);
  console.log('');
  console.log(`| ratio | ${methods.join(' | ')} |`);
  console.log(`|------:|${methods.map(() => '------:').join('|')}|`);
  let previous: Model = model;
  for (const ratio of ratios) {
    const cells: string[] = [];
    for (const method of methods) {
      const spec: MethodSpec = {
        ratio, mode: 'layer', method, epochs,
        dataLimit: method === 'reconstruct' ? calib : trainLimit,
        finetune: { ...(steps !== undefined ? { steps } : {}), ...(lr !== undefined ? { learningRate: lr } : {}) },
      };
      const start = method === 'finetune' && cascade ? previous : model;
      const t0 = performance.now();
      const r = await pruneWithMethod(start, spec, { calibration: train, train });
      const secs = (performance.now() - t0) / 1000;
      if (method === 'finetune') previous = r.model;
      const a = accuracy(r.model);
      cells.push(method === 'magnitude' ? pct(a) : `${pct(a)} (${secs.toFixed(0)} s)`);
      console.error(`  ${method} ${ratio}: ${pct(a)} in ${secs.toFixed(1)} s; ${r.notes[0] ?? ''}`);
    }
    console.log(`| ${ratio.toFixed(2)} | ${cells.join(' | ')} |`);
  }
}

runMain(main);
