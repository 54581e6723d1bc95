// The activation shapes after a channel prune, for the graph's edge labels: a Gemm / MatMul / Conv
// whose weight lost outputs produces fewer features or channels, and that width travels through
// the ops that keep it (activations, normalisation, pools, element-wise Add / Mul, Flatten) to the
// next layer. A tensor whose new shape cannot be told here keeps its label. Pure: no DOM.

import type { Dim } from '../../../core/onnx/model';
import type { GraphSummary } from '../../../engine/protocol';
import { changeAt, type PrunedShapes } from '../../pruned-shapes';

/** Ops whose output has their first input's shape. */
const SAME_SHAPE = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Dropout', 'Identity', 'Elu', 'Selu', 'Gelu', 'HardSigmoid', 'HardSwish', 'Clip', 'Abs', 'Neg', 'Softplus', 'Cast', 'BatchNormalization', 'PRelu', 'Softmax', 'LogSoftmax']);
/** Ops that keep the channels and move or drop other axes (the channel count found in the output by its value). */
const MOVE_CHANNELS = new Set(['Squeeze', 'Unsqueeze', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceL2', 'ReduceL1']);
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
    else if (n.opType === 'ConvTranspose' && w && w.after.length >= 3) next = withDim(before, 1, w.after[1]!);
    else if (n.opType === 'Concat' && n.inputs.some((t) => out.has(t))) next = concat(n.inputs.map((t) => out.get(t) ?? shapes.get(t)), before, Number(attr(n, 'axis') ?? '0'));
    else if (!out.has(x) && !(n.opType === 'Add' || n.opType === 'Mul' || n.opType === 'Sub' || n.opType === 'Div')) continue;
    else if (n.opType === 'Transpose') next = transpose(out.get(x)!, attr(n, 'perm'));
    else if (MOVE_CHANNELS.has(n.opType)) next = moved(shapes.get(x), out.get(x)!, before);
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

/** Concat's output along `axis`: the inputs' (new or old) sizes added, when all are known. */
function concat(inputs: (Dim[] | undefined)[], before: Dim[] | undefined, axis: number): Dim[] | undefined {
  if (!before || before.length === 0) return undefined;
  const k = axis < 0 ? before.length + axis : axis;
  let total = 0;
  for (const s of inputs) {
    const d = s?.[k];
    if (typeof d !== 'number') return undefined;
    total += d;
  }
  return before.map((v, i) => (i === k ? total : v));
}

/** Transpose's output: the new input shape permuted (perm as the summary prints it, "[0, 2, 3, 1]"; none: reversed). */
function transpose(shape: Dim[], perm: string | undefined): Dim[] | undefined {
  let p: number[];
  try {
    p = perm === undefined ? shape.map((_d, i) => shape.length - 1 - i) : (JSON.parse(perm) as number[]);
  } catch {
    return undefined;
  }
  return Array.isArray(p) && p.length === shape.length ? p.map((i) => shape[i]!) : undefined;
}

/**
 * An op that keeps the channels but moves or drops other axes: the one dim the prune changed in
 * its input (old → new), replaced in its output where the old value stands exactly once.
 */
function moved(oldIn: Dim[] | undefined, newIn: Dim[], before: Dim[] | undefined): Dim[] | undefined {
  if (!oldIn || !before || oldIn.length !== newIn.length) return undefined;
  const changed = oldIn.flatMap((d, i) => (d !== newIn[i] ? [i] : []));
  if (changed.length !== 1) return undefined;
  const from = oldIn[changed[0]!];
  const at = before.flatMap((d, i) => (d === from ? [i] : []));
  return at.length === 1 ? before.map((d, i) => (i === at[0] ? newIn[changed[0]!]! : d)) : undefined;
}

