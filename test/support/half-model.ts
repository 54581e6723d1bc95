// A float32 model turned float16 as an exporter's .half() writes it: every float32 initializer and
// every float32 input, output and value type in float16 (the tests' float16 models, made from the
// committed float32 fixtures, so no float16 file is committed).
import type { Model, Tensor, ValueInfo } from '../../src/core/onnx';
import { DataType } from '../../src/core/onnx/model';
import { floatToHalf } from '../../src/core/runtime/tensor';

export function toHalfModel(m: Model): Model {
  const half = (t: Tensor): Tensor =>
    t.dataType === DataType.FLOAT ? { ...t, dataType: DataType.FLOAT16, data: floatToHalf({ dims: t.dims, data: t.data as Float32Array, dataType: DataType.FLOAT }, DataType.FLOAT16).data as Uint16Array } : t;
  const type = (v: ValueInfo): ValueInfo => (v.type?.kind === 'tensor' && v.type.elemType === DataType.FLOAT ? { ...v, type: { ...v.type, elemType: DataType.FLOAT16 } } : v);
  return { ...m, graph: { ...m.graph, initializers: m.graph.initializers.map(half), inputs: m.graph.inputs.map(type), outputs: m.graph.outputs.map(type), valueInfo: m.graph.valueInfo.map(type) } };
}
