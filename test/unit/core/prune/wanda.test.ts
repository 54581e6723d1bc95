// Wanda (|w| · ‖x‖ per output row, no weight update) and SparseGPT-style reconstruct on the ViT
// fixtures (test/models/transformers: MatMul weights fed by [N, T, d] activations). The Wanda masks
// are checked against an independent computation: the layer inputs taken from onnxruntime-node
// (the pruned model with each layer's input exposed as an output: a layer's input depends only on
// the layers before it, so it is what Wanda scored), the column norms, scores and per-row
// thresholds computed here. Accuracy on the trained ViT: wanda-vit-accuracy.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import { pruneWithMethod, wandaPrune } from '../../../../src/core/prune';
import { reconstructPrune } from '../../../../src/core/prune/reconstruct';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FM = '/usr/share/datasets/fashion-mnist';
function fashion(split: 'train'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(FM, n))) })));
}
const train = fashion('train');

function load(name: string): Model {
  return decodeModel(new Uint8Array(readFileSync(join(ROOT, 'test', 'models', 'transformers', `${name}.onnx`))), `${name}.onnx`);
}

/** Initializer weights of MatMul (second input) and Gemm nodes, with the node and the value the weight multiplies. */
function linears(m: Model): { weight: string; input: string; op: string; transB: boolean }[] {
  const inits = new Set(m.graph.initializers.map((t) => t.name));
  return m.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => ({
    weight: n.inputs[1], input: n.inputs[0], op: n.opType, transB: Number(n.attributes.find((a) => a.name === 'transB')?.value ?? 0) !== 0,
  }));
}

/** A linear weight as [K inputs, N outputs] (Gemm transB = 1 stores [N, K]: transposed here). */
function tensor(m: Model, name: string, transB = false): { dims: number[]; data: Float32Array } {
  const t = m.graph.initializers.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  const d = t.data as Float32Array;
  const [a, b] = t.dims.map(Number);
  if (!transB) return { dims: [a, b], data: d };
  return { dims: [b, a], data: Float32Array.from({ length: d.length }, (_, j) => d[(j % a) * b + Math.floor(j / a)]) };
}

/** The values `names` of `m` on `count` samples of `images` in onnxruntime-node. */
async function values(m: Model, images: Float32Array, count: number, names: string[]): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(encodeModel({ ...m, graph: { ...m.graph, outputs: names.map((name) => ({ name })) } }), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const r = await s.run({ x: new ort.Tensor('float32', images.slice(0, count * 784), [count, 1, 28, 28]) });
  await s.release();
  return r;
}

/**
 * Independent Wanda scores of a weight stored [K, N] (x W, MatMul and Gemm transB = 0): score[o][i] =
 * |W[i][o]| · sqrt(Σ over every row of x of x_i²), x the layer input of any rank ending in K.
 */
function scores(w: { dims: number[]; data: Float32Array }, x: ort.Tensor): number[][] {
  const [K, N] = w.dims;
  const xd = x.data as Float32Array;
  const norm = new Float64Array(K);
  for (let r = 0; r < xd.length / K; r++) for (let i = 0; i < K; i++) norm[i] += xd[r * K + i] ** 2;
  return Array.from({ length: N }, (_, o) => Array.from({ length: K }, (_, i) => Math.abs(w.data[i * N + o]) * Math.sqrt(norm[i])));
}

const CALIB = 40;

describe('Wanda on the ViT fixture (MatMul weights on [N, 17, d] tokens)', () => {
  const m = load('vit');
  const lin = linears(m);
  const select = lin.map((l) => l.weight);

  it('prunes half of every row, the lowest |w|·‖x‖ of the activations reaching it (checked against onnxruntime-node)', async () => {
    expect(lin.filter((l) => l.op === 'MatMul').length).toBeGreaterThanOrEqual(8);
    const { model: out, report } = wandaPrune(m, { ratio: 0.5, calibration: train.images.subarray(0, CALIB * 784), calibrationCount: CALIB, select });
    // tokens = all leading dims flattened: 17 rows (CLS + 16 patches) per image for the blocks' MatMuls
    for (const l of report.layers) expect(l.rows, l.tensor).toBe(lin.find((x) => x.weight === l.tensor)?.op === 'MatMul' ? CALIB * 17 : CALIB);
    const xs = await values(out, train.images, CALIB, [...new Set(lin.map((l) => l.input))]);
    let checked = 0;
    for (const l of lin) {
      const w0 = tensor(m, l.weight, l.transB);
      const w1 = tensor(out, l.weight, l.transB).data;
      const s = scores(w0, xs[l.input]);
      const [K, N] = w0.dims;
      for (let o = 0; o < N; o++) {
        const row = s[o];
        const sorted = [...row].sort((a, b) => a - b);
        const threshold = (sorted[K / 2 - 1] + sorted[K / 2]) / 2;
        const gap = sorted[K / 2] - sorted[K / 2 - 1];
        for (let i = 0; i < K; i++) {
          const pruned = w1[i * N + o] === 0;
          if (!pruned) expect(w1[i * N + o], `${l.weight}[${i},${o}] kept unchanged`).toBe(w0.data[i * N + o]);
          // a near-tie at the row's threshold may fall either way between two runtimes' float sums
          if (Math.abs(row[i] - threshold) < 1e-5 * threshold && gap < 1e-5 * threshold) continue;
          expect(pruned, `${l.weight} row ${o} input ${i}: score ${row[i]} vs threshold ${threshold}`).toBe(row[i] < threshold);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0.99 * lin.reduce((a, l) => a + tensor(m, l.weight).data.length, 0));
  });

  it('2:4 keeps the 2 highest scores of every 4 consecutive inputs of each output row', async () => {
    const calib = { ...train, images: train.images.subarray(0, CALIB * 784), labels: train.labels.subarray(0, CALIB), count: CALIB };
    const { model: out } = await pruneWithMethod(m, { ratio: 0.5, mode: 'layer', structure: '2:4', select, method: 'wanda', dataLimit: CALIB }, { calibration: calib });
    const xs = await values(out, train.images, CALIB, [...new Set(lin.map((l) => l.input))]);
    for (const l of lin) {
      const w0 = tensor(m, l.weight, l.transB);
      const w1 = tensor(out, l.weight, l.transB).data;
      const s = scores(w0, xs[l.input]);
      const [K, N] = w0.dims;
      for (let o = 0; o < N; o++) {
        for (let g = 0; g < K; g += 4) {
          const idx = [g, g + 1, g + 2, g + 3];
          const zeros = idx.filter((i) => w1[i * N + o] === 0);
          expect(zeros.length, `${l.weight} row ${o} group ${g}`).toBe(2);
          const lowest = [...idx].sort((a, b) => s[o][a] - s[o][b]).slice(0, 2).sort((a, b) => a - b);
          const [a, b] = [...idx].map((i) => s[o][i]).sort((p, q) => p - q).slice(1, 3);
          if (b - a > 1e-5 * b) expect(zeros, `${l.weight} row ${o} group ${g}`).toEqual(lowest);
        }
      }
    }
  });

  it('SparseGPT-style reconstruct solves the MatMul weights on [N, T, d] activations: exact counts, lower output error than magnitude, 2:4', async () => {
    const { model: out, report } = reconstructPrune(m, { ratio: 0.5, calibration: train.images.subarray(0, CALIB * 784), calibrationCount: CALIB, select });
    for (const l of report.layers) {
      expect(l.pruned, l.tensor).toBe(Math.round(0.5 * l.n));
      expect(l.rowsAvailable, l.tensor).toBe(lin.find((x) => x.weight === l.tensor)?.op === 'MatMul' ? CALIB * 17 : CALIB);
      expect(l.outputError, l.tensor).toBeLessThan(l.magnitudeOutputError);
      expect(tensor(out, l.tensor).data.every(Number.isFinite)).toBe(true);
    }
    const calib = { ...train, images: train.images.subarray(0, CALIB * 784), labels: train.labels.subarray(0, CALIB), count: CALIB };
    const { model: nm } = await pruneWithMethod(m, { ratio: 0.5, mode: 'layer', structure: '2:4', select, method: 'reconstruct', dataLimit: CALIB }, { calibration: calib });
    for (const l of lin) {
      const [K, N] = tensor(m, l.weight, l.transB).dims;
      const w = tensor(nm, l.weight, l.transB).data;
      for (let o = 0; o < N; o++) for (let g = 0; g < K; g += 4) expect([0, 1, 2, 3].filter((j) => w[(g + j) * N + o] === 0).length, `${l.weight} row ${o} group ${g}`).toBe(2);
    }
  });
});
