// Slice, Split, Tile, Softmax/LogSoftmax/Hardmax, reductions and ArgMax/ArgMin in the forms the
// ONNX backend test data (ONNX 1.12, opsets ≤ 17) does not cover: Slice's opset-1 attribute form and
// INT64 extremes, Split's num_outputs (opset 18) with an uneven last chunk, reductions with axes as
// an input at opset 18, softmax-like ops before/after opset 13 on rank-3 inputs. Oracle:
// onnxruntime-node on the same encoded bytes.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Attribute, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { graph, model, node } from '../../../support/hand-models';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function ints(name: string, values: (number | bigint)[]): Tensor {
  return { name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

const iAttr = (name: string, value: number): Attribute => ({ name, type: 'int', value });
const isAttr = (name: string, value: (number | bigint)[]): Attribute => ({ name, type: 'ints', value });

/** One node on input x (float, dims), extra int64 initializers, `outputs` outputs, at `opset`. */
function oneNode(opType: string, dims: number[], opset: number, opts: { inits?: Tensor[]; attrs?: Attribute[]; outputs?: number; inputs?: string[] } = {}): Model {
  const outs = Array.from({ length: opts.outputs ?? 1 }, (_, i) => `y${i}`);
  const m = model(
    graph('g', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: dims } }],
      outputs: outs.map((name) => ({ name, type: { kind: 'tensor' as const, elemType: DataType.FLOAT } })),
      nodes: [node(opType, ['x', ...(opts.inputs ?? (opts.inits ?? []).map((t) => t.name))], outs, opts.attrs ?? [])],
      initializers: opts.inits ?? [],
    }),
  );
  m.opsetImports = [{ domain: '', version: opset }];
  return m;
}

/** Runs the model in onnxruntime-node and in both of our kernels; every output must agree. */
async function agree(m: Model, dims: number[], intOut = false): Promise<number[][]> {
  const n = dims.reduce((a, b) => a * b, 1);
  // Values with ties (for ArgMax select_last_index / Hardmax) and negatives.
  const x = Float32Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 1.7) * 8) / 2);
  const bytes = encodeModel(m);
  const ortSession = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  const want = await ortSession.run({ x: new ort.Tensor('float32', x, dims) });
  await ortSession.release();
  const shapes: number[][] = [];
  for (const kernels of ['dense', 'sparse'] as const) {
    const s = Session.create(decodeModel(bytes), { kernels });
    const got = s.run({ x: { dims, data: x, dataType: DataType.FLOAT } });
    for (const o of s.outputs) {
      const w = want[o.name];
      expect(got[o.name].dims, o.name).toEqual([...w.dims]);
      const g = Array.from(got[o.name].data as ArrayLike<number | bigint>, Number);
      const wv = Array.from(w.data as ArrayLike<number | bigint>, Number);
      if (intOut) expect(g).toEqual(wv);
      else g.forEach((v, i) => expect(Math.abs(v - wv[i]), `${m.graph.nodes[0].opType} ${o.name}[${i}]: ${v} vs ${wv[i]}`).toBeLessThan(1e-5 + 1e-5 * Math.abs(wv[i])));
      if (kernels === 'dense') shapes.push([...w.dims]);
    }
  }
  return shapes;
}

describe('Slice', () => {
  it('opset 1: starts/ends/axes as attributes, negative and out-of-range values clamp', async () => {
    const m = oneNode('Slice', [3, 4, 5], 1, { attrs: [isAttr('starts', [-2, 1]), isAttr('ends', [INT64_MAX, -1]), isAttr('axes', [2, 0])] });
    expect(await agree(m, [3, 4, 5])).toEqual([[1, 4, 2]]);
  });
  it('opset 13: negative steps from INT64_MAX to INT64_MIN reverse an axis; default axes', async () => {
    const m = oneNode('Slice', [3, 4, 5], 13, { inits: [ints('s', [INT64_MAX, 1]), ints('e', [INT64_MIN, 4]), ints('a', [1, -1]), ints('st', [-1, 2])] });
    expect(await agree(m, [3, 4, 5])).toEqual([[3, 4, 2]]);
    const d = oneNode('Slice', [3, 4], 11, { inits: [ints('s', [1]), ints('e', [100])] });
    expect(await agree(d, [3, 4])).toEqual([[2, 4]]);
  });
  it('opset 10: an empty result when start is past end, and a step of -3', async () => {
    const m = oneNode('Slice', [6, 7], 10, { inits: [ints('s', [5, 6]), ints('e', [2, -100]), ints('a', [0, 1]), ints('st', [1, -3])] });
    expect(await agree(m, [6, 7])).toEqual([[0, 3]]);
  });
});

describe('Split', () => {
  it('opset 18: num_outputs with an uneven last chunk', async () => {
    const m = oneNode('Split', [2, 7], 18, { attrs: [iAttr('axis', 1), iAttr('num_outputs', 3)], outputs: 3 });
    expect(await agree(m, [2, 7])).toEqual([[2, 3], [2, 3], [2, 1]]);
  });
  it('opset 11: split attribute; opset 13: split input; equal parts without either', async () => {
    expect(await agree(oneNode('Split', [5, 2], 11, { attrs: [isAttr('split', [1, 4])], outputs: 2 }), [5, 2])).toEqual([[1, 2], [4, 2]]);
    expect(await agree(oneNode('Split', [2, 6], 13, { attrs: [iAttr('axis', -1)], inits: [ints('sp', [3, 0, 3])], outputs: 3 }), [2, 6])).toEqual([[2, 3], [2, 0], [2, 3]]);
    expect(await agree(oneNode('Split', [6, 3], 13, { outputs: 3 }), [6, 3])).toEqual([[2, 3], [2, 3], [2, 3]]);
  });
});

describe('Tile', () => {
  it('repeats each axis', async () => {
    expect(await agree(oneNode('Tile', [2, 3], 13, { inits: [ints('r', [3, 2])] }), [2, 3])).toEqual([[6, 6]]);
  });
});

describe('Softmax, LogSoftmax, Hardmax', () => {
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    it(`${op}: opset 11 coerces to 2-D at axis (default 1), opset 13 runs along one axis (default -1)`, async () => {
      for (const opset of [11, 13]) {
        await agree(oneNode(op, [2, 3, 4], opset), [2, 3, 4]);
        for (const axis of [0, 1, -2]) await agree(oneNode(op, [2, 3, 4], opset, { attrs: [iAttr('axis', axis)] }), [2, 3, 4]);
      }
    });
  }
});

describe('reductions', () => {
  it('opset 18: axes as an input, keepdims 0 and 1, no axes, noop_with_empty_axes (each element reduced alone)', async () => {
    for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare', 'ReduceProd']) {
      expect(await agree(oneNode(op, [2, 3, 4], 18, { inits: [ints('a', [-1, 0])] }), [2, 3, 4]), op).toEqual([[1, 3, 1]]);
      expect(await agree(oneNode(op, [2, 3, 4], 18, { inits: [ints('a', [1])], attrs: [iAttr('keepdims', 0)] }), [2, 3, 4]), op).toEqual([[2, 4]]);
      expect(await agree(oneNode(op, [2, 3, 4], 18), [2, 3, 4]), op).toEqual([[1, 1, 1]]);
      expect(await agree(oneNode(op, [2, 3, 4], 18, { attrs: [iAttr('noop_with_empty_axes', 1)] }), [2, 3, 4]), op).toEqual([[2, 3, 4]]);
    }
  });
  it('opset 13: ReduceSum takes axes as an input, ReduceMean as an attribute', async () => {
    expect(await agree(oneNode('ReduceSum', [2, 3, 4], 13, { inits: [ints('a', [2])] }), [2, 3, 4])).toEqual([[2, 3, 1]]);
    expect(await agree(oneNode('ReduceMean', [2, 3, 4], 13, { attrs: [isAttr('axes', [1])] }), [2, 3, 4])).toEqual([[2, 1, 4]]);
  });
  it('ArgMax/ArgMin: select_last_index picks the last of tied values', async () => {
    for (const op of ['ArgMax', 'ArgMin']) {
      const m = oneNode(op, [3, 8], 13, { attrs: [iAttr('axis', 1), iAttr('select_last_index', 1), iAttr('keepdims', 0)] });
      m.graph.outputs[0].type = { kind: 'tensor', elemType: DataType.INT64 };
      expect(await agree(m, [3, 8], true)).toEqual([[3]]);
      const f = oneNode(op, [3, 8], 13);
      f.graph.outputs[0].type = { kind: 'tensor', elemType: DataType.INT64 };
      expect(await agree(f, [3, 8], true)).toEqual([[1, 8]]);
    }
  });
});

describe('HardSwish', () => {
  it('x · clip(x/6 + 1/2, 0, 1)', async () => {
    await agree(oneNode('HardSwish', [4, 5], 14), [4, 5]);
  });
});
