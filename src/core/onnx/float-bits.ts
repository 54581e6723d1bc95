// Decoding tables for the small float formats ONNX stores as raw bits (float16, float8, float4, e8m0).
import { DataType, type DataTypeCode } from './model';

let f16: Float32Array | undefined;

/** float16 bits → value, for all 65,536 patterns (built once, 256 KB). */
export function float16Table(): Float32Array {
  if (f16) return f16;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = decodeMini(h, 5, 10, 15, 'ieee');
  f16 = t;
  return t;
}

type Special = 'ieee' | 'fn' | 'fnuz' | 'none';

/** A sign/exponent/mantissa float with the given widths, bias and rule for NaN/Inf. */
function decodeMini(bits: number, expBits: number, mantBits: number, bias: number, special: Special): number {
  const total = 1 + expBits + mantBits;
  const sign = (bits >> (total - 1)) & 1 ? -1 : 1;
  const exp = (bits >> mantBits) & ((1 << expBits) - 1);
  const mant = bits & ((1 << mantBits) - 1);
  const expMax = (1 << expBits) - 1;
  if (special === 'fnuz' && bits === 1 << (total - 1)) return NaN;
  if (special === 'ieee' && exp === expMax) return mant === 0 ? sign * Infinity : NaN;
  if (special === 'fn' && exp === expMax && mant === (1 << mantBits) - 1) return NaN;
  if (exp === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  return sign * (1 + mant / (1 << mantBits)) * 2 ** (exp - bias);
}

const tables = new Map<DataTypeCode, Float32Array>();

/** The sign/exponent/mantissa formats among the small float types: exponent and mantissa widths, bias, NaN/Inf rule. */
const MINI_FORMATS: Partial<Record<DataTypeCode, [expBits: number, mantBits: number, bias: number, special: Special]>> = {
  [DataType.FLOAT8E4M3FN]: [4, 3, 7, 'fn'],
  [DataType.FLOAT8E4M3FNUZ]: [4, 3, 8, 'fnuz'],
  [DataType.FLOAT8E5M2]: [5, 2, 15, 'ieee'],
  [DataType.FLOAT8E5M2FNUZ]: [5, 2, 16, 'fnuz'],
  [DataType.FLOAT4E2M1]: [2, 1, 1, 'none'],
};

/** Byte (or nibble, for float4e2m1) → value for the 8-bit and 4-bit float types. */
export function small8Table(dt: DataTypeCode): Float32Array {
  const hit = tables.get(dt);
  if (hit) return hit;
  const t = new Float32Array(256);
  const mini = MINI_FORMATS[dt];
  // float4e2m1 has 16 patterns; the bytes past them are NaN.
  const patterns = dt === DataType.FLOAT4E2M1 ? 16 : 256;
  for (let b = 0; b < 256; b++) {
    if (dt === DataType.FLOAT8E8M0) t[b] = b === 0xff ? NaN : 2 ** (b - 127);
    else t[b] = mini && b < patterns ? decodeMini(b, ...mini) : NaN;
  }
  tables.set(dt, t);
  return t;
}
