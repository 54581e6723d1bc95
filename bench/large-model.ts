// The "Large model" part of `npm run bench`: a generated wide MLP of about `mb` megabytes, written
// by our encoder and by another writer (unaligned raw data); opening it (read + decode + summary,
// the summary as the engine's 'open' makes it: structure, no zero counts) against reading its
// bytes, the peak memory of a fresh engine process opening it (/proc VmHWM), and the statistics of
// all its weights.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, ModelProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { decodeModel } from '../src/core/onnx/decode';
import { encodeModel } from '../src/core/onnx/encode';
import { DataType, type Model, type Tensor } from '../src/core/onnx/model';
import { tensorToFloat32 } from '../src/core/onnx/tensor';
import { tensorStats } from '../src/core/stats';
import { SUPPORTED_OPS } from '../src/core/runtime';
import { loadModelFile } from '../src/engine/node/files';
import { defaultStatsWorkers, envStatsWorkers } from '../src/engine/node/platform';
import { memoryOf, timedOpen, withEngine } from './engine-process';
import { summarizeModel } from '../src/engine/summary';
import { findRepo, median, printTable } from './table';

const now = (): number => performance.now();

/** The statistics workers of the engine processes this bench starts (as utility.ts sets them). */
function statsWorkers(): number {
  const n = envStatsWorkers() ?? defaultStatsWorkers();
  return n >= 2 ? n : 0;
}

/** A wide MLP of about `mb` megabytes of float32 weights, made with the encoder. */
export function largeModel(mb: number): Model {
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

/**
 * The same model as another writer would store it: protobuf-es's own encoder (no alignment), a
 * one-character doc string after each tensor's raw data and in the model header, so that most
 * tensors start at an offset that is not a multiple of 4.
 */
function unalignedBytes(model: Model): Uint8Array {
  const raw = (t: Tensor): Uint8Array<ArrayBuffer> => {
    const d = t.data as Float32Array;
    return new Uint8Array(d.buffer as ArrayBuffer, d.byteOffset, d.byteLength);
  };
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion),
    docString: 'u',
    producerName: 'another-writer',
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: BigInt(o.version) })),
    graph: {
      name: model.graph.name,
      node: model.graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: [{ name: 'transB', type: AttributeProto_AttributeType.INT, i: 1n }],
      })),
      initializer: model.graph.initializers.map((t) =>
        create(TensorProtoSchema, { name: t.name, dataType: t.dataType, dims: t.dims.map((d) => BigInt(d as number)), rawData: raw(t), docString: 'x' }),
      ),
      input: [{ name: 'x' }],
      output: [{ name: 'y' }],
    },
  });
  return toBinary(ModelProtoSchema, proto);
}

interface EngineFigures {
  open: number;
  stats: number;
  idle: number;
  peak: number;
}

/** Opens `file` in a fresh engine process (out/cli/utility.js) and reads its memory from /proc. */
async function openInEngine(utility: string, file: string): Promise<EngineFigures> {
  return withEngine(utility, async (client, pid) => {
    const idle = memoryOf(pid).rss;
    const { summary, seconds: open } = await timedOpen(client, file);
    const peak = memoryOf(pid).peak;
    const t0 = now();
    await client.request({ type: 'stats', modelId: summary.modelId, bins: 64 }).promise;
    const stats = (now() - t0) / 1000;
    return { open, stats, idle, peak };
  });
}

interface Figures {
  reads: number[];
  opens: number[];
  stats: number[];
  engine: EngineFigures[];
  /** The open split up: decode, first touch of every page of the bytes, summary. */
  decode: number[];
  touch: number[];
  summary: number[];
  count: number;
  tensors: number;
  moved: number;
}

async function measureFile(file: string, reps: number, utility: string | undefined): Promise<Figures> {
  const f: Figures = { reads: [], opens: [], stats: [], engine: [], decode: [], touch: [], summary: [], count: 0, tensors: 0, moved: 0 };
  for (let rep = 0; rep < reps; rep++) {
    let t0 = now();
    let raw: Buffer | undefined = readFileSync(file);
    f.reads.push((now() - t0) / 1000);
    t0 = now();
    const split = decodeModel(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), file, { realignInPlace: true });
    f.decode.push((now() - t0) / 1000);
    t0 = now();
    let sum = 0;
    for (let i = 0; i < raw.length; i += 4096) sum += raw[i];
    f.touch.push((now() - t0) / 1000 + (sum < 0 ? 1 : 0));
    t0 = now();
    summarizeModel(split, { modelId: 1, fileName: file, fileBytes: raw.byteLength }, SUPPORTED_OPS, { zeros: false });
    f.summary.push((now() - t0) / 1000);
    raw = undefined;
    void raw;
    t0 = now();
    let loaded: Awaited<ReturnType<typeof loadModelFile>> | undefined = await loadModelFile(file);
    summarizeModel(loaded.model, { modelId: 1, fileName: loaded.fileName, fileBytes: loaded.bytes.byteLength }, SUPPORTED_OPS, { zeros: false });
    f.opens.push((now() - t0) / 1000);
    const buffer = loaded.bytes.buffer;
    f.moved = loaded.model.graph.initializers.filter((t) => (t.data as Float32Array).buffer !== buffer).length;
    t0 = now();
    f.count = 0;
    f.tensors = 0;
    for (const t of loaded.model.graph.initializers) {
      const v = tensorToFloat32(t);
      tensorStats(v, { bins: 64 });
      f.count += v.length;
      f.tensors++;
    }
    f.stats.push((now() - t0) / 1000);
    loaded = undefined;
    if (utility) f.engine.push(await openInEngine(utility, file));
  }
  return f;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Prints the large-model table: read, open, statistics, engine memory; medians of `reps` repetitions. */
export async function runLargeModelBench(opts: { mb: number; reps: number }): Promise<void> {
  const reps = Math.max(1, opts.reps);
  console.log(`\nLarge model: a generated wide MLP of about ${opts.mb} MB (targets: open within 1.5× the read, engine memory within 1.5× the file, statistics < 1 s)`);
  const dir = mkdtempSync(join(tmpdir(), 'prunescope-bench-'));
  const aligned = join(dir, 'wide.onnx');
  const skewed = join(dir, 'wide-unaligned.onnx');
  const utilityPath = join(findRepo(), 'out/cli/utility.js');
  const utility = existsSync(utilityPath) ? utilityPath : undefined;
  if (!utility) console.log(`(engine process figures skipped: ${utilityPath} is missing; npm run build:cli)`);
  try {
    let model: Model | undefined = largeModel(opts.mb);
    writeFileSync(aligned, encodeModel(model));
    writeFileSync(skewed, unalignedBytes(model));
    model = undefined;
    const rows: string[][] = [];
    for (const [label, file] of [
      ['our encoder', aligned],
      ['another writer, unaligned', skewed],
    ] as const) {
      const size = statSync(file).size;
      const skew = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(file))).graph?.initializer.filter((t) => t.rawData.byteOffset % 4 !== 0).length ?? 0;
      const f = await measureFile(file, reps, utility);
      const read = median(f.reads);
      const open = median(f.opens);
      rows.push([`${label}: read the file`, read.toFixed(3), `${mb(size)}; ${skew} of ${f.tensors} tensors unaligned in the file`]);
      rows.push([
        `${label}: open (read + decode + summary)`,
        open.toFixed(3),
        `${(open / read).toFixed(2)}× the read (target ≤ 1.5×); ${f.moved} tensors copied`,
      ]);
      rows.push([
        `${label}: open, split up`,
        (median(f.decode) + median(f.touch) + median(f.summary)).toFixed(3),
        `after the read: decode ${median(f.decode).toFixed(3)} s, first touch of each page ${median(f.touch).toFixed(3)} s, summary ${median(f.summary).toFixed(3)} s`,
      ]);
      if (f.engine.length > 0) {
        const peak = Math.max(...f.engine.map((e) => e.peak));
        const idle = median(f.engine.map((e) => e.idle));
        rows.push([
          `${label}: open in a fresh engine process`,
          median(f.engine.map((e) => e.open)).toFixed(3),
          `peak RSS ${mb(peak)} = ${(peak / size).toFixed(2)}× the file (target ≤ 1.5×; idle engine ${mb(idle)})`,
        ]);
        rows.push([
          `${label}: engine 'stats' of all initializers`,
          median(f.engine.map((e) => e.stats)).toFixed(3),
          `request to answer, right after the open; ${statsWorkers()} worker threads, 64 bins (target < 1 s)`,
        ]);
      }
      rows.push([
        `${label}: statistics on one thread, in process`,
        median(f.stats).toFixed(3),
        `one thread, no workers: ${f.tensors} tensors, ${f.count} values, histograms + exact |w| quantiles`,
      ]);
    }
    printTable(['measure', 'seconds', 'note'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
