// A model of about 200 MB of external data (two files, gaps between tensors) opened without
// reading the data, its statistics, prune plans and exports made tensor by tensor, checked against
// the in-memory path (planPrune, applyPrune, the same statistics) and onnxruntime-node.
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune, type PrunePlan } from '../../../../src/core/prune';
import { EngineRequestError } from '../../../../src/engine/client';
import { inProcessEngine } from '../../../../src/engine/in-process';
import { externalBytesRead, loadModelFile } from '../../../../src/engine/node/files';
import { nodePlatform } from '../../../../src/engine/node/platform';
import { tensorStatistics } from '../../../../src/engine/statistics';
import type { PruneSpec } from '../../../../src/engine/protocol';

const WIDTH = 3584; // 4 weights of 3584² float32: 205 MB
const LAYERS = 4;

/** Weights with many equal magnitudes (values on a grid of 1/512), so that ties at the cut matter. */
function weights(seed: number, n: number): Float32Array {
  const w = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    w[i] = Math.round((s / 2147483648) * 64) / 512;
  }
  return w;
}

/** The in-memory model, and the same with its weights in external files (w0, w1 in a.bin; w2, w3 in b.bin). */
function makeModel(): { resident: Model; external: Model; files: Record<string, { at: number; t: Tensor }[]> } {
  const initializers: Tensor[] = [];
  const nodes: Model['graph']['nodes'] = [];
  let prev = 'x';
  for (let l = 0; l < LAYERS; l++) {
    initializers.push({ name: `w${l}`, dataType: DataType.FLOAT, dims: [WIDTH, WIDTH], data: weights(l + 1, WIDTH * WIDTH) });
    initializers.push({ name: `b${l}`, dataType: DataType.FLOAT, dims: [WIDTH], data: weights(l + 100, WIDTH) });
    const out = l === LAYERS - 1 ? 'y' : `h${l}`;
    nodes.push({ name: `gemm${l}`, opType: 'Gemm', domain: '', inputs: [prev, `w${l}`, `b${l}`], outputs: [out], attributes: [{ name: 'transB', type: 'int', value: 1 }] });
    prev = out;
  }
  const resident: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'prunescope-test', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'wide', valueInfo: [], nodes, initializers, sparseInitializers: [],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', WIDTH] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', WIDTH] } }],
    },
  };
  const files: Record<string, { at: number; t: Tensor }[]> = { 'a.bin': [], 'b.bin': [] };
  const size: Record<string, number> = { 'a.bin': 100, 'b.bin': 0 }; // a gap before the first tensor of a.bin
  const ext = resident.graph.initializers.map((t) => {
    if (!t.name.startsWith('w')) return t;
    const location = Number(t.name.slice(1)) < 2 ? 'a.bin' : 'b.bin';
    const at = size[location];
    const length = (t.data as Float32Array).byteLength;
    files[location].push({ at, t });
    size[location] = at + length + 12; // and a gap after each
    return { name: t.name, dataType: t.dataType, dims: t.dims, external: { location, offset: at, length, entries: [] } };
  });
  return { resident, external: { ...resident, graph: { ...resident.graph, initializers: ext } }, files };
}

function writeExternal(dir: string, m: ReturnType<typeof makeModel>): string {
  for (const [location, list] of Object.entries(m.files)) {
    const fd = openSync(join(dir, location), 'w');
    for (const { at, t } of list) {
      const d = t.data as Float32Array;
      writeSync(fd, new Uint8Array(d.buffer, d.byteOffset, d.byteLength), 0, d.byteLength, at);
    }
    writeSync(fd, new Uint8Array(12), 0, 12, list.at(-1)!.at + (list.at(-1)!.t.data as Float32Array).byteLength);
    closeSync(fd);
  }
  const path = join(dir, 'model.onnx');
  writeFileSync(path, encodeModel(m.external));
  return path;
}

const m = makeModel();
const root = mkdtempSync(join(tmpdir(), 'prunescope-ext-stream-'));
const modelPath = writeExternal(root, m);
const { client } = inProcessEngine(nodePlatform({ ort: false }).platform);
let modelId = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const before = externalBytesRead();
  const summary = await client.call({ type: 'open', source: { kind: 'path', path: modelPath } });
  modelId = summary.modelId;
  // Opening read none of the 205 MB of external data.
  expect(externalBytesRead()).toBe(before);
});

/** The exported model decoded with its data, and the in-memory plan and pruned model to compare. */
async function exportAndCompare(spec: PruneSpec, name: string): Promise<{ plan: PrunePlan; out: string }> {
  const out = join(root, 'out', name);
  rmSync(join(root, 'out'), { recursive: true, force: true });
  mkdirSync(join(root, 'out'));
  const res = await client.call({ type: 'export', modelId, spec, format: 'dense', path: out });
  expect(res.externalData).toBe(`${name}.data`);
  const plan = planPrune(m.resident, { ratio: spec.ratio, mode: spec.mode ?? 'layer', select: spec.select ?? ['w0', 'w1', 'w2', 'w3'], overrides: spec.overrides ?? {} });
  expect(res.report.keptParams).toBe(plan.keptParams);
  expect(res.report.layers.map((l) => [l.tensor, l.kept, l.threshold])).toEqual(plan.layers.map((l) => [l.tensor, l.kept, l.threshold]));
  const expected = applyPrune(m.resident, plan);
  const written = await loadModelFile(out);
  expect(readdirSync(join(root, 'out')).sort()).toEqual([name, `${name}.data`]);
  for (const t of expected.graph.initializers) {
    const got = written.model.graph.initializers.find((x) => x.name === t.name)!;
    expect(Buffer.from((got.data as Float32Array).buffer, (got.data as Float32Array).byteOffset, (got.data as Float32Array).byteLength)
      .equals(Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength)), t.name).toBe(true);
  }
  return { plan, out };
}

describe('a model whose weights are in external data files', () => {
  it('has the statistics of the in-memory model', async () => {
    const got = await client.call({ type: 'stats', modelId, bins: 64 });
    const want = m.resident.graph.initializers.map((t) => tensorStatistics(t, 64));
    // Exact but for the sums' rounding: large tensors are summed in shards on worker threads.
    const sums = (s: (typeof got)[number]): number[] => [s.mean, s.std];
    expect(got.map((s) => ({ ...s, mean: 0, std: 0 }))).toEqual(want.map((s) => ({ ...s, mean: 0, std: 0 })));
    got.forEach((s, i) => sums(s).forEach((v, j) => expect(Math.abs(v - sums(want[i])[j])).toBeLessThan(1e-12 + 1e-9 * Math.abs(sums(want[i])[j]))));
  });

  it('exports pruned 50% per layer, tensor by tensor, exactly as the in-memory path; onnxruntime-node runs it', async () => {
    const { plan, out } = await exportAndCompare({ ratio: 0.5, mode: 'layer' }, 'layer.onnx');
    for (const l of plan.layers) expect(l.kept).toBe(l.n - Math.round(0.5 * l.n));
    const x = new Float32Array(WIDTH).map((_, i) => ((i % 17) - 8) / 16);
    const session = await ort.InferenceSession.create(out);
    const y = (await session.run({ x: new ort.Tensor('float32', x, [1, WIDTH]) })).y.data as Float32Array;
    const inMemory = await ort.InferenceSession.create(encodeModel(applyPrune(m.resident, plan)));
    const z = (await inMemory.run({ x: new ort.Tensor('float32', x, [1, WIDTH]) })).y.data as Float32Array;
    expect(Array.from(y)).toEqual(Array.from(z));
  });

  it('exports a global plan with an override: the same cut, ties and kept counts as planPrune', async () => {
    const { plan } = await exportAndCompare({ ratio: 0.37, mode: 'global', overrides: { w3: 0.8 } }, 'global.onnx');
    expect(plan.layers.some((l) => l.tiesPruned > 0)).toBe(true); // the grid of values makes ties
  });

  it('the prune request plans it tensor by tensor: the report of planPrune', async () => {
    const spec = { ratio: 0.6, mode: 'layer' as const, overrides: { w1: 0.25 } };
    const report = await client.call({ type: 'prune', modelId, spec });
    const plan = planPrune(m.resident, { ...spec, select: ['w0', 'w1', 'w2', 'w3'] });
    expect(report.layers.map((l) => [l.tensor, l.kept, l.threshold])).toEqual(plan.layers.map((l) => [l.tensor, l.kept, l.threshold]));
    expect(report.keptParams).toBe(plan.keptParams);
  });

  it('a cancelled export leaves no file behind', async () => {
    const out = join(root, 'cancel');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const pending = client.request({ type: 'export', modelId, spec: { ratio: 0.5, mode: 'layer' }, format: 'dense', path: join(out, 'c.onnx') }, {
      onProgress: () => client.cancel(pending.id),
    });
    const e = await pending.promise.then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(EngineRequestError);
    expect((e as EngineRequestError).code).toBe('cancelled');
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a request that needs the whole model in memory when it is over the limit', async () => {
    process.env.PRUNESCOPE_MAX_LOAD_BYTES = String(100 << 20);
    try {
      const e = await client.call({ type: 'prunePreview', modelId, spec: { ratio: 0.5, mode: 'layer' } }).then(() => undefined, (err: unknown) => err);
      expect((e as Error).message).toMatch(/model\.onnx: this needs all .* of its external data in memory, more than the 100\.0 MB/);
    } finally {
      delete process.env.PRUNESCOPE_MAX_LOAD_BYTES;
    }
  });
});

describe('broken external data', () => {
  it('a missing or truncated data file is named when the model is opened', async () => {
    const dir = mkdtempSync(join(root, 'broken-'));
    const path = writeExternal(dir, m);
    truncateSync(join(dir, 'b.bin'), 1000);
    const e1 = await client.call({ type: 'open', source: { kind: 'path', path } }).then(() => undefined, (err: unknown) => err);
    expect((e1 as Error).message).toMatch(/^model\.onnx: tensor "w2": bytes \d+\.\.\d+ are outside external data file b\.bin \(1000 bytes\)/);
    rmSync(join(dir, 'a.bin'));
    const e2 = await client.call({ type: 'open', source: { kind: 'path', path } }).then(() => undefined, (err: unknown) => err);
    expect((e2 as Error).message).toMatch(/^model\.onnx: external data file a\.bin \(for tensor "w0"\) not found/);
  });
});
