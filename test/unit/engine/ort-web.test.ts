// onnxruntime-web (the browser build's onnxruntime) through the same OrtRunnerFactory the browser
// engine uses, run here in Node: its logits on the CNN fixtures match onnxruntime-node's (the oracle)
// within 1e-5 at batch 1 and 37; the `runtimes` request says which runtime cannot run a model and
// why, before anything runs; a model Prunescope's runtime cannot run still gets an accuracy from
// onnxruntime, equal to onnxruntime-node's on the same images.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../src/core/data';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import { ortWebRuntime } from '../../../src/engine/browser/ort-web-runner';
import { inProcessEngine } from '../../../src/engine/in-process';
import { createOrtRunner } from '../../../src/engine/node/ort-runner';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { RuntimeStatus } from '../../../src/engine/protocol';
import { node } from '../../support/hand-models';
import { accuracyOf, ortPredictions, ROOT, SAMPLE, sampleDataset } from '../../support/engine';
import { LICENCE_MODEL, LICENCE_TEST, torchAccuracy, withInputRenamed } from '../../support/licence-model';

const web = ortWebRuntime(ortWeb, { threads: 1, singleThreadReason: 'tests in Node' });
const FASHION = '/usr/share/datasets/fashion-mnist';

function fashion(count: number): { images: Float32Array; labels: Int32Array } {
  const ds = parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(FASHION, n))) })));
  return { images: ds.images.slice(0, count * 784), labels: ds.labels.slice(0, count) };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('onnxruntime-web runner', () => {
  const data = fashion(37);

  it.each(['lenet', 'resnet', 'mobilenet'])('gives onnxruntime-node\'s logits on the %s CNN at batch 1 and 37', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, `test/models/cnn/${name}.onnx`)));
    const input = { name: 'x', sampleDims: [1, 28, 28] };
    const w = await web.factory(bytes, input);
    const n = await createOrtRunner(bytes, input, { threads: 1 });
    try {
      expect(w.name).toBe('onnxruntime');
      const one = data.images.subarray(0, 784);
      const a1 = await w.runBatch(one, 1);
      expect(a1.length).toBe(10);
      expect(maxDiff(a1, await n.runBatch(one, 1))).toBeLessThanOrEqual(1e-5);
      const a37 = await w.runBatch(data.images, 37);
      expect(a37.length).toBe(370);
      expect(maxDiff(a37, await n.runBatch(data.images, 37))).toBeLessThanOrEqual(1e-5);
      // The fixtures are trained: the logits mean something (far above the 10% of chance).
      let right = 0;
      for (let i = 0; i < 37; i++) {
        const row = a37.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === data.labels[i]) right++;
      }
      expect(right / 37).toBeGreaterThan(0.5);
    } finally {
      await w.dispose();
      await n.dispose();
    }
  });

  it('says it is onnxruntime-web on WebAssembly, and on how many threads and why', () => {
    expect(web.label).toMatch(/^onnxruntime-web 1\.\d+\.\d+ \(WebAssembly, 1 thread: tests in Node\)$/);
  });
});

/** The sample MLP with one more node at the end, of an op Prunescope's runtime lacks. */
function sampleWith(opType: string, nodeName: string): Uint8Array {
  const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)));
  const out = m.graph.outputs[0];
  const last = m.graph.nodes[m.graph.nodes.length - 1];
  const inner = `${out.name}_before`;
  last.outputs = last.outputs.map((o) => (o === out.name ? inner : o));
  // Softsign (x / (1 + |x|)) keeps the order of the logits: the model's predictions stay the sample's.
  m.graph.nodes.push(node(opType, [inner], [out.name], [], nodeName));
  return encodeModel(m);
}

describe('runtimes and the onnxruntime fallback (a browser-like engine: onnxruntime-web)', () => {
  const { platform } = nodePlatform({ ort: false });
  const engine = inProcessEngine({ ...platform, ort: web.factory, ortLabel: web.label });
  const client = engine.client;

  async function open(bytes: Uint8Array, name: string): Promise<number> {
    const s = await client.call({ type: 'open', source: { kind: 'bytes', name, bytes: bytes.slice().buffer } });
    return s.modelId;
  }
  const byName = (list: RuntimeStatus[], r: string): RuntimeStatus | undefined => list.find((s) => s.runtime === r);

  it('names the node Prunescope cannot run, and evaluates the model in onnxruntime instead', async () => {
    const bytes = sampleWith('Softsign', 'pick');
    const id = await open(bytes, 'softsign.onnx');
    const statuses = await client.call({ type: 'runtimes', modelId: id });
    expect(byName(statuses, 'sparse')?.unavailable).toBe('cannot run Softsign (node "pick")');
    expect(byName(statuses, 'dense')?.unavailable).toBe('cannot run Softsign (node "pick")');
    expect(byName(statuses, 'onnxruntime')).toEqual({ runtime: 'onnxruntime', label: web.label });
    // Only Prunescope's runtime asked for: onnxruntime runs it (the fallback) and says so by name.
    const limit = 300;
    const point = await client.call({ type: 'evaluate', modelId: id, spec: { mode: 'layer', ratio: 0 }, dataset: { kind: 'sample' }, options: { runtimes: ['sparse'], limit, batch: 0 } });
    const sparse = point.results.find((m) => m.runtime === 'sparse');
    expect(sparse?.unavailable).toBe('Prunescope\'s runtime cannot run Softsign (node "pick")');
    const ort = point.results.find((m) => m.runtime === 'onnxruntime');
    expect(ort?.unavailable).toBeUndefined();
    const ds = sampleDataset();
    const oracle = accuracyOf(await ortPredictions(bytes, ds, limit), ds.labels.subarray(0, limit));
    expect(ort?.accuracy).toBeCloseTo(oracle, 10);
    expect(oracle).toBeGreaterThan(0.9);
  });

  it('gives onnxruntime\'s own message when it cannot load the model', async () => {
    const id = await open(sampleWith('NoSuchOp', 'mystery'), 'mystery.onnx');
    const statuses = await client.call({ type: 'runtimes', modelId: id });
    expect(byName(statuses, 'sparse')?.unavailable).toBe('cannot run NoSuchOp (node "mystery")');
    const ort = byName(statuses, 'onnxruntime');
    expect(ort?.unavailable).toMatch(/^onnxruntime could not load the model: .*NoSuchOp/);
  });

  it('a BERT-style classifier (input_ids, attention_mask, token_type_ids): onnxruntime-web fed the companions gives torch\'s accuracy', async () => {
    const id = await open(new Uint8Array(readFileSync(LICENCE_MODEL)), 'licence-bert.onnx');
    const point = await client.call({ type: 'evaluate', modelId: id, spec: { mode: 'layer', ratio: 0 }, dataset: { kind: 'paths', paths: [LICENCE_TEST] }, options: { runtimes: ['onnxruntime'], batch: 0 } });
    const ort = point.results.find((m) => m.runtime === 'onnxruntime');
    expect(ort?.unavailable).toBeUndefined();
    expect(ort?.accuracy).toBeCloseTo(torchAccuracy(), 3);
  });

  it('a model with an extra input nobody can fill: every runtime unavailable before Run, saying which input', async () => {
    const id = await open(withInputRenamed('token_type_ids', 'speaker_ids'), 'speaker.onnx');
    const statuses = await client.call({ type: 'runtimes', modelId: id });
    for (const r of ['sparse', 'dense', 'onnxruntime']) expect(byName(statuses, r)?.unavailable, r).toBe('input "speaker_ids" cannot be fed: beside the data input "input_ids" Prunescope fills only attention_mask (ones), token_type_ids (zeros) and position_ids (0..T−1)');
  });

  it('says every runtime can run a model they all support', async () => {
    const id = await open(new Uint8Array(readFileSync(SAMPLE)), 'sample.onnx');
    const statuses = await client.call({ type: 'runtimes', modelId: id });
    expect(statuses.map((s) => [s.runtime, s.unavailable])).toEqual([
      ['sparse', undefined],
      ['dense', undefined],
      ['onnxruntime', undefined],
    ]);
  });
});

describe('runtimes in the Node engine (onnxruntime-node)', () => {
  it('labels onnxruntime as onnxruntime-node and loads the sample in it', async () => {
    const { client } = inProcessEngine(nodePlatform().platform);
    const s = await client.call({ type: 'open', source: { kind: 'bytes', name: 'sample.onnx', bytes: new Uint8Array(readFileSync(SAMPLE)).buffer } });
    const statuses = await client.call({ type: 'runtimes', modelId: s.modelId });
    const ort = statuses.find((x) => x.runtime === 'onnxruntime');
    expect(ort?.unavailable).toBeUndefined();
    expect(ort?.label).toMatch(/^onnxruntime-node 1\.\d+\.\d+ \(CPU/);
  });
});
