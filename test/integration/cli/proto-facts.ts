// Facts about a model computed straight from the protobuf (onnx-buf), independently of
// Prunescope's decoder and summary: op counts over all subgraphs, parameters, weight values.
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type GraphProto, type NodeProto, type TensorProto } from 'onnx-buf';

export interface ProtoFacts {
  opCounts: Record<string, number>;
  nodeCount: number;
  mainNodes: number;
  subgraphs: number;
  params: number;
  inputs: { name: string; dims: (number | string | null)[] }[];
  /** Main-graph initializers and Constant `value` tensors holding float32 data, by name. */
  floatWeights: Map<string, { dims: number[]; values: Float32Array }>;
}

function elements(dims: bigint[]): number {
  return dims.reduce((a, d) => a * Number(d), 1);
}

function floatValues(t: TensorProto): Float32Array | undefined {
  if (t.dataType !== 1) return undefined;
  if (t.rawData.length > 0) {
    const copy = t.rawData.slice();
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData);
}

function subgraphsOf(n: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of n.attribute) {
    if (a.g) out.push(a.g);
    out.push(...a.graphs);
  }
  return out;
}

export function protoFacts(file: string): ProtoFacts {
  const m = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(file)));
  const g = m.graph;
  if (!g) throw new Error(`${file}: no graph`);
  const opCounts: Record<string, number> = {};
  let nodeCount = 0;
  let graphs = 0;
  let params = 0;
  const walk = (graph: GraphProto): void => {
    graphs++;
    for (const t of graph.initializer) params += elements(t.dims);
    for (const s of graph.sparseInitializer) params += s.values ? elements(s.values.dims) : 0;
    for (const n of graph.node) {
      const key = n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}:${n.opType}`;
      opCounts[key] = (opCounts[key] ?? 0) + 1;
      nodeCount++;
      if (n.opType === 'Constant') {
        for (const a of n.attribute) {
          if (a.name === 'value' && a.t) params += elements(a.t.dims);
          else if (a.name === 'value_float' || a.name === 'value_int') params += 1;
          else if (a.name === 'value_floats') params += a.floats.length;
          else if (a.name === 'value_ints') params += a.ints.length;
          else if (a.name === 'sparse_value' && a.sparseTensor?.values) params += elements(a.sparseTensor.values.dims);
        }
      }
      for (const s of subgraphsOf(n)) walk(s);
    }
  };
  walk(g);
  const floatWeights = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of g.initializer) {
    const v = floatValues(t);
    if (v) floatWeights.set(t.name, { dims: t.dims.map(Number), values: v });
  }
  for (const n of g.node) {
    if (n.opType !== 'Constant') continue;
    const a = n.attribute.find((x) => x.name === 'value');
    const v = a?.t ? floatValues(a.t) : undefined;
    if (a?.t && v && !floatWeights.has(n.output[0])) floatWeights.set(n.output[0], { dims: a.t.dims.map(Number), values: v });
  }
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input
    .filter((i) => !inits.has(i.name))
    .map((i) => {
      const tt = i.type?.value.case === 'tensorType' ? i.type.value.value : undefined;
      const dims = (tt?.shape?.dim ?? []).map((d) =>
        d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null,
      );
      return { name: i.name, dims };
    });
  return { opCounts, nodeCount, mainNodes: g.node.length, subgraphs: graphs - 1, params, inputs, floatWeights };
}
