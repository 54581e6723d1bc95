// Method availability with a structure: channels the analysis cannot follow (PaddleOCR rec: a
// Shape node reads a Conv's output) make every method unavailable with that reason; a model
// channels can follow (LeNet) keeps every method; unstructured is unchanged.
import { describe, expect, it } from 'vitest';
import { defaultPrunable, methodAvailability } from '../../../../src/core/prune';
import { loadModel } from './channels-helpers';

describe('methodAvailability with a structure', () => {
  it('channels on the PaddleOCR rec model: magnitude, reconstruct and finetune are refused, naming the Shape node', () => {
    const m = loadModel('node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
    const a = methodAvailability(m, defaultPrunable(m), 'channels');
    for (const k of ['magnitude', 'reconstruct', 'finetune'] as const) expect(a[k], k).toMatch(/Shape node "p2o\.Shape\.0"/);
    expect(methodAvailability(m, defaultPrunable(m)).magnitude).toBeUndefined();
    expect(methodAvailability(m, defaultPrunable(m), '2:4').magnitude).toBeUndefined();
  });
  it('channels on LeNet: every method can run but wanda, which prunes weights only', () => {
    const m = loadModel('test', 'models', 'cnn', 'lenet.onnx');
    const { wanda, ...rest } = methodAvailability(m, defaultPrunable(m), 'channels');
    expect(rest).toEqual({ magnitude: undefined, reconstruct: undefined, finetune: undefined });
    expect(wanda).toBe('Wanda prunes single weights, N:M groups or blocks, not channels.');
    expect(methodAvailability(m, defaultPrunable(m), '2:4').wanda).toBeUndefined();
  });
});
