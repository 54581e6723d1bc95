// Tensor helpers: element types, conversion of any numeric tensor to float arrays, construction.
import { DataType, elementCount, type DataTypeCode, type Tensor, type TensorData } from './model';
import { OnnxError } from './errors';
import { INT2, UINT2, arrayTypeOf, isPacked, storageLength } from './dtype';
import { float16Table, small8Table } from './float-bits';

export { dtypeName, bytesPerElement, arrayTypeOf, isPacked, storageLength } from './dtype';

type NumArray = ArrayLike<number> & { length: number };

function requireData(t: Tensor): TensorData {
  if (t.data === undefined) {
    const where = t.external ? ` (stored in external file ${t.external.location}, not loaded)` : '';
    throw new OnnxError('external-missing', `tensor ${JSON.stringify(t.name)} has no data${where}`);
  }
  return t.data;
}

/** Writes the elements of `t` as numbers into `out` (Float32Array or Float64Array). */
function convertInto(t: Tensor, data: Exclude<TensorData, Uint8Array[]>, out: Float32Array | Float64Array): void {
  const dt = t.dataType;
  const n = out.length;
  switch (dt) {
    case DataType.FLOAT16: {
      const table = float16Table();
      const src = data as Uint16Array;
      for (let i = 0; i < n; i++) out[i] = table[src[i]];
      return;
    }
    case DataType.BFLOAT16: {
      const src = data as Uint16Array;
      const bits = new Uint32Array(1);
      const f = new Float32Array(bits.buffer);
      for (let i = 0; i < n; i++) {
        bits[0] = src[i] << 16;
        out[i] = f[0];
      }
      return;
    }
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0: {
      const table = small8Table(dt);
      const src = data as Uint8Array;
      for (let i = 0; i < n; i++) out[i] = table[src[i]];
      return;
    }
    case DataType.INT4:
    case DataType.UINT4:
    case DataType.FLOAT4E2M1: {
      const src = data as Uint8Array;
      const table = dt === DataType.FLOAT4E2M1 ? small8Table(dt) : undefined;
      for (let i = 0; i < n; i++) {
        const nib = (src[i >> 1] >> ((i & 1) * 4)) & 0xf;
        out[i] = table ? table[nib] : dt === DataType.INT4 && nib >= 8 ? nib - 16 : nib;
      }
      return;
    }
    case UINT2:
    case INT2: {
      const src = data as Uint8Array;
      for (let i = 0; i < n; i++) {
        const v = (src[i >> 2] >> ((i & 3) * 2)) & 3;
        out[i] = dt === INT2 && v >= 2 ? v - 4 : v;
      }
      return;
    }
    case DataType.INT64:
    case DataType.UINT64: {
      const src = data as BigInt64Array | BigUint64Array;
      for (let i = 0; i < n; i++) out[i] = Number(src[i]);
      return;
    }
    default: {
      const src = data as NumArray;
      for (let i = 0; i < n; i++) out[i] = src[i];
    }
  }
}

function checkNumeric(t: Tensor): Exclude<TensorData, Uint8Array[]> {
  const data = requireData(t);
  if (Array.isArray(data) || t.dataType === DataType.STRING) {
    throw new OnnxError('unsupported-type', `tensor ${JSON.stringify(t.name)} holds strings, not numbers`);
  }
  if (t.dataType === DataType.COMPLEX64 || t.dataType === DataType.COMPLEX128) {
    throw new OnnxError('unsupported-type', `tensor ${JSON.stringify(t.name)} is complex; no real-valued view`);
  }
  if (arrayTypeOf(t.dataType) === undefined) {
    throw new OnnxError('unsupported-type', `tensor ${JSON.stringify(t.name)} has unknown element type ${t.dataType}`);
  }
  return data;
}

function valueCount(t: Tensor, data: Exclude<TensorData, Uint8Array[]>): number {
  return isPacked(t.dataType) ? elementCount(t.dims) : data.length;
}

/**
 * The elements as float32 values: the tensor's own array when it is already float32 (no copy),
 * otherwise a converted copy (float16, bfloat16, 8/4-bit floats, integers, bool, float64).
 */
export function tensorToFloat32(t: Tensor): Float32Array {
  const data = checkNumeric(t);
  if (t.dataType === DataType.FLOAT && data instanceof Float32Array) return data;
  const out = new Float32Array(valueCount(t, data));
  convertInto(t, data, out);
  return out;
}

/** The elements as float64 values (the tensor's own array when it is already float64). */
export function tensorToFloat64(t: Tensor): Float64Array {
  const data = checkNumeric(t);
  if (t.dataType === DataType.DOUBLE && data instanceof Float64Array) return data;
  const out = new Float64Array(valueCount(t, data));
  convertInto(t, data, out);
  return out;
}

/** The ONNX type a typed array stands for by default (Uint8Array is uint8; pass BOOL explicitly). */
export function dataTypeOfArray(data: TensorData): DataTypeCode {
  if (Array.isArray(data)) return DataType.STRING;
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Float64Array) return DataType.DOUBLE;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Uint8Array) return DataType.UINT8;
  if (data instanceof Int16Array) return DataType.INT16;
  if (data instanceof Uint16Array) return DataType.UINT16;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Uint32Array) return DataType.UINT32;
  if (data instanceof BigInt64Array) return DataType.INT64;
  return DataType.UINT64;
}

/**
 * A tensor from a typed array. The type follows the array (Float32Array → FLOAT, BigInt64Array →
 * INT64, …) unless `dataType` is given (BOOL or FLOAT16 for Uint8Array/Uint16Array data, say).
 * Throws if the array does not hold exactly the elements the dims ask for.
 */
export function makeTensor(name: string, dims: number[], data: TensorData, dataType?: DataTypeCode): Tensor {
  const dt = dataType ?? dataTypeOfArray(data);
  const want = storageLength(dt, elementCount(dims));
  if (data.length !== want) {
    throw new OnnxError(
      'bad-model',
      `tensor ${JSON.stringify(name)}: dims [${dims.join(', ')}] need ${want} stored elements, got ${data.length}`,
    );
  }
  return { name, dataType: dt, dims: [...dims], data };
}
