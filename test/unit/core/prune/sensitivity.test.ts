// Sensitivity analysis: one point recomputed independently (the smallest-|w| fraction zeroed here,
// accuracy and loss from onnxruntime-node on the same samples), and the downstream-only run giving
// exactly the whole graph's logits (MLP, and a residual CNN).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import type { Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { sensitivity } from '../../../../src/core/prune/sensitivity';
import { prefixModel, splitAt, suffixModel } from '../../../../src/core/prune/sensitivity-split';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { Session } from '../../../../src/core/runtime';
import { DataType } from '../../../../src/core/onnx/model';
import { ROOT, SAMPLE, sampleDataset } from '../../../support/engine';
import { ORT_ONE_THREAD } from '../../../support/ort';

const load = (p: string): Model => decodeModel(new Uint8Array(readFileSync(p)));
const ctx = { now: () => performance.now() };

/** The model with `tensor`'s round(r × n) smallest |w| (ties: lower index first) set to 0, made here. */
function zeroSmallest(model: Model, tensor: string, r: number): Model {
  const initializers = model.graph.initializers.map((t) => {
    if (t.name !== tensor) return t;
    const w = (t.data as Float32Array).slice();
    const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
    for (const i of order.slice(0, Math.round(r * w.length))) w[i] = 0;
    return { ...t, data: w };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Accuracy and mean cross-entropy (log-softmax in float64) of onnxruntime-node's logits. */
async function ortScore(model: Model, ds: Dataset, n: number): Promise<{ accuracy: number; loss: number }> {
  const s = await ort.InferenceSession.create(encodeModel(model), ORT_ONE_THREAD);
  const res = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', ds.images.slice(0, n * ds.sampleSize), [n, 1, 28, 28]) });
  const y = res[s.outputNames[0]].data as Float32Array;
  await s.release();
  const per = y.length / n;
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(y.subarray(i * per, (i + 1) * per));
    const best = row.indexOf(Math.max(...row));
    if (best === ds.labels[i]) correct++;
    const m = Math.max(...row);
    loss += m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) - row[ds.labels[i]];
  }
  return { accuracy: correct / n, loss: loss / n };
}

describe('sensitivity', () => {
  it('a point equals the tensor pruned independently and measured in onnxruntime on the same samples', async () => {
    const model = load(SAMPLE);
    const ds = sampleDataset();
    const n = 600;
    const r = await sensitivity(model, ds, { ratios: [0.5, 0.9, 0.95], limit: n, select: ['fc2.weight'] }, ctx);
    expect(r.curves.map((c) => c.tensor)).toEqual(['fc2.weight']);
    const base = await ortScore(model, ds, n);
    expect(r.baseline.accuracy).toBe(base.accuracy);
    expect(r.baseline.loss).toBeCloseTo(base.loss, 4);
    for (const p of r.curves[0].points) {
      const want = await ortScore(zeroSmallest(model, 'fc2.weight', p.ratio), ds, n);
      console.log(`fc2.weight at ${p.ratio}: accuracy ${p.accuracy} (onnxruntime ${want.accuracy}), loss ${p.loss.toFixed(5)} (${want.loss.toFixed(5)})`);
      expect(p.pruned).toBeCloseTo(p.ratio, 6);
      expect(p.accuracy).toBe(want.accuracy);
      expect(p.loss).toBeCloseTo(want.loss, 4);
    }
    // pruning more of a trained layer costs accuracy: the curve is not flat
    expect(r.curves[0].points[2].accuracy).toBeLessThan(r.baseline.accuracy);
  });

  it('runs only the nodes downstream of a tensor, and the curves equal those of whole-graph runs', async () => {
    const model = load(SAMPLE);
    const ds = sampleDataset();
    const opts = { ratios: [0.3, 0.9], limit: 300 };
    const down = await sensitivity(model, ds, { ...opts, downstreamOnly: true }, ctx);
    const full = await sensitivity(model, ds, { ...opts, downstreamOnly: false }, ctx);
    expect(down.curves.map((c) => c.nodesRun)).toEqual([5, 3, 1]);
    expect(full.curves.every((c) => c.nodesRun === model.graph.nodes.length)).toBe(true);
    expect(down.curves.map((c) => c.points)).toEqual(full.curves.map((c) => c.points));
  });

  for (const [file, ratio] of [['resources/sample-mlp.onnx', 0.8], ['test/models/cnn/resnet.onnx', 0.7], ['test/models/cnn/mobilenet.onnx', 0.6]] as const) {
    it(`downstream-only logits equal the whole pruned graph's: ${file}`, () => {
      const model = load(join(ROOT, file));
      const fashion = file.includes('cnn');
      const n = 16;
      const x = fashion ? fashionImages(n) : sampleDataset().images.slice(0, n * 784);
      const inputName = model.graph.inputs[0].name;
      const dims = [n, 1, 28, 28];
      const tensors = planPrune(model, { ratio: 0, mode: 'layer' }).layers.map((l) => l.tensor);
      // a tensor in the middle of the graph (for resnet: inside a residual block)
      const tensor = tensors[Math.floor(tensors.length / 2)];
      const pruned = applyPrune(model, planPrune(model, { ratio, mode: 'layer', select: [tensor] }));
      const split = splitAt(model, new Set([tensor]))!;
      expect(split.suffix.length).toBeLessThan(model.graph.nodes.length);
      expect(split.reachesOutput).toBe(true);
      const feed = { [inputName]: { dims, data: x, dataType: DataType.FLOAT } };
      const opts = { kernels: 'sparse' as const, sparseMinSparsity: 0.5 };
      const whole = Session.create(pruned, opts).run(feed);
      const mid = Session.create(prefixModel(model, split), opts).run(feed);
      if (split.frontier.includes(inputName)) mid[inputName] = feed[inputName];
      const tail = Session.create(suffixModel(pruned, split, new Map(Object.entries(mid)), dims[0]), opts).run(mid);
      const out = model.graph.outputs[0].name;
      expect(Array.from(tail[out].data as Float32Array)).toEqual(Array.from(whole[out].data as Float32Array));
    });
  }
});

function fashionImages(n: number): Float32Array {
  const dir = '/usr/share/datasets/fashion-mnist';
  const ds = parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })));
  return ds.images.slice(0, n * ds.sampleSize);
}
