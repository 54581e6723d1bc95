// The layout of a prunable weight as a matrix of outputs × inputs, repeated over positions: which
// elements belong to one output neuron / channel, and which run along its input dimension. Every
// structured pattern (channels, N:M, blocks) and the structured kernels read weights through this.
//
//   element index = o·outStride + i·inStride + p·posStride
//
// - Gemm B: transB 0 → [K, N] (outputs N, stride 1; inputs K, stride N); transB 1 → [N, K].
// - MatMul weight as the right operand [..., K, N]: outputs N, inputs K, positions = the batch
//   matrices; as the left operand [..., M, K] (Y = W·X): outputs M, inputs K.
// - Conv [M, C/group, k…]: outputs M, inputs C/group (stride = taps), positions = the kernel taps.
//   N:M groups and block columns run along the input channels at a fixed tap (as TensorRT's 2:4).
// - ConvTranspose (group 1) [C, M, k…]: outputs M (stride taps), inputs C, positions taps.
import { elementCount, type Model, type Node } from '../onnx/model';
import { nodeLabel, prunableSources } from './prunable';

export interface WeightLayout {
  tensor: string;
  /** The consuming node (the first when several share the weight with the same layout). */
  node: number;
  opType: string;
  outputs: number;
  outStride: number;
  inputs: number;
  inStride: number;
  positions: number;
  posStride: number;
}

function intAttr(node: Node, name: string, dflt: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.type === 'int' ? Number(a.value) : dflt;
}

function layoutFor(node: Node, index: number, slot: number, dims: number[], tensor: string): WeightLayout | string {
  const label = `${node.opType} node "${nodeLabel(node, index)}"`;
  const base = { tensor, node: index, opType: node.opType };
  const r = dims.length;
  if (node.opType === 'Gemm' && slot === 1 && r === 2) {
    return intAttr(node, 'transB', 0) === 0
      ? { ...base, outputs: dims[1], outStride: 1, inputs: dims[0], inStride: dims[1], positions: 1, posStride: 0 }
      : { ...base, outputs: dims[0], outStride: dims[1], inputs: dims[1], inStride: 1, positions: 1, posStride: 0 };
  }
  if (node.opType === 'MatMul' && r >= 2) {
    const rows = dims[r - 2];
    const cols = dims[r - 1];
    const positions = elementCount(dims.slice(0, r - 2));
    return slot === 1
      ? { ...base, outputs: cols, outStride: 1, inputs: rows, inStride: cols, positions, posStride: rows * cols }
      : { ...base, outputs: rows, outStride: cols, inputs: cols, inStride: 1, positions, posStride: rows * cols };
  }
  if (node.opType === 'Conv' && slot === 1 && r >= 3) {
    const taps = elementCount(dims.slice(2));
    return { ...base, outputs: dims[0], outStride: dims[1] * taps, inputs: dims[1], inStride: taps, positions: taps, posStride: 1 };
  }
  if (node.opType === 'ConvTranspose' && slot === 1 && r >= 3) {
    if (intAttr(node, 'group', 1) !== 1) return `${label} has groups: its weight has no single output dimension`;
    const taps = elementCount(dims.slice(2));
    return { ...base, outputs: dims[1], outStride: taps, inputs: dims[0], inStride: dims[1] * taps, positions: taps, posStride: 1 };
  }
  return `${label} does not use "${tensor}" as a weight`;
}

function same(a: WeightLayout, b: WeightLayout): boolean {
  return a.outputs === b.outputs && a.outStride === b.outStride && a.inputs === b.inputs && a.inStride === b.inStride &&
    a.positions === b.positions && a.posStride === b.posStride;
}

/**
 * The layout of a prunable tensor of `model`, or the reason it has none (not a weight of a Conv /
 * ConvTranspose / Gemm / MatMul, or shared by nodes that read it differently).
 */
export function weightLayout(model: Model, tensor: string): WeightLayout | string {
  const source = prunableSources(model).get(tensor);
  if (source === undefined) return `the model has no initializer or Constant tensor named "${tensor}"`;
  const dims = source.tensor.dims;
  let found: WeightLayout | undefined;
  for (let i = 0; i < model.graph.nodes.length; i++) {
    const node = model.graph.nodes[i];
    for (let slot = 0; slot < node.inputs.length; slot++) {
      if (node.inputs[slot] !== tensor) continue;
      const l = layoutFor(node, i, slot, dims, tensor);
      if (typeof l === 'string') return l;
      if (found !== undefined && !same(found, l)) return `"${tensor}" is used by ${found.opType} and ${node.opType} nodes that read it in different layouts`;
      found ??= l;
    }
  }
  return found ?? `"${tensor}" is not used by any node of the main graph`;
}

/** Element index of (output o, input i, position p). */
export function layoutIndex(l: WeightLayout, o: number, i: number, p: number): number {
  return o * l.outStride + i * l.inStride + p * l.posStride;
}
