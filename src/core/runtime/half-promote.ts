// A float16 model computed in float32: every float16 initializer, Constant value and
// ConstantOfShape value widened to float32, Cast to float16 made a Cast to float32, and the value
// types said so. The kernels of the plan (WebAssembly Conv, Gemm, sparse) are float32: a float16
// model run as it is goes op by op through half-to-float conversions in JS (LeNet: ~60× slower).
// onnxruntime on x86 does much the same (it runs float16 nodes it has no kernel for between
// inserted Casts). The Session keeps the model's own input and output types at its surface.
import { DataType, type Attribute, type Model, type Node, type Tensor, type ValueInfo } from '../onnx/model';
import { float16Table } from '../onnx/float-bits';

function widen(t: Tensor): Tensor {
  if (t.dataType !== DataType.FLOAT16 || t.data === undefined) return t;
  const table = float16Table();
  const src = t.data as Uint16Array;
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = table[src[i]];
  return { ...t, dataType: DataType.FLOAT, data };
}

function widenType(v: ValueInfo): ValueInfo {
  const t = v.type;
  return t !== undefined && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.elemType === DataType.FLOAT16 ? { ...v, type: { ...t, elemType: DataType.FLOAT } } : v;
}

function widenNode(n: Node): Node {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return n;
  const attributes = n.attributes.map((a): Attribute => {
    if (a.type === 'tensor' && (a.name === 'value' || n.opType === 'ConstantOfShape')) return { ...a, value: widen(a.value) };
    if (n.opType === 'Cast' && a.name === 'to' && a.type === 'int' && Number(a.value) === DataType.FLOAT16) return { ...a, value: DataType.FLOAT };
    return a;
  });
  return attributes.some((a, i) => a !== n.attributes[i]) ? { ...n, attributes } : n;
}

/**
 * The model with its float16 computed in float32, or undefined when it holds no float16 weight
 * (nothing to gain) or has external data not yet read.
 */
export function promoteHalf(model: Model): Model | undefined {
  const g = model.graph;
  const halfConstant = (n: Node): boolean => n.attributes.some((a) => a.type === 'tensor' && a.value.dataType === DataType.FLOAT16);
  if (!g.initializers.some((t) => t.dataType === DataType.FLOAT16) && !g.nodes.some(halfConstant)) return undefined;
  if (g.initializers.some((t) => t.dataType === DataType.FLOAT16 && t.data === undefined)) return undefined;
  // Subgraphs (If / Loop bodies) would need the same: such models keep their float16.
  if (g.nodes.some((n) => n.attributes.some((a) => a.type === 'graph' || a.type === 'graphs'))) return undefined;
  return {
    ...model,
    graph: {
      ...g,
      initializers: g.initializers.map(widen),
      nodes: g.nodes.map(widenNode),
      inputs: g.inputs.map(widenType),
      outputs: g.outputs.map(widenType),
      valueInfo: g.valueInfo.map(widenType),
    },
  };
}
