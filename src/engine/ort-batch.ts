// What the onnxruntime-node and onnxruntime-web runners share: one batch of float32 samples in,
// the model's first output out, checked to be float32.
import type { OrtInput } from './platform';

/** What a batch run uses of an onnxruntime module (node or web): its Tensor class. */
export interface OrtTensorClass<T> {
  Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => T;
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
  const feed = input.int64 ? new ort.Tensor('int64', BigInt64Array.from(x, (v) => BigInt(v)), dims) : new ort.Tensor('float32', x, dims);
  const out = await session.run({ [input.name]: feed });
  const data = out[outName].data;
  if (!(data instanceof Float32Array)) throw new Error(`onnxruntime output ${outName} is not float32`);
  return data;
}
