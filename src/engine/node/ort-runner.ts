// Node only: an onnxruntime-node runner for the evaluation (the oracle and the rival).
// Batch 1 runs on a session with one intra-op thread; larger batches on one with `threads` (2).

import * as ort from 'onnxruntime-node';
import type { DisposableRunner, OrtInput } from '../platform';

function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
}

/** The runtime's label: which onnxruntime and its threads. */
export const ORT_NODE_LABEL = `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (CPU; batch 1 on 1 thread, large batches on intra-op threads)`;

export async function createOrtRunner(bytes: Uint8Array, input: OrtInput, options: { threads?: number } = {}): Promise<DisposableRunner> {
  const threads = options.threads ?? 2;
  const single = await ort.InferenceSession.create(bytes, sessionOptions(1));
  let multi: ort.InferenceSession | undefined;
  const outName = single.outputNames[0];
  return {
    name: 'onnxruntime',
    async runBatch(x: Float32Array, batch: number): Promise<Float32Array> {
      let s = single;
      if (batch > 1 && threads > 1) s = multi ??= await ort.InferenceSession.create(bytes, sessionOptions(threads));
      const out = await s.run({ [input.name]: new ort.Tensor('float32', x, [batch, ...input.sampleDims]) });
      const data = out[outName].data;
      if (!(data instanceof Float32Array)) throw new Error(`onnxruntime output ${outName} is not float32`);
      return data;
    },
    async dispose() {
      await single.release();
      await multi?.release();
    },
  };
}
