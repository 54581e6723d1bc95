// Static shape inference on the transformer fixtures (test/models/transformers) against
// onnxruntime-node: every node output is inferred, each inferred tensor is added as a graph output
// and the model runs at two sizes (N, T); numeric dims must equal onnxruntime's, symbols ("N", "T")
// bind to one size each. Then the ViT's MACs at batch 2 against a hand count.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../../../src/core/analysis';
import { modelMacs } from '../../../../src/core/analysis/macs';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { node } from '../../../support/hand-models';
import { ROOT } from '../../../support/paths';

const DIR = join(ROOT, 'test/models/transformers');
const ORT_TYPES: Record<string, number> = { float32: DataType.FLOAT, int64: DataType.INT64, bool: DataType.BOOL };

function load(name: string): Model {
  return decodeModel(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), `${name}.onnx`);
}

function feeds(name: string, n: number, t: number): Record<string, ort.Tensor> {
  const ids = () => new ort.Tensor('int64', BigInt64Array.from({ length: n * t }, (_, i) => BigInt((i * 7) % 100)), [n, t]);
  if (name === 'vit') return { x: new ort.Tensor('float32', Float32Array.from({ length: n * 784 }, (_, i) => Math.sin(i) * 0.5 + 0.5), [n, 1, 28, 28]) };
  if (name === 'gpt') return { input_ids: ids() };
  return { input_ids: ids(), attention_mask: new ort.Tensor('int64', new BigInt64Array(n * t).fill(1n), [n, t]) };
}

describe('shape inference on the transformer fixtures against onnxruntime', () => {
  it.each(['vit', 'bert', 'gpt'])('%s: every node output inferred, as onnxruntime computes it at two sizes', async (name) => {
    const m = load(name);
    const opset = m.opsetImports.find((o) => o.domain === '')!.version;
    const inferred = inferShapes(m.graph, opset);
    const outputs = new Set(m.graph.outputs.map((o) => o.name));
    const missing = m.graph.nodes.filter((n) => n.opType !== 'Constant').flatMap((n) => n.outputs.filter((o) => o !== '' && !outputs.has(o) && !inferred.has(o)).map((o) => `${n.opType} ${o}`));
    expect(missing).toEqual([]);
    const names = [...inferred.keys()];
    // Each inferred tensor is read through an Identity: onnxruntime-node 1.30 crashes (SIGSEGV) when
    // a Range output is itself a graph output.
    const copy: Model = {
      ...m,
      graph: {
        ...m.graph,
        nodes: [...m.graph.nodes, ...names.map((n) => node('Identity', [n], [`${n}:copy`]))],
        outputs: [...m.graph.outputs, ...names.map((n) => ({ name: `${n}:copy`, type: { kind: 'tensor' as const, elemType: inferred.get(n)!.elemType } }))],
      },
    };
    const session = await ort.InferenceSession.create(encodeModel(copy), { logSeverityLevel: 4 });
    let unknown = 0;
    for (const [n, t] of [[2, 16], [3, 7]]) {
      const out = await session.run(feeds(name, n, t));
      const bound = new Map<string, number>([['N', n], ['T', t]]);
      for (const k of names) {
        const want = out[`${k}:copy`].dims;
        const got = inferred.get(k)!;
        expect(got.shape.length, `${k}: rank`).toBe(want.length);
        got.shape.forEach((d, i) => {
          if (d === null) unknown++;
          else if (typeof d === 'number') expect(d, `${k}[${i}]`).toBe(want[i]);
          else expect(want[i], `${k}[${i}] = ${d}`).toBe(bound.get(d));
        });
        expect(ORT_TYPES[out[`${k}:copy`].type], `${k} type`).toBe(got.elemType);
      }
    }
    expect(unknown).toBe(0);
    await session.release();
  });

  it('ViT MACs at batch 2: patch Conv, four linear layers and P·V per block, the head', () => {
    const r = modelMacs(load('vit'), 2);
    const tokens = 2 * 17;
    // Conv 7×7 stride 7 on 28×28: 16 positions × 64 channels × 49 weights per sample.
    const conv = 2 * 16 * 64 * 49;
    // qkv 64→192, proj 64→64, fc1 64→128, fc2 128→64 per token; P·V: 4 heads × 17 × 17 × 16.
    const block = tokens * (64 * 192 + 64 * 64 + 64 * 128 + 128 * 64) + 2 * 4 * 17 * 17 * 16;
    const head = 2 * 64 * 10;
    expect(r.unknown).toEqual([]);
    expect(r.total).toBe(conv + 2 * block + head);
  });
});
