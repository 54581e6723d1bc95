// `npm run bench` (node out/cli/bench.js [--quick] [--reps N] [--model FILE] [--data IMAGES LABELS]
// [--ratios LIST] [--large-mb N] [--no-large]): the performance table of DESIGN.md, measured back to
// back with onnxruntime-node in one run, medians of several repetitions, reported as ratios:
// - batch 1 (one sample at a time, one thread): the whole test set, sparse runtime at several prune
//   ratios and the dense runtime, against onnxruntime-node on the unpruned model;
// - large batch: throughput against onnxruntime-node with 2 intra-op threads;
// - opening a generated large model vs reading its bytes, and the statistics of all its weights.

import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseDataset, type Dataset } from '../core/data';
import { evaluate, parseRatioList, type Runner } from '../core/eval';
import { decodeModel } from '../core/onnx/decode';
import { encodeModel } from '../core/onnx/encode';
import { DataType, type Model, type Tensor } from '../core/onnx/model';
import { tensorToFloat32 } from '../core/onnx/tensor';
import { applyPrune, planPrune } from '../core/prune';
import { Session } from '../core/runtime';
import { tensorStats } from '../core/stats';
import { loadModelFile } from '../engine/files';
import { findResources } from '../engine/node-platform';
import { createOrtRunner } from '../engine/ort-runner';

const now = (): number => performance.now();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function pad(row: string[], widths: number[]): string {
  return row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(pad(head, w));
  console.log(pad(w.map((n) => '-'.repeat(n)), w));
  for (const r of rows) console.log(pad(r, w));
}

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

/** A wide MLP of about `mb` megabytes of float32 weights, made with the encoder. */
function largeModel(mb: number): Model {
  const layers = 4;
  const width = Math.floor(Math.sqrt((mb * 1024 * 1024) / 4 / layers));
  let seed = 12345;
  const initializers: Tensor[] = [];
  const nodes: Model['graph']['nodes'] = [];
  let prev = 'x';
  for (let l = 0; l < layers; l++) {
    const w = new Float32Array(width * width);
    for (let i = 0; i < w.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      w[i] = (seed / 2147483648) * 0.05;
    }
    initializers.push({ name: `w${l}`, dataType: DataType.FLOAT, dims: [width, width], data: w });
    initializers.push({ name: `b${l}`, dataType: DataType.FLOAT, dims: [width], data: new Float32Array(width) });
    const out = l === layers - 1 ? 'y' : `h${l}`;
    nodes.push({ name: `gemm${l}`, opType: 'Gemm', domain: '', inputs: [prev, `w${l}`, `b${l}`], outputs: [out], attributes: [{ name: 'transB', type: 'int', value: 1 }] });
    prev = out;
  }
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'prunescope-bench',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadataProps: [],
    functions: [],
    graph: {
      name: 'wide',
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', width] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', width] } }],
      valueInfo: [],
      nodes,
      initializers,
      sparseInitializers: [],
    },
  };
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
    const mb = Number(values['large-mb'] ?? (quick ? 100 : 500));
    console.log(`\nLarge model: a generated wide MLP of about ${mb} MB`);
    const dir = mkdtempSync(join(tmpdir(), 'prunescope-bench-'));
    const file = join(dir, 'wide.onnx');
    try {
      let encoded: Uint8Array | undefined = encodeModel(largeModel(mb));
      writeFileSync(file, encoded);
      const size = encoded.byteLength;
      encoded = undefined;
      const reads: number[] = [];
      const opens: number[] = [];
      const statsTimes: number[] = [];
      let rssGrowth = 0;
      let count = 0;
      let tensors = 0;
      for (let rep = 0; rep < Math.max(1, reps); rep++) {
        let t0 = now();
        let raw: Buffer | undefined = readFileSync(file);
        reads.push((now() - t0) / 1000);
        raw = undefined;
        void raw;
        const rss0 = process.memoryUsage().rss;
        t0 = now();
        const loaded = await loadModelFile(file);
        opens.push((now() - t0) / 1000);
        rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rss0);
        t0 = now();
        count = 0;
        tensors = 0;
        for (const t of loaded.model.graph.initializers) {
          const v = tensorToFloat32(t);
          tensorStats(v, { bins: 64 });
          count += v.length;
          tensors++;
        }
        statsTimes.push((now() - t0) / 1000);
      }
      printTable(
        ['measure', 'seconds', 'note'],
        [
          ['read the file', median(reads).toFixed(3), `${(size / 2 ** 20).toFixed(0)} MB`],
          ['open (read + decode)', median(opens).toFixed(3), `${(median(opens) / median(reads)).toFixed(2)}× the read; RSS +${(rssGrowth / 2 ** 20).toFixed(0)} MB`],
          ['statistics of all initializers', median(statsTimes).toFixed(3), `${tensors} tensors, ${count} values, histograms + |w| quantiles`],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
