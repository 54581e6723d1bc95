// Shared by the engine tests: the sample model and test set, ORT helpers. The bundles they run
// (out/cli/utility.js …) are built once per run by test/global-setup.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { EngineRequestError } from '../../src/engine/client';
import { parseDataset, type Dataset } from '../../src/core/data';

import { ROOT } from './paths';

export { ROOT, UTILITY } from './paths';
export const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
export const MNIST = [join(ROOT, 'resources/mnist/test-images-idx3-ubyte.gz'), join(ROOT, 'resources/mnist/test-labels-idx1-ubyte.gz')];

export function sampleDataset(): Dataset {
  return parseDataset(MNIST.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
}

/** Predicted class of every sample by onnxruntime-node (the oracle), in batches. */
export async function ortPredictions(modelBytes: Uint8Array, ds: Dataset, limit = ds.count, batch = 500): Promise<Int32Array> {
  const session = await ort.InferenceSession.create(modelBytes);
  const inputName = session.inputNames[0];
  const meta = session.inputMetadata[0] as { shape?: (number | string)[] };
  const rest = meta.shape && meta.shape.slice(1).every((d) => typeof d === 'number') ? (meta.shape.slice(1) as number[]) : ds.sampleShape;
  const out = new Int32Array(limit);
  for (let s = 0; s < limit; s += batch) {
    const b = Math.min(batch, limit - s);
    const x = ds.images.slice(s * ds.sampleSize, (s + b) * ds.sampleSize);
    const res = await session.run({ [inputName]: new ort.Tensor('float32', x, [b, ...rest]) });
    const y = res[session.outputNames[0]].data as Float32Array;
    const per = y.length / b;
    for (let i = 0; i < b; i++) {
      let best = 0;
      for (let j = 1; j < per; j++) if (y[i * per + j] > y[i * per + best]) best = j;
      out[s + i] = best;
    }
  }
  await session.release();
  return out;
}

export function accuracyOf(pred: Int32Array, labels: Int32Array): number {
  let c = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) c++;
  return c / pred.length;
}

/** The EngineRequestError a request's promise rejects with (the test fails if it resolves or throws anything else). */
export async function failure(p: Promise<unknown>): Promise<EngineRequestError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(EngineRequestError);
  return e as EngineRequestError;
}
