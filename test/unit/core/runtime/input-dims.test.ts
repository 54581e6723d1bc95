// batchDims: the dims of a batch for a model input, from its declared dims and a dataset's sample
// shape — the one rule runFloat, evaluation, sensitivity, per-node error and calibration share.
import { describe, expect, it } from 'vitest';
import { batchDims } from '../../../../src/core/runtime/input-dims';

describe('batchDims', () => {
  it('fixed dims: the batch goes first, the size must match', () => {
    expect(batchDims([1, 1, 28, 28], 5, 784)).toEqual([5, 1, 28, 28]);
    expect(batchDims(['N', 1, 28, 28], 5, 784)).toEqual([5, 1, 28, 28]);
    expect(batchDims(['N', 1, 28, 28], 5, 785)).toBeUndefined();
  });
  it('one symbolic dim is inferred from the sample size', () => {
    expect(batchDims(['N', 'L'], 3, 40)).toEqual([3, 40]);
    expect(batchDims(['N', 3, 'S'], 2, 12)).toEqual([2, 3, 4]);
    expect(batchDims(['N', 3, 'S'], 2, 13)).toBeUndefined();
  });
  it('several symbolic dims (dynamic height and width) come from the sample shape', () => {
    expect(batchDims(['N', 3, 'H', 'W'], 4, 3 * 64 * 48)).toBeUndefined();
    expect(batchDims(['N', 3, 'H', 'W'], 4, 3 * 64 * 48, [3, 64, 48])).toEqual([4, 3, 64, 48]);
    // a sample shape that disagrees with a fixed dim does not fill them
    expect(batchDims(['N', 3, 'H', 'W'], 4, 64 * 48, [1, 64, 48])).toBeUndefined();
    // nor one of another rank
    expect(batchDims(['N', 3, 'H', 'W'], 4, 3 * 64 * 48, [3, 3072])).toBeUndefined();
  });
  it('no declared dims: [batch, sample size]', () => {
    expect(batchDims([], 2, 10)).toEqual([2, 10]);
  });
});
