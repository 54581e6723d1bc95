// The diff on cases small enough to work out on paper: the tensor comparison (exact floats with
// NaN = NaN and +0 = −0, bitwise integers, where the largest |Δ| is, one histogram range for both,
// a shrunken shape) and the node pairing rule of match.ts (names, then neighbours, then position).
import { describe, expect, it } from 'vitest';
import { DataType, type Node, type Tensor } from '../../../../src/core/onnx/model';
import { compareTensors, diffModels, matchNodes, unravel } from '../../../../src/core/diff';
import { floats, graph, model, node } from '../../../support/hand-models';

const ints = (name: string, dims: number[], values: number[]): Tensor => ({ name, dataType: DataType.INT32, dims, data: Int32Array.from(values) });
const int64 = (name: string, values: bigint[]): Tensor => ({ name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values) });

describe('compareTensors', () => {
  it('floats: exact, NaN = NaN, +0 = −0, NaN vs a number is an infinite change', () => {
    const a = floats('w', [2, 3], [1, NaN, 0, 2, 5, NaN]);
    const b = floats('w', [2, 3], [1, NaN, -0, 2.5, 5, 7]);
    const d = compareTensors(a, b, 'name', 4);
    expect(d.status).toBe('values');
    expect(d.changed).toBe(2); // 2 → 2.5 and NaN → 7
    expect(d.zerosA).toBe(1);
    expect(d.zerosB).toBe(1);
    expect(d.maxAbsDelta).toBe(Infinity);
    expect(d.maxAt).toEqual([1, 2]);
    // one range over the finite values of both: [0, 7]
    expect([d.histogramA!.min, d.histogramA!.max]).toEqual([0, 7]);
    expect([d.histogramB!.min, d.histogramB!.max]).toEqual([0, 7]);
    // bins of width 1.75: A = {1, 0, 2, 5} → [0,1.75): 0,1  [1.75,3.5): 2  [5.25..]: none, 5 in [3.5,5.25)
    expect(d.histogramA!.counts).toEqual([2, 1, 1, 0]);
    expect(d.histogramB!.counts).toEqual([2, 1, 1, 1]);
  });

  it('floats without histograms (the bit-pattern path): the same counts', () => {
    const a = floats('w', [2, 4], [1, NaN, 0, 2, 5, NaN, -0, Infinity]);
    const b = floats('w', [2, 4], [1, NaN, -0, 2.5, 5, 7, 0, Infinity]);
    const d = compareTensors(a, b, 'name', 0);
    expect([d.changed, d.zerosA, d.zerosB, d.maxAbsDelta]).toEqual([2, 2, 2, Infinity]);
    expect(d.maxAt).toEqual([1, 1]);
    expect(d.histogramA).toBeUndefined();
    const e = compareTensors(floats('w', [3], [1, 2, 3]), floats('w', [3], [1, -2, 3.5]), 'name', 0);
    expect([e.changed, e.maxAbsDelta, e.maxAt]).toEqual([2, 4, [1]]);
  });

  it('floats: the largest |Δ| and its coordinates', () => {
    const a = floats('w', [2, 2, 2], [0, 0, 0, 0, 0, 0, 0, 0]);
    const b = floats('w', [2, 2, 2], [0, 0.5, 0, 0, 0, -3, 0, 1]);
    const d = compareTensors(a, b, 'name', 8);
    expect(d.changed).toBe(3);
    expect(d.maxAbsDelta).toBe(3);
    expect(d.maxAt).toEqual([1, 0, 1]);
    expect(d.sparsityA).toBe(1);
    expect(d.sparsityB).toBe(5 / 8);
  });

  it('integers bitwise, int64 exactly beyond 2^53', () => {
    const d = compareTensors(ints('i', [4], [1, 2, 3, 0]), ints('i', [4], [1, -2, 3, 0]), 'name', 2);
    expect([d.changed, d.maxAbsDelta, d.zerosB]).toEqual([1, 4, 1]);
    const big = 2n ** 60n;
    const e = compareTensors(int64('j', [big, 5n]), int64('j', [big + 1n, 5n]), 'name', 2);
    expect([e.status, e.changed, e.maxAbsDelta]).toEqual(['values', 1, 1]);
    expect(compareTensors(int64('j', [big]), int64('j', [big]), 'name', 2).status).toBe('unchanged');
  });

  it('a shrunken shape is reported and nothing else compared; a dtype change likewise', () => {
    const d = compareTensors(floats('w', [4, 3], new Float32Array(12)), floats('w', [2, 3], [1, 2, 3, 4, 5, 6]), 'name', 8);
    expect(d.status).toBe('shape');
    expect(d.shrank).toBe(true);
    expect(d.changed).toBeUndefined();
    expect(d.histogramA).toBeUndefined();
    expect(compareTensors(floats('w', [2], [1, 2]), floats('w', [3], [1, 2, 3]), 'name', 8).shrank).toBe(false);
    expect(compareTensors(floats('w', [2], [1, 2]), ints('w', [2], [1, 2]), 'name', 8).status).toBe('dtype');
  });

  it('unravel: row-major coordinates', () => {
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravel(0, [])).toEqual([]);
  });
});

/** x → Relu → Conv(w1) → Relu → Conv(w2) → y, with node names given or empty. */
function chain(names: [string, string, string, string], w2 = [1, 2]): ReturnType<typeof model> {
  const nodes: Node[] = [
    node('Relu', ['x'], ['r1'], [], names[0]),
    node('Conv', ['r1', 'w1'], ['c1'], [{ name: 'group', type: 'int', value: 1 }], names[1]),
    node('Relu', ['c1'], ['r2'], [], names[2]),
    node('Conv', ['r2', 'w2'], ['y'], [], names[3]),
  ];
  return model(graph('g', { inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes, initializers: [floats('w1', [2], [1, 1]), floats('w2', [2], w2)] }));
}

describe('node pairing', () => {
  it('unnamed nodes are paired by their neighbours from the graph input on', () => {
    const a = chain(['', '', '', '']);
    const m = matchNodes(a.graph, chain(['', '', '', '']).graph);
    expect(m.pairs.map((p) => [p.a, p.b, p.how])).toEqual([
      [0, 0, 'neighbours'],
      [1, 1, 'neighbours'],
      [2, 2, 'neighbours'],
      [3, 3, 'neighbours'],
    ]);
  });

  it('names first (an op change shows), a renamed node by neighbours, added and removed nodes', () => {
    const a = chain(['r1', 'c1', 'r2', 'c2']);
    const b = chain(['r1', 'c1', 'renamed', 'c2'], [1, 3]);
    b.graph.nodes[0] = { ...b.graph.nodes[0], opType: 'Sigmoid' };
    b.graph.nodes[1] = { ...b.graph.nodes[1], attributes: [{ name: 'group', type: 'int', value: 2 }] };
    b.graph.nodes.push(node('Identity', ['y'], ['z'], [], 'extra'));
    const d = diffModels(a, b);
    expect(d.nodes.map((n) => [n.a.name, n.b.name, n.how])).toEqual([
      ['r1', 'r1', 'name'],
      ['c1', 'c1', 'name'],
      ['r2', 'renamed', 'neighbours'],
      ['c2', 'c2', 'name'],
    ]);
    expect(d.nodes[0].opType).toEqual({ before: 'Relu', after: 'Sigmoid' });
    expect(d.nodes[1].attributes).toEqual([{ name: 'group', before: '1', after: '2' }]);
    expect(d.nodes[2].name).toEqual({ before: 'r2', after: 'renamed' });
    expect(d.nodes[3].changedInputs).toEqual([1]); // w2 changed
    expect(d.added.map((n) => n.name)).toEqual(['extra']);
    expect(d.removed).toEqual([]);
    expect(d.summary.tensorsChanged).toBe(1);
    expect(d.tensors.find((t) => t.nameA === 'w2')!.changed).toBe(1);
  });

  it('position: the k-th unpaired node of an op type with the k-th of B when no neighbour is paired', () => {
    const a = model(graph('g', { nodes: [node('Relu', ['p'], ['q'], [], ''), node('Relu', ['s'], ['t'], [], '')] }));
    const b = model(graph('g', { nodes: [node('Relu', ['u'], ['v'], [], ''), node('Sigmoid', ['v'], ['w'], [], ''), node('Relu', ['m'], ['n'], [], '')] }));
    const m = matchNodes(a.graph, b.graph);
    expect(m.pairs.map((p) => [p.a, p.b, p.how])).toEqual([
      [0, 0, 'position'],
      [1, 2, 'position'],
    ]);
    expect(m.added).toEqual([1]);
  });

  it('weights with new names are paired through the input they feed', () => {
    const a = chain(['r1', 'c1', 'r2', 'c2']);
    const b = chain(['r1', 'c1', 'r2', 'c2']);
    b.graph.initializers[1] = { ...b.graph.initializers[1], name: 'w2b' };
    b.graph.nodes[3] = { ...b.graph.nodes[3], inputs: ['r2', 'w2b'] };
    const d = diffModels(a, b);
    const t = d.tensors.find((x) => x.nameA === 'w2')!;
    expect([t.nameB, t.how, t.status]).toEqual(['w2b', 'node-input', 'unchanged']);
    expect(d.nodes[3].changedInputs).toEqual([]);
    expect(d.summary.tensorsRenamed).toBe(1);
    expect(d.summary.text).toBe('1 tensor renamed');
  });
});
