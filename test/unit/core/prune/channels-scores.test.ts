// planChannels with given scores (what reconstruct's activation importance passes): the lowest
// scores go instead of the lowest weight norms, a residual group sums its members' scores, and
// scores that do not fit are refused. Expected channels are worked out by hand from the scores.
import { describe, expect, it } from 'vitest';
import { planChannels } from '../../../../src/core/prune/channels';
import { PruneError } from '../../../../src/core/prune';
import { loadModel } from './channels-helpers';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('planChannels scores', () => {
  const mlp = loadModel('resources', 'sample-mlp.onnx');
  it('removes the lowest-scoring neurons whatever the weights say', () => {
    const up = Float64Array.from(range(0, 1000));
    const down = up.map((v) => 999 - v);
    const select = ['fc1.weight', 'fc2.weight'];
    const a = planChannels(mlp, { ratio: 0.3, mode: 'layer', select }, new Map([['fc1.weight', up], ['fc2.weight', down]]));
    expect(a.layers[0].removedChannels).toEqual(range(0, 300));
    expect(a.layers[1].removedChannels).toEqual(range(700, 1000));
    // global: the scores are compared as they are (no per-element normalisation); each value 0..999 is
    // held once by fc1 (channel v) and once by fc2 (channel 999 − v), so the 600 lowest of the pool
    // of 2000 are the values 0..299 of each
    const g = planChannels(mlp, { ratio: 0.3, mode: 'global', select }, new Map([['fc1.weight', up], ['fc2.weight', down]]));
    expect(g.layers[0].removedChannels).toEqual(range(0, 300));
    expect(g.layers[1].removedChannels).toEqual(range(700, 1000));
  });
  it('a tensor without scores is ranked by its weights, as without any scores', () => {
    const plain = planChannels(mlp, { ratio: 0.3, mode: 'layer', select: ['fc1.weight', 'fc2.weight'] });
    const mixed = planChannels(mlp, { ratio: 0.3, mode: 'layer', select: ['fc1.weight', 'fc2.weight'] }, new Map([['fc1.weight', new Float64Array(1000).fill(1)]]));
    expect(mixed.layers[1].removedChannels).toEqual(plain.layers[1].removedChannels);
    expect(mixed.layers[0].removedChannels).toEqual(range(0, 300)); // all tied: lower index first
  });
  it('a residual group sums the scores of its members', () => {
    const resnet = loadModel('test', 'models', 'cnn', 'resnet.onnx');
    // stem.0 and blocks.0.b feed the same residual Add: one channel set of 16
    const a = Float64Array.from(range(0, 16)); // 0..15
    const b = a.map((v) => 2 * (15 - v)); // sum 30 − o: the highest indices score lowest
    const plan = planChannels(resnet, { ratio: 0.25, mode: 'layer' }, new Map([['stem.0.weight', a], ['blocks.0.b.weight', b]]));
    const byName = new Map(plan.layers.map((l) => [l.tensor, l.removedChannels]));
    expect(byName.get('stem.0.weight')).toEqual([12, 13, 14, 15]);
    expect(byName.get('blocks.0.b.weight')).toEqual([12, 13, 14, 15]);
  });
  it('refuses scores of the wrong length or of a tensor not selected', () => {
    expect(() => planChannels(mlp, { ratio: 0.3, mode: 'layer', select: ['fc1.weight'] }, new Map([['fc1.weight', [1, 2, 3]]]))).toThrow(/number 3; it has 1000 output channels/);
    expect(() => planChannels(mlp, { ratio: 0.3, mode: 'layer', select: ['fc1.weight'] }, new Map([['fc2.weight', new Float64Array(1000)]]))).toThrow(PruneError);
  });
});
