// A structural check of protobuf bytes against the ONNX schema, as strict as protobuf's C++ parser
// on the points where @bufbuild/protobuf's fromBinary is lax:
// - a length-delimited field (sub-message, string, bytes, packed list) must end inside the message
//   that holds it (fromBinary only checks the end of the whole buffer, so a node whose last field
//   runs past the node's end silently swallows the start of the next node);
// - a field the schema knows must come with the wire type of its type (fromBinary reads the value
//   as its declared type whatever the tag says, e.g. a varint-tagged op_type reads the next bytes as
//   a string length). A repeated number may come packed or not, as in every protobuf parser.
// - packed lists must hold whole elements; group tags must match; field number 0 is invalid.
// The first problem is reported with the field path ("graph.node[3].op_type") and byte offset.
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

const VARINT = 0;
const BIT64 = 1;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const BIT32 = 5;

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', 'wire type 6', 'wire type 7'];

/** Protobuf's own nesting limit (C++ and bufbuild both default to 100). */
const MAX_DEPTH = 100;

export class StructureError extends Error {
  constructor(
    readonly path: string,
    readonly at: number,
    readonly problem: string,
    /** The problem is a field running past the end of the whole buffer (the file may be cut short). */
    readonly atBufferEnd = false,
  ) {
    super(`${path || 'message'} (at byte ${at}): ${problem}`);
  }
}

function scalarWire(t: ScalarType): number {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return BIT64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return BIT32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return LEN;
    default:
      return VARINT;
  }
}

interface FieldInfo {
  name: string;
  /** The wire type of one element. */
  wire: number;
  repeated: boolean;
  /** A repeated number: may also come packed (length-delimited). */
  packable: boolean;
  message?: DescMessage;
  what: string;
}

const infoCache = new WeakMap<DescMessage, Map<number, FieldInfo>>();

function fieldInfo(f: DescField): FieldInfo {
  const name = f.name;
  switch (f.fieldKind) {
    case 'scalar':
      return { name, wire: scalarWire(f.scalar), repeated: false, packable: false, what: `${ScalarType[f.scalar].toLowerCase()} field` };
    case 'enum':
      return { name, wire: VARINT, repeated: false, packable: false, what: 'enum field' };
    case 'message':
      return { name, wire: f.delimitedEncoding ? START_GROUP : LEN, repeated: false, packable: false, message: f.message, what: 'message field' };
    case 'list':
      if (f.listKind === 'message') {
        return { name, wire: f.delimitedEncoding ? START_GROUP : LEN, repeated: true, packable: false, message: f.message, what: 'message field' };
      }
      if (f.listKind === 'enum') return { name, wire: VARINT, repeated: true, packable: true, what: 'repeated enum field' };
      {
        const wire = scalarWire(f.scalar);
        return { name, wire, repeated: true, packable: wire !== LEN, what: `repeated ${ScalarType[f.scalar].toLowerCase()} field` };
      }
    case 'map':
      return { name, wire: LEN, repeated: true, packable: false, what: 'map field' };
  }
}

function fieldsOf(desc: DescMessage): Map<number, FieldInfo> {
  let m = infoCache.get(desc);
  if (!m) {
    m = new Map(desc.fields.map((f) => [f.number, fieldInfo(f)]));
    infoCache.set(desc, m);
  }
  return m;
}

class Walker {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** A varint as a number (exact up to 2^53; larger values only need to be skipped or compared). */
  varint(path: string, end: number): number {
    const buf = this.buf;
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new StructureError(path, start, 'a varint runs past the end of its message', end === buf.length);
      const b = buf[this.pos++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return value;
    }
    throw new StructureError(path, start, 'a varint longer than 10 bytes');
  }

  /** A length prefix, checked to end at or before `end`. Returns the body's end. */
  lengthEnd(path: string, end: number, fieldAt: number): number {
    const len = this.varint(path, end);
    if (len > 0x7fffffff) throw new StructureError(path, fieldAt, `a length of ${len} bytes (over 2 GiB)`);
    const bodyEnd = this.pos + len;
    if (bodyEnd > end) {
      throw new StructureError(path, fieldAt, `declares ${len} bytes from byte ${this.pos}, past the end of its enclosing message at byte ${end}`, end === this.buf.length);
    }
    return bodyEnd;
  }

  skipFixed(path: string, n: number, end: number, fieldAt: number): void {
    if (this.pos + n > end) throw new StructureError(path, fieldAt, `a ${n * 8}-bit value runs past the end of its message at byte ${end}`, end === this.buf.length);
    this.pos += n;
  }

  /** Skips a field's value of wire type `wt` (an unknown field's, or a known one's checked before). */
  skip(path: string, no: number, wt: number, end: number, fieldAt: number, depth: number): void {
    switch (wt) {
      case VARINT:
        this.varint(path, end);
        return;
      case BIT64:
        this.skipFixed(path, 8, end, fieldAt);
        return;
      case BIT32:
        this.skipFixed(path, 4, end, fieldAt);
        return;
      case LEN:
        this.pos = this.lengthEnd(path, end, fieldAt);
        return;
      case START_GROUP:
        this.group(path, no, end, depth + 1, undefined);
        return;
      default:
        throw new StructureError(path, fieldAt, `invalid wire type ${wt}`);
    }
  }

  /** Reads a tag: [field number, wire type]. */
  tag(path: string, end: number): [number, number] {
    const at = this.pos;
    const t = this.varint(path, end);
    if (t > 0xffffffff) throw new StructureError(path, at, 'a field tag out of range');
    const no = Math.floor(t / 8);
    const wt = t % 8;
    if (no === 0) throw new StructureError(path, at, 'field number 0 (not a valid protobuf field)');
    return [no, wt];
  }

  /** A message body from `pos` to `end` (`desc` undefined: an unknown message, fields just skipped). */
  message(desc: DescMessage | undefined, path: string, end: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new StructureError(path, this.pos, `nested more than ${MAX_DEPTH} levels deep`);
    const fields = desc ? fieldsOf(desc) : undefined;
    const counts = new Map<number, number>();
    while (this.pos < end) {
      const at = this.pos;
      const [no, wt] = this.tag(path, end);
      if (wt === END_GROUP) throw new StructureError(path, at, `an end-group tag (field ${no}) without a group`);
      this.field(fields?.get(no), no, wt, path, end, at, depth, counts);
    }
  }

  /** A group body up to its end-group tag of the same field number. */
  group(path: string, groupNo: number, end: number, depth: number, desc: DescMessage | undefined): void {
    if (depth > MAX_DEPTH) throw new StructureError(path, this.pos, `nested more than ${MAX_DEPTH} levels deep`);
    const fields = desc ? fieldsOf(desc) : undefined;
    const counts = new Map<number, number>();
    for (;;) {
      if (this.pos >= end) throw new StructureError(path, this.pos, `group ${groupNo} has no end-group tag before the end of its message at byte ${end}`);
      const at = this.pos;
      const [no, wt] = this.tag(path, end);
      if (wt === END_GROUP) {
        if (no !== groupNo) throw new StructureError(path, at, `end-group tag for field ${no} inside group ${groupNo}`);
        return;
      }
      this.field(fields?.get(no), no, wt, path, end, at, depth, counts);
    }
  }

  field(f: FieldInfo | undefined, no: number, wt: number, path: string, end: number, at: number, depth: number, counts: Map<number, number>): void {
    if (!f) {
      this.skip(path ? `${path}.<field ${no}>` : `<field ${no}>`, no, wt, end, at, depth);
      return;
    }
    let here = path ? `${path}.${f.name}` : f.name;
    if (f.repeated) {
      const i = counts.get(no) ?? 0;
      counts.set(no, i + 1);
      if (f.message || !f.packable) here += `[${i}]`;
    }
    if (wt !== f.wire && !(f.packable && wt === LEN)) {
      const want = WIRE_NAMES[f.wire] + (f.packable ? ` or packed (length-delimited)` : '');
      throw new StructureError(here, at, `wrong wire type ${WIRE_NAMES[wt]} (${f.what}: expected ${want})`);
    }
    if (f.message) {
      if (wt === START_GROUP) {
        this.group(here, no, end, depth + 1, f.message);
      } else {
        const bodyEnd = this.lengthEnd(here, end, at);
        this.message(f.message, here, bodyEnd, depth + 1);
        this.pos = bodyEnd;
      }
      return;
    }
    if (wt === LEN && f.packable) {
      const bodyEnd = this.lengthEnd(here, end, at);
      if (f.wire === VARINT) {
        while (this.pos < bodyEnd) this.varint(here, bodyEnd);
      } else {
        const size = f.wire === BIT64 ? 8 : 4;
        if ((bodyEnd - this.pos) % size !== 0) {
          throw new StructureError(here, at, `a packed list of ${bodyEnd - this.pos} bytes is not a whole number of ${size}-byte elements`);
        }
      }
      this.pos = bodyEnd;
      return;
    }
    this.skip(here, no, wt, end, at, depth);
  }
}

/**
 * Checks that `bytes` is a well-formed `desc` message on the points listed above. Returns the
 * first problem, or undefined.
 */
export function checkStructure(bytes: Uint8Array, desc: DescMessage): StructureError | undefined {
  const w = new Walker(bytes);
  try {
    w.message(desc, '', bytes.byteLength, 0);
  } catch (e) {
    if (e instanceof StructureError) return e;
    throw e;
  }
  return undefined;
}
