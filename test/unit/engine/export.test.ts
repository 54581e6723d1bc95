// Evaluation accuracy against onnxruntime-node, and exports: both forms load in onnxruntime-node
// and predict what Prunescope's runtime predicts on the bundled test digits; atomic writes; the
// open model's own file is never overwritten; the desktop path policy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMatrixText } from '../../../src/core/dump';
import { argmax } from '../../../src/core/eval';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { applyPrune, planPrune } from '../../../src/core/prune';
import { Session } from '../../../src/core/runtime';
import { EngineRequestError } from '../../../src/engine/client';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { accuracyOf, ortPredictions, SAMPLE, sampleDataset } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const ds = sampleDataset();
const { client } = inProcessEngine(nodePlatform().platform);
const tmp = fileTempDir('prunescope-export-');
let modelId = 0;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});

function runtimePredictions(model: ReturnType<typeof decodeModel>): Int32Array {
  const s = Session.create(model, { kernels: 'sparse' });
  const out = new Int32Array(ds.count);
  const b = 250;
  for (let i = 0; i < ds.count; i += b) {
    const n = Math.min(b, ds.count - i);
    const y = s.runFloat(ds.images.subarray(i * ds.sampleSize, (i + n) * ds.sampleSize), n);
    const per = y.length / n;
    for (let k = 0; k < n; k++) out[i + k] = argmax(y, k * per, per);
  }
  return out;
}

describe('evaluate', () => {
  it('accuracy equals an independent onnxruntime-node computation; all runtimes agree at ratio 0', async () => {
    const n = 1000;
    const oracle = accuracyOf(await ortPredictions(new Uint8Array(readFileSync(SAMPLE)), ds, n), ds.labels.subarray(0, n));
    const p = await client.request({ type: 'evaluate', modelId, spec: { ratio: 0, mode: 'layer' }, dataset: { kind: 'sample' }, options: { batch: 500, limit: n } }).promise;
    expect(p.samples).toBe(n);
    const acc = Object.fromEntries(p.results.map((r) => [r.runtime, r.accuracy]));
    expect(acc.onnxruntime).toBe(oracle);
    // Float rounding may flip a near-tie; allow at most one sample of difference.
    expect(Math.abs(acc.sparse - oracle) * n).toBeLessThanOrEqual(1);
    expect(Math.abs(acc.dense - oracle) * n).toBeLessThanOrEqual(1);
    for (const r of p.results) {
      expect(r.batch1Seconds).toBeGreaterThan(0);
      expect(r.batchThroughput).toBeGreaterThan(0);
    }
  });
});

describe('evaluate a model the runtime cannot run', () => {
  it('still measures onnxruntime; sparse and dense say why they are unavailable', async () => {
    // The sample with Softsign (not in the runtime, monotonic: the argmax is unchanged) on its output.
    const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
    const out = m.graph.outputs[0].name;
    for (const n of m.graph.nodes) n.outputs = n.outputs.map((o) => (o === out ? 'pre_softsign' : o));
    m.graph.nodes.push({ name: 'squash', opType: 'Softsign', domain: '', inputs: ['pre_softsign'], outputs: [out], attributes: [] });
    const bytes = encodeModel(m);
    const opened = await client.request({ type: 'open', source: { kind: 'bytes', name: 'softsign.onnx', bytes: bytes.slice().buffer } }).promise;
    expect(opened.unsupportedOps).toEqual(['Softsign']);
    const p = await client.request({
      type: 'evaluate',
      modelId: opened.modelId,
      spec: { ratio: 0, mode: 'layer' },
      dataset: { kind: 'sample' },
      options: { limit: 500, batch: 250 },
    }).promise;
    const byName = Object.fromEntries(p.results.map((r) => [r.runtime, r]));
    expect(byName.sparse.unavailable).toMatch(/Softsign/);
    expect(byName.dense.unavailable).toMatch(/Softsign/);
    const oracle = accuracyOf(await ortPredictions(bytes, ds, 500), ds.labels.subarray(0, 500));
    expect(byName.onnxruntime.unavailable).toBeUndefined();
    expect(byName.onnxruntime.accuracy).toBe(oracle);
  });
});

describe('export', () => {
  const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
  const plan = planPrune(model, { ratio: 0.8, mode: 'layer' });

  for (const format of ['dense', 'sparse'] as const) {
    it(`${format} export loads in onnxruntime-node and predicts like the runtime`, async () => {
      const r = await client.request({ type: 'export', modelId, spec: { ratio: 0.8, mode: 'layer' }, format }).promise;
      expect(r.bytes).toBeInstanceOf(ArrayBuffer);
      const bytes = new Uint8Array(r.bytes!);
      const ours = runtimePredictions(applyPrune(model, plan));
      const theirs = await ortPredictions(bytes, ds);
      let differ = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) differ++;
      expect(differ).toBeLessThanOrEqual(1);
      // The pruned weights are really gone: 80% zeros per pruned layer in the file (dense form).
      if (format === 'dense') {
        const back = decodeModel(bytes, 'out.onnx');
        for (const l of plan.layers) {
          const v = tensorToFloat32(back.graph.initializers.find((t) => t.name === l.tensor)!);
          let zeros = 0;
          for (const x of v) if (x === 0) zeros++;
          expect(zeros).toBeGreaterThanOrEqual(Math.round(0.8 * v.length));
        }
      } else {
        const back = decodeModel(bytes, 'out.onnx');
        expect(back.graph.sparseInitializers.map((s) => s.values.name).sort()).toEqual(plan.layers.map((l) => l.tensor).sort());
        expect(bytes.byteLength).toBeLessThan(readFileSync(SAMPLE).byteLength);
      }
    });
  }

  it('writes to a path atomically (no temp files left) and refuses the model’s own path', async () => {
    const out = join(tmp, 'pruned.onnx');
    const r = await client.request({ type: 'export', modelId, spec: { ratio: 0.5, mode: 'global' }, format: 'dense', path: out }).promise;
    expect(r.path).toBe(out);
    expect(readdirSync(tmp)).toEqual(['pruned.onnx']);
    const session = await ort.InferenceSession.create(out);
    expect(session.inputNames).toHaveLength(1);
    await session.release();
    const before = statSync(SAMPLE).mtimeMs;
    const err = (await client.request({ type: 'export', modelId, spec: { ratio: 0.5, mode: 'layer' }, format: 'dense', path: SAMPLE }).promise.catch((e: unknown) => e)) as EngineRequestError;
    expect(err.code).toBe('bad-request');
    expect(err.message).toMatch(/overwrite/);
    expect(statSync(SAMPLE).mtimeMs).toBe(before);
  });

  it('dumps a matrix with the pruned values', async () => {
    const name = plan.layers[0].tensor;
    const d = await client.request({ type: 'dumpMatrix', modelId, tensor: name, spec: { ratio: 0.8, mode: 'layer' } }).promise;
    const dims = plan.layers[0].dims;
    expect([d.rows, d.cols]).toEqual([dims[0], dims[1]]);
    const lines = d.text.trimEnd().split('\n');
    expect(lines).toHaveLength(dims[0]);
    let zeros = 0;
    for (const line of lines) for (const v of line.split(' ')) if (Number(v) === 0) zeros++;
    expect(zeros).toBe(plan.layers[0].n - plan.layers[0].kept);
  });
});

describe('dumps to files', () => {
  it('writes every weight as a matrix file and the JSON, each parsing back to the model', async () => {
    const dir = join(tmp, 'matrices');
    const r = await client.request({ type: 'dumpMatrices', modelId, dir }).promise;
    const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
    expect(r.files).toHaveLength(model.graph.initializers.length);
    expect(readdirSync(dir).sort()).toEqual([...r.files].sort());
    for (const [i, t] of model.graph.initializers.entries()) {
      const parsed = parseMatrixText(readFileSync(join(dir, r.files[i]), 'utf8'));
      const want = tensorToFloat32(t);
      expect(parsed.values.length).toBe(want.length);
      let differ = 0;
      for (let k = 0; k < want.length; k++) if (Math.fround(parsed.values[k]) !== want[k]) differ++;
      expect(differ).toBe(0);
    }
    const jsonPath = join(tmp, 'model.json');
    expect((await client.request({ type: 'dumpJson', modelId, path: jsonPath }).promise).path).toBe(jsonPath);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { graph: { node: { opType: string }[] } };
    expect(json.graph.node.map((x) => x.opType)).toEqual(model.graph.nodes.map((x) => x.opType));
  });
});

describe('desktop path policy', () => {
  it('refuses paths main did not allow, accepts allowed ones', async () => {
    const { platform, policy } = nodePlatform({ restricted: true });
    const e = inProcessEngine(platform).client;
    const err = (await e.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise.catch((x: unknown) => x)) as EngineRequestError;
    expect(err.code).toBe('bad-request');
    expect(err.message).toContain('sample-mlp.onnx');
    policy.grant([SAMPLE]);
    const s = await e.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
    const out = join(tmp, 'not-allowed.onnx');
    const w = (await e.request({ type: 'export', modelId: s.modelId, spec: { ratio: 0, mode: 'layer' }, format: 'dense', path: out }).promise.catch((x: unknown) => x)) as EngineRequestError;
    expect(w.code).toBe('bad-request');
    policy.grant([out], true);
    const ok = await e.request({ type: 'export', modelId: s.modelId, spec: { ratio: 0, mode: 'layer' }, format: 'dense', path: out }).promise;
    expect(ok.path).toBe(out);
  });
});
