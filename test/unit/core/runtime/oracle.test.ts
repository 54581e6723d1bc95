// Oracle: the runtime's dense and sparse kernels agree with onnxruntime-node on MLPs exported in
// the styles of PyTorch, Chainer and tf2onnx/Keras, at batch 1 and 37, unpruned and 80% pruned.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { type Style, mlpModel, prng, pruneLayers, randomInputs, randomLayers } from './mlp';
import { ORT_ONE_THREAD } from '../../../support/ort';

const SIZES = [784, 128, 64, 10];

function inputDims(style: Style, batch: number): number[] {
  return style === 'keras-flat' ? [batch, 784] : style === 'keras-2d' ? [batch, 28, 28] : [batch, 1, 28, 28];
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.each(['pytorch', 'chainer', 'keras-2d', 'keras-flat'] as const)('%s-style MLP against onnxruntime-node', (style) => {
  it.each([
    ['unpruned', 0],
    ['80% pruned', 0.8],
    ['95% pruned', 0.95],
  ] as const)('%s: dense and sparse agree with ORT within 1e-4 at batch 1 and 37 (WebAssembly and JS kernels)', async (_label, fraction) => {
    let layers = randomLayers(SIZES, 7);
    if (fraction > 0) layers = pruneLayers(layers, fraction, 11);
    // Through real bytes: encode, then decode for our runtime and load the same bytes in ORT.
    const bytes = encodeModel(mlpModel(layers, style));
    const ortSession = await ort.InferenceSession.create(bytes, ORT_ONE_THREAD);
    const rand = prng(1234);
    for (const [kernels, wasm] of [['dense', true], ['sparse', true], ['dense', false], ['sparse', false]] as const) {
      const session = Session.create(decodeModel(bytes), { kernels, wasm });
      expect(session.layers.map((l) => l.kernel)).toEqual([kernels, kernels, kernels]);
      expect(session.layers.map((l) => l.engine)).toEqual(Array(3).fill(wasm ? 'wasm' : 'js'));
      expect(session.layers.map((l) => l.relu)).toEqual([true, true, false]);
      if (fraction > 0) for (const l of session.layers) expect(l.sparsity).toBeGreaterThan(0.75);
      for (const batch of [1, 37, 1]) {
        const x = randomInputs(batch * 784, rand, 0.8);
        const dims = inputDims(style, batch);
        const want = (await ortSession.run({ x: new ort.Tensor('float32', x, dims) }))[ortSession.outputNames[0]].data as Float32Array;
        const viaRun = session.run({ x: { dims, data: x, dataType: DataType.FLOAT } })[session.outputs[0].name];
        expect(viaRun.dims).toEqual([batch, 10]);
        expect(maxDiff(viaRun.data as Float32Array, want)).toBeLessThan(1e-4);
        const viaFast = session.runFloat(x, batch);
        expect(maxDiff(viaFast, want)).toBeLessThan(1e-4);
        // Independent sanity: not all outputs equal (the model really computed something).
        expect(new Set(want).size).toBeGreaterThan(5);
      }
    }
    await ortSession.release();
  });
});

describe('sparse kernel threshold', () => {
  it('keeps dense kernels for weights below sparseMinSparsity', () => {
    const layers = pruneLayers(randomLayers(SIZES, 3), 0.5, 5);
    const m = mlpModel(layers, 'pytorch');
    const s = Session.create(m, { kernels: 'sparse', sparseMinSparsity: 0.9 });
    expect(s.layers.map((l) => l.kernel)).toEqual(['dense', 'dense', 'dense']);
    const s2 = Session.create(m, { kernels: 'sparse', sparseMinSparsity: 0.4 });
    expect(s2.layers.map((l) => l.kernel)).toEqual(['sparse', 'sparse', 'sparse']);
  });
});
