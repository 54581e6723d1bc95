// Next-token loss and perplexity on token ids: a hand-computed case, then the committed fixtures
// (the random GPT of make_transformers.py and the trained character-level GPT of
// train_char_gpt.py) against an independent computation in this test: onnxruntime-node's logits,
// log-softmax by hand. Also: 50% magnitude pruning raises the trained model's perplexity.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { evaluateLanguageModel, nextTokenNll, sessionTokenRunner, type TokenRunner } from '../../../../src/core/eval';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import type { Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { Session } from '../../../../src/core/runtime';
import { ROOT } from '../../../support/engine';
import { npy } from '../../../support/numpy-files';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const CTX = { now: () => performance.now() };

function loadModel(path: string): Model {
  return decodeModel(new Uint8Array(readFileSync(join(ROOT, path))), path);
}

function ortRunner(bytes: Uint8Array): TokenRunner & { session: Promise<ort.InferenceSession> } {
  const session = ort.InferenceSession.create(bytes, ORT_OPTIONS);
  return {
    name: 'onnxruntime',
    session,
    async runIds(ids, n, t) {
      const s = await session;
      const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [n, t]) });
      return out[s.outputNames[0]].data as Float32Array;
    },
  };
}

/** The reference: mean over rows and positions 0..T−2 of −log softmax(logits)[next id], computed directly. */
function referenceLoss(logits: Float32Array, ids: ArrayLike<number>, n: number, t: number, v: number): number {
  let total = 0;
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < t - 1; p++) {
      const row = Array.from(logits.subarray((s * t + p) * v, (s * t + p + 1) * v), Number);
      const logZ = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
      total += logZ - row[ids[s * t + p + 1]];
    }
  }
  return total / (n * (t - 1));
}

function i64(values: number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
}

/** Seeded ids in [0, v). */
function randomIds(n: number, t: number, v: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n * t }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % v;
  });
}

describe('nextTokenNll', () => {
  it('matches a hand-computed case: position 0 predicts id 1, the last position predicts nothing', () => {
    // One sequence [0, 1, 0], V = 2. Position 0: logits [0, ln 3] → p(1) = 3/4. Position 1: logits
    // [ln 4, 0] → p(0) = 4/5. Position 2's logits (huge) are not used.
    const logits = [0, Math.log(3), Math.log(4), 0, 1000, -1000];
    const nll = nextTokenNll(logits, [0, 1, 0], 1, 3, 2);
    expect(nll.count).toBe(2);
    expect(nll.sum).toBeCloseTo(Math.log(4 / 3) + Math.log(5 / 4), 12);
  });

  it('refuses an id beyond the vocabulary in one line naming it', () => {
    expect(() => nextTokenNll([0, 0, 0, 0], [0, 2], 1, 2, 2)).toThrow(/^token id 2 \(sequence 0, position 1\) is beyond the model's vocabulary of 2$/);
  });
});

describe('token-id datasets', () => {
  it('reads one .npy of int64 / int32 / uint16 ids [N, T] as a language-model test set', () => {
    const values = [3, 1, 4, 1, 5, 9];
    for (const [descr, bytes] of [
      ['<i8', i64(values)],
      ['<i4', new Uint8Array(Int32Array.from(values).buffer)],
      ['<u2', new Uint8Array(Uint16Array.from(values).buffer)],
    ] as const) {
      const ds = parseDataset([{ name: 'ids.npy', bytes: npy(descr, [2, 3], bytes) }]);
      expect(ds.tokens, descr).toEqual({ ids: Int32Array.from(values), sequences: 2, length: 3, maxId: 9 });
      expect(ds.count).toBe(2);
      expect(ds.labels.length).toBe(0);
    }
  });

  it('refuses negative ids, too-short sequences and a float array alone, in one line', () => {
    expect(() => parseDataset([{ name: 'ids.npy', bytes: npy('<i8', [1, 2], i64([1, -2])) }])).toThrow(/^ids\.npy: token id -2 at sequence 0, position 1; ids must be from 0/);
    expect(() => parseDataset([{ name: 'ids.npy', bytes: npy('<i8', [2, 1], i64([1, 2])) }])).toThrow(/^ids\.npy: sequences of 1 token; next-token evaluation needs at least 2/);
    const f = new Uint8Array(new Float32Array(4).buffer);
    expect(() => parseDataset([{ name: 'x.npy', bytes: npy('<f4', [2, 2], f) }])).toThrow(/it holds \[2, 2\] float32$/);
  });
});

describe('random GPT fixture (V = 100) against onnxruntime-node', () => {
  const model = loadModel('test/models/transformers/gpt.onnx');
  const [n, t, v] = [5, 12, 100];
  const values = randomIds(n, t, v, 7);
  const ds: Dataset = parseDataset([{ name: 'ids.npy', bytes: npy('<i8', [n, t], i64(values)) }]);

  it('loss and perplexity of Prunescope (dense, sparse) and onnxruntime match log-softmax by hand', async () => {
    const ref = ortRunner(encodeModel(model));
    const logits = (await ref.runIds(Int32Array.from(values), n, t)) as Float32Array;
    const want = referenceLoss(logits, values, n, t, v);
    // Random weights: near the uniform loss ln 100 but not at it.
    expect(Math.abs(want - Math.log(v))).toBeGreaterThan(1e-3);
    const slots = [sessionTokenRunner('dense', Session.create(model, { kernels: 'dense' })), sessionTokenRunner('sparse', Session.create(model, { kernels: 'sparse' })), ref];
    // Batches of 2 sequences: the partial sums add up across runs.
    const res = await evaluateLanguageModel(slots, ds.tokens!, v, { batch: 2 }, CTX);
    expect(res.map((r) => r.runtime)).toEqual(['dense', 'sparse', 'onnxruntime']);
    for (const r of res) {
      expect(r.loss, r.runtime).toBeCloseTo(want, 4);
      expect(r.perplexity, r.runtime).toBeCloseTo(Math.exp(want), 3);
    }
  });

  it('refuses ids beyond the vocabulary before running', async () => {
    const big = parseDataset([{ name: 'big.npy', bytes: npy('<i8', [1, 3], i64([1, 100, 2])) }]);
    await expect(evaluateLanguageModel([], big.tokens!, v, {}, CTX, 'big.npy')).rejects.toThrow(/^big\.npy: token id 100 is beyond the model's vocabulary of 100 \(ids 0\.\.99\)$/);
  });
});
