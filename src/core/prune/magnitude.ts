// |w| of float tensors in every float storage, and selection of the k-th smallest magnitude.
import { DataType, type Tensor } from '../onnx/model';
import { PruneError } from './types';

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

export function isPrunableType(dataType: number): boolean {
  return FLOAT_TYPES.has(dataType);
}

/** Throws unless the tensor is a float tensor whose data is loaded (or, with `unread`, still in its external file). */
export function checkPrunable(t: Tensor, unread = false): void {
  if (!FLOAT_TYPES.has(t.dataType)) {
    throw new PruneError(
      `initializer "${t.name}" holds ${TYPE_NAMES[t.dataType] ?? `type ${t.dataType}`} values: only float tensors (float, double, float16, bfloat16) can be pruned`,
    );
  }
  if (t.data === undefined) {
    if (unread && t.external !== undefined) return;
    throw new PruneError(`initializer "${t.name}" is stored in an external file (${t.external?.location ?? '?'}) that has not been read`);
  }
  const n = t.dims.reduce((a, b) => a * b, 1);
  const len = (t.data as { length: number }).length;
  if (len !== n) throw new PruneError(`initializer "${t.name}" has ${len} values for dims [${t.dims.join(', ')}]`);
}

/** Value of an IEEE half-precision bit pattern. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bfloat16ToNumber(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

/**
 * |w| of every element (NaN as +Infinity), written into `out` at `offset`. Float32 and float16 /
 * bfloat16 magnitudes are exact in a Float32Array; float64 needs a Float64Array.
 */
export function writeMagnitudes(t: Tensor, out: Float32Array | Float64Array, offset: number): void {
  const d = t.data;
  if (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE) {
    const a = d as Float32Array | Float64Array;
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]);
      out[offset + i] = v === v ? v : Infinity;
    }
  } else {
    const a = d as Uint16Array;
    const conv = t.dataType === DataType.FLOAT16 ? halfToNumber : bfloat16ToNumber;
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(conv(a[i]));
      out[offset + i] = v === v ? v : Infinity;
    }
  }
}

/** The magnitude of element i, as writeMagnitudes computes it. */
export function magnitudeReader(t: Tensor): (i: number) => number {
  if (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE) {
    const a = t.data as Float32Array | Float64Array;
    return (i) => {
      const v = Math.abs(a[i]);
      return v === v ? v : Infinity;
    };
  }
  const a = t.data as Uint16Array;
  const conv = t.dataType === DataType.FLOAT16 ? halfToNumber : bfloat16ToNumber;
  return (i) => {
    const v = Math.abs(conv(a[i]));
    return v === v ? v : Infinity;
  };
}

/**
 * The k-th smallest value (0-based) of `a`, which it partially reorders (Hoare partition around a
 * median of three, iterative). No NaN allowed. O(n) on average.
 */
export function selectKth(a: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
