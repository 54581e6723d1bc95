// Builders of MLP models in the styles of three exporters (PyTorch, Chainer, tf2onnx/Keras), with
// seeded random weights, for the oracle tests and the local timing script.
import { mulberry32 } from '../../../../src/core/train/random';
import { DataType, type Dim, type Model, type Node, type Tensor, type ValueInfo } from '../../../../src/core/onnx/model';

/** mulberry32: a tiny seeded PRNG giving floats in [0, 1). */
export const prng = mulberry32;

export function randomFloats(n: number, rand: () => number, scale: number, zeroFraction = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rand() < zeroFraction ? 0 : (rand() * 2 - 1) * scale;
  return out;
}

/** MNIST-like inputs: values in [0, 1), `zeroFraction` of them exactly zero. */
export function randomInputs(n: number, rand: () => number, zeroFraction: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rand() < zeroFraction ? 0 : rand();
  return out;
}

function f32(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dims, dataType: DataType.FLOAT, data };
}

function i64(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) };
}

function vi(name: string, elemType: number, shape: Dim[]): ValueInfo {
  return { name, type: { kind: 'tensor', elemType, shape } };
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Node['attributes'] = []): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes: attrs };
}

function model(nodes: Node[], inits: Tensor[], inputs: ValueInfo[], outputs: ValueInfo[], opset: number, producer: string): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: producer,
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadataProps: [],
    graph: { name: `${producer}_mlp`, inputs, outputs, valueInfo: [], nodes, initializers: inits, sparseInitializers: [] },
    functions: [],
  };
}

export type Style = 'pytorch' | 'chainer' | 'keras-flat' | 'keras-2d';

/** Layer weights, PyTorch layout: w [out, in], b [out]. */
export interface Layer {
  w: Float32Array;
  b: Float32Array;
  out: number;
  in: number;
}

export function randomLayers(sizes: number[], seed: number): Layer[] {
  const rand = prng(seed);
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const s = 1 / Math.sqrt(sizes[i]);
    layers.push({ in: sizes[i], out: sizes[i + 1], w: randomFloats(sizes[i] * sizes[i + 1], rand, s), b: randomFloats(sizes[i + 1], rand, 0.1) });
  }
  return layers;
}

/** Zeroes the given fraction of each layer's weights (random positions, seeded). */
export function pruneLayers(layers: Layer[], fraction: number, seed: number): Layer[] {
  const rand = prng(seed);
  return layers.map((l) => ({ ...l, w: l.w.map((v) => (rand() < fraction ? 0 : v)) }));
}

function transposed(l: Layer): Float32Array {
  const t = new Float32Array(l.w.length);
  for (let o = 0; o < l.out; o++) for (let i = 0; i < l.in; i++) t[i * l.out + o] = l.w[o * l.in + i];
  return t;
}

/**
 * An MLP for 28×28 inputs in one exporter's style:
 * - pytorch: input [N,1,28,28], Flatten, Gemm(transB=1)+Relu …, Gemm (opset 11)
 * - chainer: input [N,1,28,28], Reshape by a shape initializer, Gemm(transB=1)/Relu (opset 9)
 * - keras-2d: input [unk__,28,28], Reshape by Shape/Gather/Unsqueeze/Concat, MatMul+Add+Relu, Softmax (opset 13)
 * - keras-flat: input [unk__,784], MatMul+Add+Relu, Softmax (opset 13)
 */
export function mlpModel(layers: Layer[], style: Style): Model {
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const last = layers.length - 1;
  const classes = layers[last].out;
  let x = 'x';
  let input: ValueInfo;
  if (style === 'pytorch' || style === 'chainer') {
    input = vi('x', DataType.FLOAT, ['N', 1, 28, 28]);
    if (style === 'pytorch') nodes.push(node('Flatten', ['x'], ['flat'], [{ name: 'axis', type: 'int', value: 1 }]));
    else {
      inits.push(i64('shape', [-1, 784]));
      nodes.push(node('Reshape', ['x', 'shape'], ['flat']));
    }
    x = 'flat';
    layers.forEach((l, i) => {
      inits.push(f32(`w${i}`, [l.out, l.in], l.w), f32(`b${i}`, [l.out], l.b));
      const y = i === last ? 'logits' : `h${i}`;
      nodes.push(node('Gemm', [x, `w${i}`, `b${i}`], [i === last ? y : `g${i}`], [{ name: 'transB', type: 'int', value: 1 }]));
      if (i !== last) nodes.push(node('Relu', [`g${i}`], [y]));
      x = y;
    });
    const opset = style === 'pytorch' ? 11 : 9;
    return model(nodes, inits, [input], [vi('logits', DataType.FLOAT, ['N', classes])], opset, style);
  }
  if (style === 'keras-2d') {
    input = vi('x', DataType.FLOAT, ['unk__', 28, 28]);
    inits.push(i64('zero', [0]), i64('rest', [784]));
    nodes.push(
      node('Shape', ['x'], ['xs']),
      node('Gather', ['xs', 'zero'], ['n']),
      node('Concat', ['n', 'rest'], ['newshape'], [{ name: 'axis', type: 'int', value: 0 }]),
      node('Reshape', ['x', 'newshape'], ['flat']),
    );
    x = 'flat';
  } else {
    input = vi('x', DataType.FLOAT, ['unk__', 784]);
  }
  layers.forEach((l, i) => {
    inits.push(f32(`kernel${i}`, [l.in, l.out], transposed(l)), f32(`bias${i}`, [l.out], l.b));
    nodes.push(node('MatMul', [x, `kernel${i}`], [`mm${i}`]), node('Add', [`mm${i}`, `bias${i}`], [`add${i}`]));
    if (i !== last) nodes.push(node('Relu', [`add${i}`], [`r${i}`]));
    x = i === last ? `add${i}` : `r${i}`;
  });
  nodes.push(node('Softmax', [x], ['probs'], [{ name: 'axis', type: 'int', value: -1 }]));
  // tf2onnx writes nodes in its own order: shuffle deterministically to show file order is not trusted.
  nodes.reverse();
  return model(nodes, inits, [input], [vi('probs', DataType.FLOAT, ['unk__', classes])], 13, style);
}
