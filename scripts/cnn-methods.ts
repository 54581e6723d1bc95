// The method table on the Fashion-MNIST CNNs (test/models/cnn): test accuracy of the unpruned
// model, magnitude pruning and fine-tuning at one ratio (per-layer mode), with the CPU time of the
// fine-tuning. Accuracy is measured by onnxruntime-node on the 10,000 t10k images; fine-tuning
// draws its training and validation samples from the train split only (seeded permutation), so
// no setting is chosen by looking at the test set.
//
// Usage:
//   npx tsx scripts/cnn-methods.ts [--models lenet,resnet,mobilenet] [--ratio 0.7]
//     [--train-limit N (default 20000)] [--epochs N] [--steps N] [--step-epochs N] [--lr X]
//     [--batch N] [--decay X] [--shift N (random shifts, default 1)] [--val F (validation fraction)]
//     [--recal-bn 0|1 (re-estimate BatchNormalization statistics after each prune step; default on)]
//     [--distill 0 (off) | --alpha A --temp T --teacher-on cache|batch]
//     [--bench (ms CPU per training sample instead of the table) [--profile (wall ms per op kind)] [--reps N (measured batches, default 3)]]
//     [--recal-check (magnitude at --ratio with and without BN recalibration, no training)]
//     [--from-reconstruct (fine-tune the global reconstruct result: its zeros as the mask, one step, the unpruned model as teacher)]
// Unset finetune settings take the finetune method's defaults.
//
// Measured (issue 14, 2 cores shared with other jobs; CPU seconds of the fine-tuning; lenet with the
// JS blocked kernels, the others with the WebAssembly one):
//   --models lenet --train-limit 30000 --epochs 6                        88.56% → magnitude 64.47% → 88.38% (265 s)
//   --models resnet --train-limit 6000 --steps 3 --epochs 2               91.68% → 10.00% → 84.41% (237 s)
//   --models resnet --train-limit 6000 --steps 3 --epochs 2 --lr 1e-3     91.68% → 10.00% → 85.99% (244 s)
//   --models resnet --train-limit 8000 --steps 3 --epochs 2               91.68% → 10.00% → 86.13% (314 s)
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3           90.68% → 10.00% → 76.99% (262 s)
//   --models mobilenet --train-limit 12000 --steps 3 --epochs 3 --lr 3e-4 90.68% → 10.00% → 75.30% (256 s)
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3 --lr 1e-3 90.68% → 10.00% → 80.34% (222 s)
//   --models mobilenet --train-limit 20000 --steps 3 --epochs 6 --lr 1e-3 90.68% → 10.00% → 86.28% (687 s)
//   the same with distillation and BN recalibration (the defaults since stop 15)  90.68% → 10.00% → 86.00% (866 s)
//   --models resnet --train-limit 15000 --steps 3 --epochs 6 --lr 1e-3    91.68% → 10.00% → 89.67% (1163 s)
//   (the last two on a quiet machine; both kept their last epoch: validation was still rising)
// Knowledge distillation from the unpruned model (the finetune default since, α 0.5, T 4, teacher
// logits cached on the unshifted samples); "val" is the validation accuracy on the 10% held out of
// the train-split samples, by which the default was chosen (machine loaded ~8×: wall ≫ CPU):
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3 --lr 1e-3 --distill 0  val 81.30%  90.68% → 10.00% → 80.34% (249 s)
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3 --lr 1e-3             val 84.80%  90.68% → 10.00% → 82.12% (277 s)
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3 --lr 1e-3 --teacher-on batch  val 84.20%  → 82.14% (379 s)
//   --models mobilenet --train-limit 10000 --steps 3 --epochs 3 --lr 1e-3 --shift 0   val 84.70%  90.68% → 10.00% → 84.08% (285 s)
//     (teacher cached, shifts on kept as the default: the best validation, though within the noise
//     of 1,000 samples; the test set, not used to choose, favours --shift 0 by 2 points)
// BatchNormalization recalibration after each prune step (now the default; --recal-bn 0 = off):
//   --models resnet --train-limit 3000 --steps 3 --epochs 2 --lr 1e-3 --recal-bn 0    val 87.33%  91.68% → 10.00% → 84.51% (155 s)
//   --models resnet --train-limit 3000 --steps 3 --epochs 2 --lr 1e-3 --recal-bn 1    val 88.33%  91.68% → 10.00% → 88.54% (183 s)
//   --models resnet --train-limit 6000 --steps 3 --epochs 2 --lr 1e-3 --recal-bn 1    val 90.17%  91.68% → 10.00% → 89.32% (335 s)
//     (the same without distillation and recalibration, above: 85.99%)
//   --models lenet --train-limit 30000 --epochs 6                                      val 89.00%  88.56% → 64.47% → 88.11% (216 s)
//   --models lenet --train-limit 30000 --epochs 6 --distill 0                          val 89.17%  88.56% → 64.47% → 88.40% (200 s)
//     (on LeNet distillation does not help: −0.17 points on validation, within its noise)
// BatchNormalization recalibration (--recal-bn; only the ResNet keeps BN) without any training,
// magnitude at 0.5 / 0.7 per layer with its running statistics re-estimated on 2,000 train samples
// (--models resnet --recal-check --ratio 0.5 / 0.7):
//   resnet 0.5: 54.03% → 83.31%; 0.7: 10.00% → 37.23% (unpruned: 91.68% → 91.68%)
import type { Dataset } from '../src/core/data';
import { pruneWithMethod, type MethodSpec } from '../src/core/prune';
import { mulberry32, permutation } from '../src/core/train';
import { backward, compileGraph, forward, logitsOf, recalibrateBatchNorm, softmaxCrossEntropy, trainableTensors, type GraphNet } from '../src/core/train/graph';
import type { Model } from '../src/core/onnx';
import { arg, cnnModel, cpu, fashion, has, ortAccuracy as accuracy, pct, runMain } from './common';

const num = (name: string): number | undefined => (has(name) ? Number(arg(name, '0')) : undefined);
const models = arg('models', 'lenet,resnet,mobilenet').split(',');
const ratio = Number(arg('ratio', '0.7'));
const trainLimit = Number(arg('train-limit', '20000'));

/** The first `n` samples of a seeded permutation of the train split (the classes stay balanced). */
function subset(d: Dataset, n: number): Dataset {
  const order = permutation(d.count, mulberry32(2024)).subarray(0, Math.min(n, d.count));
  const size = d.sampleSize;
  const images = new Float32Array(order.length * size);
  const labels = new Int32Array(order.length);
  order.forEach((src, i) => {
    images.set(d.images.subarray(src * size, (src + 1) * size), i * size);
    labels[i] = d.labels[src];
  });
  return { ...d, images, labels, count: order.length };
}

function bench(name: string, model: Model): void {
  const selected = model.graph.initializers.filter((t) => t.dims.length >= 2).map((t) => t.name);
  const net = compileGraph(model, trainableTensors(model, selected), [1, 28, 28]);
  const B = 64;
  const x = Float32Array.from({ length: B * 784 }, (_, i) => 0.5 + 0.5 * Math.sin(i));
  const labels = Int32Array.from({ length: B }, (_, i) => i % 10);
  const profile = has('profile') ? profiled(net) : undefined;
  const reps = Number(arg('reps', '3'));
  let t = 0;
  for (let r = 0; r <= reps; r++) {
    if (r === 1) profile?.clear();
    const t0 = cpu();
    const f = forward(net, x, B);
    backward(net, f, softmaxCrossEntropy(logitsOf(net, f).data, labels, B, 10).dLogits);
    if (r > 0) t += cpu() - t0;
  }
  console.log(`${name}: ${((t / reps / B) * 1000).toFixed(2)} ms CPU per training sample (forward + backward, batch ${B})`);
  if (profile !== undefined) {
    console.log('  op kind          forward ms/sample  backward ms/sample');
    for (const [kind, [f, b]] of [...profile].sort((p, q) => q[1][0] + q[1][1] - p[1][0] - p[1][1])) {
      console.log(`  ${kind.padEnd(16)} ${(f / reps / B).toFixed(3).padStart(17)}  ${(b / reps / B).toFixed(3).padStart(18)}`);
    }
  }
}

/** --profile: wraps every step's kernel to sum wall ms of forward and backward per op kind (Conv split into dense / depthwise). */
function profiled(net: GraphNet): Map<string, [number, number]> {
  const times = new Map<string, [number, number]>();
  for (const step of net.steps) {
    const { node, kernel } = step;
    const w = net.fixed.get(node.inputs[1] ?? '');
    const kind = node.opType === 'Conv' && w !== undefined && w.dims[1] === 1 && (node.attributes.find((a) => a.name === 'group')?.value ?? 1) !== 1 ? 'Conv depthwise' : node.opType;
    const add = (i: number, ms: number): void => {
      const e = times.get(kind) ?? [0, 0];
      e[i] += ms;
      times.set(kind, e);
    };
    step.kernel = {
      forward(ins) {
        const t0 = performance.now();
        const r = kernel.forward(ins);
        add(0, performance.now() - t0);
        return r;
      },
      backward(...a) {
        const t0 = performance.now();
        const r = kernel.backward(...a);
        add(1, performance.now() - t0);
        return r;
      },
    };
  }
  return times;
}

/** Magnitude pruning at --ratio with and without BatchNormalization statistics re-estimated on 2,000 train samples (no training). */
async function recalCheck(name: string, model: Model, train: Dataset, test: Dataset): Promise<void> {
  const n = Math.min(2000, train.count);
  const mag = await pruneWithMethod(model, { ratio, mode: 'layer', method: 'magnitude' }, {});
  const recal = (m: Model): Model => recalibrateBatchNorm(m, train.images, n, [1, 28, 28]);
  console.log(`${name}: unpruned ${pct(await accuracy(model, test))} (recalibrated ${pct(await accuracy(recal(model), test))}); magnitude ${ratio} ${pct(await accuracy(mag.model, test))} (recalibrated ${pct(await accuracy(recal(mag.model), test))})`);
}

async function main(): Promise<void> {
  const test = fashion('t10k');
  const train = subset(fashion('train'), trainLimit);
  const rows: string[] = [];
  for (const name of models) {
    const model = cnnModel(name);
    if (has('bench')) {
      bench(name, model);
      continue;
    }
    if (has('recal-check')) {
      await recalCheck(name, model, train, test);
      continue;
    }
    const base = await accuracy(model, test);
    const mag = await pruneWithMethod(model, { ratio, mode: 'layer', method: 'magnitude' }, {});
    const magAcc = await accuracy(mag.model, test);
    const finetune: MethodSpec['finetune'] = {};
    const set = (k: string, v: number | undefined): void => {
      if (v !== undefined) (finetune as Record<string, number>)[k] = v;
    };
    set('steps', num('steps'));
    set('stepEpochs', num('step-epochs'));
    set('learningRate', num('lr'));
    set('batchSize', num('batch'));
    set('learningRateDecay', num('decay'));
    set('maxShift', num('shift'));
    set('validationFraction', num('val'));
    if (has('recal-bn')) finetune.recalibrateBatchNorm = num('recal-bn') !== 0;
    if (num('distill') === 0) finetune.distill = false;
    else if (has('alpha') || has('temp') || has('teacher-on')) {
      finetune.distill = { alpha: num('alpha'), temperature: num('temp'), teacherOn: has('teacher-on') ? (arg('teacher-on', 'cache') as 'cache' | 'batch') : undefined };
    }
    // --from-reconstruct: the method's start 'reconstruct' (PruneSpec.start, the CLI's --start
    // reconstruct) in global mode: global reconstruct on 1,000 train images, then one step of
    // fine-tuning from its mask, distilling from the unpruned model.
    const fromRec = has('from-reconstruct');
    const t0 = cpu();
    const w0 = performance.now();
    const spec: MethodSpec = { ratio, mode: fromRec ? 'global' : 'layer', method: 'finetune', epochs: num('epochs'), finetune, ...(fromRec ? { start: 'reconstruct' as const } : {}) };
    let last = -1;
    const ft = await pruneWithMethod(model, spec, { train }, {
      onProgress: (f, m) => {
        if (Math.floor(f * 20) > last) {
          last = Math.floor(f * 20);
          console.error(`  ${name} ${(f * 100).toFixed(0)}% ${m} (${((performance.now() - w0) / 1000).toFixed(0)} s)`);
        }
      },
    });
    const secs = cpu() - t0;
    const ftAcc = await accuracy(ft.model, test);
    for (const n of ft.notes) console.error(`  ${name}: ${n}`);
    rows.push(`| ${name} | ${pct(base)} | ${pct(magAcc)} | ${pct(ftAcc)} (${secs.toFixed(0)} s CPU, ${((performance.now() - w0) / 1000).toFixed(0)} s wall) | ${(100 * (ftAcc - base)).toFixed(2)} |`);
    console.error(rows[rows.length - 1]);
  }
  if (rows.length === 0) return;
  console.log(`ratio ${ratio} per layer; fine-tuning on ${train.count} train-split samples (10% of them held out for validation); accuracy by onnxruntime-node on ${test.count} t10k images`);
  console.log(`| model | unpruned | magnitude ${ratio} | finetune ${ratio} | finetune − unpruned (points) |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

runMain(main);
