// Cost per node for the report, against counts made on paper for the hand-built MLP.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { nodeCosts } from '../../../../src/core/report/nodes';
import { handMlp, node } from '../../../support/hand-models';

describe('nodeCosts', () => {
  it('gives each node its MACs at the batch and the parameters of the weights it reads', () => {
    const m = handMlp();
    // The output's width recorded (handMlp leaves it open, and a recorded open dim is not inferred over).
    m.graph.outputs = [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 10] } }];
    // A node reading the Constant k twice: its 6 values count once for it.
    m.graph.nodes.push(node('Mul', ['k', 'k'], ['kk']));
    const c = nodeCosts(m, 3);
    expect(c.batch).toBe(3);
    // Flatten: [3,784]; Gemm 3·784·10 = 23,520; MatMul [3,10]·[10,10] = 300.
    expect(c.nodes.map((n) => [n.opType, n.macs, n.params])).toEqual([
      ['Flatten', null, 0],
      ['Gemm', 23520, 7840 + 10],
      ['Constant', null, 0],
      ['MatMul', 300, 100],
      ['Mul', null, 6],
    ]);
    expect(c.total).toBe(23820);
    expect(c.unknown).toEqual([]);
    expect(c.nodes.map((n) => n.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('lists a counted node whose shapes are unknown and leaves it out of the total', () => {
    const m = handMlp();
    // The MatMul now reads a tensor nothing defines: its shape cannot be derived.
    m.graph.nodes[3] = node('MatMul', ['nowhere', 'M'], ['y'], [], 'mm');
    const c = nodeCosts(m, 1);
    expect(c.unknown).toEqual(['mm']);
    expect(c.nodes[3]?.macs).toBeNull();
    // Only the Gemm at batch 1: 784·10.
    expect(c.total).toBe(7840);
  });
});
