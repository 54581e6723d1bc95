// Constants that several nodes read cannot be cut differently for each reader. torch.onnx.export
// merges equal initializers into one — the zero biases of an untrained network, equal
// BatchNormalization parameters, a Reshape's shape — so before the channel analysis proper, each
// reader after the first of such a constant gets its own copy (named `<name>.1`, `<name>.2`, …)
// when the constant is cut for channels. Weights (the right operand of Conv, ConvTranspose, Gemm
// and MatMul, a Gather table) stay shared: tying them is part of what the model means, and the
// analysis refuses to cut them two ways. Every channels entry (plan, apply, reconstruct, the
// consumers) starts from channelAnalysis: the analysis of that copy-made model (its `ix.model`),
// remembered per model, so a plan and its apply index and analyse the graph once between them.
import type { Model, Node, Tensor } from '../../onnx/model';
import type { TensorCopy } from '../types';
import { analyzeChannels } from './deps';
import type { Analysis } from './spaces';
import { indexGraph } from './graph';

const WEIGHT_SLOT: Record<string, number> = { Conv: 1, ConvTranspose: 1, Gemm: 1, MatMul: 1, Gather: 0 };

function isWeightUse(n: Node, slot: number): boolean {
  return WEIGHT_SLOT[n.opType] === slot;
}

const made = new WeakMap<Model, Analysis>();
const copiesOf = new WeakMap<Analysis, TensorCopy[]>();

/** The copies channelAnalysis made for `a` (none when nothing was shared). */
export function tensorCopies(a: Analysis): readonly TensorCopy[] {
  return copiesOf.get(a) ?? [];
}

/**
 * The channel analysis of `model` with a copy of each shared, channel-cut initializer per reader;
 * `ix.model` is that model (the model itself when nothing is shared).
 */
export function channelAnalysis(model: Model): Analysis {
  const known = made.get(model);
  if (known !== undefined) return known;
  const ix = indexGraph(model);
  let a = analyzeChannels(ix);
  const shared: string[] = [];
  for (const cut of a.cuts) {
    if (cut.kind === 'group' || shared.includes(cut.tensor)) continue;
    const c = ix.constants.get(cut.tensor);
    const uses = ix.uses.get(cut.tensor) ?? [];
    if (c === undefined || c.node !== undefined || uses.length < 2) continue;
    if (uses.some((u) => isWeightUse(ix.nodes[u.node], u.slot))) continue;
    shared.push(cut.tensor);
  }
  if (shared.length > 0) {
    const g = model.graph;
    const taken = new Set<string>([...g.initializers.map((t) => t.name), ...g.inputs.map((v) => v.name), ...g.nodes.flatMap((n) => n.outputs)]);
    const nodes = g.nodes.map((n) => ({ ...n, inputs: [...n.inputs] }));
    const copies: Tensor[] = [];
    const readers: TensorCopy[] = [];
    for (const name of shared) {
      const tensor = ix.constants.get(name)!.tensor;
      (ix.uses.get(name) ?? []).slice(1).forEach((u, k) => {
        let copy = `${name}.${k + 1}`;
        while (taken.has(copy)) copy += '_';
        taken.add(copy);
        copies.push({ ...tensor, name: copy });
        nodes[u.node].inputs[u.slot] = copy;
        readers.push({ tensor: name, copy, node: u.node, slot: u.slot });
      });
    }
    const out: Model = { ...model, graph: { ...g, nodes, initializers: [...g.initializers, ...copies] } };
    a = analyzeChannels(indexGraph(out));
    copiesOf.set(a, readers);
    made.set(out, a);
  }
  made.set(model, a);
  return a;
}
