// Which Add is a residual one for reconstruct's drift correction (reconstruct/targets.ts
// residualPath): a linear layer's bias added by an Add whose other input is a constant is not —
// also when that constant is an Identity of an initializer, as torch.onnx.export writes a bias it
// merged with an equal one (torchvision's Swin attention projection: the drift of a bias is
// nothing, and taking it as the residual stream made the solve NaN). A true skip connection is.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { reconstructPrune } from '../../../../src/core/prune/reconstruct';
import { findTargets, residualPath } from '../../../../src/core/prune/reconstruct/targets';
import { floats, graph, model, node } from '../../../support/hand-models';

const x = { name: 'x', type: { kind: 'tensor' as const, elemType: DataType.FLOAT, shape: ['N', 4] } };
const w = (name: string, seed: number): ReturnType<typeof floats> => floats(name, [4, 4], Array.from({ length: 16 }, (_, i) => Math.sin(seed + i * 1.7)));

/** x → MatMul(w1) → Add(bias) → Relu → MatMul(w2) → Add(bias) → Add(·, x) → y; the second bias an Identity of the first. */
function net() {
  return model(
    graph('bias-identity', {
      inputs: [x],
      outputs: [{ name: 'y' }],
      initializers: [w('w1', 1), w('w2', 2), floats('b1', [4], [0.1, -0.2, 0.3, 0.05])],
      nodes: [
        node('Identity', ['b1'], ['b2']),
        node('MatMul', ['x', 'w1'], ['m1']),
        node('Add', ['b1', 'm1'], ['a1']),
        node('Relu', ['a1'], ['r1']),
        node('MatMul', ['r1', 'w2'], ['m2']),
        node('Add', ['b2', 'm2'], ['a2']),
        node('Add', ['a2', 'x'], ['y']),
      ],
    }),
  );
}

describe('residualPath', () => {
  it('is not the bias Add (the bias an initializer, or an Identity of one)', () => {
    const m = net();
    const targets = findTargets(m, ['w1', 'w2']);
    if (typeof targets === 'string') throw new Error(targets);
    for (const t of targets) {
      const r = residualPath(m, t);
      expect(r?.other, t.tensor.name).not.toBe('b1');
      expect(r?.other, t.tensor.name).not.toBe('b2');
    }
  });

  it('reconstruct on it gives finite weights with exactly half of each zeroed', () => {
    const m = net();
    const calibration = Float32Array.from({ length: 64 * 4 }, (_, i) => Math.cos(i * 0.37));
    const r = reconstructPrune(m, { ratio: 0.5, calibration, calibrationCount: 64, select: ['w1', 'w2'] });
    for (const name of ['w1', 'w2']) {
      const d = r.model.graph.initializers.find((t) => t.name === name)!.data as Float32Array;
      expect(d.every(Number.isFinite), name).toBe(true);
      expect(d.filter((v) => v === 0).length, name).toBe(8);
    }
  });
});
