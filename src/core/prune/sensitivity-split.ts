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
  /** The frontier values that depend on the graph inputs (their first dim is the batch). */
  batched: string[];
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
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const fromInputs = new Set(model.graph.inputs.map((v) => v.name).filter((x) => !init.has(x)));
  for (const node of nodes) if (node.inputs.some((x) => fromInputs.has(x))) node.outputs.forEach((o) => fromInputs.add(o));
  const tainted = new Set(changed);
  const inSuffix = new Set<number>();
  nodes.forEach((node, i) => {
    if (!node.inputs.some((x) => x !== '' && tainted.has(x))) return;
    inSuffix.add(i);
    for (const o of node.outputs) if (o !== '') tainted.add(o);
  });
  /** Adds the producers of `start` and their ancestors to `into`. */
  const ancestors = (start: number[], into: Set<number>): void => {
    const stack = [...start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (into.has(i)) continue;
      into.add(i);
      for (const x of nodes[i].inputs) {
        const p = producer.get(x);
        if (p !== undefined && !into.has(p)) stack.push(p);
      }
    }
  };
  // Values computed from constants alone stay in the suffix with their nodes: the runtime folds
  // them at planning (e.g. BatchNormalization parameters into a Conv) as it does for the whole graph.
  const constInputs = (): number[] =>
    [...inSuffix].flatMap((i) => nodes[i].inputs.filter((x) => x !== '' && !tainted.has(x) && !fromInputs.has(x) && producer.has(x) && !inSuffix.has(producer.get(x)!)).map((x) => producer.get(x)!));
  ancestors(constInputs(), inSuffix);
  const suffix = [...inSuffix].sort((a, b) => a - b);
  const frontier: string[] = [];
  const seen = new Set<string>();
  const suffixOut = new Set(suffix.flatMap((i) => nodes[i].outputs));
  for (const i of suffix) {
    for (const x of nodes[i].inputs) {
      if (x === '' || suffixOut.has(x) || seen.has(x)) continue;
      if (init.has(x) && !producer.has(x)) continue;
      seen.add(x);
      frontier.push(x);
    }
  }
  const computed = frontier.filter((x) => producer.has(x));
  // The prefix: the nodes the computed frontier values need, found backwards.
  const need = new Set<number>();
  ancestors(computed.map((x) => producer.get(x)!), need);
  const first = model.graph.outputs[0]?.name;
  return {
    frontier, computed, suffix, prefix: [...need].sort((a, b) => a - b), reachesOutput: first !== undefined && tainted.has(first),
    batched: frontier.filter((x) => fromInputs.has(x)),
  };
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
 * the frontier values and whose one output is the first graph output. `known` gives each frontier
 * value's element type and dims as computed on `batch` samples (the first dim of a batched value is declared open): the
 * runtime plans the same kernels as for the whole graph only when it knows the same shapes.
 */
export function suffixModel(model: Model, split: GraphSplit, known: ReadonlyMap<string, { dataType: number; dims: readonly number[] }>, batch: number): Model {
  const g = model.graph;
  const inputs: ValueInfo[] = split.frontier.map((x) => {
    const t = known.get(x);
    if (t === undefined) return valueInfo(x, g);
    // Computed from the inputs and led by the batch (a shape vector such as a Reshape's target,
    // computed from the inputs too, keeps its fixed length).
    const batched = split.batched.includes(x) && t.dims[0] === batch;
    const shape = t.dims.map((d, i) => (i === 0 && batched ? 'batch' : d));
    return { name: x, type: { kind: 'tensor', elemType: t.dataType, shape } };
  });
  return {
    ...model,
    graph: { ...g, inputs, nodes: split.suffix.map((i) => g.nodes[i]), outputs: [g.outputs[0]] },
  };
}
