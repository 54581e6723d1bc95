// How many parameters a model stores.
import { elementCount, type Graph } from '../onnx/model';
import { constantParams } from './constants';
import { walkGraphs } from './graphs';

/** Initializer elements (sparse: stored values) plus Constant-node elements, over all graphs. */
export function paramCount(graph: Graph): number {
  let n = 0;
  walkGraphs(graph, (g) => {
    for (const t of g.initializers) n += elementCount(t.dims);
    for (const s of g.sparseInitializers) n += elementCount(s.values.dims);
    for (const node of g.nodes) n += constantParams(node);
  });
  return n;
}
