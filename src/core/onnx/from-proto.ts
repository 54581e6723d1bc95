// ONNX protobuf messages (onnx-buf) → the normalized model of model.ts: models, graphs, nodes and
// functions here; tensors, sparse tensors, types and attributes in the *-from-proto.ts files.
import {
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OperatorSetIdProto,
} from 'onnx-buf';
import type { FunctionDef, Graph, Model, Node, OperatorSet } from './model';
import { Ctx, entries, keepUnmodelled, readDocAndMetadata, toSize } from './proto-read';
import { attributeFrom } from './attribute-from-proto';
import { sparseFrom } from './sparse-from-proto';
import { tensorFrom } from './tensor-from-proto';
import { valueInfoFrom } from './type-from-proto';

export { Ctx, toInt } from './proto-read';
export { checkLength, tensorFrom, viewRaw } from './tensor-from-proto';
export { checkSparse, MAX_DENSE_BYTES } from './sparse-from-proto';
export { typeFrom } from './type-from-proto';

function nodeFrom(n: NodeProto, ctx: Ctx): Node {
  const out: Node = {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: n.attribute.map((a) => attributeFrom(a, ctx, graphFrom)),
  };
  if (n.overload) out.overload = n.overload;
  readDocAndMetadata(out, n);
  keepUnmodelled(out, NodeProtoSchema, n, { deviceConfigurations: n.deviceConfigurations });
  return out;
}

export function graphFrom(g: GraphProto, ctx: Ctx): Graph {
  const out: Graph = {
    name: g.name,
    inputs: g.input.map(valueInfoFrom),
    outputs: g.output.map(valueInfoFrom),
    valueInfo: g.valueInfo.map(valueInfoFrom),
    nodes: g.node.map((n) => nodeFrom(n, ctx)),
    initializers: g.initializer.map((t) => tensorFrom(t, ctx)),
    sparseInitializers: g.sparseInitializer.map((s) => sparseFrom(s, ctx)),
  };
  readDocAndMetadata(out, g);
  keepUnmodelled(out, GraphProtoSchema, g, { quantizationAnnotation: g.quantizationAnnotation });
  return out;
}

function opsets(list: OperatorSetIdProto[], ctx: Ctx): OperatorSet[] {
  return list.map((o) => ({ domain: o.domain, version: toSize(o.version, 'opset version', ctx) }));
}

function functionFrom(f: FunctionProto, ctx: Ctx): FunctionDef {
  const out: FunctionDef = {
    name: f.name,
    domain: f.domain,
    inputs: [...f.input],
    outputs: [...f.output],
    attributes: [...f.attribute],
    attributeDefaults: f.attributeProto.map((a) => attributeFrom(a, ctx, graphFrom)),
    nodes: f.node.map((n) => nodeFrom(n, ctx)),
    opsetImports: opsets(f.opsetImport, ctx),
    valueInfo: f.valueInfo.map(valueInfoFrom),
  };
  if (f.overload) out.overload = f.overload;
  readDocAndMetadata(out, f);
  keepUnmodelled(out, FunctionProtoSchema, f, {});
  return out;
}

export function modelFrom(m: ModelProto, ctx: Ctx): Model {
  if (!m.graph) ctx.fail('the model has no graph');
  const out: Model = {
    irVersion: toSize(m.irVersion, 'ir_version', ctx),
    opsetImports: opsets(m.opsetImport, ctx),
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    domain: m.domain,
    modelVersion: toSize(m.modelVersion, 'model_version', ctx),
    docString: m.docString,
    metadataProps: entries(m.metadataProps),
    graph: graphFrom(m.graph, ctx),
    functions: m.functions.map((f) => functionFrom(f, ctx)),
  };
  keepUnmodelled(out, ModelProtoSchema, m, { trainingInfo: m.trainingInfo, configuration: m.configuration });
  return out;
}
