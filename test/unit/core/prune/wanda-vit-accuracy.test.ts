// Pruning the ViT trained on Fashion-MNIST (test/models/transformers/vit-fashion.onnx,
// scripts/torch/train_vit.py) at 50% of every linear weight of its transformer blocks (the 8
// MatMul weights: qkv, proj, fc1, fc2 ×2; the patch Conv and the head left dense, as the Wanda and
// SparseGPT papers prune), per layer: top-1 accuracy on the first 1,000 t10k images measured by
// onnxruntime-node (the oracle), calibration on 256 train images. Measured (deterministic: fixed
// data, seeded row sampling): dense 88.5%; unstructured magnitude 85.5, Wanda 86.1, reconstruct
// 88.1; 2:4 magnitude 82.9, Wanda 84.0, reconstruct 87.6. So the asserts: reconstruct within 1
// point of dense and 1 point above magnitude; Wanda above magnitude (by 0.6 and 1.1 points: on
// this 64-wide model Wanda is not within 1 point of dense, 2.4 below).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { applyPrune, planPrune, pruneWithMethod, type PruneMethod } from '../../../../src/core/prune';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FM = '/usr/share/datasets/fashion-mnist';
function fashion(split: 'train' | 't10k'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(FM, n))) })));
}
const TEST = 1000;
const CALIB = 256;

async function accuracy(m: Model, test: Dataset): Promise<number> {
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const r = await s.run({ x: new ort.Tensor('float32', test.images.slice(0, TEST * 784), [TEST, 1, 28, 28]) });
  const y = r[s.outputNames[0]].data as Float32Array;
  await s.release();
  let ok = 0;
  for (let i = 0; i < TEST; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (y[i * 10 + c] > y[i * 10 + best]) best = c;
    if (best === test.labels[i]) ok++;
  }
  return ok / TEST;
}

describe('ViT trained on Fashion-MNIST, 50% of the blocks\' linear weights', () => {
  it('Wanda and reconstruct beat magnitude, reconstruct within 1 point of the unpruned accuracy; 2:4 reported', async () => {
    const m = decodeModel(new Uint8Array(readFileSync(join(ROOT, 'test/models/transformers/vit-fashion.onnx'))), 'vit-fashion.onnx');
    const [train, test] = [fashion('train'), fashion('t10k')];
    const calibration = { ...train, images: train.images.subarray(0, CALIB * 784), labels: train.labels.subarray(0, CALIB), count: CALIB };
    const inits = new Set(m.graph.initializers.map((t) => t.name));
    const select = m.graph.nodes.filter((n) => n.opType === 'MatMul' && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
    const dense = await accuracy(m, test);
    const table: Record<string, number> = { dense };
    for (const structure of ['unstructured', '2:4']) {
      const spec = { ratio: 0.5, mode: 'layer' as const, select, structure };
      table[`magnitude ${structure}`] = await accuracy(applyPrune(m, planPrune(m, spec)), test);
      for (const method of ['wanda', 'reconstruct'] as PruneMethod[]) {
        const { model } = await pruneWithMethod(m, { ...spec, method, dataLimit: CALIB }, { calibration });
        table[`${method} ${structure}`] = await accuracy(model, test);
      }
    }
    console.log(`ViT Fashion-MNIST, 50% of ${select.length} linear weights, ${TEST} t10k images, ${CALIB} calibration images:\n${Object.entries(table).map(([k, v]) => `  ${k.padEnd(26)} ${(100 * v).toFixed(1)}%`).join('\n')}`);
    const msg = JSON.stringify(table);
    expect(select).toHaveLength(8);
    for (const structure of ['unstructured', '2:4']) {
      expect(table[`wanda ${structure}`], msg).toBeGreaterThan(table[`magnitude ${structure}`]);
      expect(table[`reconstruct ${structure}`], msg).toBeGreaterThan(table[`magnitude ${structure}`] + 0.01);
    }
    expect(table['reconstruct unstructured'], msg).toBeGreaterThanOrEqual(dense - 0.01);
  });
});
