// Normalized Model / Tensor → ONNX protobuf bytes. Numeric data is written as little-endian raw_data.
import { clearField, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';
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
import { arrayTypeOf } from './dtype';
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

/**
 * A TensorProto whose raw_data is placed so that it starts at a multiple of its element size in
 * the output (then a reader can view it in place): its other fields are split between before and
 * after the raw_data field, which protobuf readers accept in any order.
 */
interface AlignedTensor {
  fields: { no: number; bytes: Uint8Array }[];
  rawHeader: Uint8Array;
  raw: Uint8Array;
  align: number;
  size: number;
}

type Part = Uint8Array | AlignedTensor;

class Parts {
  list: Part[] = [];
  size = 0;
  push(b: Part): void {
    this.list.push(b);
    this.size += b instanceof Uint8Array ? b.byteLength : b.size;
  }
}

/** The top-level fields of an encoded message, in order, as views. */
function splitFields(bytes: Uint8Array): { no: number; bytes: Uint8Array }[] {
  const r = new BinaryReader(bytes);
  const out: { no: number; bytes: Uint8Array }[] = [];
  while (r.pos < bytes.byteLength) {
    const start = r.pos;
    const [no, wt] = r.tag();
    r.skip(wt, no);
    out.push({ no, bytes: bytes.subarray(start, r.pos) });
  }
  return out;
}

/**
 * Which fields go before the raw data so that it starts aligned when the tensor starts at `base`:
 * for each field number (kept in order) a prefix of its entries. Empty when no arrangement
 * aligns it; the tensor is then still valid, only a reader has to copy its data.
 */
function fieldsBefore(t: AlignedTensor, base: number): Set<number> {
  const groups = new Map<number, number[]>();
  t.fields.forEach((f, i) => {
    const g = groups.get(f.no);
    if (g) g.push(i);
    else groups.set(f.no, [i]);
  });
  const A = t.align;
  // reach[r] = prefix lengths per group whose byte sum is r modulo A.
  let reach = new Map<number, number[]>([[0, []]]);
  for (const idx of groups.values()) {
    const next = new Map<number, number[]>();
    for (const [r, picks] of reach) {
      let sum = 0;
      for (let k = 0; k <= idx.length; k++) {
        if (k > 0) sum += t.fields[idx[k - 1]].bytes.byteLength;
        const nr = (r + sum) % A;
        if (!next.has(nr)) next.set(nr, [...picks, k]);
      }
    }
    reach = next;
  }
  const want = (A - ((base + t.rawHeader.byteLength) % A)) % A;
  const picks = reach.get(want);
  const first = new Set<number>();
  if (picks) [...groups.values()].forEach((idx, g) => idx.slice(0, picks[g]).forEach((i) => first.add(i)));
  return first;
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
  if (m.$typeName === 'onnx.TensorProto') {
    const raw = m.rawData as Uint8Array;
    clearField(m as never, TensorProtoSchema.field.rawData);
    const fields = splitFields(toBinary(schema, m as never));
    const rawHeader = header(9, raw.byteLength);
    const align = arrayTypeOf(m.dataType as number)?.BYTES_PER_ELEMENT ?? 1;
    const size = fields.reduce((n, f) => n + f.bytes.byteLength, rawHeader.byteLength + raw.byteLength);
    out.push({ fields, rawHeader, raw, align, size });
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
  if (parts.list.length === 1 && parts.list[0] instanceof Uint8Array) return parts.list[0];
  const out = new Uint8Array(parts.size);
  let at = 0;
  const put = (b: Uint8Array) => {
    out.set(b, at);
    at += b.byteLength;
  };
  for (const p of parts.list) {
    if (p instanceof Uint8Array) {
      put(p);
      continue;
    }
    const first = fieldsBefore(p, at);
    p.fields.forEach((f, i) => first.has(i) && put(f.bytes));
    put(p.rawHeader);
    put(p.raw);
    p.fields.forEach((f, i) => !first.has(i) && put(f.bytes));
  }
  return out;
}

/**
 * The model as ONNX bytes. Tensors with data are written inline (raw_data; strings as
 * string_data); tensors whose external data was never resolved are written back as the same
 * external references. Fields kept in `preserved` are written back unchanged.
 */
export function encodeModel(model: Model): Uint8Array {
  // Raw tensor data of 64 KiB and more starts at a multiple of its element size in the output
  // where an order of the tensor's other fields allows it, so decoding the file views it in place.
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
