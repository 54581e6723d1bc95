// Pruned models through onnxruntime-node (the oracle): the applied plan equals independently
// zeroed weights, and the sparse-initializer export predicts what the dense-zeroed export does.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset } from '../../../../src/core/data';
import { applyPrune, estimateExportBytes, planPrune, PruneError, toSparseInitializers } from '../../../../src/core/prune';

const ROOT = join(__dirname, '..', '..', '..', '..');
const sampleBytes = new Uint8Array(readFileSync(join(ROOT, 'resources', 'sample-mlp.onnx')));
const test = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((n) => {
  const p = join(ROOT, 'resources', 'mnist', n);
  return { name: p, bytes: new Uint8Array(readFileSync(p)) };
}));

async function logits(bytes: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', test.images, [test.count, 1, 28, 28]) });
  const data = out[session.outputNames[0]].data as Float32Array;
  await session.release();
  return data;
}

function argmax(l: Float32Array): Int32Array {
  const out = new Int32Array(l.length / 10);
  for (let s = 0; s < out.length; s++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (l[s * 10 + c] > l[s * 10 + best]) best = c;
    out[s] = best;
  }
  return out;
}

/** Independent zeroing: sort |w| and zero everything at or below the k-th smallest (no ties there). */
function zeroSmallest(model: Model, name: string, ratio: number): Model {
  const t = model.graph.initializers.find((x) => x.name === name)!;
  const w = t.data as Float32Array;
  const sorted = w.map(Math.abs).sort();
  const k = Math.round(ratio * w.length);
  expect(sorted[k - 1]).toBeLessThan(sorted[k]); // no tie at the cut, so "≤ cut" is exactly k entries
  const cut = sorted[k - 1];
  const z = w.map((v) => (Math.abs(v) <= cut ? 0 : v));
  return { ...model, graph: { ...model.graph, initializers: model.graph.initializers.map((x) => (x === t ? { ...t, data: z } : x)) } };
}

describe('pruning the sample model, checked with onnxruntime-node', () => {
  const model = decodeModel(sampleBytes, 'sample-mlp.onnx');

  it('the applied plan gives the same outputs as independently zeroed weights', async () => {
    const ratio = 0.8;
    const plan = planPrune(model, { ratio, mode: 'layer' });
    expect(plan.layers.map((l) => l.tensor)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    const pruned = applyPrune(model, plan);
    let reference = model;
    for (const name of ['fc1.weight', 'fc2.weight', 'fc3.weight']) reference = zeroSmallest(reference, name, ratio);
    for (const name of ['fc1.weight', 'fc2.weight', 'fc3.weight']) {
      const a = pruned.graph.initializers.find((x) => x.name === name)!.data as Float32Array;
      const b = reference.graph.initializers.find((x) => x.name === name)!.data as Float32Array;
      let differ = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
      expect(differ).toBe(0);
    }
    const [mine, theirs] = await Promise.all([logits(encodeModel(pruned)), logits(encodeModel(reference))]);
    expect(Array.from(mine)).toEqual(Array.from(theirs));
    // and the input model is untouched: the unpruned model still gives the original outputs
    expect(Array.from(await logits(encodeModel(model)))).toEqual(Array.from(await logits(sampleBytes)));
  });

  for (const mode of ['layer', 'global'] as const) {
    it(`${mode}: the sparse-initializer export loads and predicts as the dense-zeroed export`, async () => {
      const plan = planPrune(model, { ratio: 0.9, mode });
      const dense = applyPrune(model, plan);
      const sparse = toSparseInitializers(dense);
      expect(sparse.graph.sparseInitializers.map((s) => s.values.name)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
      expect(sparse.graph.initializers.map((t) => t.name)).toEqual(['fc1.bias', 'fc2.bias', 'fc3.bias']);
      const denseBytes = encodeModel(dense);
      const sparseBytes = encodeModel(sparse);
      const back = decodeModel(sparseBytes, 'sparse.onnx');
      const nnz = back.graph.sparseInitializers.map((s) => s.values.dims[0]);
      expect(nnz).toEqual(plan.layers.map((l) => l.kept)); // the sample's kept weights are all non-zero
      expect(back.graph.sparseInitializers.map((s) => s.dims)).toEqual([[1000, 784], [1000, 1000], [10, 1000]]);
      const [d, s] = await Promise.all([logits(denseBytes), logits(sparseBytes)]);
      expect(Array.from(argmax(s))).toEqual(Array.from(argmax(d)));
      let maxDiff = 0;
      for (let i = 0; i < d.length; i++) maxDiff = Math.max(maxDiff, Math.abs(d[i] - s[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      // The size estimates for the status bar are within 2% of the real files.
      const est = estimateExportBytes(model, plan);
      expect(Math.abs(est.dense - denseBytes.length) / denseBytes.length).toBeLessThan(0.02);
      expect(Math.abs(est.sparse - sparseBytes.length) / sparseBytes.length).toBeLessThan(0.02);
      expect(sparseBytes.length).toBeLessThan(denseBytes.length * 0.35);
    });
  }

  it('toSparseInitializers refuses an unknown name and leaves its input alone', () => {
    expect(() => toSparseInitializers(model, ['nope'])).toThrow(PruneError);
    const s = toSparseInitializers(model, ['fc3.weight']);
    expect(s.graph.sparseInitializers).toHaveLength(1);
    expect(model.graph.sparseInitializers).toHaveLength(0);
    expect(model.graph.initializers).toHaveLength(6);
  });
});
