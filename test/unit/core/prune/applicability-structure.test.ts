// Method availability with a structure: channels the analysis cannot follow (PaddleOCR rec: a
// Reshape of a Conv output to a shape computed when the model runs) make every method unavailable
// with that reason; a model channels can follow (LeNet) keeps every method; unstructured is unchanged.
import { describe, expect, it } from 'vitest';
import { defaultPrunable, methodAvailability } from '../../../../src/core/prune';
import { loadModel } from './channels-helpers';

describe('methodAvailability with a structure', () => {
  it('channels on the PaddleOCR rec model: magnitude, reconstruct and finetune are refused, naming the Reshape node', () => {
    const m = loadModel('node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
    const a = methodAvailability(m, defaultPrunable(m), 'channels');
    for (const k of ['magnitude', 'reconstruct', 'finetune'] as const) expect(a[k], k).toMatch(/Reshape node "p2o\.Reshape\.64" has an input of unknown shape/);
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
