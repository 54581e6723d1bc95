// Plan behaviour: sparse initializers, constant folding, buffer reuse, fixed-batch models,
// opset-dependent semantics.
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model, type Node } from '../../../../src/core/onnx/model';
import { toSparseInitializers } from '../../../../src/core/prune/sparse';
import { Session } from '../../../../src/core/runtime';
import { mlpModel, prng, pruneLayers, randomInputs, randomLayers } from './mlp';
import { ortFirstOutput } from '../../../support/ort';

const ortRun = (model: Model, x: Float32Array, dims: number[]): Promise<Float32Array> => ortFirstOutput(encodeModel(model), x, dims);

function close(a: Float32Array, b: Float32Array, tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol);
}

function n(opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = []): Node {
  return { name: outputs[0], opType, domain: '', inputs, outputs, attributes };
}

describe('plan', () => {
  it('runs weights stored as sparse initializers (pruned export form) like onnxruntime', async () => {
    const layers = pruneLayers(randomLayers([784, 64, 10], 21), 0.8, 4);
    const m = toSparseInitializers(mlpModel(layers, 'pytorch'));
    expect(m.graph.sparseInitializers.length).toBeGreaterThan(0);
    const x = randomInputs(3 * 784, prng(9), 0.8);
    const want = await ortRun(m, x, [3, 1, 28, 28]);
    for (const kernels of ['dense', 'sparse'] as const) close(Session.create(m, { kernels }).runFloat(x, 3), want);
  });

  it('folds initializer-only subgraphs and fuses the layer fed by them', async () => {
    // weight = Transpose(wT) computed from initializers only; then MatMul + Add + Relu.
    const rand = prng(5);
    const wT = Float32Array.from({ length: 4 * 6 }, () => rand() - 0.5);
    const bias = Float32Array.from({ length: 4 }, () => rand() - 0.5);
    const m: Model = {
      irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 't', producerVersion: '', domain: '', modelVersion: 1,
      docString: '', metadataProps: [], functions: [],
      graph: {
        name: 'fold', valueInfo: [], sparseInitializers: [],
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 6] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 4] } }],
        initializers: [
          { name: 'wT', dims: [4, 6], dataType: DataType.FLOAT, data: wT },
          { name: 'b', dims: [4], dataType: DataType.FLOAT, data: bias },
        ],
        nodes: [
          n('Relu', ['s'], ['y']),
          n('Add', ['m', 'b'], ['s']),
          n('MatMul', ['x', 'w'], ['m']),
          n('Transpose', ['wT'], ['w'], [{ name: 'perm', type: 'ints', value: [1, 0] }]),
        ],
      },
    };
    const s = Session.create(m, { kernels: 'sparse' });
    expect(s.foldedNodes).toBe(1);
    expect(s.layers).toHaveLength(1);
    expect(s.layers[0]).toMatchObject({ K: 6, N: 4, bias: true, relu: true, nodes: ['m', 's', 'y'] });
    const x = Float32Array.from({ length: 5 * 6 }, () => rand() - 0.5);
    close(s.runFloat(x, 5), await ortRun(m, x, [5, 6]), 1e-5);
  });

  it('reuses output buffers across runs of the same batch and stays correct', () => {
    const m = mlpModel(randomLayers([784, 32, 10], 8), 'keras-2d');
    const s = Session.create(m, { kernels: 'sparse' });
    const rand = prng(77);
    const a = randomInputs(2 * 784, rand, 0.8);
    const b = randomInputs(2 * 784, rand, 0.8);
    const ya = Float32Array.from(s.runFloat(a, 2));
    const r1 = s.runFloat(b, 2);
    const r2 = s.runFloat(b, 2);
    expect(r2).toBe(r1);
    const fresh = Session.create(m, { kernels: 'dense' });
    close(Float32Array.from(r2), fresh.runFloat(b, 2), 1e-5);
    close(ya, fresh.runFloat(a, 2), 1e-5);
    expect(s.runFloat(a.subarray(0, 784), 1).length).toBe(10);
  });

  it('runs a model with a fixed batch of 1 sample by sample in runFloat', () => {
    const m = mlpModel(randomLayers([784, 16, 10], 12), 'keras-flat');
    const ref = Session.create(m, { kernels: 'dense' });
    const fixed = mlpModel(randomLayers([784, 16, 10], 12), 'keras-flat');
    const t = fixed.graph.inputs[0].type;
    if (t?.kind === 'tensor') t.shape = [1, 784];
    const s = Session.create(fixed, { kernels: 'sparse' });
    const x = randomInputs(4 * 784, prng(3), 0.5);
    close(s.runFloat(x, 4), ref.runFloat(x, 4), 1e-5);
  });

  it('follows the opset: Softmax flattens at axis before opset 13, Unsqueeze axes move to an input at 13', () => {
    const make = (opset: number, nodes: Node[], inits: Model['graph']['initializers'] = []): Model => ({
      irVersion: 7, opsetImports: [{ domain: '', version: opset }], producerName: 't', producerVersion: '', domain: '', modelVersion: 1,
      docString: '', metadataProps: [], functions: [],
      graph: {
        name: 'o', valueInfo: [], sparseInitializers: [], initializers: inits, nodes,
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [2, 3, 4] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      },
    });
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const axis1 = [{ name: 'axis', type: 'int' as const, value: 1 }];
    const old = Session.create(make(11, [n('Softmax', ['x'], ['y'], axis1)]), { kernels: 'dense' }).runFloat(x, 2);
    const now = Session.create(make(13, [n('Softmax', ['x'], ['y'], axis1)]), { kernels: 'dense' }).runFloat(x, 2);
    // opset 11: each batch row's 12 values sum to 1; opset 13: each of the 8 (batch, last) columns over axis 1 sums to 1.
    for (let b = 0; b < 2; b++) expect(old.subarray(b * 12, b * 12 + 12).reduce((p, v) => p + v, 0)).toBeCloseTo(1, 6);
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < 4; k++) expect(now[b * 12 + k] + now[b * 12 + 4 + k] + now[b * 12 + 8 + k]).toBeCloseTo(1, 6);
    }
    const u11 = Session.create(make(11, [n('Unsqueeze', ['x'], ['y'], [{ name: 'axes', type: 'ints', value: [0, 3] }])]), { kernels: 'dense' });
    const axes = { name: 'axes', dims: [2], dataType: DataType.INT64, data: BigInt64Array.from([0n, 3n]) };
    const u13 = Session.create(make(13, [n('Unsqueeze', ['x', 'axes'], ['y'])], [axes]), { kernels: 'dense' });
    const feed = { x: { dims: [2, 3, 4], data: x, dataType: DataType.FLOAT } };
    expect(u11.run(feed).y.dims).toEqual([1, 2, 3, 1, 4]);
    expect(u13.run(feed).y.dims).toEqual([1, 2, 3, 1, 4]);
  });
});
