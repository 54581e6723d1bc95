// The conv kernels with relaxed SIMD's fused multiply-add (f32x4.relaxed_madd), as the Node entries
// enable it (--experimental-wasm-relaxed-simd, set here the same way before any module compiles):
// that the fused form is the one in use (a product whose rounding a fused multiply-add skips), and
// the CNN fixtures against onnxruntime-node within 1e-4, unpruned and pruned, batch 1 and 5.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../src/core/data';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { Session } from '../../../../src/core/runtime';
import { type Conv2dShape, ConvLayerRunner } from '../../../../src/core/runtime/kernels/conv-runner';
import { convKernelOptions, fusedMadd } from '../../../../src/core/runtime/kernels/conv-wasm';
import { relaxedSimd } from '../../../../src/core/runtime/kernels/wasm-asm';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const FMNIST = '/usr/share/datasets/fashion-mnist';

afterEach(() => {
  convKernelOptions.fused = undefined;
});

/** A 1×1 conv, C = 1, M = 4, on an 8×8 map of 1 + 2⁻¹³ with weights 1 − 2⁻¹³ and bias −1. */
function tinyLayer(sparse: boolean, fused: boolean): Float32Array {
  convKernelOptions.fused = fused;
  const e = 2 ** -13;
  const M = 4;
  const s: Conv2dShape = { C: 1, H: 8, W: 8, OH: 8, OW: 8, sy: 1, sx: 1, dy: 1, dx: 1, padT: 0, padL: 0 };
  const r = new ConvLayerRunner({ M, group: 1, kh: 1, kw: 1, w: new Float32Array(M).fill(1 - e), bias: new Float32Array(M).fill(-1), lo: -Infinity, hi: Infinity, sparse }, true);
  const y = new Float32Array(M * 64);
  r.run(s, 1, new Float32Array(64).fill(1 + e), y);
  return y;
}

describe('relaxed SIMD fused multiply-add in the conv kernels', () => {
  it('validates once the flag is set, and the kernels use it', () => {
    expect(relaxedSimd()).toBe(true);
    expect(fusedMadd()).toBe(true);
    convKernelOptions.fused = false;
    expect(fusedMadd()).toBe(false);
  });

  // (1 + 2⁻¹³)(1 − 2⁻¹³) = 1 − 2⁻²⁶ rounds to 1 in float32, so mul then add gives exactly 0; a fused
  // multiply-add rounds once, after adding −1: −2⁻²⁶ (this CPU has FMA; V8 lowers relaxed_madd to it).
  it.each([['dense (rows4)', false], ['per-channel lists (csr)', true]] as const)('%s: fused gives −2⁻²⁶ where mul + add gives 0', (_, sparse) => {
    expect(Array.from(new Set(tinyLayer(sparse, false)))).toEqual([0]);
    expect(Array.from(new Set(tinyLayer(sparse, true)))).toEqual([-(2 ** -26)]);
  });
});

const data = parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(`${FMNIST}/${f}`)) })));

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.each(['lenet', 'resnet', 'mobilenet'])('%s with fused multiply-add against onnxruntime-node', (name) => {
  it('unpruned and magnitude-pruned 0.5 / 0.9, dense and sparse kernels, batch 1 and 5, within 1e-4', async () => {
    const model: Model = decodeModel(new Uint8Array(readFileSync(`test/models/cnn/${name}.onnx`)), `${name}.onnx`);
    for (const ratio of [0, 0.5, 0.9]) {
      const m = ratio === 0 ? model : applyPrune(model, planPrune(model, { ratio, mode: 'layer' }));
      const bytes = encodeModel(m);
      const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
      for (const kernels of ['dense', 'sparse'] as const) {
        const s = Session.create(decodeModel(bytes), { kernels });
        for (const l of s.layers.filter((x) => x.kind === 'conv')) expect(l.engine).toBe('wasm');
        for (const [start, batch] of [[0, 1], [7, 5], [300, 1]]) {
          const x = data.images.subarray(start * 784, (start + batch) * 784);
          const want = (await ref.run({ x: new ort.Tensor('float32', x, [batch, 1, 28, 28]) })).logits.data as Float32Array;
          const got = s.run({ x: { dims: [batch, 1, 28, 28], data: x, dataType: DataType.FLOAT } }).logits.data as Float32Array;
          expect(maxDiff(got, want), `${ratio} ${kernels} batch ${batch}`).toBeLessThan(1e-4);
        }
      }
      await ref.release();
    }
  });
});
