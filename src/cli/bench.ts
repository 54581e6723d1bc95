// `npm run bench` (node out/cli/bench.js [--quick] [--reps N] [--model FILE] [--data IMAGES LABELS]
// [--ratios LIST] [--large-mb N] [--no-large]): the performance table of DESIGN.md, measured back to
// back with onnxruntime-node in one run, medians of several repetitions, reported as ratios:
// - batch 1 (one sample at a time, one thread): the whole test set, sparse runtime at several prune
//   ratios and the dense runtime, against onnxruntime-node on the unpruned model;
// - large batch: throughput against onnxruntime-node with 2 intra-op threads;
// - opening a generated large model vs reading its bytes, and the statistics of all its weights.

import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseDataset, type Dataset } from '../core/data';
import { evaluate, parseRatioList, type Runner } from '../core/eval';
import { decodeModel } from '../core/onnx/decode';
import { applyPrune, planPrune } from '../core/prune';
import { Session } from '../core/runtime';
import { findResources } from '../engine/node-platform';
import { createOrtRunner } from '../engine/ort-runner';
import { runLargeModelBench } from './bench/large-model';
import { median, printTable } from './bench/table';

const now = (): number => performance.now();

interface Config {
  label: string;
  ratio: number;
  runner: Runner;
  accuracy?: number;
  b1: number[];
  thr: number[];
}

async function measure(c: Config, ds: Dataset, batch: number, limit: number): Promise<void> {
  const [b1] = await evaluate([c.runner], ds, { batch: 0, limit }, { now });
  c.accuracy = b1.accuracy;
  c.b1.push(b1.batch1Seconds ?? NaN);
  if (batch > 0) {
    const [big] = await evaluate([c.runner], ds, { batch, batch1: false, limit }, { now });
    c.thr.push(big.batchThroughput ?? NaN);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      model: { type: 'string' },
      data: { type: 'string', multiple: true },
      ratios: { type: 'string' },
      batch: { type: 'string' },
      limit: { type: 'string' },
      'large-mb': { type: 'string' },
      'no-large': { type: 'boolean' },
    },
  });
  const quick = values.quick === true;
  const reps = Number(values.reps ?? (quick ? 1 : 3));
  const batch = Number(values.batch ?? 1000);
  const res = findResources();
  const modelPath = values.model ?? (res ? join(res, 'sample-mlp.onnx') : 'resources/sample-mlp.onnx');
  const dataPaths = values.data ?? (res ? ['mnist/test-images-idx3-ubyte.gz', 'mnist/test-labels-idx1-ubyte.gz'].map((f) => join(res, f)) : []);
  const ratios = values.ratios ? parseRatioList(values.ratios) : [0, 0.5, 0.7, 0.8, 0.9, 0.95];

  const cpu = cpus();
  console.log(`Prunescope benchmark: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`);
  const bytes = new Uint8Array(readFileSync(modelPath));
  const model = decodeModel(bytes, modelPath);
  const ds = parseDataset(dataPaths.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
  const limit = Math.min(ds.count, Number(values.limit ?? ds.count));
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const input = model.graph.inputs.find((i) => !inits.has(i.name))!;
  const shape = input.type?.kind === 'tensor' ? input.type.shape ?? [] : [];
  const sampleDims = shape.slice(1).every((d) => typeof d === 'number') && shape.length > 1 ? (shape.slice(1) as number[]) : ds.sampleShape;
  console.log(`model ${modelPath}; data ${ds.name}: ${limit} samples; large batch ${batch}; ${reps} repetition(s), medians\n`);

  const ort = await createOrtRunner(bytes, { name: input.name, sampleDims }, { threads: 2 });
  const configs: Config[] = [{ label: 'onnxruntime (unpruned)', ratio: 0, runner: ort, b1: [], thr: [] }];
  const dense = Session.create(model, { kernels: 'dense' });
  configs.push({ label: 'dense', ratio: 0, runner: { name: 'dense', runBatch: (x, b) => dense.runFloat(x, b) }, b1: [], thr: [] });
  for (const r of ratios) {
    const s = Session.create(applyPrune(model, planPrune(model, { ratio: r, mode: 'layer' })), { kernels: 'sparse' });
    configs.push({ label: 'sparse', ratio: r, runner: { name: 'sparse', runBatch: (x, b) => s.runFloat(x, b) }, b1: [], thr: [] });
  }
  for (let rep = 0; rep < reps; rep++) {
    for (const c of configs) await measure(c, ds, batch, limit);
    process.stderr.write(`repetition ${rep + 1}/${reps} done\n`);
  }
  const base = configs[0];
  const b1Base = median(base.b1);
  const thrBase = median(base.thr);
  console.log('Inference on the test set (batch-1 time: one sample at a time, 1 thread; throughput: onnxruntime 2 threads)');
  printTable(
    ['runtime', 'ratio', 'accuracy', 'batch-1 s', 'speed-up b1', `samples/s @${batch}`, 'speed-up batch'],
    configs.map((c) => [
      c.label,
      String(c.ratio),
      (c.accuracy ?? NaN).toFixed(4),
      median(c.b1).toFixed(3),
      `${(b1Base / median(c.b1)).toFixed(2)}×`,
      batch > 0 ? Math.round(median(c.thr)).toString() : 'n/a',
      batch > 0 ? `${(median(c.thr) / thrBase).toFixed(2)}×` : 'n/a',
    ]),
  );
  const baseAcc = configs.find((c) => c.label === 'sparse' && c.ratio === 0)?.accuracy ?? base.accuracy ?? 0;
  const ok = configs.filter((c) => c.label === 'sparse' && (c.accuracy ?? 0) >= baseAcc - 0.005);
  const best = ok.sort((a, b) => b.ratio - a.ratio)[0];
  if (best) {
    console.log(
      `\nTarget check: sparse at ratio ${best.ratio} (accuracy ${best.accuracy!.toFixed(4)}, within 0.5 point of ${baseAcc.toFixed(4)}): ` +
        `${(b1Base / median(best.b1)).toFixed(2)}× onnxruntime at batch 1 (target 4×), ` +
        `${batch > 0 ? (median(best.thr) / thrBase).toFixed(2) : 'n/a'}× at batch ${batch} (target 2×)`,
    );
  }
  await ort.dispose();

  if (values['no-large'] !== true) {
    await runLargeModelBench({ mb: Number(values['large-mb'] ?? (quick ? 100 : 500)), reps });
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
