// Next-token loss and perplexity on token ids: a hand-computed case, then the committed fixtures
// (the random GPT of make_transformers.py and the trained character-level GPT of
// train_char_gpt.py) against an independent computation in this test: onnxruntime-node's logits,
// log-softmax by hand. Also: 50% magnitude pruning raises the trained model's perplexity.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { checkDatasetFits, parseDataset, type Dataset } from '../../../../src/core/data';
import { evaluateLanguageModel, nextTokenNll, sessionTokenRunner, type TokenRunner } from '../../../../src/core/eval';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import type { Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { Session } from '../../../../src/core/runtime';
import { prunescope } from '../../../support/cli';
import { ROOT } from '../../../support/engine';
import { inProcessEngine } from '../../../../src/engine/in-process';
import { nodePlatform } from '../../../../src/engine/node/platform';
import { npy, zip } from '../../../support/numpy-files';

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

  it('reads an .npz archive holding one integer [N, T] array as token ids; x / y stays a labelled set', () => {
    const ids = npy('<i4', [1, 3], new Uint8Array(Int32Array.from([7, 8, 9]).buffer));
    const ds = parseDataset([{ name: 'lm.npz', bytes: zip([{ name: 'ids.npy', data: ids }]) }]);
    expect(ds.tokens).toEqual({ ids: Int32Array.from([7, 8, 9]), sequences: 1, length: 3, maxId: 9 });
    const labelled = parseDataset([{ name: 'xy.npz', bytes: zip([{ name: 'x.npy', data: npy('<f4', [1, 2], new Uint8Array(8)) }, { name: 'y.npy', data: npy('<i8', [1], i64([0])) }]) }]);
    expect(labelled.tokens).toBeUndefined();
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

  it('times the runs after an untimed warm-up: a slow first call does not count', async () => {
    let clock = 0;
    let calls = 0;
    const runner = {
      name: 'sparse' as const,
      runIds: (ids: Int32Array, sequences: number, length: number): Float32Array => {
        clock += calls++ === 0 ? 1000 : 10; // the first call compiles
        return new Float32Array(sequences * length * v);
      },
    };
    const [r] = await evaluateLanguageModel([runner], ds.tokens!, v, { batch: 2 }, { now: () => clock });
    // 5 sequences in 3 timed runs of 10 ms after the warm-up: 5 / 0.03 s
    expect(calls).toBe(4);
    expect(r.batchThroughput).toBeCloseTo(5 / 0.03, 6);
  });

  it('refuses ids beyond the vocabulary before running', async () => {
    const big = parseDataset([{ name: 'big.npy', bytes: npy('<i8', [1, 3], i64([1, 100, 2])) }]);
    await expect(evaluateLanguageModel([], big.tokens!, v, {}, CTX, 'big.npy')).rejects.toThrow(/^big\.npy: token id 100 is beyond the model's vocabulary of 100 \(ids 0\.\.99\)$/);
  });
});

describe('trained character-level GPT (test/models/language, scripts/torch/train_char_gpt.py)', () => {
  const MODEL = 'test/models/language/char-gpt.onnx';
  const IDS = 'test/models/language/char-test.npy';
  const model = loadModel(MODEL);
  const ds = parseDataset([{ name: IDS, bytes: new Uint8Array(readFileSync(join(ROOT, IDS))) }]);
  const tokens = ds.tokens!;
  const V = 82;
  /** torch's own held-out loss, printed by the training script (F.cross_entropy over the same ids). */
  const TORCH_LOSS = 1.5416;

  it('the held-out ids fit the model; a float-input model and ids beyond the vocabulary are refused', () => {
    expect(tokens.sequences).toBe(64);
    expect(tokens.length).toBe(32);
    const input = { name: 'input_ids', dims: ['N', 'T'], elemType: 7 };
    expect(() => checkDatasetFits(ds, input, V)).not.toThrow();
    expect(() => checkDatasetFits(ds, input, tokens.maxId)).toThrow(new RegExp(`^${IDS.replace(/\./g, '\\.')}: token id ${tokens.maxId} \\(sequence \\d+, position \\d+\\) is beyond the model's vocabulary of ${tokens.maxId} `));
    expect(() => checkDatasetFits(ds, { name: 'x', dims: ['N', 1, 28, 28], elemType: 1 }, 10)).toThrow(/model input 'x' .* takes floats, not token ids/);
    expect(() => checkDatasetFits(ds, { name: 'input_ids', dims: ['N', 16], elemType: 7 }, V)).toThrow(/sequences of 32 tokens, but model input 'input_ids' takes 16/);
  });

  it('loss and perplexity match log-softmax of onnxruntime logits by hand, and torch', async () => {
    const ref = ortRunner(encodeModel(model));
    const logits = (await ref.runIds(tokens.ids, tokens.sequences, tokens.length)) as Float32Array;
    const want = referenceLoss(logits, tokens.ids, tokens.sequences, tokens.length, V);
    expect(want).toBeCloseTo(TORCH_LOSS, 3);
    const res = await evaluateLanguageModel([sessionTokenRunner('sparse', Session.create(model, { kernels: 'sparse' })), ref], tokens, V, { batch: 16 }, CTX);
    for (const r of res) {
      expect(Math.abs(r.loss! - want), r.runtime).toBeLessThan(1e-5);
      expect(r.perplexity! / Math.exp(want), r.runtime).toBeCloseTo(1, 5);
    }
  });

  it('50% magnitude pruning of every linear weight raises the perplexity (by well over 20%)', async () => {
    const inits = new Set(model.graph.initializers.map((t) => t.name));
    const select = model.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
    expect(select.length).toBe(9);
    const half = applyPrune(model, planPrune(model, { ratio: 0.5, mode: 'layer', select }));
    const ppl = async (m: Model): Promise<number> => (await evaluateLanguageModel([ortRunner(encodeModel(m))], tokens, V, {}, CTX))[0].perplexity!;
    const [dense, pruned] = [await ppl(model), await ppl(half)];
    expect(dense).toBeLessThan(6);
    expect(pruned / dense).toBeGreaterThan(1.2);
  });

  it('prunescope eval --json gives loss and perplexity per runtime; the table shows them', () => {
    const r = prunescope(['eval', MODEL, '--data', IDS, '--runtimes', 'dense,onnxruntime', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { points: { results: { runtime: string; loss: number; perplexity: number }[] }[] };
    const res = json.points[0].results;
    expect(res.map((x) => x.runtime)).toEqual(['dense', 'onnxruntime']);
    for (const x of res) {
      expect(x.loss).toBeCloseTo(TORCH_LOSS, 3);
      expect(x.perplexity).toBeCloseTo(Math.exp(x.loss), 10);
    }
    const t = prunescope(['eval', MODEL, '--data', IDS, '--runtimes', 'dense', '--ratio', '0.5']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('64 sequences × 32 tokens, vocabulary 82 from the model');
    expect(t.stdout).toMatch(/dense loss\s+dense ppl/);
    expect(t.stdout).not.toContain('acc');
  });

  it('the engine describes the set against the model: N sequences × T tokens, vocabulary V', async () => {
    const { client } = inProcessEngine(nodePlatform().platform);
    const s = await client.request({ type: 'open', source: { kind: 'path', path: join(ROOT, MODEL) } }).promise;
    const d = await client.request({ type: 'dataset', modelId: s.modelId, source: { kind: 'paths', paths: [join(ROOT, IDS)] } }).promise;
    expect(d.tokens).toBe('64 sequences × 32 tokens, vocabulary 82 from the model');
    expect(d.samples).toBe(64);
  });

  it('sensitivity refuses token ids in one line (it measures labelled samples)', () => {
    const r = prunescope(['sensitivity', MODEL, '--data', IDS]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`prunescope: ${IDS}: token ids (a language-model test set) are measured by eval and sweep (loss, perplexity); sensitivity needs labelled samples`);
  });

  it('prunescope refuses ids beyond the vocabulary in one line naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prunescope-lm-'));
    const file = join(dir, 'ids.npy');
    writeFileSync(file, npy('<i8', [2, 4], i64([1, 2, 3, 4, 5, 6, 90, 8])));
    const r = prunescope(['eval', MODEL, '--data', file, '--runtimes', 'dense']);
    rmSync(dir, { recursive: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`prunescope: ${file}: token id 90 (sequence 1, position 2) is beyond the model's vocabulary of 82 (ids 0..81)`);
  });
});
