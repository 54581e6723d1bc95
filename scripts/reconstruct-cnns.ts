// Reconstruction pruning on the Fashion-MNIST CNNs (test/models/cnn): test accuracy of the unpruned
// model, magnitude and reconstruct at each ratio (per layer, Conv and Gemm weights), accuracy by
// onnxruntime-node on the 10,000 t10k images, calibration the first N images of the train split
// (as the CLI takes them). Per layer: reconstruct's relative output error against magnitude's
// (the report's), and with --sensitivity the accuracy when that layer alone is reconstructed.
//
// Usage:
//   npx tsx scripts/reconstruct-cnns.ts [--models lenet,resnet,mobilenet] [--ratios 0.5,0.7]
//     [--calib N (default: the method's dataLimit)] [--damp X] [--target dense|layer]
//     [--block N] [--bias on|off] [--exact on|off] [--residual on|off] [--layers] [--sensitivity]
import type { Dataset } from '../src/core/data';
import { applyPrune, planPrune, METHOD_REGISTRY } from '../src/core/prune';
import { reconstructPrune, type ReconstructOptions } from '../src/core/prune/reconstruct';
import { arg, cnnModel, cpu, fashion, has, ortAccuracy as accuracy, pct, runMain } from './common';

const models = arg('models', 'lenet,resnet,mobilenet').split(',');
const ratios = arg('ratios', '0.5,0.7').split(',').map(Number);
const calib = Number(arg('calib', String(METHOD_REGISTRY.reconstruct.defaults.dataLimit ?? 1000)));

function options(ratio: number, train: Dataset, select: string[]): ReconstructOptions {
  const o: ReconstructOptions = { ratio, calibration: train.images.subarray(0, calib * train.sampleSize), calibrationCount: calib, select };
  if (has('damp')) o.dampening = Number(arg('damp', '0.01'));
  if (has('target')) o.target = arg('target', 'dense') as 'dense' | 'layer';
  if (has('block')) o.blockSize = Number(arg('block', '128'));
  if (has('bias')) o.biasCorrection = arg('bias', 'on') === 'on';
  if (has('exact')) o.exact = arg('exact', 'on') === 'on';
  if (has('residual')) o.residual = arg('residual', 'on') === 'on';
  return o;
}

async function main(): Promise<void> {
  const test = fashion('t10k');
  const train = fashion('train');
  const rows: string[] = [];
  for (const name of models) {
    const model = cnnModel(name);
    const select = model.graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm').map((n) => n.inputs[1]);
    const base = await accuracy(model, test);
    for (const ratio of ratios) {
      const mag = await accuracy(applyPrune(model, planPrune(model, { ratio, mode: 'layer', select })), test);
      const t0 = cpu();
      const { model: rec, report } = reconstructPrune(model, options(ratio, train, select));
      const secs = cpu() - t0;
      const acc = await accuracy(rec, test);
      if (has('layers') || has('sensitivity')) {
        for (const l of report.layers) {
          let alone = '';
          if (has('sensitivity')) {
            const one = reconstructPrune(model, options(ratio, train, [l.tensor])).model;
            alone = ` alone ${pct(await accuracy(one, test))}`;
          }
          console.error(`  ${name} ${ratio} ${l.node} [${l.dims.join('×')}] g${l.groups} rows ${l.rows}/${l.rowsAvailable}: error ${l.outputError.toExponential(2)} (magnitude ${l.magnitudeOutputError.toExponential(2)})${alone}`);
        }
      }
      rows.push(`| ${name} | ${ratio} | ${pct(base)} | ${pct(mag)} | ${pct(acc)} | ${(100 * (acc - base)).toFixed(2)} | ${secs.toFixed(0)} s |`);
      console.error(rows[rows.length - 1]);
    }
  }
  console.log(`per layer, Conv and Gemm weights; ${calib} calibration images (train split, first); accuracy by onnxruntime-node on ${test.count} t10k images`);
  console.log('| model | ratio | unpruned | magnitude | reconstruct | reconstruct − unpruned (points) | CPU |');
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) console.log(r);
}

runMain(main);
