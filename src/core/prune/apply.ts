// Applying a plan: masks, and a new model whose pruned tensors (initializers or Constant-node
// values) are copies with zeros.
import { DataType, elementCount, type Attribute, type Model, type Tensor } from '../onnx/model';
import { prunableSources } from './prunable';
import { magnitudeReader } from './magnitude';
import { float32Bits, floatToBits, maskBits } from './bits';
import { PruneError, type LayerPlan, type PrunePlan } from './types';
import { groupedMask } from './grouped-plan';
import { applyChannels } from './channels/apply';

/** 1 for every kept element, 0 for every pruned one, following the layer's masking rule. */
export function pruneMask(t: Tensor, layer: LayerPlan): Uint8Array {
  const n = elementCount(t.dims);
  if (n !== layer.n || t.name !== layer.tensor) {
    throw new PruneError(`the plan for "${layer.tensor}" (${layer.n} values) does not match tensor "${t.name}" (${n} values)`);
  }
  if (layer.structure !== undefined) return groupedMask(t, layer);
  const mask = new Uint8Array(n).fill(1);
  if (layer.pruned === 0) return mask;
  const cut = layer.cutoff;
  let ties = layer.tiesPruned;
  let pruned = 0;
  if (t.dataType !== DataType.DOUBLE && Math.fround(cut) === cut) {
    // float32 / float16 / bfloat16 with a float32 cut (always, unless planned with float64 tensors)
    pruned = maskBits(float32Bits(t), floatToBits(cut), ties, mask);
  } else if (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE) {
    const a = t.data as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      let v = Math.abs(a[i]);
      if (v !== v) v = Infinity;
      if (v < cut || (v === cut && ties > 0 && ties--)) {
        mask[i] = 0;
        pruned++;
      }
    }
  } else {
    const mag = magnitudeReader(t);
    for (let i = 0; i < n; i++) {
      const v = mag(i);
      if (v < cut || (v === cut && ties > 0 && ties--)) {
        mask[i] = 0;
        pruned++;
      }
    }
  }
  if (pruned !== layer.pruned) {
    throw new PruneError(`the plan for "${layer.tensor}" prunes ${layer.pruned} values but the tensor has ${pruned} below its cut: the plan was made for another model`);
  }
  return mask;
}

/** A copy of the tensor with every pruned element set to (positive) zero. */
export function pruneTensor(t: Tensor, layer: LayerPlan): Tensor {
  const mask = pruneMask(t, layer);
  const src = t.data as Float32Array | Float64Array | Uint16Array;
  const data = src.slice();
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) data[i] = 0;
  return { ...t, dims: [...t.dims], data };
}

/**
 * A new Model with the plan's tensors pruned (copied with zeros): an initializer is replaced, a
 * Constant node's tensor is written back into its `value` attribute (a new node). Every other
 * tensor, node and field is shared with the input, which is never modified.
 */
export function applyPrune(model: Model, plan: PrunePlan): Model {
  if (plan.structure === 'channels') return applyChannels(model, plan);
  const byName = new Map(plan.layers.map((l) => [l.tensor, l]));
  const found = new Set<string>();
  const initializers = model.graph.initializers.map((t) => {
    const layer = byName.get(t.name);
    if (layer === undefined) return t;
    found.add(t.name);
    return layer.pruned === 0 ? t : pruneTensor(t, layer);
  });
  const sources = prunableSources(model);
  let nodes = model.graph.nodes;
  for (const name of byName.keys()) {
    if (found.has(name)) continue;
    const s = sources.get(name);
    if (s === undefined || s.node === undefined) throw new PruneError(`the plan prunes "${name}", which is not an initializer or Constant tensor of this model`);
    const layer = byName.get(name)!;
    if (layer.pruned === 0) continue;
    const pruned = pruneTensor(s.tensor, layer);
    if (nodes === model.graph.nodes) nodes = [...nodes];
    const node = nodes[s.node];
    const attributes: Attribute[] = node.attributes.map((a) => (a.type === 'tensor' && a.name === 'value' ? { ...a, value: { ...a.value, dims: pruned.dims, data: pruned.data } } : a));
    nodes[s.node] = { ...node, attributes };
  }
  return { ...model, graph: { ...model.graph, initializers, nodes } };
}
