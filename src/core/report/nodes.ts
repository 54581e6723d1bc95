// What each node of the main graph costs, for the report: its multiply-accumulates at a batch size
// (core/analysis/macs.ts: Gemm, MatMul, Conv, ConvTranspose; null for other ops and for counted ops
// whose shapes cannot be derived) and the parameters of the stored weights it reads (initializers
// and Constant tensors among its inputs; a weight read by two nodes counts for each).

import type { Model } from '../onnx/model';
import { modelMacs, namedWeights } from '../analysis';

/** One node of the main graph with its cost. */
export interface ReportNode {
  index: number;
  name: string;
  opType: string;
  /** MACs at the batch size asked for; null: not a counted op, or its shapes are unknown. */
  macs: number | null;
  params: number;
}

export interface NodeCosts {
  batch: number;
  nodes: ReportNode[];
  /** Sum of the known MACs. */
  total: number;
  /** Counted nodes whose MACs are unknown (left out of the total), by name or op_index. */
  unknown: string[];
}

function elements(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function nodeCosts(model: Model, batch = 1): NodeCosts {
  const macs = modelMacs(model, batch);
  const byIndex = new Map(macs.nodes.map((n) => [n.index, n.macs]));
  const weights = namedWeights(model);
  const nodes = model.graph.nodes.map((n, index): ReportNode => {
    let params = 0;
    const seen = new Set<string>();
    for (const input of n.inputs) {
      if (input === '' || seen.has(input)) continue;
      seen.add(input);
      const w = weights.get(input);
      if (w) params += elements(w.dims);
    }
    return { index, name: n.name, opType: n.opType, macs: byIndex.get(index) ?? null, params };
  });
  const unknown = macs.unknown.map((u) => u.name || `${u.opType}_${u.index}`);
  return { batch, nodes, total: macs.total, unknown };
}
