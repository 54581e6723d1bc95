// What the graph view folds into the nodes that use it instead of drawing it, the one rule for the
// layout, the repeated-block finder, Find and the count of drawn nodes:
// - input-less Constant nodes: their value is a weight, shown in its users' boxes as `W ⟨…⟩`;
// - Identity nodes that only rename a weight (an initializer, a folded Constant's value or another
//   such Identity): torch.onnx.export writes one for each extra use of a shared parameter
//   (`blocks.1.skip.1.bias = Identity(blocks.1.bn.bias)`), EfficientNet-B0 has 59. Drawn, they sat in
//   a row above the whole graph with an edge down to each user. An Identity whose output is a graph
//   output stays drawn (the output pill needs its producer).
// Pure: runs in the page, in the layout worker and in Node tests.

import type { GraphSummary, NodeSummary } from '../engine/protocol';

export interface Folding {
  /** Indices of the nodes not drawn. */
  nodes: ReadonlySet<number>;
  /** Tensors that are not edges: initializers and the outputs of the folded nodes. */
  tensors: ReadonlySet<string>;
  /** A folded Identity's output → the tensor it renames, followed to the end (an initializer or a Constant's output). */
  source: ReadonlyMap<string, string>;
  /** A folded Identity's output → that Identity (its index) and the tensor it reads. */
  renames: ReadonlyMap<string, { node: number; input: string }>;
}

function isWeightConstant(n: NodeSummary): boolean {
  return n.opType === 'Constant' && n.inputs.every((i) => i === '');
}

export function folding(graph: GraphSummary): Folding {
  const nodes = new Set<number>();
  const tensors = new Set(graph.initializers.map((i) => i.name));
  const source = new Map<string, string>();
  const renames = new Map<string, { node: number; input: string }>();
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const identities: NodeSummary[] = [];
  for (const n of graph.nodes) {
    if (isWeightConstant(n)) {
      nodes.add(n.index);
      for (const o of n.outputs) tensors.add(o);
    } else if (n.opType === 'Identity' && n.inputs.length === 1 && n.outputs.length === 1 && !outputs.has(n.outputs[0])) {
      identities.push(n);
    }
  }
  // Until nothing changes: node order need not be topological, and an Identity may rename another.
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of identities) {
      if (nodes.has(n.index) || !tensors.has(n.inputs[0])) continue;
      nodes.add(n.index);
      tensors.add(n.outputs[0]);
      source.set(n.outputs[0], source.get(n.inputs[0]) ?? n.inputs[0]);
      renames.set(n.outputs[0], { node: n.index, input: n.inputs[0] });
      changed = true;
    }
  }
  return { nodes, tensors, source, renames };
}

/** The nodes the view draws (each one a box, or a member of a collapsed run). */
export function drawnNodes(graph: GraphSummary, fold: Folding = folding(graph)): NodeSummary[] {
  return graph.nodes.filter((n) => !fold.nodes.has(n.index));
}

/**
 * The drawn nodes a search finds: those that `test` accepts, and for an accepted folded node (a
 * Constant, an Identity that renames a weight) the drawn nodes that show its value — the boxes it
 * is folded into. In graph order.
 */
export function drawnMatches(graph: GraphSummary, test: (n: NodeSummary) => boolean, fold: Folding = folding(graph)): NodeSummary[] {
  const shown = new Set<string>();
  const found = new Set<number>();
  for (const n of graph.nodes) {
    if (!test(n)) continue;
    if (fold.nodes.has(n.index)) for (const o of n.outputs) shown.add(o);
    else found.add(n.index);
  }
  // A folded value is also shown where an Identity that renames it is read.
  for (let grew = shown.size > 0; grew; ) {
    grew = false;
    for (const [out, r] of fold.renames) {
      if (shown.has(r.input) && !shown.has(out)) {
        shown.add(out);
        grew = true;
      }
    }
  }
  return graph.nodes.filter((n) => found.has(n.index) || (!fold.nodes.has(n.index) && n.inputs.some((t) => shown.has(t))));
}
