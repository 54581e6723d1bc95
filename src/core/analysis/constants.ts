// The tensors Constant nodes hold in their attributes.
import { DataType, elementCount, type Node, type Tensor } from '../onnx/model';

function isDefaultDomain(node: Node): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

/** The tensor of a Constant node (value / value_float(s) / value_int(s)), named after its output; undefined otherwise. */
export function constantTensor(node: Node): Tensor | undefined {
  if (node.opType !== 'Constant' || !isDefaultDomain(node)) return undefined;
  const name = node.outputs[0] ?? '';
  for (const a of node.attributes) {
    if (a.type === 'tensor' && a.name === 'value') return { ...a.value, name };
    if (a.type === 'float' && a.name === 'value_float') return { name, dataType: DataType.FLOAT, dims: [], data: Float32Array.of(a.value) };
    if (a.type === 'floats' && a.name === 'value_floats') {
      return { name, dataType: DataType.FLOAT, dims: [a.value.length], data: Float32Array.from(a.value) };
    }
    if (a.type === 'int' && a.name === 'value_int') return { name, dataType: DataType.INT64, dims: [], data: BigInt64Array.of(BigInt(a.value)) };
    if (a.type === 'ints' && a.name === 'value_ints') {
      return { name, dataType: DataType.INT64, dims: [a.value.length], data: BigInt64Array.from(a.value, (v) => BigInt(v)) };
    }
  }
  return undefined;
}

/** Parameters stored by a Constant node: the elements of its value (a sparse value counts what is stored). */
export function constantParams(node: Node): number {
  const t = constantTensor(node);
  if (t) return elementCount(t.dims);
  const sparse = node.attributes.find((a) => a.type === 'sparse_tensor' && a.name === 'sparse_value');
  return sparse && sparse.type === 'sparse_tensor' ? elementCount(sparse.value.values.dims) : 0;
}
