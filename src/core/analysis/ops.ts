// Which operators a model uses, and which of them a runtime does not execute.
import type { Graph } from '../onnx/model';
import { opKey, walkGraphs } from './graphs';

/** Node count per op (see opKey) over the graph and all its subgraphs. */
export function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  walkGraphs(graph, (g) => {
    for (const n of g.nodes) {
      const k = opKey(n);
      counts[k] = (counts[k] ?? 0) + 1;
    }
  });
  return counts;
}

/** The ops of `counts` (keys as opKey gives them) missing from `supported`, sorted. */
export function unsupportedOps(counts: Record<string, number>, supported: ReadonlySet<string>): string[] {
  return Object.keys(counts)
    .sort()
    .filter((op) => !supported.has(op));
}
