// Walking a graph and the subgraphs its nodes hold (If branches, Loop / Scan bodies).
import type { Graph, Node } from '../onnx/model';

/** Default-domain ops by name; ops of other domains as `domain:OpType`. */
export function opKey(node: Pick<Node, 'domain' | 'opType'>): string {
  return node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}:${node.opType}`;
}

/** The graphs held by a node's attributes (If branches, Loop / Scan bodies), with their attribute names. */
export function nodeSubgraphs(node: Node): { attribute: string; graph: Graph }[] {
  const out: { attribute: string; graph: Graph }[] = [];
  for (const a of node.attributes) {
    if (a.type === 'graph') out.push({ attribute: a.name, graph: a.value });
    else if (a.type === 'graphs') a.value.forEach((g, i) => out.push({ attribute: `${a.name}[${i}]`, graph: g }));
  }
  return out;
}

/** Calls `visit` for the graph and every subgraph below it, depth first, with its nesting depth. */
export function walkGraphs(graph: Graph, visit: (g: Graph, depth: number) => void, depth = 0): void {
  visit(graph, depth);
  for (const node of graph.nodes) for (const s of nodeSubgraphs(node)) walkGraphs(s.graph, visit, depth + 1);
}
