// Fine-tuning keeps N:M and block masks: the sample MLP fine-tuned on a few hundred real training
// digits is still exactly 2:4 (its kept set is the one-shot 2:4 mask of the original weights, by a
// brute-force reference) and exactly block-structured after a gradual block schedule (every block
// all zero or all nonzero, the first step's blocks among the zero ones), masked weights exactly 0.
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneWithMethod, type MethodResult, type MethodSpec } from '../../../../src/core/prune';
import { initializer, mnist, sampleModel, slice } from '../train/fixtures';
import { refBlocks, refBlocksGlobal, refLayout, refNm, type RefLayout } from './grouped-reference';

const tuning = slice(mnist('train'), 0, 300);
const sample = sampleModel();
const WEIGHTS = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
const layoutOf = (name: string): RefLayout => refLayout('gemmT', sample.graph.initializers.find((t) => t.name === name)!.dims);

describe('fine-tuning at 2:4', () => {
  let result: MethodResult;
  beforeAll(async () => {
    const spec: MethodSpec = { ratio: 0.9, mode: 'layer', structure: '2:4', method: 'finetune', epochs: 1, finetune: { steps: 3 } };
    result = await pruneWithMethod(sample, spec, { train: tuning });
  }, 300_000);

  it('in one step: the nonzeros are exactly the 2:4 mask of the original weights, 2 of every 4', () => {
    for (const name of WEIGHTS) {
      const keep = refNm(initializer(sample, name), layoutOf(name), 2, 4);
      const w = initializer(result.model, name);
      let wrong = 0;
      for (let i = 0; i < w.length; i++) if ((w[i] !== 0) !== (keep[i] === 1)) wrong++;
      expect(wrong, name).toBe(0);
    }
    expect(result.plan.structure).toBe('2:4');
    expect(result.plan.prunedParams).toBe(1794000 / 2);
    expect(result.notes.join(' ')).toMatch(/one step/);
  });
  it('the kept weights trained', () => {
    const a = initializer(result.model, 'fc2.weight');
    const b = initializer(sample, 'fc2.weight');
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0 && a[i] !== b[i]) changed++;
    expect(changed).toBeGreaterThan(0.25 * a.length);
  });
});

describe('fine-tuning 4x1 blocks, global, in 3 steps to 0.8', () => {
  let result: MethodResult;
  const spec: MethodSpec = { ratio: 0.8, mode: 'global', structure: '4x1', method: 'finetune', epochs: 1, finetune: { steps: 3, stepEpochs: 1 } };
  beforeAll(async () => {
    result = await pruneWithMethod(sample, spec, { train: tuning });
  }, 300_000);

  it('every 4x1 block is all zero or all nonzero, the zeros are the plan\'s count, and the first step\'s blocks stayed zero', () => {
    const first = 0.8 * (1 - (1 - 1 / 3) ** 3); // the schedule's first ratio (finetune.ts)
    const data = WEIGHTS.map((n) => initializer(sample, n));
    const pool = WEIGHTS.flatMap((n, j) => refBlocks(data[j], layoutOf(n), 4, 1, j));
    const firstKeep = refBlocksGlobal(data.map((d) => d.length), pool, first);
    let zeros = 0;
    WEIGHTS.forEach((name, j) => {
      const w = initializer(result.model, name);
      let mixed = 0;
      for (const b of refBlocks(w, layoutOf(name), 4, 1)) {
        const z = b.elements.filter((e) => w[e] === 0).length;
        if (z !== 0 && z !== b.elements.length) mixed++;
        zeros += z;
      }
      expect(mixed, name).toBe(0);
      let revived = 0;
      for (let i = 0; i < w.length; i++) if (firstKeep[j][i] === 0 && w[i] !== 0) revived++;
      expect(revived, name).toBe(0);
    });
    expect(zeros).toBe(result.plan.prunedParams);
    const target = Math.round(0.8 * 1794000);
    expect(zeros).toBeGreaterThanOrEqual(target);
    expect(zeros - target).toBeLessThan(4);
  });
});
