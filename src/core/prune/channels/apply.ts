// Channel pruning applied: a new, smaller model. The analysis is run again on the model, the
// channels each group loses are read from the plan's layers, and the edits must equal the plan's
// shape changes (else the plan was made for another model). Constants are sliced (initializers
// and Constant nodes), Reshape shape entries and depthwise group attributes rewritten, and the
// recorded shapes (value_info, graph inputs naming initializers) updated; nothing else changes and
// the input model is never modified.
import type { Attribute, Dim, Model, Node, Tensor, TensorData, ValueInfo } from '../../onnx/model';
import { PruneError, type PrunePlan } from '../types';
import { find, type Analysis } from './spaces';
import { channelEdits, type ChannelEdits } from './edits';
import { label } from './graph';
import { shapeChangesOf } from './plan';
import { channelAnalysis } from './unshare';

/** A copy of `t` without the given indices (ascending) along `axis`. */
export function sliceTensor(t: Tensor, axis: number, removed: number[]): Tensor {
  if (t.data === undefined || Array.isArray(t.data)) throw new PruneError(`channels: "${t.name}" holds no numeric data to cut`);
  const dims = t.dims;
  const outer = dims.slice(0, axis).reduce((s, v) => s * v, 1);
  const inner = dims.slice(axis + 1).reduce((s, v) => s * v, 1);
  const drop = new Uint8Array(dims[axis]);
  for (const r of removed) drop[r] = 1;
  const keep = dims[axis] - removed.length;
  const src = t.data as Exclude<TensorData, Uint8Array[]>;
  const out = new (src.constructor as new (n: number) => typeof src)(outer * keep * inner);
  let w = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dims[axis]; c++) {
      if (drop[c] === 1) continue;
      const from = (o * dims[axis] + c) * inner;
      out.set(src.subarray(from, from + inner) as never, w);
      w += inner;
    }
  }
  const nd = [...dims];
  nd[axis] = keep;
  return { ...t, dims: nd, data: out };
}

function sameChanges(x: PrunePlan['shapeChanges'], y: NonNullable<PrunePlan['shapeChanges']>): boolean {
  return x !== undefined && JSON.stringify(x) === JSON.stringify(y);
}

/** The channels each root space loses, as the plan's layers say. */
function removedFromPlan(a: Analysis, plan: PrunePlan): Map<number, number[]> {
  const removed = new Map<number, number[]>();
  a.spaces.forEach((s, k) => {
    const layer = plan.layers.find((l) => l.tensor === s.producer.tensor);
    const r = layer?.removedChannels;
    if (r === undefined || r.length === 0) return;
    const root = find(a, k);
    const prev = removed.get(root);
    if (prev !== undefined && JSON.stringify(prev) !== JSON.stringify(r)) {
      throw new PruneError(`the plan removes different channels from "${s.producer.tensor}" and a tensor it is tied to: it was made for another model`);
    }
    removed.set(root, r);
  });
  return removed;
}

function withDim(shape: Dim[] | undefined, axis: number, size: number): Dim[] | undefined {
  if (shape === undefined || axis >= shape.length || typeof shape[axis] !== 'number') return shape;
  const s = [...shape];
  s[axis] = size;
  return s;
}

function updateInfo(v: ValueInfo, edits: ChannelEdits, dims: Map<string, number[]>): ValueInfo {
  const t = v.type;
  if (t?.kind !== 'tensor') return v;
  const d = dims.get(v.name);
  if (d !== undefined) return { ...v, type: { ...t, shape: [...d] } };
  const act = edits.activations.get(v.name);
  if (act === undefined) return v;
  return { ...v, type: { ...t, shape: withDim(t.shape, act.axis, act.size) } };
}

export function applyChannels(given: Model, plan: PrunePlan): Model {
  const a = channelAnalysis(given);
  const ix = a.ix;
  const model = ix.model;
  const edits = channelEdits(a, removedFromPlan(a, plan));
  if (!sameChanges(plan.shapeChanges, shapeChangesOf(edits, a))) throw new PruneError('the channel plan does not match this model: it was made for another model');
  const next = new Map<string, Tensor>();
  const get = (name: string): Tensor => next.get(name) ?? ix.constants.get(name)!.tensor;
  for (const s of edits.slices) next.set(s.tensor, sliceTensor(get(s.tensor), s.axis, s.removed));
  for (const v of edits.values) {
    const t = get(v.tensor);
    const data = (t.data as BigInt64Array | Int32Array).slice();
    if (data instanceof BigInt64Array) data[v.index] = BigInt(v.after);
    else data[v.index] = v.after;
    next.set(v.tensor, { ...t, data });
  }
  const initializers = model.graph.initializers.map((t) => next.get(t.name) ?? t);
  const nodes: Node[] = model.graph.nodes.map((n) => {
    if (n.opType === 'Constant' && next.has(n.outputs[0])) {
      const t = next.get(n.outputs[0])!;
      const value: Attribute = { name: 'value', type: 'tensor', value: { ...t, name: '' } };
      const old = n.attributes.find((x) => x.name === 'value' && x.type === 'tensor');
      if (old !== undefined && old.type === 'tensor') value.value = { ...old.value, dims: t.dims, data: t.data };
      return { ...n, attributes: [value] };
    }
    return n;
  });
  for (const g of edits.groups) {
    const n = nodes[g.node];
    if (!n.attributes.some((x) => x.name === 'group')) throw new PruneError(`channels: ${label(ix, g.node)} has no group attribute`);
    nodes[g.node] = { ...n, attributes: n.attributes.map((x) => (x.name === 'group' ? { ...x, type: 'int' as const, value: g.group } : x)) };
  }
  const dims = new Map([...next].map(([k, t]) => [k, t.dims]));
  const info = (list: ValueInfo[]): ValueInfo[] => list.map((v) => updateInfo(v, edits, dims));
  return {
    ...model,
    graph: { ...model.graph, initializers, nodes, inputs: info(model.graph.inputs), outputs: info(model.graph.outputs), valueInfo: info(model.graph.valueInfo) },
  };
}
