// The protobuf wire format, walked by hand for the fuzz suite: a strict reader into a tree of
// fields (nested ONNX messages parsed by their field numbers, written here from onnx.proto — no
// code of the project's decoder), a writer that recomputes every length prefix (or, on purpose,
// writes a wrong one), and the ONNX field table the structure mutations aim at.

/** How a field's payload is read. A message kind names the message type. */
export type FieldKind = 'varint' | 'fixed32' | 'fixed64' | 'bytes' | 'packed-varint' | 'packed-fixed32' | 'packed-fixed64' | { message: string };

interface FieldSpec {
  name: string;
  kind: FieldKind;
}

const M = (message: string): FieldKind => ({ message });

/** onnx.proto (IR version 10/11), the fields Prunescope's inputs carry. */
export const ONNX_SCHEMA: Record<string, Record<number, FieldSpec>> = {
  ModelProto: {
    1: { name: 'ir_version', kind: 'varint' },
    8: { name: 'opset_import', kind: M('OperatorSetIdProto') },
    2: { name: 'producer_name', kind: 'bytes' },
    3: { name: 'producer_version', kind: 'bytes' },
    4: { name: 'domain', kind: 'bytes' },
    5: { name: 'model_version', kind: 'varint' },
    6: { name: 'doc_string', kind: 'bytes' },
    7: { name: 'graph', kind: M('GraphProto') },
    14: { name: 'metadata_props', kind: M('StringStringEntryProto') },
    20: { name: 'training_info', kind: M('TrainingInfoProto') },
    25: { name: 'functions', kind: M('FunctionProto') },
  },
  OperatorSetIdProto: {
    1: { name: 'domain', kind: 'bytes' },
    2: { name: 'version', kind: 'varint' },
  },
  StringStringEntryProto: {
    1: { name: 'key', kind: 'bytes' },
    2: { name: 'value', kind: 'bytes' },
  },
  TrainingInfoProto: {
    1: { name: 'initialization', kind: M('GraphProto') },
    2: { name: 'algorithm', kind: M('GraphProto') },
    3: { name: 'initialization_binding', kind: M('StringStringEntryProto') },
    4: { name: 'update_binding', kind: M('StringStringEntryProto') },
  },
  FunctionProto: {
    1: { name: 'name', kind: 'bytes' },
    4: { name: 'input', kind: 'bytes' },
    5: { name: 'output', kind: 'bytes' },
    6: { name: 'attribute', kind: 'bytes' },
    11: { name: 'attribute_proto', kind: M('AttributeProto') },
    7: { name: 'node', kind: M('NodeProto') },
    8: { name: 'doc_string', kind: 'bytes' },
    9: { name: 'opset_import', kind: M('OperatorSetIdProto') },
    10: { name: 'domain', kind: 'bytes' },
    12: { name: 'value_info', kind: M('ValueInfoProto') },
    13: { name: 'overload', kind: 'bytes' },
    14: { name: 'metadata_props', kind: M('StringStringEntryProto') },
  },
  GraphProto: {
    1: { name: 'node', kind: M('NodeProto') },
    2: { name: 'name', kind: 'bytes' },
    5: { name: 'initializer', kind: M('TensorProto') },
    15: { name: 'sparse_initializer', kind: M('SparseTensorProto') },
    10: { name: 'doc_string', kind: 'bytes' },
    11: { name: 'input', kind: M('ValueInfoProto') },
    12: { name: 'output', kind: M('ValueInfoProto') },
    13: { name: 'value_info', kind: M('ValueInfoProto') },
    14: { name: 'quantization_annotation', kind: M('TensorAnnotation') },
    16: { name: 'metadata_props', kind: M('StringStringEntryProto') },
  },
  TensorAnnotation: {
    1: { name: 'tensor_name', kind: 'bytes' },
    2: { name: 'quant_parameter_tensor_names', kind: M('StringStringEntryProto') },
  },
  NodeProto: {
    1: { name: 'input', kind: 'bytes' },
    2: { name: 'output', kind: 'bytes' },
    3: { name: 'name', kind: 'bytes' },
    4: { name: 'op_type', kind: 'bytes' },
    7: { name: 'domain', kind: 'bytes' },
    8: { name: 'overload', kind: 'bytes' },
    5: { name: 'attribute', kind: M('AttributeProto') },
    6: { name: 'doc_string', kind: 'bytes' },
    9: { name: 'metadata_props', kind: M('StringStringEntryProto') },
  },
  AttributeProto: {
    1: { name: 'name', kind: 'bytes' },
    21: { name: 'ref_attr_name', kind: 'bytes' },
    13: { name: 'doc_string', kind: 'bytes' },
    20: { name: 'type', kind: 'varint' },
    2: { name: 'f', kind: 'fixed32' },
    3: { name: 'i', kind: 'varint' },
    4: { name: 's', kind: 'bytes' },
    5: { name: 't', kind: M('TensorProto') },
    6: { name: 'g', kind: M('GraphProto') },
    22: { name: 'sparse_tensor', kind: M('SparseTensorProto') },
    14: { name: 'tp', kind: M('TypeProto') },
    7: { name: 'floats', kind: 'packed-fixed32' },
    8: { name: 'ints', kind: 'packed-varint' },
    9: { name: 'strings', kind: 'bytes' },
    10: { name: 'tensors', kind: M('TensorProto') },
    11: { name: 'graphs', kind: M('GraphProto') },
    23: { name: 'sparse_tensors', kind: M('SparseTensorProto') },
    15: { name: 'type_protos', kind: M('TypeProto') },
  },
  ValueInfoProto: {
    1: { name: 'name', kind: 'bytes' },
    2: { name: 'type', kind: M('TypeProto') },
    3: { name: 'doc_string', kind: 'bytes' },
    4: { name: 'metadata_props', kind: M('StringStringEntryProto') },
  },
  TypeProto: {
    1: { name: 'tensor_type', kind: M('TypeProto.Tensor') },
    4: { name: 'sequence_type', kind: M('TypeProto.Sequence') },
    5: { name: 'map_type', kind: M('TypeProto.Map') },
    9: { name: 'optional_type', kind: M('TypeProto.Optional') },
    8: { name: 'sparse_tensor_type', kind: M('TypeProto.Tensor') },
    6: { name: 'denotation', kind: 'bytes' },
  },
  'TypeProto.Tensor': {
    1: { name: 'elem_type', kind: 'varint' },
    2: { name: 'shape', kind: M('TensorShapeProto') },
  },
  'TypeProto.Sequence': { 1: { name: 'elem_type', kind: M('TypeProto') } },
  'TypeProto.Optional': { 1: { name: 'elem_type', kind: M('TypeProto') } },
  'TypeProto.Map': {
    1: { name: 'key_type', kind: 'varint' },
    2: { name: 'value_type', kind: M('TypeProto') },
  },
  TensorShapeProto: { 1: { name: 'dim', kind: M('TensorShapeProto.Dimension') } },
  'TensorShapeProto.Dimension': {
    1: { name: 'dim_value', kind: 'varint' },
    2: { name: 'dim_param', kind: 'bytes' },
    3: { name: 'denotation', kind: 'bytes' },
  },
  TensorProto: {
    1: { name: 'dims', kind: 'packed-varint' },
    2: { name: 'data_type', kind: 'varint' },
    3: { name: 'segment', kind: M('TensorProto.Segment') },
    4: { name: 'float_data', kind: 'packed-fixed32' },
    5: { name: 'int32_data', kind: 'packed-varint' },
    6: { name: 'string_data', kind: 'bytes' },
    7: { name: 'int64_data', kind: 'packed-varint' },
    8: { name: 'name', kind: 'bytes' },
    12: { name: 'doc_string', kind: 'bytes' },
    9: { name: 'raw_data', kind: 'bytes' },
    13: { name: 'external_data', kind: M('StringStringEntryProto') },
    14: { name: 'data_location', kind: 'varint' },
    10: { name: 'double_data', kind: 'packed-fixed64' },
    11: { name: 'uint64_data', kind: 'packed-varint' },
    16: { name: 'metadata_props', kind: M('StringStringEntryProto') },
  },
  'TensorProto.Segment': {
    1: { name: 'begin', kind: 'varint' },
    2: { name: 'end', kind: 'varint' },
  },
  SparseTensorProto: {
    1: { name: 'values', kind: M('TensorProto') },
    2: { name: 'indices', kind: M('TensorProto') },
    3: { name: 'dims', kind: 'packed-varint' },
  },
};

export const WT = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** One field as it was on the wire (or as a mutation wants it written). */
export interface Field {
  num: number;
  wt: number;
  /** VARINT: the value (as uint64). */
  varint?: bigint;
  /** I32 / I64 / LEN (not a message): the payload bytes. */
  bytes?: Uint8Array;
  /** LEN holding a known message: the parsed message. */
  msg?: Msg;
  /** Added to the length prefix when written (a mutation making the field overrun). */
  lenDelta?: number;
}

export interface Msg {
  type: string;
  fields: Field[];
}

/** A structural fault. `certain`: protobuf's reference parser rejects it too (false for unknown groups, which it skips). */
export class WireError extends Error {
  constructor(
    message: string,
    readonly certain = true,
  ) {
    super(message);
  }
}

/** The wire types a known field may arrive with (a repeated numeric field: packed or one by one). */
export function allowedWireTypes(kind: FieldKind): number[] {
  if (typeof kind === 'object') return [WT.LEN];
  switch (kind) {
    case 'varint':
      return [WT.VARINT];
    case 'fixed32':
      return [WT.I32];
    case 'fixed64':
      return [WT.I64];
    case 'bytes':
      return [WT.LEN];
    case 'packed-varint':
      return [WT.LEN, WT.VARINT];
    case 'packed-fixed32':
      return [WT.LEN, WT.I32];
    case 'packed-fixed64':
      return [WT.LEN, WT.I64];
  }
}

function readVarint(b: Uint8Array, pos: { p: number }, end: number): bigint {
  let v = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (pos.p >= end) throw new WireError(`varint runs past the end at byte ${pos.p}`);
    const c = b[pos.p++];
    v |= BigInt(c & 0x7f) << shift;
    if ((c & 0x80) === 0) return v & 0xffffffffffffffffn;
  }
  throw new WireError('varint longer than 10 bytes');
}

/**
 * Reads a message strictly: every field's wire type valid (no groups), every length within its
 * enclosing message, every known field with a wire type its kind allows, nested known messages
 * parsed recursively. Throws WireError on the first fault.
 */
export function parseMessage(type: string, b: Uint8Array, start = 0, end = b.length, depth = 0, offsets?: number[]): Msg {
  if (depth > 100) throw new WireError('nested more than 100 deep');
  const spec = ONNX_SCHEMA[type] ?? {};
  const fields: Field[] = [];
  const pos = { p: start };
  while (pos.p < end) {
    offsets?.push(pos.p);
    const tag = readVarint(b, pos, end);
    const num = Number(tag >> 3n);
    const wt = Number(tag & 7n);
    if (num === 0 || num > 536870911) throw new WireError(`field number ${num} at byte ${pos.p}`);
    const known = spec[num];
    if (known && !allowedWireTypes(known.kind).includes(wt)) throw new WireError(`${type}.${known.name} with wire type ${wt}`);
    const f: Field = { num, wt };
    if (wt === WT.VARINT) f.varint = readVarint(b, pos, end);
    else if (wt === WT.I32 || wt === WT.I64) {
      const n = wt === WT.I32 ? 4 : 8;
      if (pos.p + n > end) throw new WireError(`fixed field runs past its message at byte ${pos.p}`);
      f.bytes = b.subarray(pos.p, pos.p + n);
      pos.p += n;
    } else if (wt === WT.LEN) {
      const len = readVarint(b, pos, end);
      if (len > BigInt(end - pos.p)) throw new WireError(`${type} field ${num}: ${len} bytes from byte ${pos.p} run past its message (ends at ${end})`);
      const n = Number(len);
      offsets?.push(pos.p - 1);
      if (known && typeof known.kind === 'object') f.msg = parseMessage(known.kind.message, b, pos.p, pos.p + n, depth + 1, offsets);
      else f.bytes = b.subarray(pos.p, pos.p + n);
      pos.p += n;
    } else throw new WireError(`wire type ${wt} at byte ${pos.p}`, known !== undefined || wt > 5);
    fields.push(f);
  }
  return { type, fields };
}

/** The model; `offsets` (when given) receives the byte offset of every tag and length prefix. */
export function parseModel(b: Uint8Array, offsets?: number[]): Msg {
  return parseMessage('ModelProto', b, 0, b.length, 0, offsets);
}

function varintBytes(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let c = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) c |= 0x80;
    out.push(c);
  } while (x !== 0n);
  return out;
}

class Out {
  private parts: Uint8Array[] = [];
  size = 0;
  push(a: Uint8Array | number[]): void {
    const u = a instanceof Uint8Array ? a : Uint8Array.from(a);
    this.parts.push(u);
    this.size += u.length;
  }
  bytes(): Uint8Array {
    const r = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      r.set(p, o);
      o += p.length;
    }
    return r;
  }
}

/** Writes a message; every length prefix is recomputed (plus a field's lenDelta, when set). */
export function encodeMessage(m: Msg): Uint8Array {
  const out = new Out();
  for (const f of m.fields) {
    out.push(varintBytes((BigInt(f.num) << 3n) | BigInt(f.wt)));
    if (f.wt === WT.VARINT) out.push(varintBytes(f.varint ?? 0n));
    else if (f.wt === WT.LEN) {
      const payload = f.msg ? encodeMessage(f.msg) : (f.bytes ?? new Uint8Array(0));
      out.push(varintBytes(BigInt(payload.length + (f.lenDelta ?? 0))));
      out.push(payload);
    } else out.push(f.bytes ?? new Uint8Array(f.wt === WT.I64 ? 8 : f.wt === WT.I32 ? 4 : 0));
  }
  return out.bytes();
}

/** Every message in the tree (depth first), with its parent field. */
export function walk(m: Msg, visit: (msg: Msg, parent: Field | undefined, depth: number) => void, parent?: Field, depth = 0): void {
  visit(m, parent, depth);
  for (const f of m.fields) if (f.msg) walk(f.msg, visit, f, depth + 1);
}

export function fieldSpec(type: string, num: number): FieldSpec | undefined {
  return ONNX_SCHEMA[type]?.[num];
}

// Small readers of parsed messages -------------------------------------------------------------

const utf8 = new TextDecoder();

export function str(m: Msg, num: number): string {
  const f = m.fields.filter((x) => x.num === num && x.bytes).at(-1);
  return f?.bytes ? utf8.decode(f.bytes) : '';
}

export function strs(m: Msg, num: number): string[] {
  return m.fields.filter((x) => x.num === num && x.bytes).map((x) => utf8.decode(x.bytes as Uint8Array));
}

export function sub(m: Msg, num: number): Msg | undefined {
  return m.fields.filter((x) => x.num === num && x.msg).at(-1)?.msg;
}

export function subs(m: Msg, num: number): Msg[] {
  return m.fields.filter((x) => x.num === num && x.msg).map((x) => x.msg as Msg);
}

export function int(m: Msg, num: number): bigint | undefined {
  return m.fields.filter((x) => x.num === num && x.varint !== undefined).at(-1)?.varint;
}

/** A repeated varint field (packed or not) as signed int64 values. */
export function ints(m: Msg, num: number): bigint[] {
  const out: bigint[] = [];
  for (const f of m.fields) {
    if (f.num !== num) continue;
    if (f.varint !== undefined) out.push(BigInt.asIntN(64, f.varint));
    else if (f.bytes && f.wt === WT.LEN) {
      const pos = { p: 0 };
      while (pos.p < f.bytes.length) out.push(BigInt.asIntN(64, readVarint(f.bytes, pos, f.bytes.length)));
    }
  }
  return out;
}

/** Packs signed int64 values as a LEN payload of varints. */
export function packVarints(values: bigint[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) out.push(...varintBytes(v));
  return Uint8Array.from(out);
}

export function varint(v: bigint | number): number[] {
  return varintBytes(BigInt(v));
}

/** Deep copy (payload bytes shared: mutations replace them, never write into them). */
export function cloneMsg(m: Msg): Msg {
  return { type: m.type, fields: m.fields.map((f) => ({ ...f, ...(f.msg ? { msg: cloneMsg(f.msg) } : {}) })) };
}

/** The main graph's interface and nodes as read by this reader: what a rewrite must keep. */
export interface GraphFacts {
  inputs: string[];
  outputs: string[];
  nodes: string[];
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Repeated fields of each message (every other known field is singular). */
const REPEATED: Record<string, number[]> = {
  ModelProto: [8, 14, 20, 25],
  TrainingInfoProto: [3, 4],
  FunctionProto: [4, 5, 6, 11, 7, 9, 12, 14],
  GraphProto: [1, 5, 15, 11, 12, 13, 14, 16],
  TensorAnnotation: [2],
  NodeProto: [1, 2, 5, 9],
  AttributeProto: [7, 8, 9, 10, 11, 23, 15],
  ValueInfoProto: [4],
  TensorShapeProto: [1],
  TensorProto: [1, 4, 5, 6, 7, 13, 10, 11, 16],
  SparseTensorProto: [3],
};

/** Members of a oneof: the last one set wins. */
const ONEOF: Record<string, number[]> = {
  TypeProto: [1, 4, 5, 9, 8],
  'TensorShapeProto.Dimension': [1, 2],
};

/**
 * The message as protobuf reads it, written one way: a singular scalar's last value, a singular
 * message's occurrences merged, a oneof's last member, repeated numbers packed, fields in number
 * order. Two writers of the same message agree on this form.
 */
export function canonical(m: Msg): Msg {
  const spec = ONNX_SCHEMA[m.type] ?? {};
  const repeated = new Set(REPEATED[m.type] ?? []);
  const oneof = ONEOF[m.type] ?? [];
  const lastOneof = m.fields.filter((f) => oneof.includes(f.num)).at(-1)?.num;
  const nums = [...new Set(m.fields.map((f) => f.num))].sort((a, b) => a - b);
  const out: Field[] = [];
  for (const num of nums) {
    if (oneof.includes(num) && num !== lastOneof) continue;
    const fs = m.fields.filter((f) => f.num === num);
    const kind = spec[num]?.kind;
    if (!kind) out.push(...fs.map((f) => ({ ...f, ...(f.msg ? { msg: canonical(f.msg) } : {}) })));
    else if (typeof kind === 'object') {
      if (repeated.has(num)) out.push(...fs.map((f) => ({ ...f, msg: canonical(f.msg ?? { type: kind.message, fields: [] }) })));
      else out.push({ num, wt: WT.LEN, msg: canonical({ type: kind.message, fields: fs.flatMap((f) => f.msg?.fields ?? []) }) });
    } else if (kind === 'packed-varint') out.push({ num, wt: WT.LEN, bytes: packVarints(ints({ type: m.type, fields: fs }, num)) });
    else if (kind === 'packed-fixed32' || kind === 'packed-fixed64') {
      const parts = fs.map((f) => f.bytes ?? new Uint8Array(0));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      out.push({ num, wt: WT.LEN, bytes: all });
    } else if (repeated.has(num)) out.push(...fs);
    else out.push(fs[fs.length - 1]);
  }
  return { type: m.type, fields: out };
}

/** The same message without the fields its type does not define (unknown fields), at every level. */
export function knownOnly(m: Msg): Msg {
  const spec = ONNX_SCHEMA[m.type] ?? {};
  return { type: m.type, fields: m.fields.filter((f) => spec[f.num] !== undefined).map((f) => ({ ...f, ...(f.msg ? { msg: knownOnly(f.msg) } : {}) })) };
}

/** `known`: compare without unknown fields. */
export function graphFacts(model: Msg, known = false): GraphFacts {
  const g = sub(canonical(model), 7) ?? { type: 'GraphProto', fields: [] };
  const vi = (v: Msg): string => {
    const t = sub(v, 2);
    return `${str(v, 1)}:${t ? hex(encodeMessage(known ? knownOnly(t) : t)) : '-'}`;
  };
  return {
    inputs: subs(g, 11).map(vi),
    outputs: subs(g, 12).map(vi),
    nodes: subs(g, 1).map((n) => `${str(n, 7)}:${str(n, 4)}(${strs(n, 1).join(',')})->(${strs(n, 2).join(',')})`),
  };
}
