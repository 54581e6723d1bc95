// The graph trainer's forward pass (its own kernels, not the runtime's) gives onnxruntime-node's
// logits on the Fashion-MNIST CNNs (LeNet; ResNet-style with BatchNormalization and residual Add;
// MobileNet-style with depthwise Conv, Clip, squeeze-excite and HardSwish), within 1e-4.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { compileGraph, forward, logitsOf } from '../../../../src/core/train/graph';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../../../src/core/onnx';
import { CNNS, cnn, cnnBytes, fashion } from './graph-fixtures';

const test = fashion('t10k');
const N = 37;
const images = test.images.subarray(0, N * 784);

describe('graph trainer forward pass', () => {
  for (const name of CNNS) {
    it(`${name}: logits equal onnxruntime-node's within 1e-4`, async () => {
      const session = await ort.InferenceSession.create(cnnBytes(name));
      const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', images.slice(), [N, 1, 28, 28]) });
      const theirs = res[session.outputNames[0]].data as Float32Array;
      await session.release();
      const net = compileGraph(cnn(name), []);
      const ours = logitsOf(net, forward(net, images, N));
      expect(ours.dims).toEqual([N, 10]);
      let worst = 0;
      for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - ours.data[i]) / Math.max(1, Math.abs(theirs[i])));
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

describe('graph trainer forward pass through Transpose, reductions, Squeeze, Unsqueeze, Resize and ConvTranspose', () => {
  const cases = [
    { file: 'channels_last', dims: [5, 12, 12, 1], what: 'NHWC input permuted in, permuted back before Flatten' },
    { file: 'reduce_squeeze', dims: [5, 1, 12, 12], what: 'ReduceMean into a gate unsqueezed onto the Conv output, ReduceMean + Squeeze, ReduceMax' },
    { file: 'upsample', dims: [5, 1, 12, 12], what: 'F.interpolate(scale_factor=2): Resize with constant scales' },
    { file: 'conv_transpose', dims: [5, 1, 12, 12], what: 'ConvTranspose up, Concat with the skip' },
  ];
  for (const c of cases) {
    it(`${c.file}.onnx (${c.what}): logits equal onnxruntime-node's`, async () => {
      const file = join(__dirname, `../../../../test/models/structured/${c.file}.onnx`);
      const bytes = new Uint8Array(readFileSync(file));
      const n = c.dims[0];
      const x = Float32Array.from({ length: c.dims.reduce((s, v) => s * v, 1) }, (_v, i) => Math.sin(i * 0.731) + 0.3);
      const session = await ort.InferenceSession.create(bytes);
      const theirs = (await session.run({ x: new ort.Tensor('float32', x, c.dims) })).logits.data as Float32Array;
      await session.release();
      const net = compileGraph(decodeModel(bytes, file), []);
      const ours = logitsOf(net, forward(net, x, n));
      expect(ours.dims).toEqual([n, 10]);
      for (let i = 0; i < theirs.length; i++) expect(Math.abs(theirs[i] - ours.data[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(theirs[i])));
    });
  }
});
