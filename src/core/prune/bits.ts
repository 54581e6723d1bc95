// Selection on float32 magnitudes by their bit patterns: for non-negative IEEE floats the bits
// order like the values, so |w| is `bits & 0x7fffffff` (NaN mapped to +Infinity) and the k-th
// smallest magnitude comes from two histogram passes (high 16 bits, then low 16 bits within the
// chosen bucket): linear time, no copy of a float32 tensor, no data movement.
import { DataType, type Tensor } from '../onnx/model';
import { bfloat16ToNumber, halfToNumber } from './magnitude';

const INF_BITS = 0x7f800000;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bitsToFloat(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

export function floatToBits(v: number): number {
  f32[0] = v;
  return u32[0];
}

/**
 * The tensor's values as float32 bit patterns (sign included): a view of a float32 tensor's data
 * when aligned, otherwise a converted copy. float16 and bfloat16 convert exactly.
 */
export function float32Bits(t: Tensor): Uint32Array {
  if (t.dataType === DataType.FLOAT) {
    const a = t.data as Float32Array;
    if (a.byteOffset % 4 === 0) return new Uint32Array(a.buffer, a.byteOffset, a.length);
    return new Uint32Array(a.slice().buffer);
  }
  const h = t.data as Uint16Array;
  const conv = t.dataType === DataType.FLOAT16 ? halfToNumber : bfloat16ToNumber;
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = conv(h[i]);
  return new Uint32Array(out.buffer);
}

function addHighHistogram(u: Uint32Array, hist: Float64Array): void {
  for (let i = 0; i < u.length; i++) {
    let b = u[i] & 0x7fffffff;
    if (b > INF_BITS) b = INF_BITS;
    hist[b >>> 16]++;
  }
}

function addLowHistogram(u: Uint32Array, high: number, hist: Float64Array): void {
  for (let i = 0; i < u.length; i++) {
    let b = u[i] & 0x7fffffff;
    if (b > INF_BITS) b = INF_BITS;
    if (b >>> 16 === high) hist[b & 0xffff]++;
  }
}

/** Bucket holding the k-th (1-based) count, and how many come before it. */
function findBucket(hist: Float64Array, k: number): { bucket: number; before: number } {
  let cum = 0;
  for (let b = 0; b < hist.length; b++) {
    if (cum + hist[b] >= k) return { bucket: b, before: cum };
    cum += hist[b];
  }
  throw new Error(`findBucket: k = ${k} exceeds the ${cum} values`);
}

/** Magnitude bits of the k-th smallest |w| (1-based k) over the given bit arrays. */
export function kthMagnitudeBits(arrays: Uint32Array[], k: number): number {
  const hist = new Float64Array(65536);
  for (const u of arrays) addHighHistogram(u, hist);
  const high = findBucket(hist, k);
  hist.fill(0);
  for (const u of arrays) addLowHistogram(u, high.bucket, hist);
  const low = findBucket(hist, k - high.before);
  return ((high.bucket << 16) | low.bucket) >>> 0;
}

/** How many magnitudes are below / equal to the cut (bits), and the largest one below it (bits). */
export function countBits(u: Uint32Array, cut: number): { less: number; equal: number; maxLess: number } {
  let less = 0;
  let equal = 0;
  let maxLess = 0;
  for (let i = 0; i < u.length; i++) {
    let b = u[i] & 0x7fffffff;
    if (b > INF_BITS) b = INF_BITS;
    if (b < cut) {
      less++;
      if (b > maxLess) maxLess = b;
    } else if (b === cut) equal++;
  }
  return { less, equal, maxLess };
}

/** Mask (1 kept, 0 pruned): |w| below the cut, or equal to it among the first `ties` such. */
export function maskBits(u: Uint32Array, cut: number, ties: number, mask: Uint8Array): number {
  let pruned = 0;
  for (let i = 0; i < u.length; i++) {
    let b = u[i] & 0x7fffffff;
    if (b > INF_BITS) b = INF_BITS;
    if (b < cut || (b === cut && ties > 0 && ties--)) {
      mask[i] = 0;
      pruned++;
    }
  }
  return pruned;
}
