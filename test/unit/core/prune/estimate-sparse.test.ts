// The sparse export's estimated size against the real file: the sample MLP pruned by magnitude at
// several ratios, stored as the engine's export stores it (every planned layer as a COO sparse
// initializer, src/engine/handlers/export.ts) and encoded; the estimate must be within 3% of the
// encoded bytes at every ratio, low ones included (issue 19: 21.5 MB real, 6.85 MB shown).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { applyPrune, estimateExportBytes, planPrune, toSparseInitializers } from '../../../../src/core/prune';

const file = join(__dirname, '..', '..', '..', '..', 'resources/sample-mlp.onnx');

describe('estimateExportBytes: the sparse form', () => {
  const model = decodeModel(new Uint8Array(readFileSync(file)), file);
  for (const ratio of [0, 0.01, 0.1, 0.3, 0.5, 0.8, 0.95]) {
    it(`is within 3% of the encoded sparse export at ratio ${ratio}`, () => {
      const plan = planPrune(model, { ratio, mode: 'layer' });
      const pruned = applyPrune(model, plan);
      const sparse = toSparseInitializers(pruned, plan.layers.map((l) => l.tensor));
      const real = encodeModel(sparse).byteLength;
      const est = estimateExportBytes(model, plan);
      expect(Math.abs(est.sparse - real) / real).toBeLessThan(0.03);
      // And the dense form (zeros in place) at the same ratio.
      const dense = encodeModel(pruned).byteLength;
      expect(Math.abs(est.dense - dense) / dense).toBeLessThan(0.03);
    });
  }
});
