// The engine's pruning methods as a client sees them (a real EngineHost in process, real files, real
// onnxruntime-node): the 'prune' job reports progress, can be cancelled and leaves the engine
// serving; later export / evaluate with an equal spec reuse the pruned model (the host's run
// counter does not move, no progress is sent); exports are standard ONNX that onnxruntime-node
// runs with Prunescope's accuracy; bad data and unsupported models give named errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Progress, PruneSpec } from '../../../src/engine/protocol';
import { accuracyOf, failure, ortPredictions, SAMPLE, sampleDataset } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const ds = sampleDataset();
const { client, host } = inProcessEngine(nodePlatform().platform);
const tmp = fileTempDir('prunescope-methods-');
const PRUNED = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
let modelId = 0;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});

describe('prune job with reconstruct', () => {
  const spec: PruneSpec = { ratio: 0.9, mode: 'layer', method: 'reconstruct', calibration: { kind: 'sample', split: 'train' }, dataLimit: 200 };

  it('reports progress, exact counts, then export and evaluate with the same spec reuse the pruned model', async () => {
    const runs0 = host.pruned.runs;
    const progress: Progress[] = [];
    const report = await client.request({ type: 'prune', modelId, spec }, { onProgress: (p) => progress.push(p) }).promise;
    expect(host.pruned.runs).toBe(runs0 + 1);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => p.done < p.total && /fc\d\.weight/.test(p.message))).toBe(true);
    for (const p of progress) expect(p.done).toBeLessThanOrEqual(p.total);
    expect(report.layers.map((l) => l.tensor)).toEqual(PRUNED);
    for (const l of report.layers) expect(l.n - l.kept).toBe(Math.round(0.9 * l.n));
    // What the method did, in the report the CLI prints and the Prune panel lists: the data it
    // calibrated on (here the bundled training split, which the user did not pick) and each layer's error.
    expect(report.notes?.[0]).toMatch(/^reconstructed on 200 calibration samples of "the bundled MNIST train split" \(dampening /);
    for (const name of PRUNED) expect(report.notes?.some((n) => n.startsWith(`${name}: relative output error `)), name).toBe(true);

    // The same spec written differently (keys in another order, a field reconstruct ignores).
    const same = { epochs: 3, dataLimit: 200, calibration: { kind: 'sample', split: 'train' }, method: 'reconstruct', mode: 'layer', ratio: 0.9 } as PruneSpec;
    const exportProgress: Progress[] = [];
    const out = await client.request({ type: 'export', modelId, spec: same, format: 'dense' }, { onProgress: (p) => exportProgress.push(p) }).promise;
    expect(host.pruned.runs).toBe(runs0 + 1);
    expect(exportProgress).toEqual([]);
    expect(out.report.layers.map((l) => l.kept)).toEqual(report.layers.map((l) => l.kept));
    expect(out.report.notes).toEqual(report.notes);

    // Standard ONNX: exactly round(0.9 n) zeros per pruned tensor, and onnxruntime-node predicts
    // with the accuracy Prunescope's own runtime measures for the same spec.
    const bytes = new Uint8Array(out.bytes as ArrayBuffer);
    const model = decodeModel(bytes, 'reconstructed.onnx');
    for (const name of PRUNED) {
      const t = model.graph.initializers.find((x) => x.name === name);
      expect(t).toBeDefined();
      const v = tensorToFloat32(t!);
      let zeros = 0;
      for (let i = 0; i < v.length; i++) if (v[i] === 0) zeros++;
      expect(zeros, name).toBe(Math.round(0.9 * v.length));
    }
    const limit = 1000;
    const ortAccuracy = accuracyOf(await ortPredictions(bytes, ds, limit), ds.labels.subarray(0, limit));
    const point = await client.request({
      type: 'evaluate',
      modelId,
      spec,
      dataset: { kind: 'sample' },
      options: { runtimes: ['sparse', 'onnxruntime'], batch: 500, batch1: false, limit },
    }).promise;
    expect(host.pruned.runs).toBe(runs0 + 1);
    expect(point.method).toBe('reconstruct');
    expect(point.results.map((r) => r.accuracy)).toEqual([ortAccuracy, ortAccuracy]);
    // What reconstruction is for: far above magnitude pruning at 90% (0.73 on these digits).
    const magnitude = await client.request({
      type: 'evaluate',
      modelId,
      spec: { ratio: 0.9, mode: 'layer' },
      dataset: { kind: 'sample' },
      options: { runtimes: ['sparse'], batch: 500, batch1: false, limit },
    }).promise;
    expect(ortAccuracy).toBeGreaterThan(magnitude.results[0].accuracy + 0.05);

    // The matrix dump of a pruned tensor shows the reconstructed values, from the cache too.
    const dump = await client.request({ type: 'dumpMatrix', modelId, tensor: 'fc3.weight', spec }).promise;
    expect(host.pruned.runs).toBe(runs0 + 1);
    const values = dump.text.trim().split(/\s+/).map(Number);
    const fc3 = tensorToFloat32(model.graph.initializers.find((x) => x.name === 'fc3.weight')!);
    expect(values.length).toBe(fc3.length);
    expect(values.filter((v) => v === 0).length).toBe(Math.round(0.9 * fc3.length));
  });

  it('is cancelled mid-job, caches nothing, and the engine keeps serving', async () => {
    const runs0 = host.pruned.runs;
    const size0 = host.pruned.size;
    const events: string[] = [];
    const job = client.request(
      { type: 'prune', modelId, spec: { ...spec, ratio: 0.8, dataLimit: 1000 } },
      {
        onProgress: () => {
          if (events.length === 0) {
            events.push('cancel');
            client.cancel(job.id);
          }
        },
      },
    );
    const e = await failure(job.promise);
    expect(e.code).toBe('cancelled');
    expect(events).toEqual(['cancel']);
    expect(host.pruned.runs).toBe(runs0 + 1);
    expect(host.pruned.size).toBe(size0);
    expect(host.running).toBe(0);
    const r = await client.request({ type: 'prunePreview', modelId, spec: { ratio: 0.5, mode: 'layer' } }).promise;
    expect(r.keptParams).toBe(r.prunableParams - r.layers.reduce((s, l) => s + Math.round(0.5 * l.n), 0));
  });
});

describe('sweep over methods', () => {
  it('one point per (method, ratio), each sent as progress with its method', async () => {
    const runs0 = host.pruned.runs;
    const points: Progress[] = [];
    const result = await client.request(
      {
        type: 'sweep',
        modelId,
        spec: { mode: 'layer', dataLimit: 200 },
        ratios: [0.5, 0.9],
        methods: ['magnitude', 'reconstruct'],
        dataset: { kind: 'sample' },
        options: { runtimes: ['sparse'], batch: 500, batch1: false, limit: 500 },
      },
      { onProgress: (p) => p.point && points.push(p) },
    ).promise;
    expect(result.map((p) => `${p.method} ${p.ratio}`)).toEqual(['magnitude 0.5', 'magnitude 0.9', 'reconstruct 0.5', 'reconstruct 0.9']);
    expect(points.map((p) => p.point)).toEqual(result);
    expect(points.map((p) => p.done / p.total)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(result[3].results[0].accuracy).toBeGreaterThan(result[1].results[0].accuracy);
    // reconstruct 0.9 with 200 bundled training digits ran in the first test: only 0.5 is new.
    expect(host.pruned.runs).toBe(runs0 + 1);
  });
});

describe('sweep with fine-tuning', () => {
  it('runs its ratios in ascending order as a cascade: each ratio starts from the previous result, its mask grows', async () => {
    const runs0 = host.pruned.runs;
    const result = await client.request({
      type: 'sweep',
      modelId,
      spec: { mode: 'layer', dataLimit: 300, epochs: 1 },
      ratios: [0.9, 0, 0.5],
      methods: ['finetune'],
      dataset: { kind: 'sample' },
      options: { runtimes: ['sparse'], batch: 500, batch1: false, limit: 300 },
    }).promise;
    expect(result.map((p) => p.ratio)).toEqual([0, 0.5, 0.9]);
    // Ratio 0 prunes nothing, so nothing is trained: two method runs.
    expect(host.pruned.runs).toBe(runs0 + 2);
    const entries = host.pruned.entriesOf(modelId).filter((e) => e.entry.method === 'finetune');
    const at = (r: number) => entries.find((e) => JSON.parse(e.key.split(' after ')[0])[1] === r);
    const half = at(0.5);
    const ninety = at(0.9);
    expect(half?.key).not.toContain(' after ');
    expect(ninety?.key).toBe(`${half!.key.replace('0.5', '0.9')} after ${half!.key}`);
    // One prune step from the 0.5 result (not the 5-step schedule run from the unpruned model).
    expect(ninety!.entry.notes.join(' ')).not.toMatch(/gradual/);
    for (const name of PRUNED) {
      const a = tensorToFloat32(half!.entry.model.graph.initializers.find((t) => t.name === name)!);
      const b = tensorToFloat32(ninety!.entry.model.graph.initializers.find((t) => t.name === name)!);
      let revived = 0;
      let zeros = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === 0 && b[i] !== 0) revived++;
        if (b[i] === 0) zeros++;
      }
      expect(revived, name).toBe(0);
      expect(zeros, name).toBe(Math.round(0.9 * b.length));
    }
    // Even one epoch on 270 digits beats plain magnitude pruning at 0.9 on the same test digits.
    const magnitude = await client.request({
      type: 'evaluate',
      modelId,
      spec: { ratio: 0.9, mode: 'layer' },
      dataset: { kind: 'sample' },
      options: { runtimes: ['sparse'], batch: 500, batch1: false, limit: 300 },
    }).promise;
    expect(result[2].results[0].accuracy).toBeGreaterThan(magnitude.results[0].accuracy);
  });
});

describe('bad input', () => {
  it('a training set whose images have the wrong size: bad-dataset naming the file', async () => {
    const file = join(tmp, 'tiny-train.txt');
    writeFileSync(file, '0.1 0.2 0.3 1\n0.4 0.5 0.6 0\n');
    const e = await failure(client.request({ type: 'prune', modelId, spec: { ratio: 0.5, mode: 'layer', method: 'finetune', train: { kind: 'paths', paths: [file] } } }).promise);
    expect(e.code).toBe('bad-dataset');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/training set.*3 values.*784/);
    expect(e.file).toBe(file);
  });

  it('calibration files that do not exist: not-found naming the file', async () => {
    const file = join(tmp, 'missing-images-idx3-ubyte.gz');
    const e = await failure(client.request({ type: 'prune', modelId, spec: { ratio: 0.5, mode: 'layer', method: 'reconstruct', calibration: { kind: 'paths', paths: [file] } } }).promise);
    expect(e.code).toBe('not-found');
    expect(e.message).toContain(file);
  });

  it('a model reconstruction cannot handle: unsupported naming the node, before the data loads', async () => {
    // The sample MLP with its first Relu turned into an op of another domain, which the runtime cannot run.
    const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)), SAMPLE);
    const relu = m.graph.nodes.find((n) => n.opType === 'Relu');
    const nodes = m.graph.nodes.map((n) => (n === relu ? { ...n, opType: 'Mystery', domain: 'com.example' } : n));
    const model = join(tmp, 'mystery.onnx');
    writeFileSync(model, encodeModel({ ...m, graph: { ...m.graph, nodes } }));
    const id = (await client.request({ type: 'open', source: { kind: 'path', path: model } }).promise).modelId;
    const missing = join(tmp, 'never-read-images-idx3-ubyte.gz');
    const e = await failure(client.request({ type: 'prune', modelId: id, spec: { ratio: 0.5, mode: 'layer', method: 'reconstruct', calibration: { kind: 'paths', paths: [missing] } } }).promise);
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain('mystery.onnx');
    expect(e.message).toContain(`com.example.Mystery "${relu?.name ?? ''}"`);
    await client.request({ type: 'close', modelId: id }).promise;
  });

  it('malformed method fields: bad-request', async () => {
    for (const [spec, text] of [
      [{ ratio: 0.5, mode: 'layer', method: 'obs' }, /spec.method/],
      [{ ratio: 0.5, mode: 'layer', method: 'finetune', epochs: 0 }, /epochs/],
      [{ ratio: 0.5, mode: 'layer', method: 'reconstruct', dataLimit: 1.5 }, /dataLimit/],
      [{ ratio: 0.5, mode: 'layer', calibration: { kind: 'sample', split: 'validation' } }, /split/],
    ] as const) {
      const e = await failure(client.request({ type: 'prune', modelId, spec: spec as unknown as PruneSpec }).promise);
      expect(e.code).toBe('bad-request');
      expect(e.message).toMatch(text);
    }
    const e = await failure(
      client.request({ type: 'sweep', modelId, spec: { mode: 'layer' }, ratios: [0.5], methods: ['magnitude', 'magnitude'], dataset: { kind: 'sample' } }).promise,
    );
    expect(e.code).toBe('bad-request');
  });
});
