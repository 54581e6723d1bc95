// The "Large model" part of `npm run bench`: a generated wide MLP of about `mb` megabytes, opening it
// (read + decode) against reading its bytes, and the statistics of all its weights.

import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeModel } from '../../core/onnx/encode';
import { DataType, type Model, type Tensor } from '../../core/onnx/model';
import { tensorToFloat32 } from '../../core/onnx/tensor';
import { tensorStats } from '../../core/stats';
import { loadModelFile } from '../../engine/files';
import { median, printTable } from './table';

const now = (): number => performance.now();

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

/** Prints the large-model table: read, open, statistics; medians of `reps` repetitions. */
export async function runLargeModelBench(opts: { mb: number; reps: number }): Promise<void> {
  const { mb } = opts;
  const reps = opts.reps;
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
