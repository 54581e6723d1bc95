// `prunescope eval` on a BERT-style classifier as Hugging Face exports them: three int64 inputs
// (input_ids, attention_mask, token_type_ids) and an .npz of integer ids with labels (the licence
// classifier of scripts/torch/make_licence_classifier.py). The ids feed input_ids, the mask is all
// ones and the segments all zero — said beside the dataset's name — and every runtime's accuracy
// equals torch's (recorded when the model was written) and onnxruntime-node's fed by hand here.
// wanda, reconstruct, sensitivity and per-node errors run through the same feeds; an extra input nobody can guess
// is refused naming it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../src/core/data';
import { decodeModel, encodeModel } from '../../../src/core/onnx';
import { ROOT, prunescope, tableColumn } from '../../support/cli';
import { LICENCE_CALIB, LICENCE_MODEL, LICENCE_TEST, torchAccuracy, withInputRenamed } from '../../support/licence-model';
import { fileTempDir } from '../../support/temp-dir';

const MODEL = LICENCE_MODEL;
const TEST = LICENCE_TEST;
const CALIB = LICENCE_CALIB;
const tmp = fileTempDir('prunescope-token-classifier-');

/** onnxruntime-node's logits on the first `n` test samples (all: 0), the three inputs written out by hand. */
async function ortLogits(modelBytes: Uint8Array, count = 0): Promise<{ logits: Float32Array; labels: Int32Array; n: number }> {
  const ds = parseDataset([{ name: 'licence-test.npz', bytes: new Uint8Array(readFileSync(TEST)) }]);
  const s = await ort.InferenceSession.create(modelBytes);
  const [n, t] = [count || ds.count, ds.sampleSize];
  const feed = (v: (i: number) => number): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from({ length: n * t }, (_, i) => BigInt(v(i))), [n, t]);
  const logits = (await s.run({ input_ids: feed((i) => ds.images[i]), attention_mask: feed(() => 1), token_type_ids: feed(() => 0) })).logits.data as Float32Array;
  await s.release();
  return { logits, labels: ds.labels, n };
}

const top1 = (logits: Float32Array, i: number, classes: number): number => {
  const row = logits.subarray(i * classes, (i + 1) * classes);
  return row.indexOf(Math.max(...row));
};

/** onnxruntime-node's accuracy with the three inputs written out by hand. */
async function ortAccuracy(modelBytes: Uint8Array): Promise<number> {
  const { logits, labels, n } = await ortLogits(modelBytes);
  let right = 0;
  for (let i = 0; i < n; i++) if (top1(logits, i, logits.length / n) === labels[i]) right++;
  return right / n;
}

describe('a BERT-style classifier with attention_mask and token_type_ids', () => {
  it('evaluates on integer ids in every runtime, equal to torch and to onnxruntime fed by hand, and says what it fed', async () => {
    const r = prunescope(['eval', MODEL, '--data', TEST, '--batch', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('300 samples of licence-test.npz (x: integer ids; fed beside them: attention_mask: all ones (every token attended: the sequences are taken as unpadded); token_type_ids: all zeros (one segment))');
    const want = await ortAccuracy(new Uint8Array(readFileSync(MODEL)));
    expect(want).toBeCloseTo(torchAccuracy(), 3); // printed to 4 places; one sample is 0.0033
    expect(want).toBeGreaterThan(0.5); // three classes: well above chance, so a wrong feed shows; the table prints 4 places, one sample is 0.0033
    for (const col of ['sparse acc', 'dense acc', 'ort acc']) expect(Number(tableColumn(r, col)[0]), col).toBeCloseTo(want, 3);
  });

  it('wanda and reconstruct calibrate through the same feeds; the exported file predicts as Prunescope does', async () => {
    for (const method of ['wanda', 'reconstruct']) {
      const out = join(tmp, `licence-${method}.onnx`);
      const p = prunescope(['prune', MODEL, '--method', method, '--ratio', '0.5', '--calib', CALIB, '-o', out]);
      expect(p.code, p.stderr).toBe(0);
      const pruned = decodeModel(new Uint8Array(readFileSync(out)), out);
      const inits = new Map(pruned.graph.initializers.map((t) => [t.name, t]));
      const w = pruned.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => inits.get(n.inputs[1])!);
      expect(w.length, method).toBe(10); // 2 blocks × (QKV, output, MLP in, MLP out), pooler, head
      for (const t of w) expect((t.data as Float32Array).filter((v) => v === 0).length / (t.data as Float32Array).length, t.name).toBeGreaterThanOrEqual(0.5);
      const e = prunescope(['eval', out, '--data', TEST, '--batch', '0', '--runtimes', 'sparse']);
      expect(Number(tableColumn(e, 'sparse acc')[0]), method).toBeCloseTo(await ortAccuracy(new Uint8Array(readFileSync(out))), 3);
    }
  });

  it('sensitivity runs through the same feeds: each point equals the whole pruned model\'s accuracy in onnxruntime, fed by hand', async () => {
    const r = prunescope(['sensitivity', MODEL, '--data', TEST, '--ratios', '0.9', '--select', 'onnx::MatMul_279,head.weight', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { baseline: { accuracy: number }; curves: { tensor: string; points: { accuracy: number }[] }[] };
    expect(report.baseline.accuracy).toBeCloseTo(torchAccuracy(), 3);
    for (const c of report.curves) {
      const out = join(tmp, `sens-${c.tensor.replace(/\W/g, '_')}.onnx`);
      const p = prunescope(['prune', MODEL, '--ratio', '0.9', '--select', c.tensor, '-o', out]);
      expect(p.code, p.stderr).toBe(0);
      expect(c.points[0].accuracy, c.tensor).toBeCloseTo(await ortAccuracy(new Uint8Array(readFileSync(out))), 6);
    }
    // the QKV weight at 0.9 costs accuracy: a point that did not prune (or fed wrongly) would show it
    expect(report.curves[0].points[0].accuracy).toBeLessThan(report.baseline.accuracy - 0.05);
  });

  it('per-node errors run through the same feeds: the output\'s error and top-1 agreement equal onnxruntime\'s logits of both files', async () => {
    const out = join(tmp, 'licence-errors.onnx');
    expect(prunescope(['prune', MODEL, '--ratio', '0.5', '-o', out]).code).toBe(0);
    const r = prunescope(['errors', MODEL, out, '--data', TEST, '--samples', '256', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { samples: number; outputs: { value: string; relL2: number }[]; top1Agreement: number };
    expect(report.samples).toBe(256);
    const a = await ortLogits(new Uint8Array(readFileSync(MODEL)), 256);
    const b = await ortLogits(new Uint8Array(readFileSync(out)), 256);
    let diff = 0;
    let norm = 0;
    let agree = 0;
    for (let i = 0; i < a.logits.length; i++) {
      diff += (a.logits[i] - b.logits[i]) ** 2;
      norm += a.logits[i] ** 2;
    }
    for (let i = 0; i < 256; i++) if (top1(a.logits, i, 3) === top1(b.logits, i, 3)) agree++;
    expect(report.outputs[0].value).toBe('logits');
    expect(report.outputs[0].relL2).toBeCloseTo(Math.sqrt(diff / norm), 4);
    expect(report.outputs[0].relL2).toBeGreaterThan(0.01);
    expect(report.top1Agreement).toBe(agree / 256);
  });

  it('a language model with an attention_mask input (as Hugging Face exports a decoder) gets the same perplexity in every runtime', () => {
    const gpt = join(ROOT, 'test/models/language/char-gpt.onnx');
    const m = decodeModel(new Uint8Array(readFileSync(gpt)), 'char-gpt.onnx');
    const ids = m.graph.inputs[0];
    const file = join(tmp, 'char-gpt-mask.onnx');
    writeFileSync(file, encodeModel({ ...m, graph: { ...m.graph, inputs: [ids, { ...ids, name: 'attention_mask' }] } }));
    const data = join(ROOT, 'test/models/language/char-test.npy');
    const plain = prunescope(['eval', gpt, '--data', data, '--batch', '0']);
    const masked = prunescope(['eval', file, '--data', data, '--batch', '0']);
    expect(masked.stdout).toContain('fed beside them: attention_mask: all ones');
    const want = tableColumn(plain, 'ort ppl')[0];
    expect(Number(want)).toBeCloseTo(4.672, 3); // torch's held-out perplexity (test/models/language/README.md)
    for (const col of ['sparse ppl', 'dense ppl', 'ort ppl']) expect(tableColumn(masked, col)[0], col).toBe(want);
  });

  it('refuses an extra input whose values it cannot tell, naming it', () => {
    const file = join(tmp, 'speaker.onnx');
    writeFileSync(file, withInputRenamed('token_type_ids', 'speaker_ids'));
    const r = prunescope(['eval', file, '--data', TEST]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'prunescope: speaker.onnx: input "speaker_ids" cannot be fed: beside the data input "input_ids" Prunescope fills only attention_mask (ones), token_type_ids (zeros) and position_ids (0..T−1)',
    );
  });
});
