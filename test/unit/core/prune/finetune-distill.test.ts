// Fine-tuning with knowledge distillation (the registry default) and without (distill false, the
// CLI's --distill 0): LeNet on a few hundred Fashion-MNIST training images. The default distils
// from the unpruned model and says so; off trains on the labels alone and gives another model;
// a channels spec distils from the model before its channels were removed. The spec field goes
// through resolveSpec / methodSpecOf like epochs. On the ResNet-style model the BatchNormalization
// statistics are re-estimated after pruning by default, and left as they are when that is off.
import { beforeAll, describe, expect, it } from 'vitest';
import { methodSpecOf, pruneWithMethod, resolveSpec, type MethodResult, type MethodSpec } from '../../../../src/core/prune';
import { cnn, fashion } from '../train/graph-fixtures';
import { initializer, slice } from '../train/fixtures';

const WEIGHTS = ['c1.weight', 'c2.weight', 'f1.weight', 'f2.weight', 'f3.weight'];
const spec: MethodSpec = { ratio: 0.7, mode: 'layer', select: WEIGHTS, method: 'finetune', epochs: 1, finetune: { steps: 1 } };
const train = slice(fashion('train'), 0, 300);
const lenet = cnn('lenet');

describe('fine-tuning with and without distillation', () => {
  let distilled: MethodResult;
  let plain: MethodResult;
  beforeAll(async () => {
    distilled = await pruneWithMethod(lenet, spec, { train });
    plain = await pruneWithMethod(lenet, { ...spec, finetune: { steps: 1, distill: false } }, { train });
  }, 600_000);

  it('distils from the unpruned model by default (α 0.5, T 4) and not when off', () => {
    expect(distilled.notes.join('\n')).toMatch(/distilled from the unpruned model \(α = 0\.5, T = 4, teacher logits cached/);
    expect(plain.notes.join('\n')).not.toMatch(/distil/);
    expect(Array.from(initializer(distilled.model, 'f3.weight'))).not.toEqual(Array.from(initializer(plain.model, 'f3.weight')));
  });

  it('channels: distils from the model before its channels were removed', async () => {
    const r = await pruneWithMethod(lenet, { ...spec, structure: 'channels', ratio: 0.5, finetune: { steps: 1, distill: { teacherOn: 'batch' } } }, { train: slice(train, 0, 100) });
    expect(r.notes.join('\n')).toMatch(/distilled from the unpruned model .*on every shifted batch/);
    expect(initializer(r.model, 'c1.weight').length).toBeLessThan(initializer(lenet, 'c1.weight').length);
  }, 600_000);

  it('refuses α outside 0..1', async () => {
    await expect(pruneWithMethod(lenet, { ...spec, finetune: { distill: { alpha: 1.5 } } }, { train })).rejects.toThrow(/alpha must be in 0\.\.1/);
  });

  it('spec.distill false survives resolveSpec and reaches the fine-tuning options; true is the default and dropped', () => {
    const off = { ratio: 0.5, mode: 'layer' as const, method: 'finetune' as const, distill: false };
    expect(resolveSpec(off).distill).toBe(false);
    expect(methodSpecOf(off).finetune).toEqual({ distill: false });
    expect(resolveSpec({ ...off, distill: true }).distill).toBeUndefined();
    expect(resolveSpec({ ...off, method: 'magnitude' }).distill).toBeUndefined();
  });
});

describe('fine-tuning the ResNet-style model: BatchNormalization recalibration', () => {
  const resnet = cnn('resnet');
  const few = slice(fashion('train'), 0, 64);
  const rn: MethodSpec = { ratio: 0.7, mode: 'layer', method: 'finetune', epochs: 1, finetune: { steps: 1, distill: false, validationFraction: 0 } };

  it('re-estimates the running statistics by default (and says so); off leaves them bit for bit', async () => {
    const on = await pruneWithMethod(resnet, rn, { train: few });
    const off = await pruneWithMethod(resnet, { ...rn, finetune: { ...rn.finetune, recalibrateBatchNorm: false } }, { train: few });
    expect(on.notes.join('\n')).toMatch(/BatchNormalization statistics re-estimated on 64 training samples/);
    expect(off.notes.join('\n')).not.toMatch(/re-estimated/);
    const name = 'stem.1.running_var';
    expect(Array.from(initializer(off.model, name))).toEqual(Array.from(initializer(resnet, name)));
    expect(Array.from(initializer(on.model, name))).not.toEqual(Array.from(initializer(resnet, name)));
  }, 600_000);
});
