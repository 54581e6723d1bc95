// A float16 model computed in float32: every float16 initializer, Constant value and
// ConstantOfShape value widened to float32, Cast to float16 made a Cast to float32, and the value
// types said so. The kernels of the plan (WebAssembly Conv, Gemm, sparse) are float32: a float16
// model run as it is goes op by op through half-to-float conversions in JS (LeNet: ~60× slower).
// onnxruntime on x86 does much the same (it runs float16 nodes it has no kernel for between
// inserted Casts). The Session keeps the model's own input and output types at its surface.
import { DataType, type Attribute, type Model, type Node, type Tensor, type ValueInfo } from '../onnx/model';
import { float16Table } from '../onnx/float-bits';
import { toHalfBits } from './tensor';

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

function narrow(t: Tensor): Tensor {
  if (t.dataType !== DataType.FLOAT || t.data === undefined) return t;
  const src = t.data as Float32Array;
  const data = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = toHalfBits(src[i]);
  return { ...t, dataType: DataType.FLOAT16, data };
}

/**
 * `result` (computed from promoteHalf(original): pruned, refitted or trained in float32) stored in
 * float16 as `original` was: the weights that were float16 (and new ones, copies of shared
 * constants, when the original had no float32 weight), the Constant / Cast nodes and the value
 * types that promoteHalf widened. Zeros stay exactly zero.
 */
export function narrowHalf(result: Model, original: Model): Model {
  const og = original.graph;
  const half = new Set(og.initializers.filter((t) => t.dataType === DataType.FLOAT16).map((t) => t.name));
  const known = new Set(og.initializers.map((t) => t.name));
  const allHalf = !og.initializers.some((t) => t.dataType === DataType.FLOAT);
  const halfValues = new Set([...og.inputs, ...og.outputs, ...og.valueInfo].filter((v) => v.type?.kind === 'tensor' && v.type.elemType === DataType.FLOAT16).map((v) => v.name));
  const narrowType = (v: ValueInfo): ValueInfo => (halfValues.has(v.name) && v.type?.kind === 'tensor' && v.type.elemType === DataType.FLOAT ? { ...v, type: { ...v.type, elemType: DataType.FLOAT16 } } : v);
  const g = result.graph;
  const sameNodes = g.nodes.length === og.nodes.length && g.nodes.every((n, i) => n.opType === og.nodes[i].opType);
  const nodes = !sameNodes
    ? g.nodes
    : g.nodes.map((n, i) => {
        const was = og.nodes[i];
        const attributes = n.attributes.map((a): Attribute => {
          const before = was.attributes.find((b) => b.name === a.name);
          if (a.type === 'tensor' && before?.type === 'tensor' && before.value.dataType === DataType.FLOAT16) return { ...a, value: narrow(a.value) };
          if (n.opType === 'Cast' && a.name === 'to' && before?.type === 'int' && Number(before.value) === DataType.FLOAT16) return before;
          return a;
        });
        return { ...n, attributes };
      });
  return {
    ...result,
    graph: {
      ...g,
      initializers: g.initializers.map((t) => (half.has(t.name) || (allHalf && !known.has(t.name)) ? narrow(t) : t)),
      nodes,
      inputs: g.inputs.map(narrowType),
      outputs: g.outputs.map(narrowType),
      valueInfo: g.valueInfo.map(narrowType),
    },
  };
}
