// pruneWithMethod's reconstruct with N:M and blocks on LeNet (Fashion-MNIST calibration): the
// result's plan (planPrune of the result with the same spec) has the magnitude plan's counts and
// its masks select exactly the result's zeros; the structure is exact in the written weights.
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/core/onnx';
import { planPrune, pruneMask, pruneWithMethod, weightLayout, layoutIndex, type MethodSpec } from '../../../../src/core/prune';
import { weightTensor } from '../../../../src/core/prune/reconstruct/targets';
import { cnn, fashion } from '../train/graph-fixtures';

const lenet = cnn('lenet');
const train = fashion('train');
const calibration = { ...train, name: 'fashion train', count: 300, images: train.images.subarray(0, 300 * train.sampleSize) };

async function check(model: Model, spec: MethodSpec): Promise<Model> {
  const magnitude = planPrune(model, spec);
  const { model: out, plan } = await pruneWithMethod(model, { ...spec, method: 'reconstruct' }, { calibration });
  expect(plan.structure).toBe(magnitude.structure);
  expect(plan.layers.map((l) => [l.tensor, l.pruned])).toEqual(magnitude.layers.map((l) => [l.tensor, l.pruned]));
  expect(plan.prunedParams).toBeGreaterThan(0);
  for (const l of plan.layers) {
    const t = weightTensor(out, l.tensor)!;
    const mask = pruneMask(t, l);
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) expect(mask[i] === 0).toBe(data[i] === 0);
  }
  return out;
}

describe('reconstruct plans with structure on LeNet', () => {
  it('2:4: the magnitude plan\'s counts, masks equal to the zeros, every group of 4 input channels at a tap holds 2 zeros', async () => {
    const out = await check(lenet, { ratio: 0, mode: 'layer', structure: '2:4' });
    for (const l of planPrune(lenet, { ratio: 0, mode: 'layer', structure: '2:4' }).layers) {
      const lay = weightLayout(out, l.tensor);
      if (typeof lay === 'string') throw new Error(lay);
      const data = weightTensor(out, l.tensor)!.data as Float32Array;
      for (let o = 0; o < lay.outputs; o++) {
        for (let p = 0; p < lay.positions; p++) {
          for (let i0 = 0; i0 + 4 <= lay.inputs; i0 += 4) {
            let zeros = 0;
            for (let k = 0; k < 4; k++) if (data[layoutIndex(lay, o, i0 + k, p)] === 0) zeros++;
            expect(zeros).toBe(2);
          }
        }
      }
    }
  }, 300_000);

  it('4x1 blocks per layer and 2x2 globally: the magnitude plan\'s counts, masks equal to the zeros', async () => {
    await check(lenet, { ratio: 0.6, mode: 'layer', structure: '4x1' });
    await check(lenet, { ratio: 0.5, mode: 'global', structure: '2x2' });
  }, 300_000);
});
