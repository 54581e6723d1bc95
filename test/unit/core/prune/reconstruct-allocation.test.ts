// How reconstruct splits one overall count of zeros between layers (reconstruct/allocation.ts):
// the convex-curve allocation on hand-computed curves, and on a real CNN (LeNet, Fashion-MNIST)
// in global scope: exactly the requested number of zeros, and outputs closer to the unpruned
// model's on held-out test images (onnxruntime-node) than per-layer (uniform) reconstruction.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { pruneWithMethod } from '../../../../src/core/prune/method';
import { reconstructPrune } from '../../../../src/core/prune/reconstruct';
import { CancelledError } from '../../../../src/core/errors';
import { allocateByCurves } from '../../../../src/core/prune/reconstruct/allocation';
import { charGpt, ids } from './char-gpt-helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FM = '/usr/share/datasets/fashion-mnist';
function fashion(split: 'train' | 't10k'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(FM, n))) })));
}

function load(name: string): Model {
  return decodeModel(new Uint8Array(readFileSync(join(ROOT, 'test', 'models', 'cnn', `${name}.onnx`))), `${name}.onnx`);
}

/** The logits of the first `count` images of `set` in onnxruntime-node. */
async function logits(m: Model, set: Dataset, count: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  const r = await s.run({ x: new ort.Tensor('float32', set.images.slice(0, count * 784), [count, 1, 28, 28]) });
  const out = r[s.outputNames[0]].data as Float32Array;
  await s.release();
  return out;
}

function zeros(m: Model, names: string[]): number {
  let z = 0;
  for (const name of names) {
    const t = m.graph.initializers.find((x) => x.name === name);
    if (t === undefined) throw new Error(`no initializer ${name}`);
    for (const v of t.data as Float32Array) if (v === 0) z++;
  }
  return z;
}

describe('allocateByCurves', () => {
  // A: 0→5 costs 1 (0.2 per weight), 5→10 costs 9 (1.8). B: (0,0) (5,2) (10,3) is not convex, its
  // hull is the one segment 0→10 at 0.3 per weight.
  const curves = [
    { n: 10, ks: [0, 5, 10], errs: [0, 1, 10] },
    { n: 10, ks: [0, 5, 10], errs: [0, 2, 3] },
  ];
  it('takes the cheapest hull segments first, the last in part, exactly the total', () => {
    expect(allocateByCurves(curves, 3, [10, 10])).toEqual([3, 0]);
    expect(allocateByCurves(curves, 12, [10, 10])).toEqual([5, 7]);
    expect(allocateByCurves(curves, 18, [10, 10])).toEqual([8, 10]);
    expect(allocateByCurves(curves, 20, [10, 10])).toEqual([10, 10]);
  });
  it('keeps each layer within its cap; what the curves cannot place goes where there is room', () => {
    // B capped at 6: its hull is (0,0)→(5,2) at 0.4; A's first half, B's 5, then 2 of A's second half
    expect(allocateByCurves(curves, 12, [10, 6])).toEqual([7, 5]);
    // B capped at 4: no point of B past 0, so B has no segment; A takes 10, B the 2 left
    expect(allocateByCurves(curves, 12, [10, 4])).toEqual([10, 2]);
  });
});

describe('reconstruct in global scope on LeNet (Conv and Gemm weights, ratio 0.5)', () => {
  const train = fashion('train');
  const test = fashion('t10k');
  const m = load('lenet');
  const select = m.graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm').map((n) => n.inputs[1]);
  const size = (name: string): number => (m.graph.initializers.find((x) => x.name === name)?.data as Float32Array).length;
  const total = select.reduce((s, name) => s + size(name), 0);
  const data = { calibration: train };

  it('prunes exactly round(0.5 × n) of the selected weights and ends closer to the unpruned outputs than per-layer reconstruct or the magnitude plan\'s split', async () => {
    // 250 calibration images (measured, squared logit error on the 1,000 images below: global 105,
    // per layer 762, the magnitude plan's split 535; with 500 images 82, 373 and 194).
    const spec = { method: 'reconstruct' as const, ratio: 0.5, select, dataLimit: 250 };
    const global = await pruneWithMethod(m, { ...spec, mode: 'global' }, data);
    const layer = await pruneWithMethod(m, { ...spec, mode: 'layer' }, data);
    const plan = await pruneWithMethod(m, { ...spec, mode: 'global', reconstruct: { allocation: 'plan' } }, data);
    expect(zeros(plan.model, select)).toBe(Math.round(0.5 * total));
    expect(zeros(global.model, select)).toBe(Math.round(0.5 * total));
    expect(global.plan.layers.reduce((s, l) => s + l.pruned, 0)).toBe(Math.round(0.5 * total));
    // the layers are not all at 0.5: the split follows the layers' errors
    expect(global.plan.layers.some((l) => Math.abs(l.pruned / l.n - 0.5) > 0.05)).toBe(true);
    expect(global.notes.some((n) => n.includes('allocation'))).toBe(true);
    // held out: 1,000 test images, never seen by the calibration (train split) or the allocation
    const count = 1000;
    const y0 = await logits(m, test, count);
    const error = async (r: { model: Model }): Promise<number> => {
      const y = await logits(r.model, test, count);
      return y.reduce((s, v, i) => s + (v - y0[i]) ** 2, 0);
    };
    const [eg, el, ep] = [await error(global), await error(layer), await error(plan)];
    expect(eg, `global ${eg}, per layer ${el}`).toBeLessThan(el);
    expect(eg, `global ${eg}, magnitude plan's split ${ep}`).toBeLessThan(ep);
  }, 900_000);

  it('keeps the counts of overridden tensors, and all counts with allocation "plan"', async () => {
    const first = select[0];
    const r = await pruneWithMethod(m, { method: 'reconstruct', ratio: 0.5, mode: 'global', select, dataLimit: 200, overrides: { [first]: 0.2 } }, data);
    expect(zeros(r.model, [first])).toBe(Math.round(0.2 * size(first)));
    expect(zeros(r.model, select)).toBe(r.plan.layers.reduce((s, l) => s + l.pruned, 0));
    const counts = { [select[0]]: 10, [select[2]]: 1000 };
    const u = reconstructPrune(m, { ratio: 0, calibration: train.images.subarray(0, 100 * 784), calibrationCount: 100, select, prunedCounts: counts, allocation: 'plan' });
    expect(u.report.layers.map((l) => l.pruned)).toEqual(select.map((s) => counts[s] ?? 0));
  }, 900_000);

  it('the allocation pass reports its progress and honours cancel', () => {
    const seen: string[] = [];
    let polls = 0;
    const run = (): unknown => reconstructPrune(m, {
      ratio: 0.5, calibration: train.images.subarray(0, 100 * 784), calibrationCount: 100, select, allocation: 'output',
      onProgress: (p) => seen.push(p.tensor),
      isCancelled: () => ++polls > 3,
    });
    expect(run).toThrow(CancelledError);
    // cancelled while allocating, before any layer was solved
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((t) => t === 'allocating zeros')).toBe(true);
  });
});

describe('reconstruct in global scope on a language model (token-id calibration)', () => {
  it('feeds the ids to the allocation pass as the model\'s int64 input, and the total count stays exact', async () => {
    const m = charGpt();
    const calibration = ids('char-calib.npy');
    const inits = new Set(m.graph.initializers.map((t) => t.name));
    const select = m.graph.nodes.filter((n) => n.opType === 'MatMul' && inits.has(n.inputs[1]) && n.name.startsWith('/blocks.')).map((n) => n.inputs[1]);
    const total = select.reduce((s, name) => s + (m.graph.initializers.find((x) => x.name === name)?.data as Float32Array).length, 0);
    // before the fix the allocation ran the model on float32 ids: "expects element type 7, got 1"
    const r = await pruneWithMethod(m, { method: 'reconstruct', ratio: 0.5, mode: 'global', select, dataLimit: 16 }, { calibration });
    expect(zeros(r.model, select)).toBe(Math.round(0.5 * total));
    expect(r.notes.some((n) => n.includes('allocation'))).toBe(true);
    // the split follows the layers' measured errors, not 0.5 everywhere
    expect(r.plan.layers.some((l) => Math.abs(l.pruned / l.n - 0.5) > 0.02)).toBe(true);
  }, 900_000);
});
