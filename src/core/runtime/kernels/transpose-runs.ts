// Transpose as copies of contiguous runs: output axes of length 1 are dropped and neighbouring
// output axes that stay neighbours, in order, in the input are merged, so e.g. ShuffleNet's
// channel shuffle [1, 2, C/2, H, W] perm [0, 2, 1, 3, 4] becomes [C/2, 2] runs of H·W elements.

/** Any typed array (all element types the runtime stores); only moves values, never converts. */
type Typed = Float32Array;

/** Output dims and input strides after dropping length-1 axes and merging contiguous neighbours. */
export function mergedAxes(inDims: readonly number[], perm: readonly number[]): { dims: number[]; strides: number[] } {
  const inStr = new Array<number>(inDims.length);
  let acc = 1;
  for (let i = inDims.length - 1; i >= 0; i--) {
    inStr[i] = acc;
    acc *= inDims[i];
  }
  const dims: number[] = [];
  const strides: number[] = [];
  for (const p of perm) {
    const d = inDims[p];
    if (d === 1) continue;
    const last = dims.length - 1;
    // Output axis `last` then this one read the input as one axis when its stride spans this one.
    if (last >= 0 && strides[last] === inStr[p] * d) {
      dims[last] *= d;
      strides[last] = inStr[p];
    } else {
      dims.push(d);
      strides.push(inStr[p]);
    }
  }
  return { dims, strides };
}

/** out = src transposed by perm (src row-major over inDims); out has the same element count. */
export function transposeRuns(src: Typed, out: Typed, inDims: readonly number[], perm: readonly number[]): void {
  const n = out.length;
  if (n === 0) return;
  const { dims, strides } = mergedAxes(inDims, perm);
  const r = dims.length;
  if (r === 0 || (r === 1 && strides[0] === 1)) {
    out.set(src.subarray(0, n));
    return;
  }
  const len = dims[r - 1];
  const step = strides[r - 1];
  // The odometer over the outer axes 0..r-2.
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k += len) {
    if (step !== 1) for (let j = 0; j < len; j++) out[k + j] = src[off + j * step];
    else if (len >= 32) out.set(src.subarray(off, off + len), k);
    else for (let j = 0; j < len; j++) out[k + j] = src[off + j];
    for (let i = r - 2; i >= 0; i--) {
      off += strides[i];
      if (++idx[i] < dims[i]) break;
      off -= strides[i] * idx[i];
      idx[i] = 0;
    }
  }
}
