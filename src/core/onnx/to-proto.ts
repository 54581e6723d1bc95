// The normalized model of model.ts → ONNX protobuf messages (onnx-buf). Shared by encode and JSON.
import { clone, create, mergeFromBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  SparseTensorProtoSchema,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorProto_SegmentSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_MapSchema,
  TypeProto_OptionalSchema,
  TypeProto_SequenceSchema,
  TypeProto_SparseTensorSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OperatorSetIdProto,
  type SparseTensorProto,
  type StringStringEntryProto,
  type TensorProto,
  type TensorShapeProto,
  type TypeProto,
  type ValueInfoProto,
} from 'onnx-buf';
import type {
  Attribute,
  AttributeValue,
  Dim,
  ExternalData,
  FunctionDef,
  Graph,
  Int,
  Model,
  Node,
  OperatorSet,
  SparseTensor,
  StringEntry,
  Tensor,
  TypeInfo,
  ValueInfo,
} from './model';
import { unchangedTypeSource } from './type-source';

const utf8 = new TextEncoder();

function entriesTo(list: readonly StringEntry[] | undefined): StringStringEntryProto[] {
  if (!list) return [];
  return list.map((e) => {
    const m = create(StringStringEntryProtoSchema);
    m.key = e.key;
    m.value = e.value;
    return m;
  });
}

function big(v: Int): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** external_data entries: the stored ones in order, with the structured fields' current values. */
function externalEntries(x: ExternalData): StringEntry[] {
  const current: Record<string, string | undefined> = {
    location: x.location,
    offset: x.offset ? String(x.offset) : undefined,
    length: x.length !== undefined ? String(x.length) : undefined,
    checksum: x.checksum,
  };
  const out: StringEntry[] = [];
  const seen = new Set<string>();
  for (const e of x.entries) {
    if (e.key in current) {
      seen.add(e.key);
      const v = current[e.key];
      // An offset written as "0" stays as it was stored.
      if (v !== undefined) out.push({ key: e.key, value: v });
      else if (e.key === 'offset' && x.offset === 0) out.push(e);
    } else {
      out.push(e);
    }
  }
  for (const [k, v] of Object.entries(current)) if (!seen.has(k) && v !== undefined) out.push({ key: k, value: v });
  return out;
}

export function tensorTo(t: Tensor): TensorProto {
  const m = create(TensorProtoSchema);
  if (t.dims.length) m.dims = t.dims.map((d) => BigInt(d));
  if (t.dataType) m.dataType = t.dataType;
  if (t.segment) {
    const s = create(TensorProto_SegmentSchema);
    s.begin = BigInt(t.segment.begin);
    s.end = BigInt(t.segment.end);
    m.segment = s;
  }
  if (t.name) m.name = t.name;
  if (t.docString) m.docString = t.docString;
  const data = t.data;
  if (data === undefined) {
    if (t.external) {
      m.dataLocation = TensorProto_DataLocation.EXTERNAL;
      m.externalData = entriesTo(externalEntries(t.external));
    }
  } else if (Array.isArray(data)) {
    m.stringData = data as Uint8Array<ArrayBuffer>[];
  } else if (data.byteLength > 0) {
    // Little-endian element bytes, written straight from the array's memory (no per-element work).
    m.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>;
  }
  if (t.metadataProps?.length) m.metadataProps = entriesTo(t.metadataProps);
  if (t.preserved) mergeFromBinary(TensorProtoSchema, m, t.preserved);
  return m;
}

function sparseTo(s: SparseTensor): SparseTensorProto {
  const m = create(SparseTensorProtoSchema);
  m.values = tensorTo(s.values);
  m.indices = tensorTo(s.indices);
  if (s.dims.length) m.dims = s.dims.map((d) => BigInt(d));
  return m;
}

function shapeTo(shape: Dim[]): TensorShapeProto {
  const m = create(TensorShapeProtoSchema);
  m.dim = shape.map((d) => {
    const dm = create(TensorShapeProto_DimensionSchema);
    if (typeof d === 'number') dm.value = { case: 'dimValue', value: BigInt(d) };
    else if (typeof d === 'string') dm.value = { case: 'dimParam', value: d };
    return dm;
  });
  return m;
}

/** A (sparse) tensor type's elem_type (an explicit 0 stays written) and shape, set on `inner`. */
function tensorTypeFields<T extends { elemType: number; shape?: TensorShapeProto }>(inner: T, t: Extract<TypeInfo, { kind: 'tensor' | 'sparse_tensor' }>): T {
  if (t.elemType || !t.elemTypeAbsent) inner.elemType = t.elemType;
  if (t.shape) inner.shape = shapeTo(t.shape);
  return inner;
}

export function typeTo(t: TypeInfo): TypeProto {
  // Unchanged since it was read: the original message, with whatever TypeInfo does not model.
  const source = unchangedTypeSource(t);
  if (source !== undefined) return clone(TypeProtoSchema, source);
  const m = create(TypeProtoSchema);
  switch (t.kind) {
    case 'tensor':
      m.value = { case: 'tensorType', value: tensorTypeFields(create(TypeProto_TensorSchema), t) };
      break;
    case 'sparse_tensor':
      m.value = { case: 'sparseTensorType', value: tensorTypeFields(create(TypeProto_SparseTensorSchema), t) };
      break;
    case 'sequence': {
      const inner = create(TypeProto_SequenceSchema);
      if (t.elem) inner.elemType = typeTo(t.elem);
      m.value = { case: 'sequenceType', value: inner };
      break;
    }
    case 'optional': {
      const inner = create(TypeProto_OptionalSchema);
      if (t.elem) inner.elemType = typeTo(t.elem);
      m.value = { case: 'optionalType', value: inner };
      break;
    }
    case 'map': {
      const inner = create(TypeProto_MapSchema);
      if (t.keyType) inner.keyType = t.keyType;
      if (t.value) inner.valueType = typeTo(t.value);
      m.value = { case: 'mapType', value: inner };
      break;
    }
    default:
      break;
  }
  if (t.denotation) m.denotation = t.denotation;
  return m;
}

function valueInfoTo(v: ValueInfo): ValueInfoProto {
  const m = create(ValueInfoProtoSchema);
  if (v.name) m.name = v.name;
  if (v.type) m.type = typeTo(v.type);
  if (v.docString) m.docString = v.docString;
  if (v.metadataProps?.length) m.metadataProps = entriesTo(v.metadataProps);
  return m;
}

const TYPE_CODE: Record<AttributeValue['type'], AT> = {
  float: AT.FLOAT,
  int: AT.INT,
  string: AT.STRING,
  tensor: AT.TENSOR,
  graph: AT.GRAPH,
  sparse_tensor: AT.SPARSE_TENSOR,
  type_proto: AT.TYPE_PROTO,
  floats: AT.FLOATS,
  ints: AT.INTS,
  strings: AT.STRINGS,
  tensors: AT.TENSORS,
  graphs: AT.GRAPHS,
  sparse_tensors: AT.SPARSE_TENSORS,
  type_protos: AT.TYPE_PROTOS,
  undefined: AT.UNDEFINED,
};

function attributeTo(a: Attribute): AttributeProto {
  const m = create(AttributeProtoSchema);
  m.name = a.name;
  if (a.refAttrName) m.refAttrName = a.refAttrName;
  if (a.docString) m.docString = a.docString;
  const type = a.type === 'undefined' && a.refType ? a.refType : a.type;
  if (type !== 'undefined') m.type = TYPE_CODE[type];
  // A reference attribute writes its value only when it has a non-default one.
  const ref = !!a.refAttrName;
  switch (a.type) {
    case 'float':
      if (!ref || a.value !== 0 || Object.is(a.value, -0)) m.f = a.value;
      break;
    case 'int':
      if (!ref || big(a.value) !== 0n) m.i = big(a.value);
      break;
    case 'string':
      if (!ref || a.value !== '') m.s = utf8.encode(a.value);
      break;
    case 'tensor':
      m.t = tensorTo(a.value);
      break;
    case 'graph':
      m.g = graphTo(a.value);
      break;
    case 'sparse_tensor':
      m.sparseTensor = sparseTo(a.value);
      break;
    case 'type_proto':
      m.tp = typeTo(a.value);
      break;
    case 'floats':
      m.floats = [...a.value];
      break;
    case 'ints':
      m.ints = a.value.map(big);
      break;
    case 'strings':
      m.strings = a.value.map((s) => utf8.encode(s));
      break;
    case 'tensors':
      m.tensors = a.value.map(tensorTo);
      break;
    case 'graphs':
      m.graphs = a.value.map(graphTo);
      break;
    case 'sparse_tensors':
      m.sparseTensors = a.value.map(sparseTo);
      break;
    case 'type_protos':
      m.typeProtos = a.value.map(typeTo);
      break;
    default:
      break;
  }
  return m;
}

function nodeTo(n: Node): NodeProto {
  const m = create(NodeProtoSchema);
  m.input = [...n.inputs];
  m.output = [...n.outputs];
  if (n.name) m.name = n.name;
  m.opType = n.opType;
  if (n.domain) m.domain = n.domain;
  if (n.overload) m.overload = n.overload;
  m.attribute = n.attributes.map(attributeTo);
  if (n.docString) m.docString = n.docString;
  if (n.metadataProps?.length) m.metadataProps = entriesTo(n.metadataProps);
  if (n.preserved) mergeFromBinary(NodeProtoSchema, m, n.preserved);
  return m;
}

export function graphTo(g: Graph): GraphProto {
  const m = create(GraphProtoSchema);
  m.node = g.nodes.map(nodeTo);
  if (g.name) m.name = g.name;
  m.initializer = g.initializers.map(tensorTo);
  m.sparseInitializer = g.sparseInitializers.map(sparseTo);
  if (g.docString) m.docString = g.docString;
  m.input = g.inputs.map(valueInfoTo);
  m.output = g.outputs.map(valueInfoTo);
  m.valueInfo = g.valueInfo.map(valueInfoTo);
  if (g.metadataProps?.length) m.metadataProps = entriesTo(g.metadataProps);
  if (g.preserved) mergeFromBinary(GraphProtoSchema, m, g.preserved);
  return m;
}

function opsetsTo(list: OperatorSet[]): OperatorSetIdProto[] {
  return list.map((o) => {
    const m = create(OperatorSetIdProtoSchema);
    if (o.domain) m.domain = o.domain;
    m.version = BigInt(o.version);
    return m;
  });
}

function functionTo(f: FunctionDef): FunctionProto {
  const m = create(FunctionProtoSchema);
  if (f.name) m.name = f.name;
  m.input = [...f.inputs];
  m.output = [...f.outputs];
  m.attribute = [...f.attributes];
  m.attributeProto = f.attributeDefaults.map(attributeTo);
  m.node = f.nodes.map(nodeTo);
  if (f.docString) m.docString = f.docString;
  m.opsetImport = opsetsTo(f.opsetImports);
  if (f.domain) m.domain = f.domain;
  if (f.overload) m.overload = f.overload;
  m.valueInfo = f.valueInfo.map(valueInfoTo);
  if (f.metadataProps?.length) m.metadataProps = entriesTo(f.metadataProps);
  if (f.preserved) mergeFromBinary(FunctionProtoSchema, m, f.preserved);
  return m;
}

/** The ModelProto message for a normalized model (the same message encode writes and JSON renders). */
export function modelTo(model: Model): ModelProto {
  const m = create(ModelProtoSchema);
  if (model.irVersion) m.irVersion = BigInt(model.irVersion);
  if (model.producerName) m.producerName = model.producerName;
  if (model.producerVersion) m.producerVersion = model.producerVersion;
  if (model.domain) m.domain = model.domain;
  if (model.modelVersion) m.modelVersion = BigInt(model.modelVersion);
  if (model.docString) m.docString = model.docString;
  m.graph = graphTo(model.graph);
  m.opsetImport = opsetsTo(model.opsetImports);
  m.metadataProps = entriesTo(model.metadataProps);
  m.functions = model.functions.map(functionTo);
  if (model.preserved) mergeFromBinary(ModelProtoSchema, m, model.preserved);
  return m;
}
