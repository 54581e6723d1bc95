// ONNX protobuf messages (onnx-buf) → the normalized model of model.ts.
import { create, isFieldSet, toBinary, type DescMessage } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  TypeProto_SparseTensorSchema,
  TypeProto_TensorSchema,
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
import {
  DataType,
  elementCount,
  type Attribute,
  type Dim,
  type ExternalData,
  type FunctionDef,
  type Graph,
  type Int,
  type Model,
  type Node,
  type OperatorSet,
  type SparseTensor,
  type StringEntry,
  type Tensor,
  type TensorData,
  type TypeInfo,
  type ValueInfo,
} from './model';
import { OnnxError } from './errors';
import { rememberTypeSource } from './type-source';
import { arrayTypeOf, bytesPerElement as bytesOf, dtypeName, emptyData, storageLength } from './dtype';

const utf8 = new TextDecoder('utf-8');

/** Carries the file name for error messages through the conversion. */
export class Ctx {
  constructor(readonly file?: string) {}
  fail(detail: string): never {
    throw new OnnxError('bad-model', detail, this.file);
  }
}

export function toInt(v: bigint): Int {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function toSize(v: bigint, what: string, ctx: Ctx): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    ctx.fail(`${what}: value ${v} is out of range`);
  }
  return Number(v);
}

function entries(list: StringStringEntryProto[]): StringEntry[] {
  return list.map((e) => ({ key: e.key, value: e.value }));
}

/** Sets `target[key]` only when the list is non-empty / the string non-empty. */
function optEntries(list: StringStringEntryProto[]): StringEntry[] | undefined {
  return list.length ? entries(list) : undefined;
}

/**
 * The bytes of raw_data as the tensor's typed array: a view on the same buffer when the offset is
 * aligned for the element size, else a copy of just this tensor. Little-endian hosts only.
 */
export function viewRaw(dataType: number, raw: Uint8Array, name: string, ctx: Ctx): TensorData {
  const ctor = arrayTypeOf(dataType);
  if (!ctor || ctor === Uint8Array) return raw;
  const size = ctor.BYTES_PER_ELEMENT;
  if (raw.byteLength % size !== 0) {
    ctx.fail(`tensor ${JSON.stringify(name)}: raw data of ${raw.byteLength} bytes is not a whole number of ${size}-byte elements`);
  }
  const n = raw.byteLength / size;
  if (raw.byteOffset % size === 0) return new ctor(raw.buffer as ArrayBuffer, raw.byteOffset, n);
  // A fresh copy: `raw` may be a Node Buffer, whose slice() is a view on a shared pool.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new ctor(copy.buffer, 0, n);
}

function typedFieldData(t: TensorProto, ctx: Ctx): TensorData {
  const dt = t.dataType;
  switch (dt) {
    case DataType.FLOAT:
    case DataType.COMPLEX64:
      return Float32Array.from(t.floatData);
    case DataType.DOUBLE:
    case DataType.COMPLEX128:
      return Float64Array.from(t.doubleData);
    case DataType.INT64:
      return BigInt64Array.from(t.int64Data);
    case DataType.UINT64:
      return BigUint64Array.from(t.uint64Data);
    case DataType.UINT32:
      return Uint32Array.from(t.uint64Data, Number);
    case DataType.STRING:
      return t.stringData;
    default: {
      const ctor = arrayTypeOf(dt);
      if (ctor && ctor !== BigInt64Array && ctor !== BigUint64Array && ctor !== Float32Array && ctor !== Float64Array) {
        // int32_data carries int8/16, uint8/16, bool, float16/bfloat16 and float8 bits, one per
        // entry, and packed 4-bit / 2-bit types one byte (two or four elements) per entry.
        return (ctor as Int32ArrayConstructor).from(t.int32Data);
      }
      if (t.int32Data.length || t.floatData.length || t.int64Data.length) {
        ctx.fail(`tensor ${JSON.stringify(t.name)}: unsupported element type ${dt}`);
      }
      return emptyData(dt);
    }
  }
}

/** The stored elements must be exactly what the dims ask for (a reader would run off the end otherwise). */
export function checkLength(t: Tensor, ctx: Ctx): void {
  if (t.data === undefined || arrayTypeOf(t.dataType) === undefined && t.dataType !== DataType.STRING) return;
  const count = elementCount(t.dims);
  const want = storageLength(t.dataType, count);
  if (t.data.length !== want) {
    ctx.fail(`tensor ${JSON.stringify(t.name)}: dims [${t.dims.join(', ')}] need ${want} stored elements, the data holds ${t.data.length}`);
  }
}

function externalOf(t: TensorProto, ctx: Ctx): ExternalData {
  const all = entries(t.externalData);
  const get = (k: string) => all.find((e) => e.key === k)?.value;
  const location = get('location');
  if (location === undefined) ctx.fail(`tensor ${JSON.stringify(t.name)}: external data without a location`);
  const num = (k: string): number | undefined => {
    const s = get(k);
    if (s === undefined || s === '') return undefined;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) ctx.fail(`tensor ${JSON.stringify(t.name)}: external data ${k} ${JSON.stringify(s)} is not a byte count`);
    return v;
  };
  const ext: ExternalData = { location, offset: num('offset') ?? 0, entries: all };
  const length = num('length');
  if (length !== undefined) ext.length = length;
  const checksum = get('checksum');
  if (checksum !== undefined) ext.checksum = checksum;
  return ext;
}

/** What is wrong with an element type code, or undefined for one ONNX defines (and we read). */
function badDataType(dt: number): string | undefined {
  if (dt === DataType.STRING || arrayTypeOf(dt) !== undefined) return undefined;
  return dt === DataType.UNDEFINED ? 'data_type 0 (UNDEFINED)' : `data_type ${dt}, which is not an ONNX element type`;
}

/** Dims must be sizes: a negative dim (even in pairs whose product matches the data) is refused. */
function checkDims(dims: number[], what: string, ctx: Ctx): void {
  for (const d of dims) {
    if (d < 0) ctx.fail(`${what}: dims [${dims.join(', ')}] hold a negative dimension`);
  }
}

export function tensorFrom(t: TensorProto, ctx: Ctx): Tensor {
  const what = `tensor ${JSON.stringify(t.name)}`;
  const out: Tensor = {
    name: t.name,
    dataType: t.dataType,
    dims: t.dims.map((d) => toSize(d, `${what} dims`, ctx)),
  };
  const badType = badDataType(t.dataType);
  if (badType) ctx.fail(`${what}: ${badType}`);
  checkDims(out.dims, what, ctx);
  if (t.segment) {
    // One chunk of a tensor split over several TensorProtos: nothing (onnxruntime included) reads
    // these; taking the chunk for the whole tensor would misreport its size.
    ctx.fail(`${what}: stored in segments (TensorProto.segment ${t.segment.begin}..${t.segment.end}), which Prunescope does not read`);
  }
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    out.external = externalOf(t, ctx);
  } else if (t.rawData.byteLength > 0) {
    out.data = viewRaw(t.dataType, t.rawData, t.name, ctx);
  } else {
    out.data = typedFieldData(t, ctx);
  }
  if (out.data !== undefined) checkLength(out, ctx);
  if (t.docString) out.docString = t.docString;
  const meta = optEntries(t.metadataProps);
  if (meta) out.metadataProps = meta;
  const kept = preserve(TensorProtoSchema, t, {});
  if (kept) out.preserved = kept;
  return out;
}

/**
 * The most bytes a tensor may take once dense: the largest typed array JavaScript engines make
 * (2^32 elements; V8 throws "Invalid typed array length" past it) of one byte each.
 */
export const MAX_DENSE_BYTES = 2 ** 32;

function sparseFrom(s: SparseTensorProto, ctx: Ctx): SparseTensor {
  const name = s.values?.name ?? s.indices?.name ?? '';
  if (!s.values || !s.indices) ctx.fail(`sparse tensor ${JSON.stringify(name)}: no ${s.values ? 'indices' : 'values'}`);
  const out = {
    values: tensorFrom(s.values, ctx),
    indices: tensorFrom(s.indices, ctx),
    dims: s.dims.map((d) => toSize(d, `sparse tensor ${JSON.stringify(name)} dims`, ctx)),
  };
  checkSparse(out, ctx);
  return out;
}

/**
 * The rules onnx.checker applies to a SparseTensorProto, before anything densifies it: values 1-D
 * [NNZ]; indices int64, [NNZ] (linear) or [NNZ, rank] (coordinates); every index inside the dense
 * shape, in ascending (lexicographic) order without duplicates; and a dense shape that can be
 * materialised at all. The index checks wait for data still in an external file (call again then).
 */
export function checkSparse(s: SparseTensor, ctx: Ctx): void {
  const what = `sparse tensor ${JSON.stringify(s.values.name)}`;
  checkDims(s.dims, what, ctx);
  const dense = elementCount(s.dims);
  const bytes = dense * Math.max(1, bytesOf(s.values.dataType));
  if (!(bytes <= MAX_DENSE_BYTES)) {
    throw new OnnxError(
      'too-large',
      `${what}: its dense shape [${s.dims.join(', ')}] holds ${dense} elements (${bytes} bytes), more than a tensor can hold in memory (${MAX_DENSE_BYTES} bytes)`,
      ctx.file,
    );
  }
  if (s.values.dims.length !== 1) ctx.fail(`${what}: values have dims [${s.values.dims.join(', ')}]; they must be 1-D [NNZ]`);
  const nnz = s.values.dims[0];
  if (s.indices.dataType !== DataType.INT64) {
    ctx.fail(`${what}: indices are ${dtypeName(s.indices.dataType)}; they must be int64`);
  }
  const rank = s.dims.length;
  const id = s.indices.dims;
  const linear = id.length === 1 && id[0] === nnz;
  const coords = id.length === 2 && id[0] === nnz && id[1] === rank;
  if (!linear && !coords) {
    ctx.fail(`${what}: indices have dims [${id.join(', ')}]; for ${nnz} values of a rank-${rank} tensor they must be [${nnz}] or [${nnz}, ${rank}]`);
  }
  if (nnz > dense) ctx.fail(`${what}: ${nnz} values for a dense shape [${s.dims.join(', ')}] of ${dense} elements`);
  const idx = s.indices.data;
  if (!(idx instanceof BigInt64Array)) return; // still external
  const n = BigInt(dense);
  let prev = -1n;
  for (let k = 0; k < nnz; k++) {
    let lin: bigint;
    if (linear) {
      lin = idx[k];
      if (lin < 0n || lin >= n) ctx.fail(`${what}: index ${lin} (entry ${k}) is outside the dense shape [${s.dims.join(', ')}] of ${dense} elements`);
    } else {
      lin = 0n;
      for (let d = 0; d < rank; d++) {
        const c = idx[k * rank + d];
        if (c < 0n || c >= BigInt(s.dims[d])) {
          ctx.fail(`${what}: index ${c} (entry ${k}, axis ${d}) is outside the dense shape [${s.dims.join(', ')}]`);
        }
        lin = lin * BigInt(s.dims[d]) + c;
      }
    }
    if (lin <= prev) ctx.fail(`${what}: indices are not in ascending order without duplicates (entry ${k} is not after entry ${k - 1})`);
    prev = lin;
  }
}

function shapeFrom(s: TensorShapeProto | undefined): Dim[] | undefined {
  if (!s) return undefined;
  return s.dim.map((d): Dim => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return d.value.value;
    return null;
  });
}

export function typeFrom(tp: TypeProto): TypeInfo {
  const info = typeFields(tp);
  rememberTypeSource(info, tp);
  return info;
}

function typeFields(tp: TypeProto): TypeInfo {
  const den = tp.denotation ? { denotation: tp.denotation } : {};
  const v = tp.value;
  switch (v.case) {
    case 'tensorType':
    case 'sparseTensorType': {
      const shape = shapeFrom(v.value.shape);
      const kind = v.case === 'tensorType' ? 'tensor' : 'sparse_tensor';
      // elem_type 0 set explicitly is kept as written; absent stays absent.
      const set =
        v.case === 'tensorType'
          ? isFieldSet(v.value, TypeProto_TensorSchema.field.elemType)
          : isFieldSet(v.value, TypeProto_SparseTensorSchema.field.elemType);
      const absent = v.value.elemType === 0 && !set ? { elemTypeAbsent: true as const } : {};
      return { kind, elemType: v.value.elemType, ...(shape ? { shape } : {}), ...den, ...absent };
    }
    case 'sequenceType':
      return { kind: 'sequence', ...(v.value.elemType ? { elem: typeFrom(v.value.elemType) } : {}), ...den };
    case 'optionalType':
      return { kind: 'optional', ...(v.value.elemType ? { elem: typeFrom(v.value.elemType) } : {}), ...den };
    case 'mapType':
      return { kind: 'map', keyType: v.value.keyType, ...(v.value.valueType ? { value: typeFrom(v.value.valueType) } : {}), ...den };
    default:
      return { kind: 'unknown', ...den };
  }
}

function valueInfoFrom(v: ValueInfoProto): ValueInfo {
  const out: ValueInfo = { name: v.name };
  if (v.type) out.type = typeFrom(v.type);
  if (v.docString) out.docString = v.docString;
  const meta = optEntries(v.metadataProps);
  if (meta) out.metadataProps = meta;
  return out;
}

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

function attributeFrom(a: AttributeProto, ctx: Ctx): Attribute {
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

function nodeFrom(n: NodeProto, ctx: Ctx): Node {
  const out: Node = {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: n.attribute.map((a) => attributeFrom(a, ctx)),
  };
  if (n.docString) out.docString = n.docString;
  if (n.overload) out.overload = n.overload;
  const meta = optEntries(n.metadataProps);
  if (meta) out.metadataProps = meta;
  const kept = preserve(NodeProtoSchema, n, { deviceConfigurations: n.deviceConfigurations });
  if (kept) out.preserved = kept;
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
  if (g.docString) out.docString = g.docString;
  const meta = optEntries(g.metadataProps);
  if (meta) out.metadataProps = meta;
  const kept = preserve(GraphProtoSchema, g, { quantizationAnnotation: g.quantizationAnnotation });
  if (kept) out.preserved = kept;
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
    attributeDefaults: f.attributeProto.map((a) => attributeFrom(a, ctx)),
    nodes: f.node.map((n) => nodeFrom(n, ctx)),
    opsetImports: opsets(f.opsetImport, ctx),
    valueInfo: f.valueInfo.map(valueInfoFrom),
  };
  if (f.overload) out.overload = f.overload;
  if (f.docString) out.docString = f.docString;
  const meta = optEntries(f.metadataProps);
  if (meta) out.metadataProps = meta;
  const kept = preserve(FunctionProtoSchema, f, {});
  if (kept) out.preserved = kept;
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
  const kept = preserve(ModelProtoSchema, m, { trainingInfo: m.trainingInfo, configuration: m.configuration });
  if (kept) out.preserved = kept;
  return out;
}

/**
 * The encoded bytes of the fields the normalized model does not hold (the listed ones, plus any
 * unknown fields), or undefined when there are none. encode merges them back.
 */
function preserve(schema: DescMessage, msg: { $unknown?: unknown[] }, fields: Record<string, unknown[]>): Uint8Array | undefined {
  const kept = Object.entries(fields).filter(([, v]) => v.length > 0);
  const unknown = msg.$unknown ?? [];
  if (kept.length === 0 && unknown.length === 0) return undefined;
  // A message of the same type holding only those fields.
  const extra = create(schema) as unknown as Record<string, unknown>;
  for (const [k, v] of kept) extra[k] = v;
  if (unknown.length) extra.$unknown = unknown;
  return toBinary(schema, extra as never);
}
