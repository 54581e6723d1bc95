// A float16 model runs in float32 inside (half-promote.ts) yet keeps its float16 surface: LeNet
// converted to float16 here (weights, input, output), fed float16 images, answers in float16
// within float16 rounding of onnxruntime-node on the same float16 model; its plan is the float32
// one (the fused Conv layers), not the op-by-op half path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { promoteHalf } from '../../../../src/core/runtime/half-promote';
import { toHalfModel } from '../../../support/half-model';
import { floatToHalf, halfToFloat } from '../../../../src/core/runtime/tensor';

const file = join(__dirname, '../../../../test/models/cnn/lenet.onnx');


describe('float16 models computed in float32', () => {
  const m16 = toHalfModel(decodeModel(new Uint8Array(readFileSync(file)), file));
  it('widens every float16 weight and type, and nothing when there is no float16', () => {
    const wide = promoteHalf(m16)!;
    expect(wide.graph.initializers.every((t) => t.dataType !== DataType.FLOAT16)).toBe(true);
    expect(wide.graph.inputs[0].type).toMatchObject({ elemType: DataType.FLOAT });
    expect(promoteHalf(decodeModel(new Uint8Array(readFileSync(file)), file))).toBeUndefined();
  });
  it('answers in float16 within float16 rounding of onnxruntime-node on the float16 model', async () => {
    const n = 3;
    const x = floatToHalf({ dims: [n, 1, 28, 28], data: Float32Array.from({ length: n * 784 }, (_v, i) => ((i * 37) % 101) / 101), dataType: DataType.FLOAT }, DataType.FLOAT16);
    const session = Session.create(m16, { kernels: 'dense' });
    expect(session.layers.length).toBeGreaterThan(0);
    const ours = Object.values(session.run({ [session.inputs[0].name]: x }))[0];
    expect(ours.dataType).toBe(DataType.FLOAT16);
    const s = await ort.InferenceSession.create(encodeModel(m16));
    const want = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float16', x.data as Uint16Array, x.dims) }))[s.outputNames[0]];
    await s.release();
    const a = halfToFloat(ours).data as Float32Array;
    const b = halfToFloat({ dims: [...want.dims], data: want.data as Uint16Array, dataType: DataType.FLOAT16 }).data as Float32Array;
    expect(a.length).toBe(n * 10);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-2 * Math.max(1, Math.abs(b[i])));
  });
});
