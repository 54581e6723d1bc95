// The WebAssembly layer chain (kernels/chain.ts): every path — one row at a time (CSC scatter and
// dense f32x4 rows), 32-row blocks (CSR with register accumulators), padded tail blocks and tails
// run row by row — against a plain float64 reference computed here from the layer weights.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { BLOCK_ROWS, ONE_ROW_DENSE_ABOVE, TAIL_ROWS_ONE_BY_ONE, blocksPay } from '../../../../src/core/runtime/kernels/chain';
import { toSparse } from '../../../../src/core/runtime/kernels/sparse';
import { type Layer, mlpModel, prng, pruneLayers, randomInputs, randomLayers } from './mlp';
import { loadCase, mismatch, readBytes, toRt } from './testdata';
import { decodeModel } from '../../../../src/core/onnx';

/** y = relu(x · Wᵀ + b) layer by layer in float64 (PyTorch layout w [out, in]); no ReLU after the last. */
function reference(layers: Layer[], x: Float32Array, batch: number): Float64Array {
  let cur = Float64Array.from(x);
  layers.forEach((l, i) => {
    const next = new Float64Array(batch * l.out);
    for (let m = 0; m < batch; m++) {
      for (let o = 0; o < l.out; o++) {
        let s = l.b[o];
        for (let k = 0; k < l.in; k++) s += l.w[o * l.in + k] * cur[m * l.in + k];
        next[m * l.out + o] = i < layers.length - 1 && s < 0 ? 0 : s;
      }
    }
    cur = next;
  });
  return cur;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Exactly `ratio` of each layer's weights zeroed (the smallest |w|), so the kernel choice is known. */
function prune(layers: Layer[], ratio: number): Layer[] {
  return layers.map((l) => {
    const order = Array.from(l.w.keys()).sort((a, b) => Math.abs(l.w[a]) - Math.abs(l.w[b]));
    const w = Float32Array.from(l.w);
    for (let i = 0; i < Math.round(ratio * w.length); i++) w[order[i]] = 0;
    return { ...l, w };
  });
}

// Odd widths: outputs not a multiple of 4 exercise the padded accumulators.
const SIZES = [784, 45, 30, 10];
const BATCHES = [1, 3, 4, 5, 17, 256, BLOCK_ROWS + TAIL_ROWS_ONE_BY_ONE, BLOCK_ROWS + TAIL_ROWS_ONE_BY_ONE + 1];

describe('WebAssembly layer chain', () => {
  it('tail and block constants describe distinct paths', () => {
    expect(TAIL_ROWS_ONE_BY_ONE).toBeLessThan(BLOCK_ROWS);
    expect(ONE_ROW_DENSE_ABOVE).toBeGreaterThan(0.05);
    expect(ONE_ROW_DENSE_ABOVE).toBeLessThan(0.95);
  });

  it('runs batches in blocks for sparse chains and row by row for dense ones (so both paths are exercised below)', () => {
    const chain = (ratio: number): Parameters<typeof blocksPay>[0] =>
      prune(randomLayers(SIZES, 1), ratio).map((l) => {
        const w = new Float32Array(l.in * l.out);
        for (let o = 0; o < l.out; o++) for (let k = 0; k < l.in; k++) w[k * l.out + o] = l.w[o * l.in + k];
        return { weights: toSparse(w, l.in, l.out), bias: l.b, relu: true };
      });
    expect(blocksPay(chain(0))).toBe(false);
    expect(blocksPay(chain(0.5))).toBe(true);
    expect(blocksPay(chain(0.95))).toBe(true);
  });

  it.each([0, 0.5, 0.95, 1])('ratio %s: dense and sparse sessions match the float64 reference at every batch size', (ratio) => {
    const layers = prune(randomLayers(SIZES, 17), ratio);
    const model = mlpModel(layers, 'pytorch');
    const rand = prng(99);
    for (const kernels of ['dense', 'sparse'] as const) {
      const s = Session.create(model, { kernels });
      expect(s.layers.map((l) => l.engine)).toEqual(['wasm', 'wasm', 'wasm']);
      for (const batch of BATCHES) {
        const x = randomInputs(batch * 784, rand, 0.8);
        const want = reference(layers, x, batch);
        expect(maxDiff(s.runFloat(x, batch), want), `${kernels} batch ${batch}`).toBeLessThan(1e-4);
      }
    }
  });

  it('an all-zero weight layer gives its bias (then ReLU), and all-zero inputs give the bias chain', () => {
    const layers = prune(randomLayers(SIZES, 5), 0.9);
    layers[1] = { ...layers[1], w: new Float32Array(layers[1].w.length) };
    const s = Session.create(mlpModel(layers, 'keras-flat'), { kernels: 'sparse' });
    for (const batch of [1, 5, 40]) {
      const x = randomInputs(batch * 784, prng(batch), 0.5);
      // keras-flat ends in Softmax: compare before it by taking the reference's softmax.
      const logits = reference(layers, x, batch);
      const got = s.runFloat(x, batch);
      for (let m = 0; m < batch; m++) {
        const row = logits.subarray(m * 10, m * 10 + 10);
        const mx = Math.max(...row);
        const e = row.map((v) => Math.exp(v - mx));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < 10; j++) expect(Math.abs(got[m * 10 + j] - e[j] / sum)).toBeLessThan(1e-5);
      }
      // Layer 1 has no weights: every sample gets the same output.
      for (let m = 1; m < batch; m++) expect(maxDiff(got.subarray(m * 10, m * 10 + 10), got.subarray(0, 10))).toBe(0);
    }
    const zeros = new Float32Array(37 * 784);
    const s2 = Session.create(mlpModel(prune(randomLayers(SIZES, 6), 0.95), 'pytorch'), { kernels: 'sparse' });
    const want = reference(prune(randomLayers(SIZES, 6), 0.95), zeros, 37);
    expect(maxDiff(s2.runFloat(zeros, 37), want)).toBeLessThan(1e-5);
    expect(maxDiff(s2.runFloat(zeros.subarray(0, 784), 1), want.subarray(0, 10))).toBeLessThan(1e-5);
  });

  it('handles layers wider than 16,384 outputs (32-bit sparse entries) one row at a time and in blocks', () => {
    const layers = prune(randomLayers([20, 16500, 3], 31), 0.95);
    const m = mlpModel(layers, 'pytorch');
    m.graph.inputs[0] = { name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 20] } };
    const s = Session.create(m, { kernels: 'sparse' });
    expect(s.layers.map((l) => l.engine)).toEqual(['wasm', 'wasm']);
    const rand = prng(8);
    for (const batch of [1, 2, 21]) {
      const x = randomInputs(batch * 20, rand, 0.3);
      expect(maxDiff(s.runFloat(x, batch), reference(layers, x, batch))).toBeLessThan(1e-4);
    }
  });

  it('skips input features that are zero in a whole block (first layer by input feature) and stays right', () => {
    const layers = prune(randomLayers(SIZES, 41), 0.9);
    const s = Session.create(mlpModel(layers, 'pytorch'), { kernels: 'sparse' });
    const batch = 3 * BLOCK_ROWS + 1;
    const x = randomInputs(batch * 784, prng(41), 0.3);
    // A blank border: features below 300 are zero in every sample; one sample lights one of them up.
    for (let m = 0; m < batch; m++) x.fill(0, m * 784, m * 784 + 300);
    x[(BLOCK_ROWS + 5) * 784 + 7] = 0.9;
    expect(maxDiff(s.runFloat(x, batch), reference(layers, x, batch))).toBeLessThan(1e-4);
  });

  it('does not chain across a value that is also a graph output, and both outputs are right', () => {
    const layers = pruneLayers(randomLayers([784, 20, 10], 8), 0.6, 2);
    const m: Model = mlpModel(layers, 'pytorch');
    m.graph.outputs.push({ name: 'h0', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 20] } });
    const s = Session.create(m, { kernels: 'sparse' });
    const x = randomInputs(9 * 784, prng(4), 0.7);
    const out = s.run({ x: { dims: [9, 1, 28, 28], data: x, dataType: DataType.FLOAT } });
    expect(maxDiff(out.logits.data as Float32Array, reference(layers, x, 9))).toBeLessThan(1e-4);
    expect(maxDiff(out.h0.data as Float32Array, reference(layers.slice(0, 1), x, 9).map((v) => Math.max(v, 0)))).toBeLessThan(1e-4);
  });

  it('keeps buffers across batch sizes: alternating 1, 40 and 3 gives the same answers as fresh sessions', () => {
    const layers = prune(randomLayers(SIZES, 12), 0.95);
    const model = mlpModel(layers, 'chainer');
    const s = Session.create(model, { kernels: 'sparse' });
    const rand = prng(3);
    for (const batch of [1, 40, 3, 1, 40]) {
      const x = randomInputs(batch * 784, rand, 0.8);
      expect(maxDiff(s.runFloat(x, batch), reference(layers, x, batch))).toBeLessThan(1e-4);
    }
  });

  it.each(['test_Linear', 'test_Linear_no_bias'])('libonnx pytorch-converted %s runs through the chain, unpruned and with 95 percent of the weight zeroed', (name) => {
    const dir = '/usr/share/libonnx-testdata/data/pytorch-converted';
    const model = decodeModel(readBytes(join(dir, name, 'model.onnx')));
    const c = loadCase(name, model, dir);
    const s = Session.create(model, { kernels: 'sparse' });
    expect(s.layers.length).toBeGreaterThan(0);
    expect(s.layers.every((l) => l.engine === 'wasm')).toBe(true);
    for (const set of c.sets) {
      const feeds = Object.fromEntries(s.inputs.map((i, k) => [i.name, toRt(set.inputs[k])]));
      const got = s.run(feeds)[s.outputs[0].name];
      expect(mismatch(got, set.outputs[0], 1e-4, 1e-5)).toBeUndefined();
    }
    // Prune the weight and compare sparse wasm with the JS dense kernels (float64 accumulation).
    const w = model.graph.initializers.find((t) => t.dims.length === 2)!;
    const pruned = Float32Array.from(w.data as Float32Array, (v, i) => (i % 20 === 0 ? v : 0));
    const pm: Model = { ...model, graph: { ...model.graph, initializers: model.graph.initializers.map((t) => (t === w ? { ...t, data: pruned } : t)) } };
    const sparse = Session.create(pm, { kernels: 'sparse' });
    const js = Session.create(pm, { kernels: 'dense', wasm: false });
    expect(sparse.layers[0].sparsity).toBeGreaterThan(0.9);
    for (const set of c.sets) {
      const feeds = Object.fromEntries(sparse.inputs.map((i, k) => [i.name, toRt(set.inputs[k])]));
      const a = sparse.run(feeds)[sparse.outputs[0].name].data as Float32Array;
      const b = js.run(feeds)[js.outputs[0].name].data as Float32Array;
      expect(maxDiff(a, b)).toBeLessThan(1e-4);
      expect(new Set(a).size).toBeGreaterThan(3);
    }
  });
});
