// AttributeProto → Attribute. Graph-valued attributes are read by the caller's graph reader.
import { isFieldSet } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType as AT, type AttributeProto, type GraphProto } from 'onnx-buf';
import type { Attribute, Graph } from './model';
import { Ctx, toInt } from './proto-read';
import { sparseFrom } from './sparse-from-proto';
import { tensorFrom } from './tensor-from-proto';
import { typeFrom } from './type-from-proto';

/** Reads a subgraph (from-proto.ts's graphFrom). */
export type GraphReader = (g: GraphProto, ctx: Ctx) => Graph;

const utf8 = new TextDecoder('utf-8');

/** The attribute's type, inferred from the field that is set when the type was left undefined (old IR). */
function attrType(a: AttributeProto): AT {
  if (a.type !== AT.UNDEFINED) return a.type;
  const f = AttributeProtoSchema.field;
  if (a.floats.length) return AT.FLOATS;
  if (a.ints.length) return AT.INTS;
  if (a.strings.length) return AT.STRINGS;
  if (a.tensors.length) return AT.TENSORS;
  if (a.graphs.length) return AT.GRAPHS;
  if (a.sparseTensors.length) return AT.SPARSE_TENSORS;
  if (a.typeProtos.length) return AT.TYPE_PROTOS;
  if (a.t) return AT.TENSOR;
  if (a.g) return AT.GRAPH;
  if (a.sparseTensor) return AT.SPARSE_TENSOR;
  if (a.tp) return AT.TYPE_PROTO;
  if (isFieldSet(a, f.s)) return AT.STRING;
  if (isFieldSet(a, f.i)) return AT.INT;
  if (isFieldSet(a, f.f)) return AT.FLOAT;
  return AT.UNDEFINED;
}

export function attributeFrom(a: AttributeProto, ctx: Ctx, graphFrom: GraphReader): Attribute {
  const head: { name: string; refAttrName?: string; docString?: string } = { name: a.name };
  if (a.refAttrName) head.refAttrName = a.refAttrName;
  if (a.docString) head.docString = a.docString;
  const what = `attribute ${JSON.stringify(a.name)}`;
  switch (attrType(a)) {
    case AT.FLOAT:
      return { ...head, type: 'float', value: a.f };
    case AT.INT:
      return { ...head, type: 'int', value: toInt(a.i) };
    case AT.STRING:
      return { ...head, type: 'string', value: utf8.decode(a.s) };
    case AT.TENSOR:
      if (!a.t) return refOnly(head, 'tensor', ctx, what);
      return { ...head, type: 'tensor', value: tensorFrom(a.t, ctx) };
    case AT.GRAPH:
      if (!a.g) return refOnly(head, 'graph', ctx, what);
      return { ...head, type: 'graph', value: graphFrom(a.g, ctx) };
    case AT.SPARSE_TENSOR:
      if (!a.sparseTensor) return refOnly(head, 'sparse_tensor', ctx, what);
      return { ...head, type: 'sparse_tensor', value: sparseFrom(a.sparseTensor, ctx) };
    case AT.TYPE_PROTO:
      if (!a.tp) return refOnly(head, 'type_proto', ctx, what);
      return { ...head, type: 'type_proto', value: typeFrom(a.tp) };
    case AT.FLOATS:
      return { ...head, type: 'floats', value: [...a.floats] };
    case AT.INTS:
      return { ...head, type: 'ints', value: a.ints.map(toInt) };
    case AT.STRINGS:
      return { ...head, type: 'strings', value: a.strings.map((s) => utf8.decode(s)) };
    case AT.TENSORS:
      return { ...head, type: 'tensors', value: a.tensors.map((t) => tensorFrom(t, ctx)) };
    case AT.GRAPHS:
      return { ...head, type: 'graphs', value: a.graphs.map((g) => graphFrom(g, ctx)) };
    case AT.SPARSE_TENSORS:
      return { ...head, type: 'sparse_tensors', value: a.sparseTensors.map((s) => sparseFrom(s, ctx)) };
    case AT.TYPE_PROTOS:
      return { ...head, type: 'type_protos', value: a.typeProtos.map(typeFrom) };
    default:
      return { ...head, type: 'undefined' };
  }
}

/** A function-body attribute that only refers to the caller's attribute: its type, no value. */
function refOnly(head: { name: string; refAttrName?: string }, type: Attribute['type'], ctx: Ctx, what: string): Attribute {
  if (!head.refAttrName) ctx.fail(`${what}: type ${type} but no value`);
  return { ...head, type: 'undefined', refType: type };
}
