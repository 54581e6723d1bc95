// What the onnxruntime-node and onnxruntime-web runners share: one batch of float32 samples in
// (as int64 / int32 token ids or float16 where the input takes them; the model's other inputs fed
// by core/runtime/companion-inputs.ts' rule), the model's first output out as
// float32 (a float16 output converted), anything else refused.
import { DataType } from '../core/onnx/model';
import { floatToHalf, halfToFloat } from '../core/runtime/tensor';
import type { OrtInput } from './platform';
import { type CompanionInput, companionData, samplesAs } from '../core/runtime/companion-inputs';

/** What a batch run uses of an onnxruntime module (node or web): its Tensor class. */
export interface OrtTensorClass<T> {
  Tensor: new (type: 'float32' | 'int64' | 'int32' | 'float16' | 'bool', data: Float32Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array, dims: readonly number[]) => T;
}

/** What a batch run uses of an onnxruntime InferenceSession. */
export interface OrtBatchSession<T> {
  run(feeds: Record<string, T>): Promise<Record<string, { data: unknown }>>;
}

const ORT_TYPES: Record<number, 'int64' | 'int32' | 'bool' | 'float32'> = { [DataType.INT64]: 'int64', [DataType.INT32]: 'int32', [DataType.BOOL]: 'bool', [DataType.FLOAT]: 'float32' };

/** A companion input's tensor for a feed of `dims`. */
function companionTensor<T>(ort: OrtTensorClass<T>, c: CompanionInput, dims: number[]): T {
  const type = ORT_TYPES[c.dataType];
  if (!type) throw new Error(`input ${c.name}: element type ${c.dataType} cannot be fed`);
  return new ort.Tensor(type, companionData(c, dims) as Float32Array | BigInt64Array | Int32Array | Uint8Array, dims);
}

/** Runs `batch` samples of `x` (each of input.sampleDims) and gives the output `outName`. */
export async function runFloat32Batch<T>(
  ort: OrtTensorClass<T>,
  session: OrtBatchSession<T>,
  input: OrtInput,
  outName: string,
  x: Float32Array,
  batch: number,
): Promise<Float32Array> {
  const dims = [batch, ...input.sampleDims];
  // Token ids travel as floats (exact below 2^24); an int64 input gets them back as integers.
  const feed = input.int64
    ? new ort.Tensor('int64', samplesAs(DataType.INT64, x) as BigInt64Array, dims)
    : input.int32
      ? new ort.Tensor('int32', samplesAs(DataType.INT32, x) as Int32Array, dims)
      : input.float16
        ? new ort.Tensor('float16', floatToHalf({ dims, data: x, dataType: DataType.FLOAT }, DataType.FLOAT16).data as Uint16Array, dims)
        : new ort.Tensor('float32', x, dims);
  const feeds: Record<string, T> = { [input.name]: feed };
  for (const c of input.companions ?? []) feeds[c.name] = companionTensor(ort, c, dims);
  const out = await session.run(feeds);
  const t = out[outName] as { data: unknown; type?: string };
  if (t.type === 'float16') {
    // onnxruntime gives float16 as raw bits (Uint16Array), or as a Float16Array where the platform has one
    if (t.data instanceof Uint16Array) return halfToFloat({ dims: [t.data.length], data: t.data, dataType: DataType.FLOAT16 }).data as Float32Array;
    if (ArrayBuffer.isView(t.data)) return Float32Array.from(t.data as unknown as ArrayLike<number>);
  }
  if (!(t.data instanceof Float32Array)) throw new Error(`onnxruntime output ${outName} is not float32 or float16`);
  return t.data;
}
