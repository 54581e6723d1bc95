// The activation shapes after a channel prune, for the graph's edge labels: a Gemm / MatMul / Conv
// whose weight lost outputs produces fewer features or channels, and that width travels through
// the ops that keep it (activations, normalisation, pools, element-wise Add / Mul, Flatten) to the
// next layer. A tensor whose new shape cannot be told here keeps its label. Pure: no DOM.

import type { Dim } from '../../../core/onnx/model';
import type { GraphSummary } from '../../../engine/protocol';
import { changeAt, type PrunedShapes } from '../../pruned-shapes';

/** Ops whose output has their first input's shape. */
const SAME_SHAPE = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Dropout', 'Identity', 'Elu', 'Selu', 'Gelu', 'HardSigmoid', 'HardSwish', 'Clip', 'Abs', 'Neg', 'Softplus', 'Cast', 'BatchNormalization', 'PRelu', 'Softmax', 'LogSoftmax']);
/** Ops that keep the channel axis (1) of an N×C×… input and change only the spatial axes. */
const KEEP_CHANNELS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'Resize', 'Upsample']);

/**
 * New shapes of the activations that a prune changed, by tensor name, from `shapes` (the recorded
 * or inferred shapes before it) and the weights' new dims. Nodes are visited in file order (ONNX
 * keeps nodes topologically sorted).
 */
export function prunedWidths(graph: GraphSummary, shapes: ReadonlyMap<string, Dim[]>, changed: PrunedShapes | undefined): Map<string, Dim[]> {
  const out = new Map<string, Dim[]>();
  if (!changed || changed.tensors.size === 0) return out;
  const attr = (n: GraphSummary['nodes'][number], name: string): string | undefined => n.attributes.find((a) => a.name === name)?.value;
  const withDim = (shape: Dim[] | undefined, axis: number, d: Dim): Dim[] | undefined => {
    if (!shape || shape.length === 0) return undefined;
    const k = axis < 0 ? shape.length + axis : axis;
    if (k < 0 || k >= shape.length || shape[k] === d) return undefined;
    return shape.map((v, i) => (i === k ? d : v));
  };
  for (const n of graph.nodes) {
    const o = n.outputs[0];
    if (!o) continue;
    const before = shapes.get(o);
    const x = n.inputs[0] ?? '';
    const w = changeAt(changed, n.index, 1, n.inputs[1] ?? '');
    let next: Dim[] | undefined;
    if (n.opType === 'Gemm' && w && w.after.length === 2) next = withDim(before, 1, attr(n, 'transB') === '1' ? w.after[0]! : w.after[1]!);
    else if (n.opType === 'MatMul' && w && w.after.length === 2) next = withDim(before, -1, w.after[1]!);
    else if (n.opType === 'Conv' && w && w.after.length >= 3) next = withDim(before, 1, w.after[0]!);
    else if (!out.has(x) && !(n.opType === 'Add' || n.opType === 'Mul' || n.opType === 'Sub' || n.opType === 'Div')) continue;
    else if (SAME_SHAPE.has(n.opType)) next = out.get(x);
    else if (KEEP_CHANNELS.has(n.opType)) next = withDim(before, 1, out.get(x)![1] ?? null);
    else if (n.opType === 'Flatten') next = flatten(out.get(x)!, Number(attr(n, 'axis') ?? '1'));
    else if (n.opType === 'Add' || n.opType === 'Mul' || n.opType === 'Sub' || n.opType === 'Div') {
      // An element-wise op of two tensors: the changed one of the output's rank gives the shape.
      const changedInput = n.inputs.map((t) => out.get(t)).find((s) => s !== undefined && (!before || s.length === before.length));
      next = changedInput;
    }
    if (next) out.set(o, next);
  }
  return out;
}

function flatten(shape: Dim[], axis: number): Dim[] | undefined {
  const k = axis < 0 ? shape.length + axis : axis;
  const product = (dims: Dim[]): Dim => {
    let p = 1;
    for (const d of dims) {
      if (typeof d !== 'number') return dims.length === 1 ? d : null;
      p *= d;
    }
    return p;
  };
  return [product(shape.slice(0, k)), product(shape.slice(k))];
}
