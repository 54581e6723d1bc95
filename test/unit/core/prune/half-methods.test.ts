// Data-aware methods on a float16 model: computed in float32 (the weights widened), stored back
// in float16. LeNet converted to float16 here; reconstruct and finetune at 0.5 give float16
// weights with exactly half of each layer zero, the model's float16 input and output types, and a
// file onnxruntime-node runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../src/core/data';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { pruneWithMethod } from '../../../../src/core/prune';
import { toHalfModel } from '../../../support/half-model';
import { floatToHalf } from '../../../../src/core/runtime/tensor';

const file = join(__dirname, '../../../../test/models/cnn/lenet.onnx');
const fm = '/usr/share/datasets/fashion-mnist';


describe('reconstruct and finetune on a float16 model', () => {
  const m32 = decodeModel(new Uint8Array(readFileSync(file)), file);
  const m16 = toHalfModel(m32);
  const train = parseDataset(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(fm, n))) })));
  for (const method of ['reconstruct', 'finetune'] as const) {
    it(`${method}: float16 weights, exactly half of each layer zero, float16 surface, onnxruntime runs it`, async () => {
      const spec = { ratio: 0.5, mode: 'layer' as const, method, dataLimit: 300, epochs: 1 };
      const r = await pruneWithMethod(m16, spec, { calibration: train, train });
      expect(r.notes.at(-1)).toBe('computed in float32 (the float16 weights widened), stored back in float16');
      expect(r.model.graph.initializers.every((t) => t.dataType === DataType.FLOAT16)).toBe(true);
      expect(r.model.graph.inputs[0].type).toMatchObject({ elemType: DataType.FLOAT16 });
      for (const l of r.plan.layers) {
        const t = r.model.graph.initializers.find((x) => x.name === l.tensor)!;
        let zeros = 0;
        for (const v of t.data as Uint16Array) if ((v & 0x7fff) === 0) zeros++;
        expect(zeros, l.tensor).toBe(Math.round(0.5 * (t.data as Uint16Array).length));
      }
      const out = await runOrt16(r.model);
      expect(out).toHaveLength(2 * 10);
    });
  }
});

/** The model's logits in onnxruntime-node on two float16 images. */
async function runOrt16(m: Model): Promise<Uint16Array> {
  const x = floatToHalf({ dims: [2, 1, 28, 28], data: Float32Array.from({ length: 2 * 784 }, (_v, i) => (i % 29) / 29), dataType: DataType.FLOAT }, DataType.FLOAT16);
  const s = await ort.InferenceSession.create(encodeModel(m));
  const y = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float16', x.data as Uint16Array, x.dims) }))[s.outputNames[0]];
  await s.release();
  return y.data as Uint16Array;
}
