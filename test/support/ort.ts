// onnxruntime-node as the oracle of the tests: one run of a model, the session released after it.
import * as ort from 'onnxruntime-node';

/** One intra-op and one inter-op thread, no log: the settings of the runtime's oracle tests. */
export const ORT_ONE_THREAD: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };

type Feeds = Record<string, ort.Tensor>;

export interface OrtResult {
  outputs: ort.InferenceSession.ReturnType;
  /** The session's output names, in the model's order. */
  outputNames: readonly string[];
}

/** Runs `model` (bytes or a path) once; `feeds` may be made from the session's input names. */
export async function ortRunOnce(model: Uint8Array | string, feeds: Feeds | ((inputNames: readonly string[]) => Feeds), options = ORT_ONE_THREAD): Promise<OrtResult> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  try {
    const outputs = await s.run(typeof feeds === 'function' ? feeds(s.inputNames) : feeds);
    return { outputs, outputNames: s.outputNames };
  } finally {
    await s.release();
  }
}

/** The first output of a run whose first input is the float32 `x` of `dims`. */
export async function ortFirstOutput(model: Uint8Array | string, x: Float32Array, dims: readonly number[], options = ORT_ONE_THREAD): Promise<Float32Array> {
  const { outputs, outputNames } = await ortRunOnce(model, (names) => ({ [names[0]]: new ort.Tensor('float32', x, dims) }), options);
  return outputs[outputNames[0]].data as Float32Array;
}
