// Channel pruning of a real third-party CNN (PaddleOCR v4 text detection, converted by paddle2onnx:
// ~1,000 nodes, BatchNormalization folded, HardSwish, squeeze-excite, ConvTranspose, Resize, Concat):
// the smaller model loads in onnxruntime-node and predicts as Prunescope's runtime does on it.
import { describe, expect, it } from 'vitest';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { loadModel, maxDiff, randomInput, runOrt, runOurs } from './channels-helpers';

describe('channels on PaddleOCR text detection', () => {
  it('shrinks, loads in onnxruntime-node with the original output shape, and agrees with Prunescope', async () => {
    const m = loadModel('node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_det_infer.onnx');
    const plan = planPrune(m, { ratio: 0.3, mode: 'layer', structure: 'channels' });
    expect(plan.prunedParams).toBeGreaterThan(0.3 * plan.prunableParams);
    const pruned = applyPrune(m, plan);
    const dims = [1, 3, 64, 64];
    const x = randomInput(3 * 64 * 64, 9);
    const original = await runOrt(m, dims, x);
    const theirs = await runOrt(pruned, dims, x);
    const ours = runOurs(pruned, dims, x);
    expect(theirs.dims).toEqual(original.dims);
    expect(ours.dims).toEqual(original.dims);
    expect(maxDiff(theirs.data, ours.data)).toBeLessThan(1e-4);
  });
});
