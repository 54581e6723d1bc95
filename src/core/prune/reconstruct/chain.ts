// The Flatten / Gemm / Relu chains the trainer (fine-tuning) handles: the MLPs torch.onnx.export
// writes for nn.Linear stacks, and the bundled sample.
import { DataType, type Model, type Node } from '../../onnx/model';
import { PruneError } from '../types';

function label(node: Node, i: number): string {
  return node.name !== '' ? node.name : `${node.opType} #${i}`;
}

/** The Gemm nodes of a Flatten / Gemm / Relu chain, or a PruneError naming what does not fit. */
export function gemmChain(model: Model, what = 'fine-tuning'): Node[] {
  const gemms: Node[] = [];
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const realInputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  if (realInputs.length !== 1) throw new PruneError(`${what} needs a model with one input, this one has ${realInputs.length}`, 'unsupported');
  let current = realInputs[0].name;
  model.graph.nodes.forEach((node, i) => {
    const where = label(node, i);
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw new PruneError(`${what}: node ${where} (${node.domain}.${node.opType}) is not a Flatten / Gemm / Relu`, 'unsupported');
    if (!['Flatten', 'Gemm', 'Relu', 'Identity'].includes(node.opType)) {
      throw new PruneError(`${what} supports chains of Flatten, Gemm and Relu; node ${where} is a ${node.opType}`, 'unsupported');
    }
    if (node.inputs[0] !== current) throw new PruneError(`${what}: node ${where} does not take the output of the node before it (the graph is not a chain)`, 'unsupported');
    if (node.opType === 'Flatten') {
      const axis = node.attributes.find((a) => a.name === 'axis');
      if (axis !== undefined && Number(axis.value) !== 1) throw new PruneError(`${what}: Flatten ${where} has axis ${String(axis.value)}, only 1 is supported`, 'unsupported');
    }
    if (node.opType === 'Gemm') {
      const w = model.graph.initializers.find((t) => t.name === node.inputs[1]);
      if (w === undefined || w.dataType !== DataType.FLOAT) throw new PruneError(`${what}: Gemm ${where} has no float32 weight initializer`, 'unsupported');
      gemms.push(node);
    }
    current = node.outputs[0];
  });
  if (gemms.length === 0) throw new PruneError(`${what}: the model has no Gemm node`, 'unsupported');
  const last = model.graph.nodes[model.graph.nodes.length - 1];
  if (last.opType === 'Relu') throw new PruneError(`${what}: the model ends with a Relu, expected its last Gemm`, 'unsupported');
  // Relu between consecutive Gemms, none elsewhere: checked by position.
  const nodes = model.graph.nodes;
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i].opType !== 'Gemm' || nodes[i] === gemms[gemms.length - 1]) continue;
    const next = nodes.slice(i + 1).find((n) => n.opType !== 'Identity');
    if (next?.opType !== 'Relu') throw new PruneError(`${what}: Gemm ${label(nodes[i], i)} is not followed by a Relu`, 'unsupported');
  }
  return gemms;
}
