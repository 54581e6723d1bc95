// The sparse export form (ONNX sparse_initializer, COO with linearized int64 indices, ascending)
// and the estimated file sizes of both export forms. onnxruntime-node 1.30 loads this form (it
// densifies sparse initializers at load time): test/unit/core/prune/ort.test.ts checks its predictions.
import { DataType, elementCount, type Attribute, type Graph, type Model, type SparseTensor, type Tensor } from '../onnx/model';
import { checkPrunable } from './magnitude';
import { defaultPrunable, prunableSources } from './prunable';
import { PruneError, type PrunePlan } from './types';

const ELEMENT_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2,
  [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1, [DataType.INT16]: 2, [DataType.UINT16]: 2,
  [DataType.INT32]: 4, [DataType.UINT32]: 4, [DataType.INT64]: 8, [DataType.UINT64]: 8,
  [DataType.COMPLEX64]: 8, [DataType.COMPLEX128]: 16,
};

/** True for float32/float64 (+0 and −0) and 16-bit float bit patterns (0x0000, 0x8000) of zero. */
function isZeroAt(t: Tensor, i: number): boolean {
  const v = (t.data as Float32Array | Float64Array | Uint16Array)[i];
  if (t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) return (v & 0x7fff) === 0;
  return v === 0;
}

/** COO form of a float tensor: its non-zero values and their linearized indices, ascending. */
export function toSparseTensor(t: Tensor): SparseTensor {
  checkPrunable(t);
  const n = elementCount(t.dims);
  const src = t.data as Float32Array | Float64Array | Uint16Array;
  let nnz = 0;
  for (let i = 0; i < n; i++) if (!isZeroAt(t, i)) nnz++;
  const values = new (src.constructor as new (n: number) => Float32Array | Float64Array | Uint16Array)(nnz);
  const indices = new BigInt64Array(nnz);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (isZeroAt(t, i)) continue;
    values[j] = src[i];
    indices[j] = BigInt(i);
    j++;
  }
  return {
    values: { name: t.name, dataType: t.dataType, dims: [nnz], data: values },
    indices: { name: '', dataType: DataType.INT64, dims: [nnz], data: indices },
    dims: [...t.dims],
  };
}

/**
 * A new Model in which the named tensors (default: the default-prunable weights that hold at least
 * one zero) are stored sparsely: an initializer becomes a sparse initializer, a Constant node's
 * `value` becomes its `sparse_value` (the same COO form; the node and its output stay). The input
 * is not modified.
 */
export function toSparseInitializers(model: Model, names?: string[]): Model {
  const sources = prunableSources(model);
  let chosen: string[];
  if (names === undefined) {
    chosen = defaultPrunable(model).filter((n) => {
      const t = sources.get(n)!.tensor;
      return t.data !== undefined && !Array.isArray(t.data) && hasZero(t);
    });
  } else {
    chosen = [...new Set(names)];
    for (const n of chosen) {
      if (!sources.has(n)) throw new PruneError(`the model has no initializer or Constant tensor named "${n}" to store sparsely`);
    }
  }
  const set = new Set(chosen.filter((n) => sources.get(n)!.source === 'initializer'));
  const sparse = [...set].map((n) => toSparseTensor(sources.get(n)!.tensor));
  const nodes = model.graph.nodes.slice();
  for (const n of chosen) {
    const s = sources.get(n)!;
    if (s.node === undefined) continue;
    const coo = toSparseTensor(s.tensor);
    const node = nodes[s.node];
    const attributes: Attribute[] = node.attributes.map((a) =>
      a.type === 'tensor' && a.name === 'value' ? { name: 'sparse_value', type: 'sparse_tensor', value: { ...coo, values: { ...coo.values, name: a.value.name } } } : a,
    );
    nodes[s.node] = { ...node, attributes };
  }
  return {
    ...model,
    graph: {
      ...model.graph,
      nodes,
      initializers: model.graph.initializers.filter((t) => !set.has(t.name)),
      sparseInitializers: [...model.graph.sparseInitializers, ...sparse],
    },
  };
}

function hasZero(t: Tensor): boolean {
  const n = elementCount(t.dims);
  for (let i = 0; i < n; i++) if (isZeroAt(t, i)) return true;
  return false;
}

/** Approximate encoded size of a dense initializer (raw_data plus name, dims and field tags). */
function tensorBytes(t: Tensor): number {
  const n = elementCount(t.dims);
  let data: number;
  if (Array.isArray(t.data)) data = t.data.reduce((s, b) => s + b.length + 2, 0);
  else data = n * (ELEMENT_BYTES[t.dataType] ?? 1);
  return data + t.name.length + 6 * t.dims.length + 16;
}

/**
 * Estimated size in bytes of the pruned model exported dense (zeros in place) and with the
 * pruned tensors as sparse initializers (their kept entries as values plus 8-byte int64
 * indices). Graph structure is estimated from the names it holds; weights dominate in practice.
 */
/** Bytes of the graph's structure and of the weights held in its nodes' attributes (Constant values, subgraphs). */
function graphBytes(g: Graph): { structure: number; weights: number } {
  let structure = 0;
  let weights = 0;
  const attribute = (a: Attribute): void => {
    structure += 12 + a.name.length;
    switch (a.type) {
      case 'tensor':
        weights += tensorBytes(a.value) + 16 + a.value.name.length;
        break;
      case 'tensors':
        for (const t of a.value) weights += tensorBytes(t) + 16 + t.name.length;
        break;
      case 'sparse_tensor':
        weights += tensorBytes(a.value.values) + tensorBytes(a.value.indices);
        break;
      case 'sparse_tensors':
        for (const t of a.value) weights += tensorBytes(t.values) + tensorBytes(t.indices);
        break;
      case 'graph':
      case 'graphs':
        for (const sub of a.type === 'graph' ? [a.value] : a.value) {
          const inner = graphBytes(sub);
          structure += inner.structure;
          weights += inner.weights;
        }
        break;
      default:
        break;
    }
  };
  for (const node of g.nodes) {
    structure += 12 + node.name.length + node.opType.length + node.domain.length;
    for (const s of [...node.inputs, ...node.outputs]) structure += 2 + s.length;
    node.attributes.forEach(attribute);
  }
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) structure += 24 + v.name.length;
  for (const t of g.initializers) weights += tensorBytes(t);
  for (const s of g.sparseInitializers) weights += tensorBytes(s.values) + tensorBytes(s.indices) + 8 * s.dims.length;
  return { structure, weights };
}

/**
 * Estimated sizes of the exported file: weights zeroed in place (`dense`), and pruned tensors
 * stored as COO sparse initializers (`sparse`). Counts every tensor the file holds: initializers,
 * sparse initializers, Constant values and other tensor attributes, and those of subgraphs.
 */
export function estimateExportBytes(model: Model, plan: PrunePlan): { dense: number; sparse: number } {
  const g = model.graph;
  const main = graphBytes(g);
  let functions = 0;
  for (const f of model.functions) functions += graphBytes({ ...g, nodes: f.nodes, inputs: [], outputs: [], valueInfo: [], initializers: [], sparseInitializers: [] }).structure;
  const sources = prunableSources(model);
  const shrunk = removedBytes(sources, plan);
  let removed = 0;
  for (const b of shrunk.values()) removed += b;
  const dense = 64 + model.producerName.length + model.docString.length + main.structure + main.weights + functions - removed;
  let sparse = dense;
  for (const layer of plan.layers) {
    const t = sources.get(layer.tensor)?.tensor;
    // The sparse export stores every planned layer as COO, even one with nothing pruned (ratio 0:
    // 12 bytes per float32 weight instead of 4), so the estimate counts them all.
    if (t === undefined) continue;
    const elem = ELEMENT_BYTES[t.dataType] ?? 4;
    sparse += -(tensorBytes(t) - (shrunk.get(t.name) ?? 0)) + layer.kept * (elem + 8) + 2 * t.name.length + 6 * t.dims.length + 48;
  }
  return { dense, sparse };
}

/**
 * Channels: the bytes each tensor of the plan's shape changes loses (the file holds the smaller
 * tensors). A tensor cut on two axes has one entry per axis, each after the one before.
 */
function removedBytes(sources: ReturnType<typeof prunableSources>, plan: PrunePlan): Map<string, number> {
  const out = new Map<string, number>();
  const first = new Map<string, number[]>();
  const last = new Map<string, number[]>();
  for (const c of plan.shapeChanges ?? []) {
    if (c.value !== undefined || c.removed.length === 0) continue;
    if (!first.has(c.tensor)) first.set(c.tensor, c.before);
    last.set(c.tensor, c.after);
  }
  for (const [name, before] of first) {
    const t = sources.get(name)?.tensor;
    if (t === undefined) continue;
    out.set(name, (elementCount(before) - elementCount(last.get(name)!)) * (ELEMENT_BYTES[t.dataType] ?? 4));
  }
  return out;
}
