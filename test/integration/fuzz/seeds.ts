// The real inputs the fuzz suite mutates: ONNX models (the bundled sample, the ONNX project's own
// backend test models, Silero VAD with If subgraphs), a sparse-initializer model made from one of
// them by the CLI, a model of 100,000 one-element initializers, and a small MNIST test set cut from
// resources/mnist in every format the CLI reads (IDX, gzipped IDX, text).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, cliBin } from '../../support/cli';
import { encodeMessage, parseModel, varint, WT, type Field, type Msg } from './wire';

const NODE = '/usr/share/libonnx-testdata/data/node';
const TORCH = '/usr/share/libonnx-testdata/data/pytorch-converted';

export interface SeedModel {
  name: string;
  path: string;
  bytes: Uint8Array;
  msg: Msg;
  /** Byte offsets of every tag and length prefix: where byte mutations hurt the structure. */
  offsets: number[];
  /** Relative cost of one CLI run on it (big models are picked less often). */
  weight: number;
  /** Has initializers a prune changes (the default selection: Gemm / MatMul weights). */
  prunable: boolean;
  /** Its input is MNIST-shaped (for eval). */
  mnist?: boolean;
}

export const SEED_SOURCES: { name: string; path: string; weight: number; prunable?: boolean; mnist?: boolean }[] = [
  { name: 'mlp', path: join(ROOT, 'resources/sample-mlp.onnx'), weight: 1, prunable: true, mnist: true },
  { name: 'vad', path: join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx'), weight: 1 },
  { name: 'gemm', path: `${NODE}/test_gemm_default_matrix_bias/model.onnx`, weight: 2 },
  { name: 'gemmattrs', path: `${NODE}/test_gemm_all_attributes/model.onnx`, weight: 2 },
  { name: 'conv', path: `${NODE}/test_conv_with_strides_padding/model.onnx`, weight: 2 },
  { name: 'if', path: `${NODE}/test_if/model.onnx`, weight: 2 },
  { name: 'ifseq', path: `${NODE}/test_if_seq/model.onnx`, weight: 1 },
  { name: 'loop', path: `${NODE}/test_loop11/model.onnx`, weight: 2 },
  { name: 'seqins', path: `${NODE}/test_sequence_insert_at_back/model.onnx`, weight: 1 },
  { name: 'seqmap', path: `${NODE}/test_sequence_map_add_2_sequences/model.onnx`, weight: 1 },
  { name: 'scan', path: `${NODE}/test_scan_sum/model.onnx`, weight: 1 },
  { name: 'constant', path: `${NODE}/test_constant/model.onnx`, weight: 1 },
  { name: 'lstm', path: `${NODE}/test_lstm_defaults/model.onnx`, weight: 1 },
  { name: 'linear', path: `${TORCH}/test_Linear/model.onnx`, weight: 3, prunable: true },
  { name: 'conv2d', path: `${TORCH}/test_Conv2d/model.onnx`, weight: 2 },
  { name: 'batchnorm', path: `${TORCH}/test_BatchNorm2d_eval/model.onnx`, weight: 1 },
];

function seedFrom(name: string, path: string, weight: number, prunable: boolean, mnist = false): SeedModel {
  const bytes = new Uint8Array(readFileSync(path));
  const offsets: number[] = [];
  const msg = parseModel(bytes, offsets);
  return { name, path, bytes, msg, offsets, weight, prunable, mnist };
}

export interface Datasets {
  /** Raw IDX images (100 MNIST test digits) and labels. */
  images: Uint8Array;
  labels: Uint8Array;
  /** The experiment's text format: 20 lines of 784 values in 0..1 then the label. */
  text: string;
  /** 50 MB of zeros after a 100-image IDX header, gzipped (about 50 KB): a modest gzip bomb. */
  imagesBomb: Uint8Array;
  labelsBomb: Uint8Array;
}

export interface Seeds {
  dir: string;
  models: SeedModel[];
  byName: Map<string, SeedModel>;
  /** linear with its weight stored as an ONNX sparse initializer (written by `prunescope export --format sparse`). */
  sparse: SeedModel;
  /** 100,000 one-element initializers and one Identity node. */
  manyTensors: Uint8Array;
  data: Datasets;
}

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

export function idxHeader(type: number, dims: number[]): Uint8Array {
  return Uint8Array.from([0, 0, type, dims.length, ...dims.flatMap(be32)]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function datasets(): Datasets {
  const n = 100;
  const allImages = gunzipSync(readFileSync(join(ROOT, 'resources/mnist/test-images-idx3-ubyte.gz')));
  const allLabels = gunzipSync(readFileSync(join(ROOT, 'resources/mnist/test-labels-idx1-ubyte.gz')));
  const pixels = new Uint8Array(allImages.subarray(16, 16 + n * 784));
  const labelBytes = new Uint8Array(allLabels.subarray(8, 8 + n));
  const images = concat(idxHeader(8, [n, 28, 28]), pixels);
  const labels = concat(idxHeader(8, [n]), labelBytes);
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) {
    const row = Array.from(pixels.subarray(i * 784, (i + 1) * 784), (p) => (p === 0 ? '0' : (p / 255).toFixed(4)));
    lines.push(`${row.join(' ')} ${labelBytes[i]}`);
  }
  const zeros = new Uint8Array(50 * 1024 * 1024);
  return {
    images,
    labels,
    text: lines.join('\n') + '\n',
    imagesBomb: new Uint8Array(gzipSync(concat(idxHeader(8, [n, 28, 28]), zeros), { level: 9 })),
    labelsBomb: new Uint8Array(gzipSync(concat(idxHeader(8, [n]), labelBytes, zeros), { level: 9 })),
  };
}

function lenField(num: number, payload: Uint8Array | Msg): Field {
  return payload instanceof Uint8Array ? { num, wt: WT.LEN, bytes: payload } : { num, wt: WT.LEN, msg: payload };
}

const utf8 = new TextEncoder();

function floatValueInfo(name: string, dims: number[]): Msg {
  const shape: Msg = { type: 'TensorShapeProto', fields: dims.map((d) => lenField(1, { type: 'TensorShapeProto.Dimension', fields: [{ num: 1, wt: WT.VARINT, varint: BigInt(d) }] })) };
  const tensorType: Msg = { type: 'TypeProto.Tensor', fields: [{ num: 1, wt: WT.VARINT, varint: 1n }, lenField(2, shape)] };
  return { type: 'ValueInfoProto', fields: [lenField(1, utf8.encode(name)), lenField(2, { type: 'TypeProto', fields: [lenField(1, tensorType)] })] };
}

/** A model of `count` float initializers of one element each, and x → Identity → y. */
export function manyTensorsModel(count: number): Uint8Array {
  const graph: Msg = { type: 'GraphProto', fields: [] };
  graph.fields.push(lenField(1, { type: 'NodeProto', fields: [lenField(1, utf8.encode('x')), lenField(2, utf8.encode('y')), lenField(4, utf8.encode('Identity'))] }));
  graph.fields.push(lenField(2, utf8.encode('many')));
  const four = new Uint8Array(4);
  for (let i = 0; i < count; i++) {
    new DataView(four.buffer).setFloat32(0, (i % 97) / 97, true);
    graph.fields.push(
      lenField(5, {
        type: 'TensorProto',
        fields: [
          { num: 1, wt: WT.VARINT, varint: 1n },
          { num: 2, wt: WT.VARINT, varint: 1n },
          lenField(8, utf8.encode(`w${i}`)),
          lenField(9, four.slice()),
        ],
      }),
    );
  }
  graph.fields.push(lenField(11, floatValueInfo('x', [1])), lenField(12, floatValueInfo('y', [1])));
  const model: Msg = {
    type: 'ModelProto',
    fields: [
      { num: 1, wt: WT.VARINT, varint: 8n },
      lenField(8, { type: 'OperatorSetIdProto', fields: [{ num: 2, wt: WT.VARINT, varint: 13n }] }),
      lenField(2, utf8.encode('prunescope-fuzz')),
      lenField(7, graph),
    ],
  };
  return encodeMessage(model);
}

/** Builds every seed under `dir` (the sparse seed by running the CLI once). */
export function prepareSeeds(dir: string): Seeds {
  mkdirSync(dir, { recursive: true });
  const models = SEED_SOURCES.map((s) => {
    const local = join(dir, `${s.name}.onnx`);
    copyFileSync(s.path, local);
    return seedFrom(s.name, local, s.weight, s.prunable === true, s.mnist);
  });
  const byName = new Map(models.map((m) => [m.name, m]));
  const sparsePath = join(dir, 'sparse.onnx');
  const r = spawnSync(process.execPath, [cliBin(), 'export', '--format', 'sparse', '--ratio', '0.5', '-o', sparsePath, join(dir, 'linear.onnx')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PRUNESCOPE_DEBUG: '' },
  });
  if (r.status !== 0) throw new Error(`making the sparse seed failed: ${r.stderr}`);
  const sparse = seedFrom('sparse', sparsePath, 3, true);
  const graph = sparse.msg.fields.find((f) => f.num === 7)?.msg;
  if (!graph?.fields.some((f) => f.num === 15)) throw new Error('the sparse seed has no sparse initializer');
  models.push(sparse);
  byName.set('sparse', sparse);
  const manyTensors = manyTensorsModel(100_000);
  writeFileSync(join(dir, 'many.onnx'), manyTensors);
  return { dir, models, byName, sparse, manyTensors, data: datasets() };
}

export { concat, varint };
