// Transformer operators against onnxruntime-node on cases libonnx-testdata (ONNX 1.12) lacks:
// Gelu (opset 20, both modes), Einsum in its common forms, LayerNormalization without a bias and
// over two axes, MatMul batch broadcasting against a 3-D constant, Softmax on an inner axis, Trilu
// with k on a batch of matrices, float Range; and the one-line refusals.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { Session, unsupportedNodes } from '../../../../src/core/runtime';
import { graph, model, node } from '../../../support/hand-models';
import { type Attrs, type OpCase, f32s, int64s, randomFloats, relDiff, runBoth } from './single-op';

const str = (name: string, value: string): Attrs[number] => ({ name, type: 'string', value });
const int = (name: string, value: number): Attrs[number] => ({ name, type: 'int', value });
const count = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);
// Values in [-3, 3): GELU's curved part and both tails.
const x = (dims: number[], seed = 1): OpCase['x'] => ({ dims, data: randomFloats(count(dims), seed).map((v) => 3 * v) });
const c = (name: string, dims: number[], seed: number) => f32s(name, dims, randomFloats(count(dims), seed));
const einsum = (eq: string, xd: number[], ...others: number[][]): OpCase => ({
  op: 'Einsum', opset: 12, x: x(xd, 3), consts: others.map((d, i) => c(`b${i}`, d, 10 + i)), attrs: [str('equation', eq)],
});

const CASES: [string, OpCase][] = [
  ['Gelu exact (opset 20)', { op: 'Gelu', opset: 20, x: x([4, 7]) }],
  ['Gelu tanh (opset 20)', { op: 'Gelu', opset: 20, x: x([4, 7], 2), attrs: [str('approximate', 'tanh')] }],
  ['Einsum bhid,bhjd->bhij (attention scores)', einsum('bhid,bhjd->bhij', [2, 2, 3, 4], [2, 2, 5, 4])],
  ['Einsum bhij,bhjd->bhid (attention values)', einsum('bhij,bhjd->bhid', [2, 2, 3, 5], [2, 2, 5, 4])],
  ['Einsum bij,bjk->bik', einsum('bij,bjk->bik', [2, 3, 4], [2, 4, 5])],
  ['Einsum ij->ji', einsum('ij->ji', [3, 5])],
  ['Einsum i,i (implicit scalar)', einsum('i,i', [6], [6])],
  ['Einsum ...ij,jk->...ik (ellipsis)', einsum('...ij,jk->...ik', [2, 3, 3, 4], [4, 5])],
  ['Einsum bij->bj (sum)', einsum('bij->bj', [2, 3, 4])],
  ['Einsum ii->i (diagonal)', einsum('ii->i', [4, 4])],
  ['Einsum ij,jk (implicit output ik)', einsum('ij,jk', [3, 4], [4, 2])],
  // Not a matrix product (i is summed on one operand only): the general loop.
  ['Einsum ij,jk->k', einsum('ij,jk->k', [3, 4], [4, 2])],
  ['Einsum ii,i->i (diagonal times a vector)', einsum('ii,i->i', [4, 4], [4])],
  ['LayerNormalization over the last two axes, no bias', {
    op: 'LayerNormalization', opset: 17, x: x([2, 3, 4, 5], 4), consts: [c('scale', [4, 5], 5)], attrs: [int('axis', -2), { name: 'epsilon', type: 'float', value: 1e-3 }],
  }],
  ['MatMul [2,1,3,4] × constant [3,4,5] (batch broadcast)', { op: 'MatMul', opset: 13, x: x([2, 1, 3, 4], 6), consts: [c('w', [3, 4, 5], 7)] }],
  ['MatMul [4] × constant [2,4,3] (1-D left operand)', { op: 'MatMul', opset: 13, x: x([4], 8), consts: [c('w', [2, 4, 3], 9)] }],
  ['Softmax on axis 1 of a 4-D tensor (opset 13)', { op: 'Softmax', opset: 13, x: x([2, 3, 4, 5], 10), attrs: [int('axis', 1)] }],
  ['Trilu lower, k = -1, on 3 matrices', { op: 'Trilu', opset: 14, x: x([3, 4, 5], 11), consts: [int64s('k', [-1])].map((t) => ({ ...t, dims: [] })), attrs: [int('upper', 0)] }],
  ['Range float, negative delta', { op: 'Range', opset: 11, x: { dims: [], data: Float32Array.of(2.5) }, consts: [f32s('limit', [], [-1.2]), f32s('delta', [], [-0.7])] }],
];

describe('transformer operators against onnxruntime-node', () => {
  it.each(CASES)('%s', async (_label, k) => {
    const [r] = await runBoth(k);
    expect(r.ours.dims).toEqual([...r.ort.dims]);
    expect(r.ort.data.length).toBeGreaterThan(0);
    expect(relDiff(r)).toBeLessThan(1e-5);
  });
});

describe('transformer operators the runtime refuses', () => {
  const one = (opType: string, attrs: Attrs, inputs = ['x']) =>
    model(graph('g', {
      inputs: inputs.map((name) => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [2, 3] } })),
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes: [node(opType, inputs, ['y'], attrs, 'n1')],
    }));

  it('an Einsum equation outside the grammar and an unknown Gelu mode are named before anything runs', () => {
    expect(unsupportedNodes(one('Einsum', [str('equation', 'ab,bc->a1')], ['x', 'z']))).toEqual([{ opType: 'Einsum', name: 'n1', reason: 'equation "ab,bc->a1"' }]);
    expect(unsupportedNodes(one('Gelu', [str('approximate', 'fast')]))).toEqual([{ opType: 'Gelu', name: 'n1', reason: 'approximate "fast"' }]);
    expect(() => Session.create(one('Gelu', [str('approximate', 'fast')]), { kernels: 'dense' })).toThrow(/Gelu "n1" \(approximate "fast"\)/);
  });

  it('an Einsum whose labels do not fit its operands names the equation', () => {
    const m = one('Einsum', [str('equation', 'abc,bc->a')], ['x', 'z']);
    const s = Session.create(m, { kernels: 'dense' });
    const t = { dims: [2, 3], data: new Float32Array(6), dataType: DataType.FLOAT };
    expect(() => s.run({ x: t, z: t })).toThrow(/Einsum "n1": equation "abc,bc->a" gives 3 labels to an operand of rank 2/);
  });
});
