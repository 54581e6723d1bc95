// Which weights reconstruction can solve for, and how each one is a matrix: for every selected
// tensor, its one consumer (Gemm, MatMul with a constant 2-D weight, Conv of any group / stride /
// dilation / padding), the input that reaches it, and the weight's rows × columns per group in
// the [outputs, inputs] view the OBS / SparseGPT problem works on. Also why a model or a
// selection cannot be reconstructed, in words naming the node.
import { DataType, type Model, type Node, type Tensor } from '../../onnx/model';
import { nodeLabel } from '../plan';

export type ConvPad = { begin: number[]; end: number[] } | 'SAME_UPPER' | 'SAME_LOWER';

export interface ConvGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: ConvPad;
}

/** One weight tensor to reconstruct and how its consumer reads it. */
export interface Target {
  tensor: Tensor;
  node: Node;
  /** Position of the node in graph order. */
  index: number;
  /** Display name of the node. */
  label: string;
  /** The value the weight multiplies (the node's data input). */
  input: string;
  /**
   * 'conv': W [M, C/g, k…], rows of X the im2col patches; 'rows': X [… , K] row vectors (Gemm
   * transA = 0, MatMul with the weight second); 'cols': X [… , K, P] column vectors (Gemm transA = 1,
   * MatMul with the weight first).
   */
  kind: 'conv' | 'rows' | 'cols';
  /** The stored weight is [inputs, outputs] (Gemm transB = 0, MatMul weight second): transposed. */
  transposed: boolean;
  groups: number;
  /** Output rows per group and columns (inputs per group) of the weight matrix. */
  rows: number;
  cols: number;
  conv?: ConvGeometry;
}

function attr(node: Node, name: string): unknown {
  return node.attributes.find((a) => a.name === name)?.value;
}

function ints(node: Node, name: string, fallback: number[]): number[] {
  const v = attr(node, name);
  return Array.isArray(v) && v.length > 0 ? v.map(Number) : fallback;
}

/** The real (non-initializer) inputs of the main graph. */
export function realInputs(model: Model): string[] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.filter((i) => !inits.has(i.name)).map((i) => i.name);
}

/** A weight by name: an initializer, or the value of the Constant node that outputs it. */
export function weightTensor(model: Model, name: string): Tensor | undefined {
  const init = model.graph.initializers.find((x) => x.name === name);
  if (init !== undefined) return init;
  const node = model.graph.nodes.find((n) => n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx') && n.outputs[0] === name);
  const value = node?.attributes.find((a) => a.name === 'value');
  return value?.type === 'tensor' ? { ...value.value, name } : undefined;
}

/** A new Model whose weights (initializers or Constant-node values) named in `weights` hold the new data. */
export function withWeights(model: Model, weights: Map<string, Float32Array>): Model {
  if (weights.size === 0) return model;
  const initializers = model.graph.initializers.map((t): Tensor => {
    const data = weights.get(t.name);
    return data === undefined ? t : { ...t, dims: [...t.dims], data };
  });
  const nodes = model.graph.nodes.map((n): Node => {
    const data = n.opType === 'Constant' ? weights.get(n.outputs[0]) : undefined;
    if (data === undefined || initializers.some((t) => t.name === n.outputs[0])) return n;
    return {
      ...n,
      attributes: n.attributes.map((a) => (a.name === 'value' && a.type === 'tensor' ? { ...a, value: { ...a.value, dims: [...a.value.dims], data } } : a)),
    };
  });
  return { ...model, graph: { ...model.graph, initializers, nodes } };
}

/** The target for one tensor, or the reason it cannot be one (naming the node). */
function targetOf(model: Model, name: string): Target | string {
  const t = weightTensor(model, name);
  if (t === undefined) return `"${name}" is not a weight of the model (an initializer or a Constant node's value)`;
  // float16 weights are solved in float32: pruneWithMethod widens the model first (runtime/half-promote.ts)
  if (t.dataType !== DataType.FLOAT && t.dataType !== DataType.FLOAT16) return `"${name}" is neither float32 nor float16 (reconstruct solves float weights only)`;
  const users: { node: Node; index: number }[] = [];
  model.graph.nodes.forEach((node, index) => {
    if (node.inputs.includes(name)) users.push({ node, index });
  });
  if (users.length === 0) return `"${name}" is used by no node`;
  if (users.length > 1) return `"${name}" is used by ${users.length} nodes (${users.map((u) => nodeLabel(u.node, u.index)).join(', ')}); reconstruct needs a weight with one consumer`;
  const { node, index } = users[0];
  const label = nodeLabel(node, index);
  const domainOk = node.domain === '' || node.domain === 'ai.onnx';
  const slot = node.inputs.indexOf(name);
  const base = { tensor: t, node, index, label };
  if (domainOk && node.opType === 'ConvTranspose') return `${label} is a ConvTranspose: reconstruct does not solve transposed convolutions ("${name}")`;
  if (domainOk && node.opType === 'Conv') {
    if (slot !== 1) return `${label} (Conv) takes "${name}" as its data input, not as its weight`;
    const dims = t.dims.map(Number);
    if (dims.length < 3) return `${label} (Conv) has a weight "${name}" of rank ${dims.length}`;
    const group = Number(attr(node, 'group') ?? 1);
    const spatial = dims.length - 2;
    if (!Number.isInteger(group) || group < 1 || dims[0] % group !== 0) return `${label} (Conv) has group ${String(group)}, which does not divide its ${dims[0]} output channels`;
    const kernel = dims.slice(2);
    const autoPad = String(attr(node, 'auto_pad') ?? 'NOTSET');
    let pads: ConvPad;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') pads = autoPad;
    else if (autoPad === 'VALID') pads = { begin: kernel.map(() => 0), end: kernel.map(() => 0) };
    else if (autoPad === 'NOTSET') {
      const p = ints(node, 'pads', new Array<number>(2 * spatial).fill(0));
      if (p.length !== 2 * spatial) return `${label} (Conv) has ${p.length} pads for ${spatial} spatial dimensions`;
      pads = { begin: p.slice(0, spatial), end: p.slice(spatial) };
    } else return `${label} (Conv) has auto_pad ${autoPad}`;
    const strides = ints(node, 'strides', kernel.map(() => 1));
    const dilations = ints(node, 'dilations', kernel.map(() => 1));
    if (strides.length !== spatial || dilations.length !== spatial) return `${label} (Conv) has strides or dilations of the wrong length`;
    const ks = kernel.reduce((a, b) => a * b, 1);
    return {
      ...base, input: node.inputs[0], kind: 'conv', transposed: false, groups: group,
      rows: dims[0] / group, cols: dims[1] * ks, conv: { kernel, strides, dilations, pads },
    };
  }
  if (domainOk && node.opType === 'Gemm') {
    if (slot !== 1) return `${label} (Gemm) takes "${name}" as input ${slot === 0 ? 'A' : 'C'}; reconstruct solves the weight B`;
    if (t.dims.length !== 2) return `${label} (Gemm) has a weight "${name}" of rank ${t.dims.length}`;
    const transB = Number(attr(node, 'transB') ?? 0) !== 0;
    const transA = Number(attr(node, 'transA') ?? 0) !== 0;
    const [d0, d1] = t.dims.map(Number);
    return {
      ...base, input: node.inputs[0], kind: transA ? 'cols' : 'rows', transposed: !transB, groups: 1,
      rows: transB ? d0 : d1, cols: transB ? d1 : d0,
    };
  }
  if (domainOk && node.opType === 'MatMul') {
    if (t.dims.length !== 2) return `${label} (MatMul) has a weight "${name}" of rank ${t.dims.length}; reconstruct solves 2-D weights`;
    if (node.inputs[0] === node.inputs[1]) return `${label} (MatMul) multiplies "${name}" by itself`;
    const [d0, d1] = t.dims.map(Number);
    // x W: W [K, N] is [inputs, outputs]; W x: W [N, K] is [outputs, inputs] over x's columns.
    if (slot === 1) return { ...base, input: node.inputs[0], kind: 'rows', transposed: true, groups: 1, rows: d1, cols: d0 };
    return { ...base, input: node.inputs[1], kind: 'cols', transposed: false, groups: 1, rows: d0, cols: d1 };
  }
  return `${label} (${node.domain ? `${node.domain}.` : ''}${node.opType}) consumes "${name}"; reconstruct solves the weights of Gemm, MatMul and Conv only`;
}

/** The targets of `selected` in graph order, or the first reason one cannot be solved. */
export function findTargets(model: Model, selected: string[]): Target[] | string {
  const out: Target[] = [];
  for (const name of new Set(selected)) {
    const t = targetOf(model, name);
    if (typeof t === 'string') return t;
    out.push(t);
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The nodes `values` depend on, in graph order (what a run must evaluate to produce them). */
export function ancestorNodes(model: Model, values: string[]): Node[] {
  const producer = new Map<string, number>();
  model.graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const need = new Set<number>();
  const stack = [...values];
  while (stack.length > 0) {
    const v = stack.pop() as string;
    const i = producer.get(v);
    if (i === undefined || need.has(i)) continue;
    need.add(i);
    for (const input of model.graph.nodes[i].inputs) if (input !== '') stack.push(input);
  }
  return model.graph.nodes.filter((_, i) => need.has(i));
}

/** The stored weight as rows × cols per group (group g at offset g × rows × cols), float64. */
export function weightMatrix(target: Target, data: Float32Array): Float64Array {
  const { rows, cols, groups } = target;
  if (!target.transposed) return Float64Array.from(data);
  const m = new Float64Array(rows * cols * groups);
  for (let o = 0; o < rows; o++) for (let i = 0; i < cols; i++) m[o * cols + i] = data[i * rows + o];
  return m;
}

/** The inverse of weightMatrix: the tensor's own layout, float32. */
export function storedWeight(target: Target, m: Float64Array | Float32Array): Float32Array {
  const { rows, cols } = target;
  if (!target.transposed) return Float32Array.from(m);
  const out = new Float32Array(m.length);
  for (let o = 0; o < rows; o++) for (let i = 0; i < cols; i++) out[i * rows + o] = m[o * cols + i];
  return out;
}

/** Where a target's node adds its bias: the input slot, the bias tensor when there is one, and the factor it is multiplied by. */
export interface BiasSlot {
  slot: number;
  tensor: Tensor | undefined;
  /** Gemm's beta (1 for Conv). */
  scale: number;
  /** Output channels (groups × rows). */
  outputs: number;
}

/** The bias a target's outputs can be shifted through; undefined when there is none (MatMul, Gemm with beta 0, a non-float bias). */
export function biasSlot(model: Model, t: Target): BiasSlot | undefined {
  const outputs = t.rows * t.groups;
  const slot = t.node.opType === 'Conv' ? 2 : t.node.opType === 'Gemm' ? 2 : -1;
  if (slot < 0) return undefined;
  const scale = t.node.opType === 'Gemm' ? Number(attr(t.node, 'beta') ?? 1) : 1;
  if (!Number.isFinite(scale) || scale === 0) return undefined;
  const name = t.node.inputs[slot];
  if (name === undefined || name === '') return { slot, tensor: undefined, scale, outputs };
  const tensor = weightTensor(model, name);
  if (tensor === undefined || tensor.dataType !== DataType.FLOAT) return undefined;
  const dims = tensor.dims.map(Number);
  const last = dims.length === 0 ? 1 : dims[dims.length - 1];
  if (last !== outputs && last !== 1) return undefined;
  if (t.node.opType === 'Conv' && dims.length !== 1) return undefined;
  return { slot, tensor, scale, outputs };
}

/**
 * A new Model in which each target's node adds `shift` (one value per output channel) to its
 * outputs: its bias initializer updated in place when only that node reads it, else a new
 * initializer (the old bias broadcast, plus the shift) wired to the node.
 */
export function withBiasShifts(model: Model, shifts: { target: Target; shift: Float64Array }[]): Model {
  if (shifts.length === 0) return model;
  const initializers = [...model.graph.initializers];
  const nodes = [...model.graph.nodes];
  const names = new Set<string>([...initializers.map((t) => t.name), ...nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  for (const { target, shift } of shifts) {
    const slot = biasSlot(model, target);
    if (slot === undefined) continue;
    const M = slot.outputs;
    const old = slot.tensor;
    const oldDims = old === undefined ? [] : old.dims.map(Number);
    const oldData = old === undefined ? undefined : (old.data as Float32Array);
    const dims = oldDims.length === 0 ? [M] : [...oldDims.slice(0, -1), M];
    const oldLast = oldDims.length === 0 ? 1 : oldDims[oldDims.length - 1];
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const o = i % M;
      const prev = oldData === undefined ? 0 : oldData[oldLast === M ? i : Math.floor(i / M)];
      data[i] = prev + shift[o] / slot.scale;
    }
    const node = nodes[target.index];
    const readers = old === undefined ? 0 : nodes.filter((n) => n.inputs.includes(old.name)).length;
    const at = old === undefined ? -1 : initializers.findIndex((x) => x.name === old.name);
    if (old !== undefined && at >= 0 && readers === 1 && dims.length === oldDims.length) {
      initializers[at] = { ...initializers[at], dims: [...initializers[at].dims], data };
      continue;
    }
    let name = `${target.tensor.name}_bias`;
    for (let k = 1; names.has(name); k++) name = `${target.tensor.name}_bias${k}`;
    names.add(name);
    initializers.push({ name, dataType: DataType.FLOAT, dims, data });
    const inputs = [...node.inputs];
    while (inputs.length < slot.slot) inputs.push('');
    inputs[slot.slot] = name;
    nodes[target.index] = { ...node, inputs };
  }
  return { ...model, graph: { ...model.graph, initializers, nodes } };
}

/** A target whose output reaches a residual Add (through per-channel affine nodes at most). */
export interface ResidualPath {
  /** The Add's other input: its drift from the unpruned model is the target's to correct. */
  other: string;
  /** Per output channel: d(Add input) / d(target output), the BatchNormalization scales on the way (1 without). */
  scale: Float64Array;
}

function floatValue(model: Model, name: string): Float32Array | undefined {
  const t = weightTensor(model, name);
  return t !== undefined && t.dataType === DataType.FLOAT && t.data instanceof Float32Array ? t.data : undefined;
}

/**
 * The values that depend on no graph input: initializers, Constant outputs, and the outputs of
 * nodes all of whose inputs are such values (torch.onnx.export writes a merged bias as an Identity
 * of another initializer).
 */
function constantValues(model: Model): Set<string> {
  const out = new Set(model.graph.initializers.map((x) => x.name));
  for (const n of model.graph.nodes) {
    // nodes come in topological order; a node without inputs other than Constant (a random op) is not constant
    const fromConstants = n.opType === 'Constant' || (n.inputs.length > 0 && n.inputs.every((i) => i === '' || out.has(i)));
    if (fromConstants) for (const o of n.outputs) out.add(o);
  }
  return out;
}

/**
 * The residual Add a target's output flows into, through Identity and inference-mode
 * BatchNormalization nodes with constant parameters, each value read by that one node only; the
 * Add's two inputs of the same shape. Undefined when there is none (or the target is a 'cols' one).
 */
export function residualPath(model: Model, t: Target): ResidualPath | undefined {
  if (t.kind === 'cols') return undefined;
  const outputs = t.rows * t.groups;
  const graphOutputs = new Set(model.graph.outputs.map((o) => o.name));
  const consts = constantValues(model);
  const scale = new Float64Array(outputs).fill(1);
  let value = t.node.outputs[0];
  for (let hop = 0; hop < 8; hop++) {
    if (graphOutputs.has(value)) return undefined;
    const readers = model.graph.nodes.filter((n) => n.inputs.includes(value));
    if (readers.length !== 1) return undefined;
    const n = readers[0];
    if (n.domain !== '' && n.domain !== 'ai.onnx') return undefined;
    if (n.opType === 'Identity') {
      value = n.outputs[0];
      continue;
    }
    if (n.opType === 'BatchNormalization') {
      if (n.inputs[0] !== value || n.outputs.length !== 1 || Number(attr(n, 'training_mode') ?? 0) !== 0) return undefined;
      const gamma = floatValue(model, n.inputs[1]);
      const variance = floatValue(model, n.inputs[4]);
      const eps = Number(attr(n, 'epsilon') ?? 1e-5);
      if (gamma === undefined || variance === undefined || gamma.length !== outputs || variance.length !== outputs) return undefined;
      for (let o = 0; o < outputs; o++) scale[o] *= gamma[o] / Math.sqrt(variance[o] + eps);
      value = n.outputs[0];
      continue;
    }
    if (n.opType !== 'Add' || n.inputs.length !== 2 || n.inputs[0] === n.inputs[1]) return undefined;
    const other = n.inputs[0] === value ? n.inputs[1] : n.inputs[0];
    if (consts.has(other) || !scale.every((s) => Number.isFinite(s) && s !== 0)) return undefined;
    return { other, scale };
  }
  return undefined;
}
