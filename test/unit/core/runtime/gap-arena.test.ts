// GlobalAveragePool averaged in the conv arena (kernels/gap-run.ts) against onnxruntime-node: after
// a conv whose only reader it is (the conv's output then never leaves the arena), after a conv
// another node also reads, on a graph input (not in the arena: the JS op), at batch 2 (the arena
// holds one image: the JS op), and on plane sizes that take each of the kernel's loops (1, 3, 4, 5,
// 16, 17, 35, 49, 64, 67 floats). Also what the step computes by hand on one plane.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { type Attribute, DataType, type Model, type Node } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { prng, randomFloats } from './mlp';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const ints = (name: string, v: number[]): Attribute => ({ name, type: 'ints', value: v.map(BigInt) } as Attribute);
const vi = (name: string): Model['graph']['inputs'][number] => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: undefined } } as Model['graph']['inputs'][number]);
const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node => ({ name, opType, domain: '', inputs, outputs, attributes });

/** x [N, C, H, W] → Conv 1x1 (M) → GlobalAveragePool (→ + Relu of the conv output as a second reader when `shared`); or GAP of x alone. */
function model(C: number, M: number, form: 'sole' | 'shared' | 'input', seed: number): Model {
  const rand = prng(seed);
  const nodes: Node[] = [];
  const outputs = ['g'];
  if (form === 'input') nodes.push(node('gap', 'GlobalAveragePool', ['x'], ['g']));
  else {
    nodes.push(node('conv', 'Conv', ['x', 'w', 'b'], ['c'], [ints('kernel_shape', [1, 1])]));
    nodes.push(node('gap', 'GlobalAveragePool', ['c'], ['g']));
    if (form === 'shared') {
      nodes.push(node('relu', 'Relu', ['c'], ['r']));
      outputs.push('r');
    }
  }
  return {
    irVersion: 8n, opsetImports: [{ domain: '', version: 13n }], producerName: 't', producerVersion: '', domain: '', modelVersion: 0n, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', nodes, inputs: [vi('x')], outputs: outputs.map(vi), valueInfo: [], sparseInitializers: [], docString: '',
      initializers: form === 'input' ? [] : [
        { name: 'w', dims: [M, C, 1, 1], dataType: DataType.FLOAT, data: randomFloats(M * C, rand, 0.5) },
        { name: 'b', dims: [M], dataType: DataType.FLOAT, data: randomFloats(M, rand, 0.5) },
      ],
    },
  } as unknown as Model;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('GlobalAveragePool on the conv arena, against onnxruntime-node', () => {
  const sizes: [number, number][] = [[1, 1], [1, 3], [2, 2], [1, 5], [4, 4], [1, 17], [5, 7], [7, 7], [8, 8], [1, 67]];
  const cases = (['sole', 'shared', 'input'] as const).flatMap((form) => sizes.map(([H, W]) => [`${form}, ${H}×${W}`, form, H, W] as const));
  it.each(cases)('%s: batch 1 and 2, WebAssembly and JS, within 1e-5', async (_n, form, H, W) => {
    const C = 6;
    const M = 9;
    const bytes = encodeModel(model(C, M, form, H * 31 + W));
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const rand = prng(H + W);
    for (const n of [1, 2]) {
      const dims = [n, C, H, W];
      const x = randomFloats(n * C * H * W, rand, 2);
      const want = await ref.run({ x: new ort.Tensor('float32', x, dims) });
      for (const wasm of [true, false]) {
        const s = Session.create(decodeModel(bytes), { kernels: 'dense', wasm });
        // Twice: the second run reads the arena the first left behind.
        for (let k = 0; k < 2; k++) {
          const got = s.run({ x: { dims, data: x, dataType: DataType.FLOAT } });
          expect(got.g.dims).toEqual([...want.g.dims]);
          expect(maxDiff(got.g.data as Float32Array, want.g.data as Float32Array), `n=${n} wasm=${wasm}`).toBeLessThan(1e-5);
          if (form === 'shared') expect(maxDiff(got.r.data as Float32Array, want.r.data as Float32Array)).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('one plane of 1 … 35 by hand: a ramp averages to its middle value', () => {
    // Conv 1x1 with weight 1 and bias 0 passes x through, so the average of 0, 1, …, L−1 is (L − 1)/2.
    for (const L of [1, 4, 5, 16, 17, 35]) {
      const m = model(1, 1, 'sole', 1);
      m.graph.initializers[0].data = Float32Array.of(1);
      m.graph.initializers[1].data = Float32Array.of(0);
      const s = Session.create(decodeModel(encodeModel(m)), { kernels: 'dense' });
      const got = s.run({ x: { dims: [1, 1, 1, L], data: Float32Array.from({ length: L }, (_, i) => i), dataType: DataType.FLOAT } });
      expect(Array.from(got.g.data as Float32Array)).toEqual([(L - 1) / 2]);
    }
  });
});
