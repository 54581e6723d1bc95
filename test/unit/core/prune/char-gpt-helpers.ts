// The char-GPT fixture (test/models/language) for the pruning tests: its token-id files, the model,
// and perplexity computed here from onnxruntime-node's logits (the oracle) with log-softmax by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseTokenNpy } from '../../../../src/core/data/token-ids';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import type { Model } from '../../../../src/core/onnx/model';

export const LANGUAGE_DIR = join(__dirname, '..', '..', '..', '..', 'test/models/language');

export type TokenSet = ReturnType<typeof parseTokenNpy>;

/** A token-id file of the fixture folder (char-calib.npy, char-val.npy, char-test.npy). */
export const ids = (file: string): TokenSet => parseTokenNpy(file, new Uint8Array(readFileSync(join(LANGUAGE_DIR, file))));

export const charGpt = (): Model => decodeModel(new Uint8Array(readFileSync(join(LANGUAGE_DIR, 'char-gpt.onnx'))), 'char-gpt.onnx');

/** exp(mean over rows and positions 0..T−2 of −log softmax(logits)[next id]), logits from onnxruntime-node. */
export async function perplexity(m: Model, set: TokenSet): Promise<number> {
  const t = set.tokens!;
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  const y = (await s.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(t.ids, (v) => BigInt(v)), [t.sequences, t.length]) })).logits.data as Float32Array;
  await s.release();
  const v = y.length / t.ids.length;
  let total = 0;
  for (let q = 0; q < t.sequences; q++) {
    for (let p = 0; p < t.length - 1; p++) {
      const o = (q * t.length + p) * v;
      let z = 0;
      for (let j = 0; j < v; j++) z += Math.exp(y[o + j]);
      total += Math.log(z) - y[o + t.ids[q * t.length + p + 1]];
    }
  }
  return Math.exp(total / (t.sequences * (t.length - 1)));
}
