// Normalized Model / Tensor → ONNX protobuf bytes. Numeric data is written as little-endian raw_data.
import { clearField, toBinary, type DescMessage } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  SparseTensorProtoSchema,
  TensorProtoSchema,
} from 'onnx-buf';
import type { Model, Tensor } from './model';
import { modelTo, tensorTo } from './to-proto';

/**
 * Large raw_data is not pushed through the generic protobuf writer (which grows its buffer by
 * doubling and shifts nested payloads): messages that hold at least this many bytes of raw data
 * are written as a list of parts and copied once into an output of the exact size.
 */
const SPLICE_BYTES = 1 << 16;

/** Fields through which raw tensor bytes can be reached: message type → [field number, name, schema]. */
type Route = [number, string, DescMessage | 'bytes'];
const ROUTES: Record<string, Route[]> = {
  'onnx.ModelProto': [[7, 'graph', GraphProtoSchema], [25, 'functions', FunctionProtoSchema]],
  'onnx.GraphProto': [[1, 'node', NodeProtoSchema], [5, 'initializer', TensorProtoSchema], [15, 'sparseInitializer', SparseTensorProtoSchema]],
  'onnx.FunctionProto': [[7, 'node', NodeProtoSchema]],
  'onnx.NodeProto': [[5, 'attribute', AttributeProtoSchema]],
  'onnx.AttributeProto': [
    [5, 't', TensorProtoSchema],
    [6, 'g', GraphProtoSchema],
    [10, 'tensors', TensorProtoSchema],
    [11, 'graphs', GraphProtoSchema],
    [22, 'sparseTensor', SparseTensorProtoSchema],
    [23, 'sparseTensors', SparseTensorProtoSchema],
  ],
  'onnx.SparseTensorProto': [[1, 'values', TensorProtoSchema], [2, 'indices', TensorProtoSchema]],
  'onnx.TensorProto': [[9, 'rawData', 'bytes']],
};

type Msg = { $typeName: string } & Record<string, unknown>;

class Parts {
  list: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.list.push(b);
    this.size += b.byteLength;
  }
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Length-delimited field header: tag (wire type 2) and length. */
function header(no: number, length: number): Uint8Array {
  return Uint8Array.from([...varint(no * 8 + 2), ...varint(length)]);
}

/** Bytes of raw data reachable from a message (memoized per message). */
function rawBytes(m: Msg, memo: Map<Msg, number>): number {
  const hit = memo.get(m);
  if (hit !== undefined) return hit;
  let n = 0;
  for (const [, name, schema] of ROUTES[m.$typeName] ?? []) {
    const v = m[name];
    if (schema === 'bytes') n += (v as Uint8Array).byteLength;
    else if (Array.isArray(v)) for (const e of v as Msg[]) n += rawBytes(e, memo);
    else if (v) n += rawBytes(v as Msg, memo);
  }
  memo.set(m, n);
  return n;
}

/**
 * Writes `m` into `out`: light messages through toBinary; a heavy one as toBinary of the message
 * without its heavy fields, followed by those fields (whole repeated fields, in order) as parts.
 * Protobuf readers accept fields in any order, so the result parses to the same message.
 */
function writeParts(schema: DescMessage, m: Msg, out: Parts, memo: Map<Msg, number>): void {
  if (rawBytes(m, memo) < SPLICE_BYTES) {
    out.push(toBinary(schema, m as never));
    return;
  }
  const deferred: [Route, unknown][] = [];
  for (const route of ROUTES[m.$typeName] ?? []) {
    const [, name, child] = route;
    const v = m[name];
    const heavy = child === 'bytes' ? (v as Uint8Array).byteLength > 0 : Array.isArray(v) ? v.length > 0 : v !== undefined;
    if (!heavy) continue;
    deferred.push([route, v]);
    if (child === 'bytes' || !Array.isArray(v)) clearField(m as never, schema.fields.find((f) => f.number === route[0])!);
    else m[name] = [];
  }
  out.push(toBinary(schema, m as never));
  for (const [[no, , child], v] of deferred) {
    if (child === 'bytes') {
      const bytes = v as Uint8Array;
      out.push(header(no, bytes.byteLength));
      out.push(bytes);
      continue;
    }
    for (const e of Array.isArray(v) ? (v as Msg[]) : [v as Msg]) {
      const sub = new Parts();
      writeParts(child, e, sub, memo);
      out.push(header(no, sub.size));
      for (const p of sub.list) out.push(p);
    }
  }
}

function join(parts: Parts): Uint8Array {
  if (parts.list.length === 1) return parts.list[0];
  const out = new Uint8Array(parts.size);
  let at = 0;
  for (const p of parts.list) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The model as ONNX bytes. Tensors with data are written inline (raw_data; strings as
 * string_data); tensors whose external data was never resolved are written back as the same
 * external references. Fields kept in `preserved` are written back unchanged.
 */
export function encodeModel(model: Model): Uint8Array {
  const parts = new Parts();
  writeParts(ModelProtoSchema, modelTo(model) as unknown as Msg, parts, new Map());
  return join(parts);
}

/** A standalone TensorProto (the format of test_data_set *.pb files). */
export function encodeTensor(t: Tensor): Uint8Array {
  const parts = new Parts();
  writeParts(TensorProtoSchema, tensorTo(t) as unknown as Msg, parts, new Map());
  return join(parts);
}
