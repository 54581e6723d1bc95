// The rows of X that a weight multiplies, read out of the activation tensor reaching its node:
// for Conv the im2col patches (one per sample and output position, per group the group's input
// channels × kernel positions, zeros where the kernel overlaps the padding), for Gemm / MatMul the
// input's row or column vectors. Column order matches the weight's: channel-major, then the
// kernel positions row-major, as W [M, C/g, k…] is stored.
import type { ConvGeometry, Target } from './targets';

/** How to read rows out of one activation tensor of given dims. */
export interface RowReader {
  /** Rows in the tensor. */
  count: number;
  /** Values per row (the weight's columns per group). */
  width: number;
  /** Writes row r of group g into out[offset … offset + width). */
  read(x: ArrayLike<number>, r: number, g: number, out: Float64Array, offset: number): void;
}

/** Output spatial size and leading pad of a convolution along each spatial dimension. */
export function convOutput(geo: ConvGeometry, input: number[]): { out: number[]; begin: number[] } {
  const out: number[] = [];
  const begin: number[] = [];
  input.forEach((size, i) => {
    const span = (geo.kernel[i] - 1) * geo.dilations[i] + 1;
    const s = geo.strides[i];
    if (geo.pads === 'SAME_UPPER' || geo.pads === 'SAME_LOWER') {
      const o = Math.ceil(size / s);
      const total = Math.max(0, (o - 1) * s + span - size);
      out.push(o);
      begin.push(geo.pads === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
    } else {
      out.push(Math.floor((size + geo.pads.begin[i] + geo.pads.end[i] - span) / s) + 1);
      begin.push(geo.pads.begin[i]);
    }
  });
  return { out, begin };
}

function convReader(t: Target, dims: number[]): RowReader {
  const geo = t.conv as ConvGeometry;
  const [n, c] = dims;
  const spatial = dims.slice(2);
  const S = spatial.length;
  if (S !== geo.kernel.length) throw new Error(`${t.label}: input of rank ${dims.length} for a ${S === 0 ? '' : `${geo.kernel.length}-D `}kernel`);
  const perGroup = c / t.groups;
  if (!Number.isInteger(perGroup) || perGroup * geo.kernel.reduce((a, b) => a * b, 1) !== t.cols) {
    throw new Error(`${t.label}: input with ${c} channels does not fit the weight [${t.tensor.dims.join(', ')}] with group ${t.groups}`);
  }
  const { out, begin } = convOutput(geo, spatial);
  const positions = out.reduce((a, b) => a * b, 1);
  const ks = geo.kernel.reduce((a, b) => a * b, 1);
  const inStride: number[] = new Array<number>(S).fill(1);
  for (let i = S - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * spatial[i + 1];
  const plane = spatial.reduce((a, b) => a * b, 1);
  // kernel offsets along each dimension, kernel position kk at kk × S
  const kOff = new Int32Array(ks * S);
  for (let kk = 0; kk < ks; kk++) {
    let rest = kk;
    for (let i = S - 1; i >= 0; i--) {
      kOff[kk * S + i] = (rest % geo.kernel[i]) * geo.dilations[i];
      rest = Math.floor(rest / geo.kernel[i]);
    }
  }
  const base = new Int32Array(S);
  const at = new Int32Array(ks);
  return {
    count: n * positions,
    width: t.cols,
    read(x, r, g, dst, offset) {
      const sample = Math.floor(r / positions);
      let p = r - sample * positions;
      for (let i = S - 1; i >= 0; i--) {
        const o = p % out[i];
        p = (p - o) / out[i];
        base[i] = o * geo.strides[i] - begin[i];
      }
      for (let kk = 0; kk < ks; kk++) {
        let off = 0;
        for (let i = 0; i < S; i++) {
          const v = base[i] + kOff[kk * S + i];
          if (v < 0 || v >= spatial[i]) {
            off = -1;
            break;
          }
          off += v * inStride[i];
        }
        at[kk] = off;
      }
      const x0 = (sample * c + g * perGroup) * plane;
      for (let ch = 0; ch < perGroup; ch++) {
        const xc = x0 + ch * plane;
        const o = offset + ch * ks;
        for (let kk = 0; kk < ks; kk++) dst[o + kk] = at[kk] < 0 ? 0 : x[xc + at[kk]];
      }
    },
  };
}

/** The reader for the target's input tensor of the given dims; throws when they do not fit. */
export function rowReader(t: Target, dims: number[]): RowReader {
  if (t.kind === 'conv') return convReader(t, dims);
  const size = dims.reduce((a, b) => a * b, 1);
  const K = t.cols;
  if (t.kind === 'rows') {
    if (dims.length === 0 || dims[dims.length - 1] !== K) throw new Error(`${t.label}: input [${dims.join(', ')}] does not end in the weight's ${K} inputs`);
    return {
      count: size / K,
      width: K,
      read(x, r, _g, dst, offset) {
        for (let i = 0; i < K; i++) dst[offset + i] = x[r * K + i];
      },
    };
  }
  const P = dims.length >= 2 ? dims[dims.length - 1] : 1;
  const k = dims.length >= 2 ? dims[dims.length - 2] : dims[0];
  if (k !== K) throw new Error(`${t.label}: input [${dims.join(', ')}] does not have the weight's ${K} inputs along its columns`);
  return {
    count: size / K,
    width: K,
    read(x, r, _g, dst, offset) {
      const b = Math.floor(r / P);
      const p = r - b * P;
      const x0 = b * K * P + p;
      for (let i = 0; i < K; i++) dst[offset + i] = x[x0 + i * P];
    },
  };
}

/**
 * `take` distinct row indices out of `total`, ascending, drawn with `rand` (all rows when take ≥
 * total): the calibration rows kept when a layer has more patches than the row budget.
 */
export function chooseRows(total: number, take: number, rand: () => number): Int32Array {
  if (take >= total) return Int32Array.from({ length: total }, (_, i) => i);
  const idx = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rand() * (total - i));
    const v = idx[i];
    idx[i] = idx[j];
    idx[j] = v;
  }
  return idx.subarray(0, take).sort();
}
