// Runtime tensors: dims, a typed array and the ONNX element type; conversions and shape helpers.
import { DataType, type Tensor, type TensorData, type SparseTensor, elementCount } from '../onnx/model';
import { float16Table } from '../onnx/float-bits';
import { arrayTypeOf, type TypedArrayCtor } from '../onnx/dtype';
import { RuntimeError } from './errors';

/** Numeric tensor storage: every TensorData form but strings. */
export type RtData = Exclude<TensorData, Uint8Array[]>;

/**
 * A tensor as the runtime sees it. FLOAT16/BFLOAT16 keep raw bits in a Uint16Array, BOOL is a
 * Uint8Array of 0/1, INT64 a BigInt64Array.
 */
export interface RtTensor {
  dims: number[];
  data: RtData;
  dataType: number;
}

export type RtCtor = TypedArrayCtor;

/** The element types the runtime computes with, stored as dtype.ts's arrayTypeOf says. */
const RUNTIME_TYPES = new Set<number>([
  DataType.FLOAT, DataType.DOUBLE, DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32,
  DataType.UINT32, DataType.INT64, DataType.UINT64, DataType.BOOL, DataType.FLOAT16, DataType.BFLOAT16,
]);

/** Element types the runtime computes with. */
export function isRuntimeType(dt: number): boolean {
  return RUNTIME_TYPES.has(dt);
}

export function ctorOf(dt: number): RtCtor {
  const c = RUNTIME_TYPES.has(dt) ? arrayTypeOf(dt) : undefined;
  if (!c) throw new RuntimeError(`element type ${dt} is not supported by the runtime`);
  return c;
}

export function isBigType(dt: number): boolean {
  return dt === DataType.INT64 || dt === DataType.UINT64;
}

export function isFloatType(dt: number): boolean {
  return dt === DataType.FLOAT || dt === DataType.DOUBLE || dt === DataType.FLOAT16 || dt === DataType.BFLOAT16;
}

export function isHalfType(dt: number): boolean {
  return dt === DataType.FLOAT16 || dt === DataType.BFLOAT16;
}

export function alloc(dt: number, n: number): RtData {
  return new (ctorOf(dt))(n);
}

export function size(dims: readonly number[]): number {
  return elementCount(dims);
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/**
 * Advances a row-major multi-index `idx` over `dims` by one element, like an odometer, on the axes
 * 0..`last`, and the offset `off` with it by `strides`; returns the new offset.
 */
export function nextOffset(idx: number[], dims: readonly number[], strides: readonly number[], last: number, off: number): number {
  for (let i = last; i >= 0; i--) {
    idx[i]++;
    off += strides[i];
    if (idx[i] < dims[i]) return off;
    off -= strides[i] * idx[i];
    idx[i] = 0;
  }
  return off;
}

export function tensor(dims: number[], data: RtData, dataType: number): RtTensor {
  return { dims, data, dataType };
}

/** Element i as a JS number (bigints converted). */
export function num(data: RtData, i: number): number {
  return Number(data[i]);
}

/** All elements as numbers (for shape, axes, indices). */
export function toNumbers(t: RtTensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Writes a JS number into a typed array of any kind (bigint arrays get a truncated BigInt). */
export function writeNumber(data: RtData, i: number, v: number): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    data[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  } else {
    data[i] = v;
  }
}

/** An int64 tensor from numbers. */
export function int64Tensor(dims: number[], values: readonly number[]): RtTensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { dims, data, dataType: DataType.INT64 };
}

// ---- float16 / bfloat16 --------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value → float16 bits, round to nearest even. */
export function toHalfBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** float32 value → bfloat16 bits, round to nearest even. */
export function toBfloatBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  const r = x + 0x7fff + ((x >>> 16) & 1);
  return (r >>> 16) & 0xffff;
}

export function bfloatValue(bits: number): number {
  u32[0] = bits << 16;
  return f32[0];
}

/** A float16/bfloat16 tensor as float32 values. */
export function halfToFloat(t: RtTensor): RtTensor {
  const src = t.data as Uint16Array;
  const out = new Float32Array(src.length);
  if (t.dataType === DataType.FLOAT16) {
    const table = float16Table();
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  } else {
    for (let i = 0; i < src.length; i++) out[i] = bfloatValue(src[i]);
  }
  return { dims: t.dims, data: out, dataType: DataType.FLOAT };
}

/** A float32 tensor back to float16/bfloat16 bits. */
export function floatToHalf(t: RtTensor, dt: number): RtTensor {
  const src = t.data as Float32Array;
  const out = new Uint16Array(src.length);
  const conv = dt === DataType.FLOAT16 ? toHalfBits : toBfloatBits;
  for (let i = 0; i < src.length; i++) out[i] = conv(src[i]);
  return { dims: t.dims, data: out, dataType: dt };
}

// ---- from the model ------------------------------------------------------------------------

/** A model tensor (initializer, Constant value) as a runtime tensor; no copy. */
export function fromModelTensor(t: Tensor, where: string): RtTensor {
  if (!isRuntimeType(t.dataType)) {
    throw new RuntimeError(`${where}: tensor "${t.name}" has element type ${t.dataType}, which the runtime does not support`);
  }
  if (t.data === undefined) {
    throw new RuntimeError(`${where}: tensor "${t.name}" has external data that was not loaded`);
  }
  if (Array.isArray(t.data)) throw new RuntimeError(`${where}: tensor "${t.name}" holds strings`);
  const n = size(t.dims);
  if (t.data.length !== n) {
    throw new RuntimeError(`${where}: tensor "${t.name}" has ${t.data.length} elements for dims [${t.dims.join(', ')}]`);
  }
  return { dims: [...t.dims], data: t.data as RtData, dataType: t.dataType };
}

/** A sparse (COO) model tensor made dense. */
export function fromSparseTensor(s: SparseTensor, where: string): RtTensor {
  const values = fromModelTensor(s.values, where);
  const idx = fromModelTensor(s.indices, where);
  const n = size(s.dims);
  const out = alloc(values.dataType, n);
  const nnz = values.data.length;
  const rank = s.dims.length;
  const strides = stridesOf(s.dims);
  const coords = idx.dims.length === 2;
  for (let k = 0; k < nnz; k++) {
    let lin = 0;
    if (coords) {
      for (let d = 0; d < rank; d++) lin += Number(idx.data[k * rank + d]) * strides[d];
    } else {
      lin = Number(idx.data[k]);
    }
    if (lin < 0 || lin >= n) throw new RuntimeError(`${where}: sparse tensor "${s.values.name}" has index ${lin} outside ${n}`);
    (out as Float32Array)[lin] = (values.data as Float32Array)[k];
  }
  return { dims: [...s.dims], data: out, dataType: values.dataType };
}
