// Two weight tensors compared in place: no copy of float32/float64/integer data (the typed arrays
// are views on the decoded files), one pass over both for the changed count (integers bitwise,
// floats exactly with NaN = NaN; +0 = −0), both zero counts, the largest |B − A| and where, and the
// common value range; then, only for a tensor that changed, one histogram pass over each side on
// that common range (core/stats). Float16, bfloat16, 8/4-bit types are first widened to float32
// (a copy; they are rare and small). A changed dtype or shape is reported and nothing else compared.
import { DataType, elementCount, type Tensor } from '../onnx/model';
import { dtypeName, tensorToFloat32 } from '../onnx/tensor';
import { countZeros } from '../analysis/zeros';
import { histogramInto, histogramRange } from '../stats/histogram';
import { PLAIN_INTEGERS } from '../analysis/zeros';
import type { TensorDiff } from './types';

/** Element types whose stored array holds the values themselves (compared with no conversion). */
const IN_PLACE: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, ...PLAIN_INTEGERS]);

interface Scan {
  changed: number;
  zerosA: number;
  zerosB: number;
  maxAbs: number;
  maxAt: number;
  lo: number;
  hi: number;
}

/** The one comparing pass over two equally long arrays of numbers (`range`: also their min / max). */
function scanNumbers(x: ArrayLike<number>, y: ArrayLike<number>, range: boolean): Scan {
  let changed = 0;
  let zerosA = 0;
  let zerosB = 0;
  let maxAbs = 0;
  let maxAt = -1;
  let lo = Infinity;
  let hi = -Infinity;
  // float32 without a range: equal bit patterns (most elements of most diffs) settle on integers.
  const bits = !range && x instanceof Float32Array && y instanceof Float32Array;
  const xi = bits ? new Int32Array(x.buffer, x.byteOffset, x.length) : undefined;
  const yi = bits ? new Int32Array(y.buffer, y.byteOffset, y.length) : undefined;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (xi !== undefined && yi !== undefined) {
      const p = xi[i];
      if (p === yi[i]) {
        if ((p & 0x7fffffff) === 0) {
          zerosA++;
          zerosB++;
        }
        continue;
      }
    }
    const a = x[i];
    const b = y[i];
    if (a === 0) zerosA++;
    if (b === 0) zerosB++;
    if (range) {
      if (a < lo) lo = a;
      if (a > hi) hi = a;
    }
    if (a !== b) {
      if (range) {
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
      const d = Math.abs(b - a); // > 0 here; NaN when one side is NaN (both NaN: not a change)
      if (d === d) {
        changed++;
        if (d > maxAbs) {
          maxAbs = d;
          maxAt = i;
        }
      } else if (a === a || b === b) {
        changed++; // a NaN against a number: an infinite change
        if (maxAbs !== Infinity) {
          maxAbs = Infinity;
          maxAt = i;
        }
      }
    }
  }
  return { changed, zerosA, zerosB, maxAbs, maxAt, lo, hi };
}

/** The comparing pass over two int64 / uint64 arrays (exact; |Δ| as a double). */
function scanBigInts(x: BigInt64Array | BigUint64Array, y: BigInt64Array | BigUint64Array): Scan {
  let changed = 0;
  let zerosA = 0;
  let zerosB = 0;
  let maxAbs = 0;
  let maxAt = -1;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === 0n) zerosA++;
    if (b === 0n) zerosB++;
    if (a !== b) {
      changed++;
      const d = Math.abs(Number(b - a));
      if (d > maxAbs || maxAt < 0) {
        maxAbs = d;
        maxAt = i;
      }
    }
  }
  return { changed, zerosA, zerosB, maxAbs, maxAt, lo: Infinity, hi: -Infinity };
}

/** The finite range of two arrays (when the quick min/max of the scan met an infinity). */
function finiteRange(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of arrays) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x - x !== 0) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return lo > hi ? [0, 1] : [lo, hi];
}

/** Coordinates of a flat (row-major) index. */
export function unravel(flat: number, dims: readonly number[]): number[] {
  const at = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    at[k] = dims[k] > 0 ? flat % dims[k] : 0;
    flat = dims[k] > 0 ? Math.floor(flat / dims[k]) : 0;
  }
  return at;
}

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** One side's name, type and shape, and (`zeros`: counted by a pass of its own) its zeros. */
function side(t: Tensor, which: 'A' | 'B', zeros: boolean): Partial<TensorDiff> {
  const count = elementCount(t.dims);
  const loaded = zeros && t.data !== undefined && !Array.isArray(t.data);
  const z = loaded ? countZeros(t) : undefined;
  return {
    [`name${which}`]: t.name,
    [`dtype${which}`]: dtypeName(t.dataType),
    [`dims${which}`]: [...t.dims],
    ...(z !== undefined ? { [`zeros${which}`]: z, [`sparsity${which}`]: count > 0 ? z / count : 0 } : {}),
  };
}

/** The values to compare: the stored array itself, or (narrow float types, packed ints) float32 copies. */
function valuesOf(t: Tensor): ArrayLike<number> | BigInt64Array | BigUint64Array {
  const d = t.data as Exclude<Tensor['data'], undefined | Uint8Array[]>;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return d;
  return IN_PLACE.has(t.dataType) ? d : tensorToFloat32(t);
}

/**
 * Compares tensor `a` (of model A) with `b` (of model B); either may be missing (removed / added).
 * `bins`: histogram bins of a changed tensor (0: no histograms).
 */
export function compareTensors(a: Tensor | undefined, b: Tensor | undefined, how: TensorDiff['how'], bins: number): TensorDiff {
  if (!a || !b) {
    const t = (a ?? b) as Tensor;
    return { ...side(t, a ? 'A' : 'B', true), status: a ? 'removed' : 'added', count: elementCount(t.dims) } as TensorDiff;
  }
  const sameShape = a.dataType === b.dataType && sameDims(a.dims, b.dims);
  // Zeros of a changed dtype / shape are counted on each side (for the summary's nonzeros).
  const base = { ...side(a, 'A', !sameShape), ...side(b, 'B', !sameShape), how, count: elementCount(a.dims) } as TensorDiff;
  if (a.dataType !== b.dataType) return { ...base, status: 'dtype' };
  if (!sameShape) {
    const shrank = a.dims.length === b.dims.length && b.dims.every((d, i) => d <= a.dims[i]);
    return { ...base, status: 'shape', shrank };
  }
  const note = a.data === undefined || b.data === undefined ? 'data not loaded' : Array.isArray(a.data) || Array.isArray(b.data) ? 'strings' : a.dataType === DataType.COMPLEX64 || a.dataType === DataType.COMPLEX128 ? 'complex values' : undefined;
  if (note !== undefined) return { ...base, status: 'not-compared', note };
  const x = valuesOf(a);
  const y = valuesOf(b);
  const big = x instanceof BigInt64Array || x instanceof BigUint64Array;
  const s = big ? scanBigInts(x, y as BigInt64Array) : scanNumbers(x, y as ArrayLike<number>, bins > 0);
  const out: TensorDiff = { ...base, status: s.changed > 0 ? 'values' : 'unchanged', changed: s.changed, zerosA: s.zerosA, zerosB: s.zerosB };
  out.sparsityA = base.count > 0 ? s.zerosA / base.count : 0;
  out.sparsityB = base.count > 0 ? s.zerosB / base.count : 0;
  if (s.changed === 0) return out;
  out.maxAbsDelta = s.maxAbs;
  out.maxAt = unravel(s.maxAt, a.dims);
  if (!big && bins > 0) {
    const nums = [x as ArrayLike<number>, y as ArrayLike<number>];
    const [lo0, hi0] = Number.isFinite(s.lo) && Number.isFinite(s.hi) ? [s.lo, s.hi] : finiteRange(nums);
    const [lo, hi] = histogramRange(bins, lo0, hi0);
    out.histogramA = histogramInto(nums[0], bins, lo, hi);
    out.histogramB = histogramInto(nums[1], bins, lo, hi);
  }
  return out;
}
