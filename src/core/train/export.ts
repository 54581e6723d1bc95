// An MLP as an ONNX Model in the form torch.onnx.export writes it, and back.
import { DataType, type Attribute, type Model, type Node, type Tensor, type ValueInfo } from '../onnx/model';
import type { DenseLayer } from './mlp';

export interface MlpExportOptions {
  /** Shape of one sample as the model input takes it (batch dim "N" is prepended); default [1, 28, 28]. */
  sampleShape?: number[];
  inputName?: string;
  outputName?: string;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Extra metadata_props (e.g. the training accuracy). */
  metadata?: Record<string, string>;
}

const floatAttr = (name: string, value: number): Attribute => ({ name, type: 'float', value });
const intAttr = (name: string, value: number): Attribute => ({ name, type: 'int', value });

function tensorInfo(name: string, shape: (number | string)[]): ValueInfo {
  return { name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape } };
}

/**
 * input `input` float32[N, …sampleShape] → Flatten(axis 1) when the sample has more than one dim →
 * per layer i: Gemm(alpha 1, beta 1, transB 1; weight `fc{i}.weight` [out, in], bias `fc{i}.bias`
 * [out]) and Relu except after the last → output `logits` float32[N, classes]. Opset 13, IR 7.
 * Node and tensor names follow torch.onnx.export's ("/fc1/Gemm", "/Relu_output_0").
 * The weights are shared with `layers`, not copied.
 */
export function mlpToModel(layers: DenseLayer[], opts: MlpExportOptions = {}): Model {
  if (layers.length === 0) throw new Error('mlpToModel: no layers');
  const sampleShape = opts.sampleShape ?? [1, 28, 28];
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  if (sampleSize !== layers[0].inputs) {
    throw new Error(`mlpToModel: sample shape [${sampleShape.join(', ')}] holds ${sampleSize} values, the first layer takes ${layers[0].inputs}`);
  }
  layers.forEach((l, i) => {
    if (i > 0 && l.inputs !== layers[i - 1].outputs) throw new Error(`mlpToModel: layer ${i + 1} takes ${l.inputs} inputs, layer ${i} gives ${layers[i - 1].outputs}`);
    if (l.weight.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) throw new Error(`mlpToModel: layer ${i + 1} has weights of the wrong size`);
  });
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'logits';
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  let current = inputName;
  if (sampleShape.length > 1) {
    nodes.push({ name: '/Flatten', opType: 'Flatten', domain: '', inputs: [current], outputs: ['/Flatten_output_0'], attributes: [intAttr('axis', 1)] });
    current = '/Flatten_output_0';
  }
  layers.forEach((layer, i) => {
    const fc = `fc${i + 1}`;
    const last = i === layers.length - 1;
    const gemmOut = last ? outputName : `/${fc}/Gemm_output_0`;
    initializers.push({ name: `${fc}.weight`, dataType: DataType.FLOAT, dims: [layer.outputs, layer.inputs], data: layer.weight });
    initializers.push({ name: `${fc}.bias`, dataType: DataType.FLOAT, dims: [layer.outputs], data: layer.bias });
    nodes.push({
      name: `/${fc}/Gemm`, opType: 'Gemm', domain: '', inputs: [current, `${fc}.weight`, `${fc}.bias`], outputs: [gemmOut],
      attributes: [floatAttr('alpha', 1), floatAttr('beta', 1), intAttr('transB', 1)],
    });
    current = gemmOut;
    if (!last) {
      const relu = i === 0 ? '/Relu' : `/Relu_${i}`;
      nodes.push({ name: relu, opType: 'Relu', domain: '', inputs: [current], outputs: [`${relu}_output_0`], attributes: [] });
      current = `${relu}_output_0`;
    }
  });
  const classes = layers[layers.length - 1].outputs;
  return {
    irVersion: 7,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: opts.producerName ?? 'prunescope-train',
    producerVersion: opts.producerVersion ?? '0.1.0',
    domain: '',
    modelVersion: 0,
    docString: opts.docString ?? '',
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'main_graph',
      inputs: [tensorInfo(inputName, ['N', ...sampleShape])],
      outputs: [tensorInfo(outputName, ['N', classes])],
      valueInfo: [],
      nodes,
      initializers,
      sparseInitializers: [],
    },
    functions: [],
  };
}

function attr(node: Node, name: string, dflt: number): number {
  const a = node.attributes.find((x) => x.name === name);
  if (a === undefined) return dflt;
  if (a.type === 'int') return Number(a.value);
  if (a.type === 'float') return a.value;
  return dflt;
}

/**
 * The dense layers of a model made of Gemm nodes (in graph order, each weight a float32
 * initializer; transB 0 or 1; bias an initializer of [out] or absent; alpha 1), for fine-tuning.
 * The weights are copied. Activations are not checked: the caller knows the model is an MLP
 * with ReLU between its Gemms.
 */
export function mlpFromModel(model: Model): DenseLayer[] {
  const inits = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const layers: DenseLayer[] = [];
  for (const node of model.graph.nodes) {
    if (node.opType !== 'Gemm') continue;
    const label = node.name || `Gemm #${layers.length + 1}`;
    const w = inits.get(node.inputs[1]);
    if (w === undefined || w.dataType !== DataType.FLOAT || !(w.data instanceof Float32Array) || w.dims.length !== 2) {
      throw new Error(`mlpFromModel: ${label}: the weight is not a loaded float32 2-D initializer`);
    }
    if (attr(node, 'transA', 0) !== 0 || attr(node, 'alpha', 1) !== 1 || attr(node, 'beta', 1) !== 1) {
      throw new Error(`mlpFromModel: ${label}: only Gemm with transA 0, alpha 1 and beta 1 is supported`);
    }
    const transB = attr(node, 'transB', 0) !== 0;
    const outputs = transB ? w.dims[0] : w.dims[1];
    const inputs = transB ? w.dims[1] : w.dims[0];
    const weight = new Float32Array(outputs * inputs);
    if (transB) weight.set(w.data);
    else for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) weight[o * inputs + i] = w.data[i * outputs + o];
    const bias = new Float32Array(outputs);
    const c = node.inputs[2];
    if (c !== undefined && c !== '') {
      const b = inits.get(c);
      if (b === undefined || !(b.data instanceof Float32Array) || b.data.length !== outputs) {
        throw new Error(`mlpFromModel: ${label}: the bias is not a float32 initializer of ${outputs} values`);
      }
      bias.set(b.data);
    }
    layers.push({ inputs, outputs, weight, bias });
  }
  if (layers.length === 0) throw new Error('mlpFromModel: the model has no Gemm node');
  return layers;
}

/**
 * A new Model whose Gemm weights and biases (the ones mlpFromModel read, in the same order) hold
 * the given layers' values, in each node's own layout (transB 0 or 1): how fine-tuned weights go
 * back into the user's model with its names and structure. The input model is not modified.
 */
export function updateModelWeights(model: Model, layers: DenseLayer[]): Model {
  const gemms = model.graph.nodes.filter((n) => n.opType === 'Gemm');
  if (gemms.length !== layers.length) {
    throw new Error(`updateModelWeights: the model has ${gemms.length} Gemm nodes, ${layers.length} layers given`);
  }
  const replaced = new Map<string, Float32Array>();
  gemms.forEach((node, l) => {
    const { inputs, outputs, weight, bias } = layers[l];
    if (attr(node, 'transB', 0) !== 0) replaced.set(node.inputs[1], weight.slice());
    else {
      const t = new Float32Array(weight.length);
      for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) t[i * outputs + o] = weight[o * inputs + i];
      replaced.set(node.inputs[1], t);
    }
    const c = node.inputs[2];
    if (c !== undefined && c !== '') replaced.set(c, bias.slice());
  });
  const initializers = model.graph.initializers.map((t) => {
    const data = replaced.get(t.name);
    if (data === undefined) return t;
    if (data.length !== t.dims.reduce((a, b) => a * b, 1)) throw new Error(`updateModelWeights: "${t.name}" has dims [${t.dims.join(', ')}], the layer gives ${data.length} values`);
    return { ...t, dims: [...t.dims], data };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}
