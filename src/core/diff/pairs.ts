// Which weight of A is compared with which weight of B. Weights: the main graph's initializers,
// sparse initializers and Constant-node tensors (named by the Constant's output). Paired by name
// first; the rest through the paired nodes: input position i of a node and of its partner, or the
// outputs of two paired Constant nodes. Weights left over are removed (A) or added (B).
import type { Model, Tensor } from '../onnx/model';
import { weightEntries, type WeightEntry } from '../analysis/weights';
import { sparseToDense } from '../dump/sparse';
import type { NodeMatching } from './match';

export interface TensorPair {
  a?: WeightEntry;
  b?: WeightEntry;
  how?: 'name' | 'node-input';
}

/** The main graph's weights by name (the first of a name wins). */
export function mainWeights(model: Model): Map<string, WeightEntry> {
  const out = new Map<string, WeightEntry>();
  for (const e of weightEntries(model)) if (e.graph === '' && !out.has(e.tensor.name)) out.set(e.tensor.name, e);
  return out;
}

/** The dense tensor of a weight (a sparse initializer is expanded: a copy). */
export function denseOf(e: WeightEntry): Tensor {
  return e.sparse ? sparseToDense(e.sparse) : e.tensor;
}

/** Pairs A's weights with B's: in A's order, then B's unpaired ones in B's order. */
export function pairTensors(a: Model, b: Model, matching: NodeMatching): TensorPair[] {
  const wa = mainWeights(a);
  const wb = mainWeights(b);
  const partner = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of wa.keys()) {
    if (wb.has(name)) {
      partner.set(name, name);
      taken.add(name);
    }
  }
  const via = new Set<string>();
  const tie = (x: string, y: string): void => {
    if (x === '' || y === '' || partner.has(x) || taken.has(y) || !wa.has(x) || !wb.has(y)) return;
    partner.set(x, y);
    taken.add(y);
    via.add(x);
  };
  for (const p of matching.pairs) {
    const na = a.graph.nodes[p.a];
    const nb = b.graph.nodes[p.b];
    na.inputs.forEach((x, i) => tie(x, nb.inputs[i] ?? ''));
    if (na.opType === 'Constant' && nb.opType === 'Constant') tie(na.outputs[0] ?? '', nb.outputs[0] ?? '');
  }
  const out: TensorPair[] = [];
  for (const [name, e] of wa) {
    const other = partner.get(name);
    out.push(other === undefined ? { a: e } : { a: e, b: wb.get(other), how: via.has(name) ? 'node-input' : 'name' });
  }
  for (const [name, e] of wb) if (!taken.has(name)) out.push({ b: e });
  return out;
}
