// The tensor decoder reads test_data_set *.pb files right: onnxruntime-node, fed the decoded inputs,
// computes the decoded expected outputs. And a re-encoded model computes exactly what the original does.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { DataType, type Tensor } from '../../../../src/core/onnx/model';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor';
import { REAL_MODELS, TESTDATA, corpusModels, readBytes, shortName } from './corpus';
import { ORT_OPTIONS, closeArrays, dataSets, ortType, pbFiles, toOrt } from './ort-helpers';
import { ortFirstOutput, ortRunOnce } from '../../../support/ort';

const utf8 = new TextDecoder();

/** Expected values of a decoded tensor in the form ORT returns them (numbers, bigints, strings, booleans). */
function expectedValues(t: Tensor): ArrayLike<unknown> {
  if (t.dataType === DataType.STRING) return (t.data as Uint8Array[]).map((b) => utf8.decode(b));
  if (t.dataType === DataType.BOOL) return Array.from(t.data as Uint8Array, (v) => v !== 0);
  if (t.dataType === DataType.FLOAT16) return tensorToFloat32(t);
  return t.data as ArrayLike<unknown>;
}

function actualValues(t: ort.Tensor, dataType: number): ArrayLike<unknown> {
  if (dataType === DataType.BOOL) return Array.from(t.data as ArrayLike<number | boolean>, (v) => v === true || v === 1);
  if (dataType === DataType.FLOAT16) {
    return tensorToFloat32({ name: 'ort', dataType, dims: [...t.dims], data: new Uint16Array((t.data as Uint16Array).buffer, (t.data as Uint16Array).byteOffset, t.size) });
  }
  return t.data as ArrayLike<unknown>;
}

async function checkNodeTest(name: string): Promise<string[]> {
  const modelFile = `${TESTDATA}/node/${name}/model.onnx`;
  const session = await ort.InferenceSession.create(readBytes(modelFile), ORT_OPTIONS);
  const problems: string[] = [];
  try {
    for (const set of dataSets(modelFile)) {
      const feeds: Record<string, ort.Tensor> = {};
      pbFiles(set, 'input').forEach((f, i) => (feeds[session.inputNames[i]] = toOrt(decodeTensor(readBytes(f), f))));
      const results = await session.run(feeds);
      pbFiles(set, 'output').forEach((f, i) => {
        const expected = decodeTensor(readBytes(f), f);
        const actual = results[session.outputNames[i]];
        expect([...actual.dims]).toEqual(expected.dims);
        const d = closeArrays(expectedValues(expected), actualValues(actual, expected.dataType), 1e-3, 1e-7);
        if (d) problems.push(`${name} ${shortName(f)}: ${d}`);
      });
    }
  } finally {
    await session.release();
  }
  return problems;
}

// One model per element type the decoder must read: float32, int64, bool, float16 (both ways),
// double, string, uint8, uint16/32/64, int8, int32.
const TYPED_CASES: [string, string][] = [
  ['test_abs', 'float32'],
  ['test_argmax_default_axis_example', 'int64 output'],
  ['test_and2d', 'bool'],
  ['test_cast_FLOAT16_to_FLOAT', 'float16 input'],
  ['test_cast_FLOAT_to_FLOAT16', 'float16 output'],
  ['test_cast_FLOAT_to_DOUBLE', 'double output'],
  ['test_cast_DOUBLE_to_FLOAT', 'double input'],
  ['test_cast_STRING_to_FLOAT', 'string input'],
  ['test_add_uint8', 'uint8'],
  ['test_max_int32', 'int32'],
  ['test_bitshift_right_uint32', 'uint32'],
  ['test_bitshift_left_uint64', 'uint64'],
  ['test_clip_default_int8_min', 'int8'],
  ['test_gather_elements_1', 'int64 indices'],
];

describe('test_data_set tensors', () => {
  test.each(TYPED_CASES)('%s (%s): ORT on the decoded inputs gives the decoded outputs', async (name) => {
    expect(await checkNodeTest(name)).toEqual([]);
  });

  test('decoded .pb tensors carry the types the cases are about', () => {
    const t = (p: string) => decodeTensor(readBytes(`${TESTDATA}/node/${p}`));
    expect(t('test_cast_FLOAT16_to_FLOAT/test_data_set_0/input_0.pb').data).toBeInstanceOf(Uint16Array);
    expect(t('test_cast_STRING_to_FLOAT/test_data_set_0/input_0.pb').dataType).toBe(DataType.STRING);
    expect(t('test_argmax_default_axis_example/test_data_set_0/output_0.pb').data).toBeInstanceOf(BigInt64Array);
    expect(t('test_and2d/test_data_set_0/output_0.pb').dataType).toBe(DataType.BOOL);
    expect(t('test_cast_FLOAT_to_DOUBLE/test_data_set_0/output_0.pb').data).toBeInstanceOf(Float64Array);
    expect(t('test_bitshift_left_uint64/test_data_set_0/input_0.pb').data).toBeInstanceOf(BigUint64Array);
  });

  test('bfloat16 expected outputs are the float32 inputs to bfloat16 precision', () => {
    const dir = `${TESTDATA}/node/test_cast_FLOAT_to_BFLOAT16/test_data_set_0`;
    const input = decodeTensor(readBytes(`${dir}/input_0.pb`));
    const output = decodeTensor(readBytes(`${dir}/output_0.pb`));
    // ONNX 1.12 stored this expected output as its raw bits with data type UINT16.
    expect([DataType.BFLOAT16, DataType.UINT16]).toContain(output.dataType);
    expect(output.data).toBeInstanceOf(Uint16Array);
    const x = input.data as Float32Array;
    const y = tensorToFloat32({ ...output, dataType: DataType.BFLOAT16 });
    expect(y.length).toBe(x.length);
    let finite = 0;
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i])) expect(Number.isNaN(y[i])).toBe(true);
      else if (!Number.isFinite(x[i])) expect(y[i]).toBe(x[i]);
      else {
        finite++;
        expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) * 2 ** -7 + 1e-38);
      }
    }
    expect(finite).toBeGreaterThan(0);
  });

  test('every corpus model with tensor test data: the re-encoded model computes exactly what the original does', async () => {
    let compared = 0;
    const failures: string[] = [];
    for (const file of corpusModels()) {
      const model = decodeModel(readBytes(file), shortName(file));
      const sets = dataSets(file);
      const tensorIo = [...model.graph.inputs, ...model.graph.outputs].every((v) => v.type?.kind === 'tensor' && ortType(v.type.elemType));
      if (!sets.length || !tensorIo) continue;
      let original: ort.InferenceSession;
      try {
        original = await ort.InferenceSession.create(readBytes(file), ORT_OPTIONS);
      } catch {
        continue;
      }
      const reencoded = await ort.InferenceSession.create(encodeModel(model), ORT_OPTIONS);
      try {
        const feeds: Record<string, ort.Tensor> = {};
        pbFiles(sets[0], 'input').forEach((f, i) => (feeds[original.inputNames[i]] = toOrt(decodeTensor(readBytes(f), f))));
        let a: ort.InferenceSession.ReturnType;
        try {
          a = await original.run(feeds);
        } catch {
          continue;
        }
        const b = await reencoded.run(feeds);
        for (const name of original.outputNames) {
          const d = closeArrays(a[name].data as ArrayLike<unknown>, b[name].data as ArrayLike<unknown>, 0, 0);
          if (d) failures.push(`${shortName(file)} ${name}: ${d}`);
        }
        compared++;
      } finally {
        await original.release();
        await reencoded.release();
      }
    }
    console.log(`same outputs after re-encoding: ${compared - failures.length} / ${compared} models run on their test data`);
    if (failures.length) console.log(failures.join('\n'));
    expect(compared).toBeGreaterThan(600);
    expect(failures).toEqual([]);
  });
});

describe('real models after re-encoding (weights reordered and spliced)', () => {
  test.each([
    ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]],
    ['ch_PP-OCRv4_det_infer.onnx', [1, 3, 64, 64]],
    ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]],
  ])('%s computes exactly what the original does', async (name, dims) => {
    const file = REAL_MODELS.find((f) => f.endsWith(name))!;
    const bytes = readBytes(file);
    const count = dims.reduce((a, b) => a * b, 1);
    // A fixed pseudo-random image in [0, 1).
    let seed = 12345;
    const x = Float32Array.from({ length: count }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 10000) / 10000);
    const outputs: Float32Array[] = [];
    for (const model of [bytes, encodeModel(decodeModel(bytes, name))]) {
      outputs.push(await ortFirstOutput(model, x, dims, ORT_OPTIONS));
    }
    expect(outputs[0].length).toBeGreaterThan(0);
    expect(closeArrays(outputs[0], outputs[1], 0, 0)).toBeUndefined();
  });
});

describe('Silero VAD after re-encoding (If/Loop subgraphs)', () => {
  const audio = () => Float32Array.from({ length: 512 }, (_, i) => 0.3 * Math.sin(i / 7) + 0.05 * Math.sin(i * 1.7));
  const sr = () => new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  test.each([
    ['silero_vad_legacy.onnx', () => ({ input: new ort.Tensor('float32', audio(), [1, 512]), sr: sr(), h: new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]), c: new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]) })],
    ['silero_vad_v5.onnx', () => ({ input: new ort.Tensor('float32', audio(), [1, 512]), state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]), sr: sr() })],
    ['silero_vad_v6.onnx', () => ({ input: new ort.Tensor('float32', audio(), [1, 512]), state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]), sr: sr() })],
  ] as [string, () => Record<string, ort.Tensor>][])('%s computes exactly what the original does', async (name, feeds) => {
    const bytes = readBytes(REAL_MODELS.find((f) => f.endsWith(name))!);
    const results: ort.InferenceSession.ReturnType[] = [];
    for (const model of [bytes, encodeModel(decodeModel(bytes, name))]) {
      results.push((await ortRunOnce(model, feeds(), ORT_OPTIONS)).outputs);
    }
    const names = Object.keys(results[0]);
    expect(names.length).toBeGreaterThan(1);
    for (const n of names) expect(closeArrays(results[0][n].data as Float32Array, results[1][n].data as Float32Array, 0, 0)).toBeUndefined();
  });
});
