// Bridges between decoded tensors and onnxruntime-node, for the ONNX tests.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType, type Tensor } from '../../../../src/core/onnx/model';

export const ORT_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'disabled',
  logSeverityLevel: 4,
};

const ORT_TYPE: Record<number, ort.Tensor.Type> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.INT16]: 'int16',
  [DataType.UINT16]: 'uint16',
  [DataType.INT32]: 'int32',
  [DataType.UINT32]: 'uint32',
  [DataType.INT64]: 'int64',
  [DataType.UINT64]: 'uint64',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
  [DataType.STRING]: 'string',
};

/** The ORT tensor type name of an ONNX type, or undefined when onnxruntime-node has none. */
export function ortType(dataType: number): ort.Tensor.Type | undefined {
  return ORT_TYPE[dataType];
}

const utf8 = new TextDecoder();

export function toOrt(t: Tensor): ort.Tensor {
  const type = ortType(t.dataType);
  if (!type || t.data === undefined) throw new Error(`no ORT tensor for ${t.name} (type ${t.dataType})`);
  if (type === 'string') return new ort.Tensor('string', (t.data as Uint8Array[]).map((b) => utf8.decode(b)), t.dims);
  return new ort.Tensor(type, t.data as ort.Tensor.DataType, t.dims);
}

/** The test_data_set_* folders beside a model.onnx, sorted. */
export function dataSets(modelFile: string): string[] {
  const dir = path.dirname(modelFile);
  return readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .map((d) => path.join(dir, d))
    .sort();
}

/** input_0.pb, input_1.pb … (or output_*) of a data set folder, in index order. */
export function pbFiles(setDir: string, kind: 'input' | 'output'): string[] {
  const out: string[] = [];
  for (let i = 0; existsSync(path.join(setDir, `${kind}_${i}.pb`)); i++) out.push(path.join(setDir, `${kind}_${i}.pb`));
  return out;
}

/** Element-wise closeness: exact for integers/bools/strings, rtol/atol for floats, NaN equals NaN. */
export function closeArrays(expected: ArrayLike<unknown>, actual: ArrayLike<unknown>, rtol: number, atol: number): string | undefined {
  if (expected.length !== actual.length) return `length ${expected.length} vs ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (typeof e === 'number' && typeof a === 'number') {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (e === a) continue;
      if (!(Math.abs(e - a) <= atol + rtol * Math.abs(e))) return `[${i}] expected ${e}, got ${a}`;
    } else if (e !== a) {
      return `[${i}] expected ${String(e)}, got ${String(a)}`;
    }
  }
  return undefined;
}
