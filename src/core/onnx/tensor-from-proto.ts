// TensorProto → Tensor: element data (raw bytes, typed fields or external), dims and their checks.
import { TensorProtoSchema, TensorProto_DataLocation, type TensorProto } from 'onnx-buf';
import { DataType, elementCount, type ExternalData, type Tensor, type TensorData } from './model';
import { arrayTypeOf, emptyData, storageLength } from './dtype';
import { Ctx, entries, keepUnmodelled, readDocAndMetadata, toSize } from './proto-read';

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
export function checkDims(dims: number[], what: string, ctx: Ctx): void {
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
  readDocAndMetadata(out, t);
  keepUnmodelled(out, TensorProtoSchema, t, {});
  return out;
}
