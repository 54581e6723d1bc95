// Shapes for edge labels where the model does not record them (no value_info): a small forward pass
// over the ops whose output shape follows simply from their inputs (Gemm, MatMul 2-D, element-wise).

import type { Dim } from '../../../core/onnx/model';
import type { GraphSummary } from '../../../engine/protocol';

const sameShape = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Dropout', 'Identity', 'Elu', 'Selu', 'Gelu', 'HardSigmoid', 'HardSwish', 'Clip', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Softplus', 'Cast', 'BatchNormalization', 'LayerNormalization']);

/** Known shapes by tensor name: the recorded ones, plus those inferred here. */
export function knownShapes(graph: GraphSummary): Map<string, Dim[]> {
  const shapes = new Map<string, Dim[]>();
  for (const v of graph.values) if (v.shape) shapes.set(v.name, v.shape);
  for (const i of graph.initializers) if (!shapes.has(i.name)) shapes.set(i.name, i.dims);
  const attr = (n: GraphSummary['nodes'][number], name: string): string | undefined => n.attributes.find((a) => a.name === name)?.value;
  for (const n of graph.nodes) {
    const out = n.outputs[0];
    if (!out || shapes.has(out)) continue;
    const a = shapes.get(n.inputs[0] ?? '');
    const b = shapes.get(n.inputs[1] ?? '');
    if (sameShape.has(n.opType) && a) shapes.set(out, a);
    else if (n.opType === 'Gemm' && a?.length === 2 && b?.length === 2) {
      const rows = attr(n, 'transA') === '1' ? a[1]! : a[0]!;
      const cols = attr(n, 'transB') === '1' ? b[0]! : b[1]!;
      shapes.set(out, [rows, cols]);
    } else if (n.opType === 'Flatten' && a) {
      const axis = Number(attr(n, 'axis') ?? '1');
      const k = axis < 0 ? a.length + axis : axis;
      shapes.set(out, [product(a.slice(0, k)), product(a.slice(k))]);
    } else if (n.opType === 'MatMul' && a && a.length >= 2 && b?.length === 2) shapes.set(out, [...a.slice(0, -1), b[1]!]);
  }
  return shapes;
}

function product(dims: Dim[]): Dim {
  if (dims.length === 1) return dims[0]!;
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}
