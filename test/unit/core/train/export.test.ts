// The trained MLP as an ONNX model in torch.onnx.export's form, run by onnxruntime-node; the
// bundled sample model and its recorded accuracy.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../../../../src/core/onnx';
import { parseDataset } from '../../../../src/core/data';
import { forwardAll, initMlp, mlpFromModel, mlpToModel, predict, updateModelWeights } from '../../../../src/core/train';

const ROOT = join(__dirname, '..', '..', '..', '..');

async function runOrt(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', x, dims) });
  const data = out.logits.data as Float32Array;
  await session.release();
  return data;
}

function shapeOf(m: Model, which: 'inputs' | 'outputs'): unknown {
  const t = m.graph[which][0].type;
  return t?.kind === 'tensor' ? t.shape : undefined;
}

describe('mlpToModel', () => {
  const layers = initMlp([784, 40, 30, 10], 7);
  const model = mlpToModel(layers);

  it('writes input → Flatten → (Gemm transB=1, Relu)… → Gemm → logits, opset 13, IR 7', () => {
    const back = decodeModel(encodeModel(model), 'mlp.onnx');
    expect(back.irVersion).toBe(7);
    expect(back.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(back.producerName).toBe('prunescope-train');
    expect(back.graph.nodes.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(back.graph.nodes.map((n) => n.name)).toEqual(['/Flatten', '/fc1/Gemm', '/Relu', '/fc2/Gemm', '/Relu_1', '/fc3/Gemm']);
    expect(back.graph.inputs.map((v) => v.name)).toEqual(['input']);
    expect(shapeOf(back, 'inputs')).toEqual(['N', 1, 28, 28]);
    expect(back.graph.outputs.map((v) => v.name)).toEqual(['logits']);
    expect(shapeOf(back, 'outputs')).toEqual(['N', 10]);
    expect(back.graph.initializers.map((t) => [t.name, t.dims])).toEqual([
      ['fc1.weight', [40, 784]], ['fc1.bias', [40]], ['fc2.weight', [30, 40]], ['fc2.bias', [30]], ['fc3.weight', [10, 30]], ['fc3.bias', [10]],
    ]);
    for (const gemm of back.graph.nodes.filter((n) => n.opType === 'Gemm')) {
      expect(gemm.attributes.find((a) => a.name === 'transB')).toMatchObject({ type: 'int', value: 1 });
    }
    expect(back.graph.nodes[0].attributes).toEqual([expect.objectContaining({ name: 'axis', value: 1 })]);
  });

  it('runs in onnxruntime-node with any batch size and gives our forward pass', async () => {
    const digits = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((n) => {
      const p = join(ROOT, 'resources', 'mnist', n);
      return { name: p, bytes: new Uint8Array(readFileSync(p)) };
    }));
    const bytes = encodeModel(model);
    for (const n of [1, 37]) {
      const x = digits.images.slice(0, n * 784);
      const theirs = await runOrt(bytes, x, [n, 1, 28, 28]);
      const mine = forwardAll(layers, x, n);
      expect(theirs.length).toBe(n * 10);
      let maxDiff = 0;
      for (let i = 0; i < mine.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mine[i] - theirs[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('mlpFromModel reads the layers back, transposing transB=0 weights', () => {
    const back = mlpFromModel(decodeModel(encodeModel(model), 'mlp.onnx'));
    expect(back.map((l) => [l.inputs, l.outputs])).toEqual([[784, 40], [40, 30], [30, 10]]);
    back.forEach((l, i) => {
      expect(Array.from(l.weight)).toEqual(Array.from(layers[i].weight));
      expect(Array.from(l.bias)).toEqual(Array.from(layers[i].bias));
    });
    // The same first layer stored [in, out] with transB = 0.
    const w = layers[0].weight;
    const t = new Float32Array(w.length);
    for (let o = 0; o < 40; o++) for (let i = 0; i < 784; i++) t[i * 40 + o] = w[o * 784 + i];
    const transposed: Model = {
      ...model,
      graph: {
        ...model.graph,
        nodes: model.graph.nodes.map((n) => (n.name === '/fc1/Gemm' ? { ...n, attributes: n.attributes.filter((a) => a.name !== 'transB') } : n)),
        initializers: model.graph.initializers.map((x) => (x.name === 'fc1.weight' ? { ...x, dims: [784, 40], data: t } : x)),
      },
    };
    expect(Array.from(mlpFromModel(transposed)[0].weight)).toEqual(Array.from(w));

    // updateModelWeights writes new layers back in each node's own layout.
    const other = initMlp([784, 40, 30, 10], 99);
    const updated = updateModelWeights(transposed, other);
    expect(updated.graph.initializers.find((x) => x.name === 'fc1.weight')!.dims).toEqual([784, 40]);
    mlpFromModel(updated).forEach((l, i) => {
      expect(Array.from(l.weight)).toEqual(Array.from(other[i].weight));
      expect(Array.from(l.bias)).toEqual(Array.from(other[i].bias));
    });
    expect(Array.from(mlpFromModel(transposed)[0].weight)).toEqual(Array.from(w)); // input untouched
  });

  it('rejects layers that do not chain', () => {
    expect(() => mlpToModel([...initMlp([784, 5], 1), ...initMlp([6, 2], 1)])).toThrow(/layer 2 takes 6 inputs, layer 1 gives 5/);
    expect(() => mlpToModel(initMlp([100, 5], 1))).toThrow(/holds 784 values, the first layer takes 100/);
  });
});

describe('the bundled sample model', () => {
  it('is the 784→1000→1000→10 MLP with the test accuracy it records', async () => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, 'resources', 'sample-mlp.onnx')));
    const model = decodeModel(bytes, 'sample-mlp.onnx');
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(model.graph.initializers.filter((t) => t.dims.length === 2).map((t) => t.dims)).toEqual([[1000, 784], [1000, 1000], [10, 1000]]);
    const test = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((n) => {
      const p = join(ROOT, 'resources', 'mnist', n);
      return { name: p, bytes: new Uint8Array(readFileSync(p)) };
    }));
    const logits = await runOrt(bytes, test.images, [test.count, 1, 28, 28]);
    let correct = 0;
    const ortPred: number[] = [];
    for (let s = 0; s < test.count; s++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (logits[s * 10 + c] > logits[s * 10 + best]) best = c;
      ortPred.push(best);
      if (best === test.labels[s]) correct++;
    }
    const recorded = Number(model.metadataProps.find((p) => p.key === 'test_accuracy')?.value);
    expect(correct / test.count).toBeCloseTo(recorded, 4);
    expect(recorded).toBeGreaterThan(0.95);
    const readme = readFileSync(join(ROOT, 'resources', 'README.md'), 'utf8');
    expect(readme).toContain(`${(recorded * 100).toFixed(2)}%`);
    // Our own forward pass on the decoded weights predicts the same classes.
    expect(Array.from(predict(mlpFromModel(model), test.images, test.count))).toEqual(ortPred);
  });
});
