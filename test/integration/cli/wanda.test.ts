// `prunescope prune --method wanda` on the ViT fixture with Fashion-MNIST calibration files: the
// written model has half of every selected MatMul / Gemm weight zero (per output row), loads in
// onnxruntime-node, and the progress goes to stderr; a model Wanda cannot run gives one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { prunescope, ROOT } from '../../support/cli';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-cli-wanda-');
const VIT = join(ROOT, 'test/models/transformers/vit.onnx');
const FASHION = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => join('/usr/share/datasets/fashion-mnist', f));

describe('prune --method wanda', () => {
  it('prunes the ViT at 50% with calibration files and writes a model onnxruntime-node loads', async () => {
    const out = join(tmp, 'vit-wanda.onnx');
    const r = prunescope(['prune', VIT, '--ratio', '0.5', '--method', 'wanda', '--calib', ...FASHION, '--data-limit', '40', '-o', out], tmp);
    expect(r.stderr + r.stdout, r.stderr).toMatch(/wanda/);
    expect(r.code, r.stderr).toBe(0);
    const m = decodeModel(new Uint8Array(readFileSync(out)), 'vit-wanda.onnx');
    const inits = new Map(m.graph.initializers.map((t) => [t.name, t]));
    const weights = m.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => inits.get(n.inputs[1])!);
    expect(weights.length).toBeGreaterThanOrEqual(8);
    for (const t of weights) {
      const d = t.data as Float32Array;
      expect(d.reduce((s, v) => s + (v === 0 ? 1 : 0), 0), t.name).toBe(Math.round(d.length / 2));
    }
    const s = await ort.InferenceSession.create(readFileSync(out));
    const y = await s.run({ x: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]) });
    expect((y[s.outputNames[0]].data as Float32Array).every(Number.isFinite)).toBe(true);
    await s.release();
  });

  it('the char-GPT (int64 token ids) prunes with token-id calibration from its training text', () => {
    const dir = join(ROOT, 'test/models/language');
    const out = join(tmp, 'char-wanda.onnx');
    const r = prunescope(['prune', join(dir, 'char-gpt.onnx'), '--ratio', '0.5', '--method', 'wanda', '--calib', join(dir, 'char-calib.npy'), '--data-limit', '16', '-o', out], tmp);
    expect(r.code, r.stderr).toBe(0);
    const m = decodeModel(new Uint8Array(readFileSync(out)), 'char-wanda.onnx');
    const inits = new Map(m.graph.initializers.map((t) => [t.name, t]));
    const weights = m.graph.nodes.filter((n) => n.opType === 'MatMul' && inits.has(n.inputs[1])).map((n) => inits.get(n.inputs[1])!);
    expect(weights).toHaveLength(9);
    for (const t of weights) expect((t.data as Float32Array).reduce((s, v) => s + (v === 0 ? 1 : 0), 0), t.name).toBe((t.data as Float32Array).length / 2);
  });

  it('--allocate-blocks splits the ratio over the char-GPT\'s blocks with the total exact; refused with magnitude', () => {
    const dir = join(ROOT, 'test/models/language');
    const out = join(tmp, 'char-blocks.onnx');
    const args = ['prune', join(dir, 'char-gpt.onnx'), '--ratio', '0.5', '--allocate-blocks', '-o', out];
    const r = prunescope([...args, '--method', 'wanda', '--calib', join(dir, 'char-calib.npy'), '--data-limit', '8'], tmp);
    expect(r.code, r.stderr).toBe(0);
    const m = decodeModel(new Uint8Array(readFileSync(out)), 'char-blocks.onnx');
    const inits = new Map(m.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
    const weights = m.graph.nodes.filter((n) => n.opType === 'MatMul' && inits.has(n.inputs[1])).map((n) => inits.get(n.inputs[1])!);
    const zeros = weights.map((d) => d.reduce((s, v) => s + (v === 0 ? 1 : 0), 0));
    const total = weights.reduce((s, d) => s + d.length, 0);
    expect(zeros.reduce((a, b) => a + b, 0)).toBe(Math.round(total / 2));
    expect(zeros.some((z, i) => z !== weights[i].length / 2)).toBe(true);
    const bad = prunescope(args, tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--allocate-blocks .*calibration/);
  });

  it('a model with int64 token inputs given image calibration is refused in one line naming the input', () => {
    const r = prunescope(['prune', join(ROOT, 'test/models/transformers/gpt.onnx'), '--ratio', '0.5', '--method', 'wanda', '--calib', ...FASHION, '-o', join(tmp, 'gpt.onnx')], tmp);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/input_ids|float32|token|int64/);
  });
});
