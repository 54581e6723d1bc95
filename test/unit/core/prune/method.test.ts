// The method dispatcher on a small MLP trained here on real MNIST digits: magnitude is exactly the
// plan applied; reconstruct honours global plans and overrides (the magnitude plan's per-tensor
// counts), beats magnitude on held-back digits, reports progress, yields, cancels; bad requests
// are PruneErrors naming the problem; the input model is never modified.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Model } from '../../../../src/core/onnx';
import { CancelledError } from '../../../../src/core/errors';
import { applyPrune, planPrune, PruneError, pruneWithMethod } from '../../../../src/core/prune';
import { initializer, lossAndAccuracy, mnist, ROOT, slice, smallMlp, zeroCount } from '../train/fixtures';

const train = mnist('train');
const calib = slice(train, 2000, 2600);
const held = slice(train, 3000, 4000);
const WEIGHTS = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
let model: Model;
let before: Float32Array[];

beforeAll(() => {
  model = smallMlp(train);
  before = model.graph.initializers.map((t) => (t.data as Float32Array).slice());
});

function unchanged(): void {
  model.graph.initializers.forEach((t, i) => expect(t.data as Float32Array, t.name).toEqual(before[i]));
}

describe('pruneWithMethod', () => {
  it('magnitude is applyPrune of planPrune', async () => {
    const spec = { ratio: 0.7, mode: 'global' as const, overrides: { 'fc3.weight': 0.2 } };
    const r = await pruneWithMethod(model, { ...spec, method: 'magnitude' }, {});
    const ref = applyPrune(model, planPrune(model, spec));
    expect(r.method).toBe('magnitude');
    for (const w of WEIGHTS) expect(initializer(r.model, w)).toEqual(initializer(ref, w));
    expect(r.plan).toEqual(planPrune(model, spec));
    unchanged();
  });

  it('reconstruct with allocation "plan" keeps the per-tensor counts of a global plan with an override, and beats magnitude on held-back digits', async () => {
    const spec = { ratio: 0.85, mode: 'global' as const, overrides: { 'fc3.weight': 0.5 } };
    const magPlan = planPrune(model, spec);
    const fractions: number[] = [];
    // (the default in global scope re-splits the zeros: reconstruct-allocation.test.ts)
    const r = await pruneWithMethod(model, { ...spec, method: 'reconstruct', dataLimit: 500, reconstruct: { allocation: 'plan' } }, { calibration: calib }, {
      onProgress: (f) => fractions.push(f),
    });
    for (const l of magPlan.layers) expect(zeroCount(initializer(r.model, l.tensor)), l.tensor).toBe(l.pruned);
    // the global cut prunes the layers unevenly; the override holds
    expect(magPlan.layers[0].pruned / magPlan.layers[0].n).not.toBeCloseTo(magPlan.layers[1].pruned / magPlan.layers[1].n, 2);
    expect(magPlan.layers[2].pruned).toBe(Math.round(0.5 * magPlan.layers[2].n));
    expect(r.plan.layers.map((l) => l.pruned)).toEqual(magPlan.layers.map((l) => l.pruned));
    expect(r.plan.prunedParams).toBe(magPlan.prunedParams);
    // the returned plan selects exactly the result's zeros
    for (const w of WEIGHTS) expect(initializer(applyPrune(r.model, r.plan), w)).toEqual(initializer(r.model, w));
    const mag = lossAndAccuracy(applyPrune(model, magPlan), held);
    const rec = lossAndAccuracy(r.model, held);
    expect(rec.loss).toBeLessThan(mag.loss);
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(r.notes[0]).toMatch(/500 calibration samples/);
    unchanged();
  });

  it('reconstruct leaves tensors outside the selection as they are', async () => {
    const r = await pruneWithMethod(model, { ratio: 0.8, mode: 'layer', select: ['fc2.weight'], method: 'reconstruct', dataLimit: 300 }, { calibration: calib });
    expect(initializer(r.model, 'fc1.weight')).toEqual(initializer(model, 'fc1.weight'));
    expect(zeroCount(initializer(r.model, 'fc2.weight'))).toBe(Math.round(0.8 * 48 * 32));
    expect(r.plan.layers.map((l) => l.tensor)).toEqual(['fc2.weight']);
  });

  it('is deterministic', async () => {
    const spec = { ratio: 0.9, mode: 'layer' as const, method: 'reconstruct' as const, dataLimit: 300 };
    const a = await pruneWithMethod(model, spec, { calibration: calib });
    const b = await pruneWithMethod(model, spec, { calibration: calib });
    for (const w of WEIGHTS) expect(initializer(a.model, w)).toEqual(initializer(b.model, w));
  });

  it('stops with CancelledError when isCancelled turns true, leaving the input model unchanged', async () => {
    for (const method of ['reconstruct', 'finetune'] as const) {
      let polls = 0;
      await expect(pruneWithMethod(model, { ratio: 0.9, mode: 'layer', method }, { calibration: calib, train: calib }, {
        isCancelled: () => ++polls > 20,
      })).rejects.toThrow(CancelledError);
      expect(polls).toBe(21);
      // as an engine sees it: the cancel message arrives while the job waits in yieldNow
      let cancelled = false;
      let yields = 0;
      await expect(pruneWithMethod(model, { ratio: 0.9, mode: 'layer', method }, { calibration: calib, train: calib }, {
        isCancelled: () => cancelled,
        yieldNow: () => new Promise<void>((resolve) => setTimeout(() => {
          yields++;
          cancelled = true;
          resolve();
        }, 1)),
      })).rejects.toThrow(CancelledError);
      expect(yields).toBe(1);
    }
    unchanged();
  });

  it('rejects bad requests with PruneErrors that name the problem (concepts, not CLI flags) and its kind', async () => {
    const spec = { ratio: 0.5, mode: 'layer' as const };
    await expect(pruneWithMethod(model, { ...spec, method: 'reconstruct' }, {})).rejects.toThrow(/^reconstruct needs calibration samples$/);
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune' }, {})).rejects.toThrow(/^finetune needs labelled training samples$/);
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune' }, {})).rejects.toMatchObject({ kind: 'bad-dataset' });
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune', dataLimit: 0 }, { train: calib })).rejects.toMatchObject({ kind: 'invalid' });
    const narrow = { ...calib, name: 'narrow.txt', sampleSize: 100, sampleShape: [100], images: calib.images.subarray(0, 100 * 600) };
    await expect(pruneWithMethod(model, { ...spec, method: 'reconstruct' }, { calibration: narrow })).rejects.toThrow(/"narrow.txt" has samples of 100 values, the model takes 784/);
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune' }, { train: narrow })).rejects.toThrow(/"narrow.txt" has samples of 100 values, the model takes 784/);
    const labels = calib.labels.slice();
    labels[7] = 12;
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune' }, { train: { ...calib, labels, name: 'bad-labels' } }))
      .rejects.toThrow(/label 12 of sample 7 is out of range for a model with 10 outputs/);
    await expect(pruneWithMethod(model, { ...spec, method: 'finetune', dataLimit: 0 }, { train: calib })).rejects.toThrow(PruneError);
    await expect(pruneWithMethod(model, { ...spec, method: 'nope' as 'magnitude' }, {})).rejects.toThrow(/unknown pruning method "nope"/);
    const path = join(ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const ocr = decodeModel(new Uint8Array(readFileSync(path)), path);
    await expect(pruneWithMethod(ocr, { ...spec, method: 'finetune' }, { train: calib }))
      // The recognizer's weights are Constant-node values (prunable since issue 14), which the trainer cannot update.
      .rejects.toThrow('fine-tuning trains initializers; "conv2d_0.w_0" is not one of this model; try reconstruct');
    // reconstruct runs on any model the runtime runs: one with an op it cannot run is refused, naming the node.
    const mystery = { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.opType === 'Relu' ? { ...n, opType: 'Mystery', domain: 'com.example' } : n)) } };
    await expect(pruneWithMethod(mystery, { ...spec, method: 'reconstruct' }, { calibration: calib }))
      .rejects.toThrow(/reconstruct cannot prune this model: the runtime cannot run com\.example\.Mystery/);
    unchanged();
  });
});
