// MaxPool, AveragePool, LpPool, the Global pools, ConvTranspose and Pad against onnxruntime-node
// on cases libonnx-testdata lacks: newer opsets, Indices in 3-D, groups, int types, wrap, axes.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { float16Table } from '../../../../src/core/onnx/float-bits';
import { Session } from '../../../../src/core/runtime';
import { toHalfBits } from '../../../../src/core/runtime/tensor';
import { graph, model, node } from '../../../support/hand-models';
import { type Attrs, type OpCase, f32s, int64s, randomFloats, relDiff, runBoth } from './single-op';

const ints = (name: string, value: number[]): Attrs[number] => ({ name, type: 'ints', value });
const int = (name: string, value: number): Attrs[number] => ({ name, type: 'int', value });
const str = (name: string, value: string): Attrs[number] => ({ name, type: 'string', value });
const x = (dims: number[], seed = 1): OpCase['x'] => ({ dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed) });

const CASES: [string, OpCase][] = [
  ['MaxPool 2-D pads, strides, dilations, ceil_mode, Indices', {
    op: 'MaxPool', opset: 12, outputs: 2, x: x([2, 3, 9, 8]),
    attrs: [ints('kernel_shape', [3, 2]), ints('strides', [2, 3]), ints('dilations', [2, 1]), ints('pads', [1, 0, 2, 1]), int('ceil_mode', 1)],
  }],
  ['MaxPool 2-D storage_order=1 Indices', {
    op: 'MaxPool', opset: 12, outputs: 2, x: x([2, 2, 6, 5], 2), attrs: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('storage_order', 1)],
  }],
  ['MaxPool 3-D SAME_UPPER with Indices', {
    op: 'MaxPool', opset: 12, outputs: 2, x: x([1, 2, 5, 6, 7], 3), attrs: [ints('kernel_shape', [2, 3, 2]), ints('strides', [2, 2, 2]), str('auto_pad', 'SAME_UPPER')],
  }],
  ['MaxPool 1-D', { op: 'MaxPool', opset: 12, x: x([2, 3, 11], 4), attrs: [ints('kernel_shape', [3]), ints('strides', [2]), ints('pads', [1, 1])] }],
  ['MaxPool uint8', {
    op: 'MaxPool', opset: 12, x: { dims: [1, 2, 5, 5], data: Uint8Array.from({ length: 50 }, (_, i) => (i * 37) % 251), dataType: DataType.UINT8 },
    attrs: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])],
  }],
  ['AveragePool opset 19 dilations, count_include_pad, ceil_mode', {
    op: 'AveragePool', opset: 19, x: x([1, 3, 10, 9], 5),
    attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('dilations', [2, 1]), ints('pads', [1, 1, 1, 1]), int('count_include_pad', 1), int('ceil_mode', 1)],
  }],
  ['AveragePool 3-D SAME_LOWER without pads counted', {
    op: 'AveragePool', opset: 11, x: x([1, 2, 5, 4, 6], 6), attrs: [ints('kernel_shape', [2, 3, 3]), str('auto_pad', 'SAME_LOWER')],
  }],
  ['AveragePool ceil_mode without count_include_pad', {
    op: 'AveragePool', opset: 11, x: x([2, 2, 7, 7], 7), attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), int('ceil_mode', 1)],
  }],
  ['LpPool p=3', { op: 'LpPool', opset: 11, x: x([1, 2, 6, 6], 8), attrs: [ints('kernel_shape', [2, 3]), ints('strides', [2, 1]), int('p', 3)] }],
  ['GlobalLpPool', { op: 'GlobalLpPool', opset: 2, x: x([2, 3, 4, 5], 9) }],
  ['GlobalAveragePool 3-D', { op: 'GlobalAveragePool', opset: 1, x: x([2, 3, 3, 4, 5], 10) }],
  ['GlobalAveragePool 1-D', { op: 'GlobalAveragePool', opset: 1, x: x([3, 4, 9], 15) }],
  ['GlobalMaxPool 1-D', { op: 'GlobalMaxPool', opset: 1, x: x([2, 3, 7], 11) }],
  ['ConvTranspose 2-D groups, bias, strides, dilations, pads, output_padding', {
    op: 'ConvTranspose', opset: 11, x: x([2, 4, 5, 4], 12),
    consts: [f32s('W', [4, 3, 3, 2], randomFloats(72, 13)), f32s('B', [6], randomFloats(6, 14))],
    attrs: [int('group', 2), ints('strides', [2, 3]), ints('dilations', [1, 2]), ints('pads', [1, 0, 0, 1]), ints('output_padding', [1, 2])],
  }],
  ['ConvTranspose 1-D SAME_LOWER', {
    op: 'ConvTranspose', opset: 11, x: x([1, 3, 7], 15), consts: [f32s('W', [3, 2, 4], randomFloats(24, 16))], attrs: [ints('strides', [2]), str('auto_pad', 'SAME_LOWER')],
  }],
  ['ConvTranspose 3-D depthwise with output_shape', {
    op: 'ConvTranspose', opset: 11, x: x([1, 2, 3, 4, 3], 17),
    consts: [f32s('W', [2, 1, 2, 3, 2], randomFloats(24, 18))], attrs: [int('group', 2), ints('strides', [2, 2, 2]), ints('output_shape', [7, 9, 6])],
  }],
  ['Pad opset 19 wrap', { op: 'Pad', opset: 19, x: x([2, 3, 4], 19), consts: [int64s('pads', [0, 2, 3, 1, 3, 4])], attrs: [str('mode', 'wrap')] }],
  ['Pad opset 18 axes with cropping', {
    op: 'Pad', opset: 18, x: x([2, 3, 5, 4], 20), consts: [int64s('pads', [1, -2, 2, 1]), f32s('v', [], [1.5]), int64s('axes', [-1, 2])],
  }],
  ['Pad opset 11 reflect', { op: 'Pad', opset: 11, x: x([1, 2, 4, 5], 21), consts: [int64s('pads', [0, 0, 3, 4, 0, 1, 2, 3])], attrs: [str('mode', 'reflect')] }],
  ['Pad opset 2 attributes', {
    op: 'Pad', opset: 2, x: x([3, 4], 22), attrs: [ints('pads', [1, 2, 0, 3]), { name: 'value', type: 'float', value: -2 }],
  }],
];

describe('pooling, ConvTranspose and Pad against onnxruntime-node', () => {
  it.each(CASES)('%s', async (_label, c) => {
    for (const r of await runBoth(c)) {
      expect(r.ours.dims).toEqual([...r.ort.dims]);
      expect(r.ort.data.length).toBeGreaterThan(0);
      if (r.ours.data instanceof BigInt64Array) expect(Array.from(r.ours.data)).toEqual(Array.from(r.ort.data as BigInt64Array));
      else expect(relDiff(r)).toBeLessThan(1e-5);
    }
  });
});

describe('hand-computed', () => {
  it('AveragePool counts only real pixels unless count_include_pad', () => {
    const run = (countPad: number): number[] => {
      const m = model(graph('g', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 1, 2, 2] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
        nodes: [node('AveragePool', ['x'], ['y'], [ints('kernel_shape', [2, 2]), ints('pads', [1, 1, 0, 0]), int('count_include_pad', countPad)])],
      }));
      const y = Session.create(m, { kernels: 'dense' }).run({ x: { dims: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4), dataType: DataType.FLOAT } }).y;
      expect(y.dims).toEqual([1, 1, 2, 2]);
      return Array.from(y.data as Float32Array);
    };
    expect(run(0)).toEqual([1, 1.5, 2, 2.5]);
    expect(run(1)).toEqual([0.25, 0.75, 1, 2.5]);
  });

  it('Pad wrap repeats periodically when the pads exceed the axis (numpy.pad mode="wrap")', () => {
    // onnxruntime 1.30 writes a 0 here, so this case is checked by hand.
    const m = model(graph('g', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 4] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes: [node('Pad', ['x', 'pads'], ['y'], [str('mode', 'wrap')])],
      initializers: [int64s('pads', [0, 5, 0, 2])],
    }));
    m.opsetImports = [{ domain: '', version: 19 }];
    const y = Session.create(m, { kernels: 'dense' }).run({ x: { dims: [1, 4], data: Float32Array.of(1, 2, 3, 4), dataType: DataType.FLOAT } }).y;
    expect(y.dims).toEqual([1, 11]);
    expect(Array.from(y.data as Float32Array)).toEqual([4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
  });

  it.each([DataType.FLOAT, DataType.DOUBLE])('ConvTranspose 1-D by hand (element type %i)', (dt) => {
    // y[o] = sum over i, j with o = 2i + j of x[i]·w[j] + b: x = [1, 2], w = [1, 10, 100], b = 0.5.
    const Arr = dt === DataType.FLOAT ? Float32Array : Float64Array;
    const m = model(graph('g', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: dt, shape: [1, 1, 2] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: dt } }],
      nodes: [node('ConvTranspose', ['x', 'W', 'B'], ['y'], [ints('strides', [2])])],
      initializers: [
        { name: 'W', dataType: dt, dims: [1, 1, 3], data: Arr.of(1, 10, 100) },
        { name: 'B', dataType: dt, dims: [1], data: Arr.of(0.5) },
      ],
    }));
    const session = Session.create(m, { kernels: 'dense' });
    const x = { dims: [1, 1, 2], data: Arr.of(1, 2), dataType: dt };
    const y = session.run({ x }).y;
    expect(y.dims).toEqual([1, 1, 5]);
    expect(Array.from(y.data as Float32Array)).toEqual([1.5, 10.5, 102.5, 20.5, 200.5]);
    // Weights edited in place (as a pruning step may) are seen by the next run.
    (m.graph.initializers[0].data as Float32Array)[0] = 2;
    expect(Array.from(session.run({ x }).y.data as Float32Array)).toEqual([2.5, 10.5, 104.5, 20.5, 200.5]);
  });

  it('names the node and the problem for a kernel that does not fit the input', () => {
    const m = model(graph('g', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 1, 4, 4] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes: [node('MaxPool', ['x'], ['y'], [ints('kernel_shape', [2])], 'pool1')],
    }));
    expect(() => Session.create(m, { kernels: 'dense' }).run({ x: { dims: [1, 1, 4, 4], data: new Float32Array(16), dataType: DataType.FLOAT } })).toThrow(
      /MaxPool "pool1".*kernel_shape.*2 spatial dims/,
    );
  });
});

describe('float16 inputs', () => {
  // The float32 results are checked against onnxruntime above; float16 runs through float32.
  const cases: [string, Attrs, (string | undefined)[]][] = [
    ['MaxPool', [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])], []],
    ['AveragePool', [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])], []],
    ['GlobalAveragePool', [], []],
    ['Resize', [str('mode', 'linear')], ['', 'scales']],
    ['Pad', [str('mode', 'reflect')], ['pads']],
  ];
  it.each(cases)('%s float16 equals float32 rounded to float16', (op, attrs, extra) => {
    const dims = [1, 2, 6, 6];
    const values = randomFloats(72, 30);
    const half = Uint16Array.from(values, (v) => toHalfBits(v));
    const asFloat = Float32Array.from(half, (h) => float16Table()[h]);
    const inits = [f32s('scales', [4], [1, 1, 1.5, 0.5]), int64s('pads', [0, 0, 1, 2, 0, 0, 2, 1])].filter((t) => extra.includes(t.name));
    const run = (dataType: number, data: Float32Array | Uint16Array) => {
      const m = model(graph('g', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: dataType, shape: dims } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: dataType } }],
        nodes: [node(op, ['x', ...extra.map((e) => e ?? '')], ['y'], attrs)],
        initializers: inits,
      }));
      return Session.create(m, { kernels: 'dense' }).run({ x: { dims, data, dataType } }).y;
    };
    const h = run(DataType.FLOAT16, half);
    const f = run(DataType.FLOAT, asFloat);
    expect(h.dataType).toBe(DataType.FLOAT16);
    expect(h.dims).toEqual(f.dims);
    expect(Array.from(h.data as Uint16Array)).toEqual(Array.from(f.data as Float32Array, (v) => toHalfBits(v)));
  });
});
