// Facts about ONNX element types: names, sizes and the typed array each one is stored in.
import { DataType, type DataTypeCode, type TensorData } from './model';

export type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

interface DtypeInfo {
  name: string;
  /** Bytes per element; 0.5 / 0.25 for packed 4-bit / 2-bit types, 0 for strings. */
  bytes: number;
  /** Typed array holding the data (undefined for strings). */
  array?: TypedArrayCtor;
}

/** ONNX 1.20 codes past the contract's table: packed 2-bit integers. */
export const UINT2 = 25;
export const INT2 = 26;

const INFO: Record<number, DtypeInfo> = {
  [DataType.FLOAT]: { name: 'float32', bytes: 4, array: Float32Array },
  [DataType.UINT8]: { name: 'uint8', bytes: 1, array: Uint8Array },
  [DataType.INT8]: { name: 'int8', bytes: 1, array: Int8Array },
  [DataType.UINT16]: { name: 'uint16', bytes: 2, array: Uint16Array },
  [DataType.INT16]: { name: 'int16', bytes: 2, array: Int16Array },
  [DataType.INT32]: { name: 'int32', bytes: 4, array: Int32Array },
  [DataType.INT64]: { name: 'int64', bytes: 8, array: BigInt64Array },
  [DataType.STRING]: { name: 'string', bytes: 0 },
  [DataType.BOOL]: { name: 'bool', bytes: 1, array: Uint8Array },
  [DataType.FLOAT16]: { name: 'float16', bytes: 2, array: Uint16Array },
  [DataType.DOUBLE]: { name: 'float64', bytes: 8, array: Float64Array },
  [DataType.UINT32]: { name: 'uint32', bytes: 4, array: Uint32Array },
  [DataType.UINT64]: { name: 'uint64', bytes: 8, array: BigUint64Array },
  [DataType.COMPLEX64]: { name: 'complex64', bytes: 8, array: Float32Array },
  [DataType.COMPLEX128]: { name: 'complex128', bytes: 16, array: Float64Array },
  [DataType.BFLOAT16]: { name: 'bfloat16', bytes: 2, array: Uint16Array },
  [DataType.FLOAT8E4M3FN]: { name: 'float8e4m3fn', bytes: 1, array: Uint8Array },
  [DataType.FLOAT8E4M3FNUZ]: { name: 'float8e4m3fnuz', bytes: 1, array: Uint8Array },
  [DataType.FLOAT8E5M2]: { name: 'float8e5m2', bytes: 1, array: Uint8Array },
  [DataType.FLOAT8E5M2FNUZ]: { name: 'float8e5m2fnuz', bytes: 1, array: Uint8Array },
  [DataType.UINT4]: { name: 'uint4', bytes: 0.5, array: Uint8Array },
  [DataType.INT4]: { name: 'int4', bytes: 0.5, array: Uint8Array },
  [DataType.FLOAT4E2M1]: { name: 'float4e2m1', bytes: 0.5, array: Uint8Array },
  [DataType.FLOAT8E8M0]: { name: 'float8e8m0', bytes: 1, array: Uint8Array },
  [UINT2]: { name: 'uint2', bytes: 0.25, array: Uint8Array },
  [INT2]: { name: 'int2', bytes: 0.25, array: Uint8Array },
};

/** 'float32', 'int64', 'float16', … ; 'undefined' for 0 and 'dtype(N)' for a code ONNX does not define. */
export function dtypeName(code: DataTypeCode): string {
  if (code === DataType.UNDEFINED) return 'undefined';
  return INFO[code]?.name ?? `dtype(${code})`;
}

/** Bytes per element: 4 for float32, 0.5 for packed 4-bit types, 0 for strings and unknown codes. */
export function bytesPerElement(code: DataTypeCode): number {
  return INFO[code]?.bytes ?? 0;
}

/** The typed array constructor a tensor of this type is stored in, or undefined (string/unknown). */
export function arrayTypeOf(code: DataTypeCode): TypedArrayCtor | undefined {
  return INFO[code]?.array;
}

/** True for types stored packed several elements per byte (int4, uint4, float4e2m1, int2, uint2). */
export function isPacked(code: DataTypeCode): boolean {
  const b = INFO[code]?.bytes;
  return b !== undefined && b > 0 && b < 1;
}

/** Number of stored array entries for `count` elements (packed types take fewer bytes, complex two). */
export function storageLength(code: DataTypeCode, count: number): number {
  const info = INFO[code];
  if (!info || !info.array) return count;
  return Math.ceil((count * info.bytes) / info.array.BYTES_PER_ELEMENT);
}

/** An empty array of the right kind for this type. */
export function emptyData(code: DataTypeCode): TensorData {
  const ctor = arrayTypeOf(code);
  if (code === DataType.STRING) return [];
  return ctor ? new ctor(0) : new Uint8Array(0);
}
