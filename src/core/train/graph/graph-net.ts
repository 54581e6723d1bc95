// An ONNX graph compiled for training: its nodes in topological order with their kernels, the
// fixed values (initializers, Constant outputs), the trainable parameters (live float32 copies),
// and which values need a gradient. forward keeps every value and what each kernel saved;
// backward takes the gradient of the logits and returns the parameters' gradients.
import { DataType, type Model, type Node } from '../../onnx/model';
import { tensorToFloat32 } from '../../onnx/tensor';
import { constantTensor } from '../../analysis/constants';
import type { Kernel } from './kernel';
import { GRAPH_OPS } from './ops';
import { GraphTrainError, nodeName, sizeOf, type Value } from './value';

export interface Step {
  node: Node;
  kernel: Kernel;
}

export interface GraphNet {
  input: string;
  /** Dims of one sample (the input's dims after the batch dim). */
  sampleDims: number[];
  /** The value trained against the labels: the graph's output, or the input of a final Softmax. */
  logits: string;
  steps: Step[];
  /** Initializers and Constant outputs; a trainable parameter's entry is its live value. */
  fixed: Map<string, Value>;
  /** The trainable parameters (a subset of `fixed`), by name. */
  params: Map<string, Value>;
  /** Values whose gradient backward computes (those that depend on a parameter). */
  needsGrad: Set<string>;
}

export interface Forward {
  values: Map<string, Value>;
  saved: unknown[];
}

function isDefaultDomain(node: Node): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

/** The nodes the output depends on, in topological order (graph order among ready nodes). */
function orderedAncestors(model: Model, output: string, fixed: Set<string>): Node[] {
  const producer = new Map<string, Node>();
  for (const n of model.graph.nodes) for (const o of n.outputs) if (o !== '') producer.set(o, n);
  const needed = new Set<Node>();
  const stack = [output];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const n = producer.get(v);
    if (n === undefined || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.inputs) if (i !== '' && !fixed.has(i)) stack.push(i);
  }
  const done = new Set<string>(fixed);
  for (const i of model.graph.inputs) done.add(i.name);
  const order: Node[] = [];
  let pending = model.graph.nodes.filter((n) => needed.has(n));
  while (pending.length > 0) {
    const next = pending.filter((n) => !n.inputs.every((i) => i === '' || done.has(i)));
    const ready = pending.filter((n) => n.inputs.every((i) => i === '' || done.has(i)));
    if (ready.length === 0) throw new GraphTrainError(`the graph has a cycle or a value no node produces (at ${nodeName(next[0], model.graph.nodes.indexOf(next[0]))})`);
    for (const n of ready) {
      order.push(n);
      for (const o of n.outputs) done.add(o);
    }
    pending = next;
  }
  return order;
}

/**
 * The dims of one sample: the input's dims after the batch dim, symbolic ones taken from
 * `sampleShape` (the dataset's) when it has the same rank.
 */
function sampleDimsOf(input: Model['graph']['inputs'][number], sampleShape?: readonly number[]): number[] {
  const type = input.type;
  if (type?.kind === 'tensor' && type.elemType !== DataType.FLOAT && type.elemType !== DataType.FLOAT16) throw new GraphTrainError(`fine-tuning needs a float32 or float16 input, "${input.name}" is neither`);
  const dims = type?.kind === 'tensor' ? type.shape : undefined;
  if (dims === undefined || dims.length < 2) throw new GraphTrainError(`fine-tuning needs the input "${input.name}" to be [N, …]`);
  const rest = dims.slice(1);
  if (rest.every((d) => typeof d === 'number' && d > 0)) return rest as number[];
  if (sampleShape !== undefined && sampleShape.length === rest.length && rest.every((d, i) => typeof d !== 'number' || d <= 0 || d === sampleShape[i])) return [...sampleShape];
  throw new InputShapeUnknown(`fine-tuning needs to know the size of a sample of "${input.name}" ([${dims.map((d) => d ?? '?').join(', ')}]); the training set gives ${sampleShape === undefined ? 'none' : `[${sampleShape.join(', ')}]`}`);
}

/** The input's sample dims are symbolic and no matching sample shape was given. */
export class InputShapeUnknown extends GraphTrainError {}

/**
 * Compiles the model for training `trainable` (names of float32 initializers). Throws a
 * GraphTrainError naming the first node it cannot differentiate or a trainable tensor it cannot train.
 * `copyParams` false: the trainable values are the model's own (for a check that only runs forward,
 * which never writes them: no copy of every weight).
 */
export function compileGraph(model: Model, trainable: Iterable<string>, sampleShape?: readonly number[], copyParams = true): GraphNet {
  const g = model.graph;
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const inputs = g.inputs.filter((i) => !inits.has(i.name));
  if (inputs.length !== 1) throw new GraphTrainError(`fine-tuning needs a model with one input, this one has ${inputs.length}`);
  const input = inputs[0];
  if (g.outputs.length < 1) throw new GraphTrainError('the model has no output');

  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
  const fixed = new Map<string, Value>();
  const params = new Map<string, Value>();
  const train = new Set(trainable);
  for (const name of train) {
    const t = inits.get(name);
    if (t === undefined) throw new GraphTrainError(`fine-tuning trains initializers; "${name}" is not one of this model`);
    // float16 weights are trained in float32: pruneWithMethod widens the model first (runtime/half-promote.ts)
    if (t.dataType !== DataType.FLOAT && t.dataType !== DataType.FLOAT16) throw new GraphTrainError(`fine-tuning trains float32 or float16 weights; "${name}" is neither`);
  }
  for (const t of g.initializers) {
    if (t.data === undefined || Array.isArray(t.data)) continue;
    const data = tensorToFloat32(t);
    const v: Value = { dims: [...t.dims], data: train.has(t.name) && copyParams ? data.slice() : data };
    fixed.set(t.name, v);
    if (train.has(t.name)) params.set(t.name, v);
  }
  for (const n of g.nodes) {
    if (n.opType !== 'Constant' || !isDefaultDomain(n)) continue;
    const t = constantTensor(n);
    if (t !== undefined && t.data !== undefined && !Array.isArray(t.data)) fixed.set(n.outputs[0], { dims: [...t.dims], data: tensorToFloat32(t) });
  }

  const output = g.outputs[0].name;
  const order = orderedAncestors(model, output, new Set(fixed.keys()));
  const last = order[order.length - 1];
  const softmaxLast = last !== undefined && (last.opType === 'Softmax' || last.opType === 'LogSoftmax') && isDefaultDomain(last) && last.outputs[0] === output;
  const logits = softmaxLast ? last.inputs[0] : output;
  const steps: Step[] = [];
  const needsGrad = new Set(params.keys());
  for (const node of softmaxLast ? order.slice(0, -1) : order) {
    const index = g.nodes.indexOf(node);
    const label = nodeName(node, index);
    const factory = isDefaultDomain(node) ? GRAPH_OPS[node.opType] : undefined;
    if (factory === undefined) {
      const op = isDefaultDomain(node) ? node.opType : `${node.domain}.${node.opType}`;
      throw new GraphTrainError(`fine-tuning cannot differentiate ${label}: ${op} is not among the ops it trains through`);
    }
    const kernel = factory({ node, label, opset, constant: (i) => (node.inputs[i] ? fixed.get(node.inputs[i]) : undefined) });
    steps.push({ node, kernel });
    if (node.inputs.some((i) => needsGrad.has(i))) for (const o of node.outputs) if (o !== '') needsGrad.add(o);
  }
  const sampleDims = sampleDimsOf(input, sampleShape);
  return { input: input.name, sampleDims, logits, steps, fixed, params, needsGrad };
}

/** Runs `count` samples (count × sample size values) forward, keeping every value. */
export function forward(net: GraphNet, x: Float32Array, count: number): Forward {
  return finish(forwardSteps(net, x, count));
}

/** forward, pausing after every node (so long batches can be cancelled between nodes). */
export function* forwardSteps(net: GraphNet, x: Float32Array, count: number): Generator<void, Forward, void> {
  const values = new Map<string, Value>(net.fixed);
  const size = sizeOf(net.sampleDims);
  values.set(net.input, { dims: [count, ...net.sampleDims], data: x.subarray(0, count * size) });
  const saved: unknown[] = [];
  for (const { node, kernel } of net.steps) {
    const ins = node.inputs.map((i) => (i === '' ? undefined : values.get(i)));
    const r = kernel.forward(ins);
    node.outputs.forEach((o, k) => {
      if (o !== '' && r.outputs[k] !== undefined) values.set(o, r.outputs[k]);
    });
    saved.push(r.saved);
    yield;
  }
  return { values, saved };
}

function finish<T>(g: Generator<void, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
  }
}

/** The logits of a forward pass as [count, classes]. */
export function logitsOf(net: GraphNet, f: Forward): Value {
  const v = f.values.get(net.logits);
  if (v === undefined) throw new GraphTrainError(`the model's output "${net.logits}" was not computed`);
  if (v.dims.length !== 2) throw new GraphTrainError(`fine-tuning needs an output of [N, classes], "${net.logits}" is [${v.dims.join(', ')}]`);
  return v;
}

/** Gradients of the parameters given the gradient of the logits (the forward pass's values are read, not changed). */
export function backward(net: GraphNet, f: Forward, dLogits: Float32Array): Map<string, Float32Array> {
  return finish(backwardSteps(net, f, dLogits));
}

/** backward, pausing after every node. */
export function* backwardSteps(net: GraphNet, f: Forward, dLogits: Float32Array): Generator<void, Map<string, Float32Array>, void> {
  const grads = new Map<string, Float32Array>([[net.logits, dLogits]]);
  for (let s = net.steps.length - 1; s >= 0; s--) {
    const { node, kernel } = net.steps[s];
    const dOut = grads.get(node.outputs[0]);
    if (dOut === undefined) continue;
    const need = node.inputs.map((i) => i !== '' && net.needsGrad.has(i));
    if (!need.some((n) => n)) continue;
    const ins = node.inputs.map((i) => (i === '' ? undefined : f.values.get(i)));
    const outs = node.outputs.map((o) => f.values.get(o)!);
    const d = kernel.backward(dOut, ins, outs, f.saved[s], need);
    node.inputs.forEach((name, i) => {
      const di = d[i];
      if (!need[i] || di === undefined) return;
      const prev = grads.get(name);
      if (prev === undefined) grads.set(name, di);
      else for (let k = 0; k < di.length; k++) prev[k] += di[k];
    });
    if (!net.params.has(node.outputs[0])) grads.delete(node.outputs[0]);
    yield;
  }
  const out = new Map<string, Float32Array>();
  for (const name of net.params.keys()) out.set(name, grads.get(name) ?? new Float32Array(net.params.get(name)!.data.length));
  return out;
}
