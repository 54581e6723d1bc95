// The downstream-only run of sensitivity analysis: a graph cut in two at the tensors a prune
// changes. The prefix (every node the changed tensors do not reach) is run once on the samples;
// only the suffix (the nodes they reach) runs again for each ratio, fed the prefix's values.
import type { Graph, Model, Node, ValueInfo } from '../onnx/model';

export interface GraphSplit {
  /** Values the suffix reads from the prefix or the graph inputs, in first-use order. */
  frontier: string[];
  /** The frontier values a node computes (outputs of the prefix model); the rest are graph inputs. */
  computed: string[];
  /** Indices of the suffix's nodes (in graph order). */
  suffix: number[];
  /** Indices of the prefix nodes the frontier needs (in graph order). */
  prefix: number[];
  /** False when the first graph output does not depend on the changed tensors at all. */
  reachesOutput: boolean;
}

function hasSubgraph(node: Node): boolean {
  return node.attributes.some((a) => a.type === 'graph' || a.type === 'graphs');
}

/**
 * Splits the main graph of `model` at the `changed` tensors (initializer / Constant names). Nodes
 * are taken in graph order (ONNX requires topological order). Returns undefined when a node holds
 * a subgraph (it may read any outer value, so the cut is not known): run the whole graph then.
 */
export function splitAt(model: Model, changed: ReadonlySet<string>): GraphSplit | undefined {
  const nodes = model.graph.nodes;
  if (nodes.some(hasSubgraph)) return undefined;
  const tainted = new Set(changed);
  const suffix: number[] = [];
  nodes.forEach((node, i) => {
    if (!node.inputs.some((x) => x !== '' && tainted.has(x))) return;
    suffix.push(i);
    for (const o of node.outputs) if (o !== '') tainted.add(o);
  });
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const frontier: string[] = [];
  const seen = new Set<string>();
  for (const i of suffix) {
    for (const x of nodes[i].inputs) {
      if (x === '' || tainted.has(x) || seen.has(x)) continue;
      if (init.has(x) && !producer.has(x)) continue;
      seen.add(x);
      frontier.push(x);
    }
  }
  const computed = frontier.filter((x) => producer.has(x));
  // The prefix: the nodes the computed frontier values need, found backwards.
  const need = new Set<number>();
  const stack = computed.map((x) => producer.get(x)!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (need.has(i)) continue;
    need.add(i);
    for (const x of nodes[i].inputs) {
      const p = producer.get(x);
      if (p !== undefined && !need.has(p)) stack.push(p);
    }
  }
  const first = model.graph.outputs[0]?.name;
  return { frontier, computed, suffix, prefix: [...need].sort((a, b) => a - b), reachesOutput: first !== undefined && tainted.has(first) };
}

function valueInfo(name: string, g: Graph): ValueInfo {
  const known = [...g.inputs, ...g.valueInfo, ...g.outputs].find((v) => v.name === name);
  return known ?? { name };
}

/** The model computing the split's computed frontier values from the graph inputs. */
export function prefixModel(model: Model, split: GraphSplit): Model {
  const g = model.graph;
  return {
    ...model,
    graph: { ...g, nodes: split.prefix.map((i) => g.nodes[i]), outputs: split.computed.map((x) => valueInfo(x, g)) },
  };
}

/**
 * The suffix of `model` (the pruned model: same nodes, changed tensors) as a model whose inputs are
 * the frontier values (element type `elemType[x]`, shape left open) and whose one output is the
 * first graph output.
 */
export function suffixModel(model: Model, split: GraphSplit, elemType: ReadonlyMap<string, number>): Model {
  const g = model.graph;
  const inputs: ValueInfo[] = split.frontier.map((x) => {
    const t = elemType.get(x);
    return t === undefined ? valueInfo(x, g) : { name: x, type: { kind: 'tensor', elemType: t } };
  });
  return {
    ...model,
    graph: { ...g, inputs, nodes: split.suffix.map((i) => g.nodes[i]), outputs: [g.outputs[0]] },
  };
}
