// Per-node metrics against values counted by hand: parameters, zeros and sparsity of a node's
// initializer and Constant weights, stored bytes, MACs at batch 1 (0 for ops without products,
// null when shapes are unknown), a tensor shared by two nodes counted once in the totals, a sparse
// initializer; and the sample MLP's totals against its layer sizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeMetrics, paramCount } from '../../../../src/core/analysis';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { DataType } from '../../../../src/core/onnx/model';
import { floats, graph, model, node } from '../../../support/hand-models';
import { ROOT } from '../../../support/paths';

const f32 = (shape: (number | string)[]) => ({ kind: 'tensor' as const, elemType: DataType.FLOAT, shape });

function handModel() {
  // x[N,4] → Gemm(W 3×4 transB, b) → Relu → MatMul(Constant c 3×3) → Add(b) → y
  return model(
    graph('m', {
      inputs: [{ name: 'x', type: f32(['N', 4]) }],
      outputs: [{ name: 'y', type: f32(['N', 3]) }],
      nodes: [
        node('Gemm', ['x', 'W', 'b'], ['h'], [{ name: 'transB', type: 'int', value: 1 }]),
        node('Relu', ['h'], ['r']),
        node('Constant', [], ['c'], [{ name: 'value', type: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [3, 3], data: Float32Array.from([1, 0, 2, 3, 4, 0, 5, 6, 7]) } }]),
        node('MatMul', ['r', 'c'], ['z']),
        node('Add', ['z', 'b'], ['y']),
      ],
      initializers: [
        // 5 zeros of 12
        floats('W', [3, 4], [0, 1, 0, 2, 0, 3, 4, 0, 5, 6, 0, 7]),
        // 1 zero of 3
        floats('b', [3], [0, 1, 2]),
      ],
    }),
  );
}

describe('nodeMetrics', () => {
  it('counts each node’s weights, zeros, bytes and MACs by hand', () => {
    const r = nodeMetrics(handModel());
    const [gemm, relu, constant, matmul, add] = r.nodes;
    // Gemm: W 12 + b 3 = 15 elements, 5 + 1 = 6 zeros, 15 float32 = 60 bytes, MACs 1·4·3 = 12
    expect(gemm).toMatchObject({ index: 0, opType: 'Gemm', weights: ['W', 'b'], params: 15, zeros: 6, bytes: 60, macs: 12 });
    expect(gemm.sparsity).toBeCloseTo(6 / 15, 12);
    // Relu reads no weight and multiplies nothing
    expect(relu).toMatchObject({ params: 0, zeros: 0, bytes: 0, sparsity: null, macs: 0 });
    // the Constant node itself reads nothing: its tensor counts where it is used
    expect(constant).toMatchObject({ params: 0, sparsity: null });
    // MatMul's Constant weight: 9 elements, 2 zeros, 36 bytes, MACs 1·3·3 = 9
    expect(matmul).toMatchObject({ weights: ['c'], params: 9, zeros: 2, bytes: 36, macs: 9 });
    expect(add).toMatchObject({ weights: ['b'], params: 3, zeros: 1, bytes: 12, macs: 0 });
    // b is read twice but counted once: 12 + 3 + 9 = 24 elements, 5 + 1 + 2 = 8 zeros, 96 bytes
    expect(r.totals).toMatchObject({ params: 24, zeros: 8, bytes: 96, macs: 21 });
    expect(r.totals.sparsity).toBeCloseTo(8 / 24, 12);
    expect(r.macsUnknown).toEqual([]);
  });

  it('a sparse initializer: dense elements, unstored entries are zeros, bytes of values and indices', () => {
    const m = model(
      graph('s', {
        inputs: [{ name: 'x', type: f32([1, 4]) }],
        nodes: [node('MatMul', ['x', 'S'], ['y'])],
        sparseInitializers: [
          {
            dims: [4, 3],
            values: floats('S', [3], [1.5, 0, 3]),
            indices: { name: 'S_idx', dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([0n, 4n, 11n]) },
          },
        ],
      }),
    );
    const [mm] = nodeMetrics(m).nodes;
    // 12 dense elements, 12 − 3 stored + 1 stored zero = 10 zeros; 3·4 + 3·8 = 36 bytes; MACs 4·3
    expect(mm).toMatchObject({ params: 12, zeros: 10, bytes: 36, macs: 12 });
  });

  it('a MAC-counted node whose shapes cannot be known has null MACs and is listed', () => {
    const m = model(graph('u', { inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT } }], nodes: [node('MatMul', ['x', 'W'], ['y'])], initializers: [floats('W', [2, 2], [1, 2, 3, 4])] }));
    const r = nodeMetrics(m);
    expect(r.nodes[0].macs).toBeNull();
    expect(r.macsUnknown).toEqual([0]);
  });

  it('the sample MLP: totals are its stored parameters and 784·1000 + 1000·1000 + 1000·10 MACs', () => {
    const m = decodeModel(readFileSync(join(ROOT, 'resources/sample-mlp.onnx')), 'sample-mlp.onnx');
    const r = nodeMetrics(m);
    expect(r.totals.params).toBe(paramCount(m.graph));
    expect(r.totals.params).toBe(784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10);
    expect(r.totals.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    expect(r.totals.bytes).toBe(4 * r.totals.params);
    const gemms = r.nodes.filter((n) => n.opType === 'Gemm');
    expect(gemms.map((n) => n.macs)).toEqual([784000, 1000000, 10000]);
  });
});
