// The masked (CSR) kernels against the dense-weight kernels on the same masked network: same
// logits, same loss, same gradients at the kept weights and biases, zero gradient never needed at
// pruned weights (the optimizer skips them).
import { describe, expect, it } from 'vitest';
import { initMlp, lossAndGradients, mulberry32, type DenseLayer } from '../../../../src/core/train';
import { backwardBatch, forwardBatch, Workspace, zeroGradients } from '../../../../src/core/train/mlp';

function maskedNet(sparsity: number, seed: number): { layers: DenseLayer[]; masks: Uint8Array[] } {
  const layers = initMlp([40, 30, 20, 5], seed);
  const rand = mulberry32(seed + 100);
  const masks = layers.map((l) => {
    const m = new Uint8Array(l.weight.length);
    for (let i = 0; i < m.length; i++) m[i] = rand() < sparsity ? 0 : 1;
    for (let i = 0; i < m.length; i++) if (m[i] === 0) l.weight[i] = 0;
    // larger biases so that some ReLUs are off and some on
    for (let o = 0; o < l.outputs; o++) l.bias[o] = (rand() - 0.5) * 0.4;
    return m;
  });
  return { layers, masks };
}

describe('masked kernels', () => {
  for (const sparsity of [0.9, 0.6]) {
    it(`match the dense kernels at sparsity ${sparsity}`, () => {
      const { layers, masks } = maskedNet(sparsity, 7);
      const count = 12;
      const rand = mulberry32(3);
      const x = new Float32Array(count * 40).map(() => (rand() < 0.3 ? 0 : rand()));
      const labels = new Int32Array(count).map(() => Math.floor(rand() * 5));
      const dense = lossAndGradients(layers, x, labels, count);

      const ws = new Workspace(layers, count);
      ws.setMasks(masks);
      ws.acts[0].set(x);
      forwardBatch(ws, count);
      expect(ws.useMasked.some((u) => u)).toBe(true);
      const grads = zeroGradients(layers);
      const { loss } = backwardBatch(ws, count, labels, grads);
      expect(loss / count).toBeCloseTo(dense.loss, 5);
      let compared = 0;
      layers.forEach((l, li) => {
        for (let i = 0; i < l.weight.length; i++) {
          if (masks[li][i] === 0) continue;
          expect(grads[li].weight[i]).toBeCloseTo(dense.grads[li].weight[i], 6);
          compared++;
        }
        for (let o = 0; o < l.outputs; o++) expect(grads[li].bias[o]).toBeCloseTo(dense.grads[li].bias[o], 6);
      });
      expect(compared).toBeGreaterThan(100);
      // some gradients are non-trivial
      expect(grads.some((g) => g.weight.some((v) => Math.abs(v) > 1e-4))).toBe(true);
    });
  }
});
