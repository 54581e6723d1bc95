// Bytes → normalized Model / Tensor, with errors that say what is wrong with the file.
import { fromBinary, ScalarType, type DescField } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ModelProtoSchema, TensorProtoSchema, type ModelProto } from 'onnx-buf';
import type { Model, Tensor } from './model';
import { OnnxError } from './errors';
import { Ctx, modelFrom, tensorFrom } from './from-proto';
import { realignInPlace } from './decode-align';
import { checkStructure, type StructureError } from './strict';

/** The wire type a field of this kind is written with. */
function wireTypeOf(f: DescField): WireType {
  // Messages, lists of messages and maps (ModelProto has no repeated scalar field).
  if (f.fieldKind !== 'scalar') return WireType.LengthDelimited;
  switch (f.scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    default:
      return WireType.Varint;
  }
}

/** Top-level ModelProto fields: number → [name, wire type], as the schema declares them. */
const MODEL_FIELDS: Record<number, [string, WireType]> = Object.fromEntries(
  ModelProtoSchema.fields.map((f) => [f.number, [f.name, wireTypeOf(f)]]),
);

/** Highest IR version we consider plausible (ONNX 1.20 is IR 12). */
const MAX_IR_VERSION = 100;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function notOnnx(at: number, why: string, file?: string): OnnxError {
  return new OnnxError('not-onnx', `not an ONNX model (protobuf parse failed at byte ${at}: ${why})`, file);
}

/**
 * Why fromBinary failed: walks the top-level fields. A field that ModelProto does not have means
 * "not ONNX"; known fields up to one that runs past the end of the bytes means "truncated".
 */
function diagnose(bytes: Uint8Array, cause: unknown, file?: string): OnnxError {
  const r = new BinaryReader(bytes);
  const len = bytes.byteLength;
  let fieldsSeen = 0;
  while (r.pos < len) {
    const start = r.pos;
    let no: number;
    let wt: WireType;
    try {
      [no, wt] = r.tag();
    } catch (e) {
      if (r.pos > len && fieldsSeen > 0) return new OnnxError('truncated', `truncated: the file ends inside a field tag at byte ${start} of ${len}`, file);
      return notOnnx(start, errText(e), file);
    }
    const known = MODEL_FIELDS[no];
    if (!known || known[1] !== wt) {
      return notOnnx(start, `field ${no} with wire type ${wt} is not part of an ONNX ModelProto`, file);
    }
    const name = known[0];
    if (wt === WireType.LengthDelimited) {
      let size: number;
      try {
        size = r.uint32();
      } catch {
        size = Number.NaN;
      }
      const bodyStart = r.pos;
      if (r.pos > len || !(bodyStart + size <= len)) {
        // Without one whole ModelProto field before it, an overrun says more about garbage than truncation.
        if (fieldsSeen === 0) return notOnnx(start, `field ${no} declares more bytes than the file holds`, file);
        const need = Number.isNaN(size) ? ':' : ` declares ${size} bytes from byte ${bodyStart}, but`;
        return new OnnxError('truncated', `truncated: field ${name} at byte ${start}${need} the file ends at byte ${len}`, file);
      }
      r.pos = bodyStart + size;
    } else {
      try {
        r.skip(wt, no);
      } catch {
        if (fieldsSeen === 0) return notOnnx(start, 'the file ends inside its first field', file);
        return new OnnxError('truncated', `truncated: field ${name} at byte ${start}: the file ends at byte ${len}`, file);
      }
    }
    fieldsSeen++;
  }
  // Every top-level field is whole: the damage is inside one of them.
  const inner = checkStructure(bytes, ModelProtoSchema);
  if (inner) return structureError(inner, file);
  return new OnnxError('not-onnx', `not a valid ONNX model (protobuf parse failed: ${errText(cause)})`, file);
}

/** "graph.node[3].op_type (at byte 812): wrong wire type varint …; not a valid ONNX model". */
function structureError(e: StructureError, file: string | undefined, what = 'ONNX model'): OnnxError {
  return new OnnxError('not-onnx', `${e.path || 'message'} (at byte ${e.at}): ${e.problem}; not a valid ${what}`, file);
}

function parseModel(bytes: Uint8Array, file?: string): ModelProto {
  if (bytes.byteLength === 0) throw new OnnxError('not-onnx', 'empty file (0 bytes), not an ONNX model', file);
  let msg: ModelProto;
  try {
    msg = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw diagnose(bytes, e, file);
  }
  // fromBinary does not check that nested fields end inside their message, nor known fields' wire types.
  const bad = checkStructure(bytes, ModelProtoSchema);
  if (bad) throw structureError(bad, file);
  const ir = msg.irVersion;
  if (!msg.graph) {
    if (ir === 0n && msg.opsetImport.length === 0) {
      throw new OnnxError('not-onnx', 'not an ONNX model (it parses as protobuf but has no graph and no IR version)', file);
    }
    throw new OnnxError('bad-model', 'the model has no graph', file);
  }
  if (ir < 1n || ir > BigInt(MAX_IR_VERSION)) {
    throw new OnnxError('not-onnx', `not an ONNX model (IR version ${ir} is not a valid ONNX IR version)`, file);
  }
  return msg;
}

export interface DecodeOptions {
  /**
   * The caller gives up `bytes` (a buffer read for this model alone): raw data that is not aligned
   * for its element type is moved a few bytes down inside `bytes`, over protobuf framing already
   * parsed, instead of being copied. `bytes` is then no longer a valid protobuf message.
   */
  realignInPlace?: boolean;
}

/**
 * Decodes an ONNX ModelProto. Tensors stored in raw_data become typed-array views on `bytes` where
 * alignment allows (keep `bytes` unmodified while the model is in use). External tensors keep
 * `data` undefined and `external` set (see resolveExternalData). Throws OnnxError naming `fileName`.
 */
export function decodeModel(bytes: Uint8Array, fileName?: string, options: DecodeOptions = {}): Model {
  const plain = plainBytes(bytes);
  const msg = parseModel(plain, fileName);
  if (options.realignInPlace) realignInPlace(msg, plain);
  try {
    return modelFrom(msg, new Ctx(fileName));
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError('bad-model', `invalid ONNX model (${errText(e)})`, fileName);
  }
}

/** Decodes a standalone TensorProto (e.g. a test_data_set input_0.pb). */
export function decodeTensor(bytes: Uint8Array, fileName?: string): Tensor {
  let msg;
  try {
    msg = fromBinary(TensorProtoSchema, plainBytes(bytes));
  } catch (e) {
    const bad = checkStructure(plainBytes(bytes), TensorProtoSchema);
    if (bad && !bad.atBufferEnd) throw structureError(bad, fileName, 'ONNX tensor');
    const code = e instanceof RangeError ? 'truncated' : 'not-onnx';
    const what = code === 'truncated' ? 'truncated' : 'not an ONNX tensor';
    throw new OnnxError(code, `${what} (protobuf parse failed: ${errText(e)})`, fileName);
  }
  const bad = checkStructure(plainBytes(bytes), TensorProtoSchema);
  if (bad) throw structureError(bad, fileName, 'ONNX tensor');
  try {
    return tensorFrom(msg, new Ctx(fileName));
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError('bad-model', `invalid ONNX tensor (${errText(e)})`, fileName);
  }
}

/**
 * The same bytes as a plain Uint8Array view. A Node Buffer (often a view on a shared pool) would
 * make every sub-array a Buffer too, whose slice() does not copy.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
