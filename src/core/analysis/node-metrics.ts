// Per-node metrics of the main graph: the parameters, zeros, sparsity and stored bytes of the
// weights each node reads, and its MACs at batch 1 (macs.ts's rules: pools and elementwise ops count
// no MACs), with the model's totals. The same function of a pruned model gives the "after" values.
//
// A node's weights: its inputs that are initializers (dense or sparse, any position) and its
// non-first inputs fed by a Constant node (exporters like PaddlePaddle store weights that way).
// A tensor read by several nodes counts in each node's row but once in the totals.
// `zeros` replaces the counted zeros of the dense tensors it names: the "after" values of a plan
// that keeps every shape (core/prune/planned-zeros.ts) without building the pruned model.
import { elementCount, type Model, type SparseTensor, type Tensor } from '../onnx/model';
import { bytesPerElement } from '../onnx/dtype';
import { constantTensor } from './constants';
import { MAC_OPS, modelMacs } from './macs';
import { countZeros } from './zeros';

export interface NodeMetrics {
  /** Index of the node in the main graph. */
  index: number;
  name: string;
  opType: string;
  /** The weights it reads, by name. */
  weights: string[];
  /** Elements of its weights (a sparse initializer: its dense element count). */
  params: number;
  /** Elements of its weights equal to zero (a sparse initializer: the entries not stored, too). */
  zeros: number;
  /** zeros / params; null when it reads no weights. */
  sparsity: number | null;
  /** Stored bytes of its weights (a sparse initializer: values and indices). */
  bytes: number;
  /** MACs at batch 1; 0 for ops macs.ts does not count (pools, elementwise), null when shapes are unknown. */
  macs: number | null;
}

export interface MetricsTotals {
  params: number;
  zeros: number;
  sparsity: number;
  bytes: number;
  /** Sum of the known MACs (a lower bound when `macsUnknown` is not empty). */
  macs: number;
}

export interface NodeMetricsReport {
  /** Every node of the main graph, in graph order (index = position). */
  nodes: NodeMetrics[];
  totals: MetricsTotals;
  /** Indices of the MAC-counted nodes whose shapes could not be derived. */
  macsUnknown: number[];
}

interface WeightFacts {
  params: number;
  zeros: number;
  bytes: number;
}

function storedBytes(t: Tensor): number {
  const d = t.data;
  if (Array.isArray(d)) return d.reduce((n, s) => n + (s as Uint8Array).byteLength, 0);
  return Math.ceil(elementCount(t.dims) * bytesPerElement(t.dataType));
}

function denseFacts(t: Tensor, zeros?: number): WeightFacts {
  return { params: elementCount(t.dims), zeros: zeros ?? countZeros(t), bytes: storedBytes(t) };
}

function sparseFacts(s: SparseTensor): WeightFacts {
  const params = elementCount(s.dims);
  return { params, zeros: params - elementCount(s.values.dims) + countZeros(s.values), bytes: storedBytes(s.values) + storedBytes(s.indices) };
}

/** The metrics of every main-graph node of `model` and the model's totals (`zeros`: see above). */
export function nodeMetrics(model: Model, zeros?: ReadonlyMap<string, number>): NodeMetricsReport {
  const g = model.graph;
  const inits = new Map<string, () => WeightFacts>();
  for (const t of g.initializers) inits.set(t.name, () => denseFacts(t, zeros?.get(t.name)));
  for (const s of g.sparseInitializers) if (!inits.has(s.values.name)) inits.set(s.values.name, () => sparseFacts(s));
  const constants = new Map<string, () => WeightFacts>();
  for (const n of g.nodes) {
    const t = constantTensor(n);
    if (t && !inits.has(t.name)) constants.set(t.name, () => denseFacts(t, zeros?.get(t.name)));
  }
  const facts = new Map<string, WeightFacts>();
  const factsOf = (name: string, make: () => WeightFacts): WeightFacts => {
    let f = facts.get(name);
    if (!f) facts.set(name, (f = make()));
    return f;
  };
  const macs = modelMacs(model, 1);
  const macsByNode = new Map(macs.nodes.map((m) => [m.index, m.macs]));
  const unknown = new Set(macs.unknown.map((u) => u.index));
  const nodes = g.nodes.map((n, index): NodeMetrics => {
    const weights: string[] = [];
    let params = 0;
    let zeros = 0;
    let bytes = 0;
    n.inputs.forEach((name, i) => {
      if (name === '' || weights.includes(name)) return;
      const make = inits.get(name) ?? (i > 0 ? constants.get(name) : undefined);
      if (!make) return;
      const f = factsOf(name, make);
      weights.push(name);
      params += f.params;
      zeros += f.zeros;
      bytes += f.bytes;
    });
    const counted = (n.domain === '' || n.domain === 'ai.onnx') && MAC_OPS.includes(n.opType);
    return {
      index,
      name: n.name,
      opType: n.opType,
      weights,
      params,
      zeros,
      sparsity: weights.length === 0 ? null : params > 0 ? zeros / params : 0,
      bytes,
      macs: unknown.has(index) ? null : counted ? (macsByNode.get(index) ?? null) : 0,
    };
  });
  const totals: MetricsTotals = { params: 0, zeros: 0, sparsity: 0, bytes: 0, macs: macs.total };
  for (const f of facts.values()) {
    totals.params += f.params;
    totals.zeros += f.zeros;
    totals.bytes += f.bytes;
  }
  totals.sparsity = totals.params > 0 ? totals.zeros / totals.params : 0;
  return { nodes, totals, macsUnknown: [...unknown] };
}
