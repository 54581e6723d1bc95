// Masked fine-tuning of the sample model on a few hundred real training digits: the magnitude-pruned
// weights stay exactly (bitwise) zero, the zero count per tensor is round(ratio × n), the kept
// weights learn and the loss on held-back digits ends below magnitude pruning's; a cascade to a
// higher ratio only grows the mask; the export runs in onnxruntime-node as in Prunescope.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { applyPrune, planPrune, pruneWithMethod, type MethodResult, type MethodSpec } from '../../../../src/core/prune';
import { Session } from '../../../../src/core/runtime';
import { initializer, lossAndAccuracy, mnist, sampleModel, slice, zeroCount } from '../train/fixtures';

const train = mnist('train');
const tuning = slice(train, 0, 500);
const held = slice(train, 4000, 5000);
const sample = sampleModel();
const WEIGHTS = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
const spec: MethodSpec = { ratio: 0.9, mode: 'layer', method: 'finetune', epochs: 1, finetune: { steps: 1 } };
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('fine-tuning the sample model at 90%', () => {
  let result: MethodResult;
  let magnitude: Model;
  const fractions: number[] = [];

  beforeAll(async () => {
    result = await pruneWithMethod(sample, spec, { train: tuning }, { onProgress: (f) => fractions.push(f) });
    magnitude = applyPrune(sample, planPrune(sample, spec));
  }, 120_000);

  it('keeps every magnitude-pruned weight exactly zero and round(0.9 × n) zeros per tensor', () => {
    for (const name of WEIGHTS) {
      const mag = initializer(magnitude, name);
      const out = bits(initializer(result.model, name));
      let pruned = 0;
      for (let i = 0; i < mag.length; i++) {
        if (mag[i] !== 0) continue;
        pruned++;
        if (out[i] !== 0) throw new Error(`${name}[${i}] was pruned but is ${initializer(result.model, name)[i]} after fine-tuning`);
      }
      expect(pruned, name).toBe(Math.round(0.9 * mag.length));
      expect(zeroCount(initializer(result.model, name)), name).toBe(pruned);
    }
    expect(result.plan.layers.map((l) => l.pruned)).toEqual(planPrune(sample, spec).layers.map((l) => l.pruned));
  });

  it('trains the kept weights and the biases, leaving the input model as it was', () => {
    for (const name of WEIGHTS) {
      const a = initializer(result.model, name);
      const b = initializer(magnitude, name);
      let kept = 0;
      let changed = 0;
      for (let i = 0; i < a.length; i++) {
        if (b[i] === 0) continue;
        kept++;
        if (a[i] !== b[i]) changed++;
      }
      expect(changed, name).toBeGreaterThan(0.5 * kept);
    }
    expect(initializer(result.model, 'fc1.bias')).not.toEqual(initializer(sample, 'fc1.bias'));
    expect(zeroCount(initializer(sample, 'fc1.weight'))).toBe(0);
  });

  it('ends with a lower loss on held-back digits than magnitude pruning', () => {
    const mag = lossAndAccuracy(magnitude, held);
    const ft = lossAndAccuracy(result.model, held);
    expect(ft.loss).toBeLessThan(mag.loss);
    expect(ft.accuracy).toBeGreaterThan(mag.accuracy);
  });

  it('reports progress up to 1 and notes what it did', () => {
    expect(fractions.length).toBeGreaterThan(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(result.notes.join('\n')).toMatch(/fine-tuned on 450 samples for 1 epoch/);
  });

  it('is deterministic for a fixed seed', async () => {
    const again = await pruneWithMethod(sample, spec, { train: tuning });
    for (const name of WEIGHTS) expect(initializer(again.model, name)).toEqual(initializer(result.model, name));
  }, 120_000);

  it('cascades to a higher ratio with a gradual schedule: the mask only grows', async () => {
    const next = await pruneWithMethod(result.model, { ...spec, ratio: 0.95, finetune: { steps: 2, stepEpochs: 1 } }, { train: tuning });
    for (const name of WEIGHTS) {
      const before = initializer(result.model, name);
      const after = bits(initializer(next.model, name));
      for (let i = 0; i < before.length; i++) if (before[i] === 0 && after[i] !== 0) throw new Error(`${name}[${i}] revived`);
      expect(zeroCount(initializer(next.model, name)), name).toBe(Math.round(0.95 * before.length));
    }
    expect(next.notes[0]).toMatch(/gradual pruning in 2 steps/);
  }, 120_000);

  it('exports a model onnxruntime-node loads and that predicts as Prunescope does', async () => {
    const bytes = encodeModel(result.model);
    const back = decodeModel(bytes, 'finetuned.onnx');
    for (const name of WEIGHTS) expect(initializer(back, name)).toEqual(initializer(result.model, name));
    const n = 500;
    const images = held.images.subarray(0, n * 784);
    const session = await ort.InferenceSession.create(bytes);
    const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', images, [n, 1, 28, 28]) });
    const theirs = res[session.outputNames[0]].data as Float32Array;
    await session.release();
    const ours = Session.create(back, { kernels: 'dense' }).runFloat(images, n);
    expect(theirs.length).toBe(ours.length);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
