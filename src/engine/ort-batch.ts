// What the onnxruntime-node and onnxruntime-web runners share: one batch of float32 samples in
// (as int64 token ids or float16 where the input takes them), the model's first output out as
// float32 (a float16 output converted), anything else refused.
import { DataType } from '../core/onnx/model';
import { floatToHalf, halfToFloat } from '../core/runtime/tensor';
import type { OrtInput } from './platform';

/** What a batch run uses of an onnxruntime module (node or web): its Tensor class. */
export interface OrtTensorClass<T> {
  Tensor: new (type: 'float32' | 'int64' | 'float16', data: Float32Array | BigInt64Array | Uint16Array, dims: readonly number[]) => T;
}

/** What a batch run uses of an onnxruntime InferenceSession. */
export interface OrtBatchSession<T> {
  run(feeds: Record<string, T>): Promise<Record<string, { data: unknown }>>;
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
    ? new ort.Tensor('int64', BigInt64Array.from(x, (v) => BigInt(v)), dims)
    : input.float16
      ? new ort.Tensor('float16', floatToHalf({ dims, data: x, dataType: DataType.FLOAT }, DataType.FLOAT16).data as Uint16Array, dims)
      : new ort.Tensor('float32', x, dims);
  const out = await session.run({ [input.name]: feed });
  const t = out[outName] as { data: unknown; type?: string };
  if (t.type === 'float16') {
    // onnxruntime gives float16 as raw bits (Uint16Array), or as a Float16Array where the platform has one
    if (t.data instanceof Uint16Array) return halfToFloat({ dims: [t.data.length], data: t.data, dataType: DataType.FLOAT16 }).data as Float32Array;
    if (ArrayBuffer.isView(t.data)) return Float32Array.from(t.data as unknown as ArrayLike<number>);
  }
  if (!(t.data instanceof Float32Array)) throw new Error(`onnxruntime output ${outName} is not float32 or float16`);
  return t.data;
}
