// Kernels for layers whose weights are mostly masked (pruned): each output row walks only its kept
// weights (CSR: the kept columns row by row), so forward, weight gradient and input gradient cost
// O(kept × batch) instead of O(non-zero inputs × outputs × batch). At 90% sparsity that is several
// times less work than the dense-weight kernels even though those skip the zero inputs.

/** The kept weights of a layer, row by row; `packed` holds their current values, `grad` their gradients. */
export interface MaskedRows {
  /** Row o owns col/packed[start[o] .. start[o+1]). */
  start: Int32Array;
  col: Int32Array;
  packed: Float32Array;
  grad: Float32Array;
}

/** The CSR of a [outputs × inputs] mask (1 = kept). */
export function maskedRows(mask: Uint8Array, outputs: number, inputs: number): MaskedRows {
  if (mask.length !== outputs * inputs) throw new Error(`a mask of ${mask.length} entries for a layer of ${outputs} × ${inputs} weights`);
  let kept = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) kept++;
  const start = new Int32Array(outputs + 1);
  const col = new Int32Array(kept);
  let k = 0;
  for (let o = 0; o < outputs; o++) {
    start[o] = k;
    const r = o * inputs;
    for (let i = 0; i < inputs; i++) if (mask[r + i] !== 0) col[k++] = i;
  }
  start[outputs] = k;
  return { start, col, packed: new Float32Array(kept), grad: new Float32Array(kept) };
}

/** Copies the kept weights' current values into m.packed. */
export function packWeights(m: MaskedRows, weight: Float32Array, inputs: number): void {
  const { start, col, packed } = m;
  const rows = start.length - 1;
  for (let o = 0; o < rows; o++) {
    const r = o * inputs;
    for (let k = start[o]; k < start[o + 1]; k++) packed[k] = weight[r + col[k]];
  }
}

/** y = x Wᵀ + b over the kept weights (packed first), ReLU when asked; x count × inputs, y count × outputs. */
export function maskedForward(
  m: MaskedRows, x: Float32Array, inputs: number, bias: Float32Array, y: Float32Array, count: number, relu: boolean,
): void {
  const { start, col, packed } = m;
  const outputs = start.length - 1;
  for (let o = 0; o < outputs; o++) {
    const k0 = start[o];
    const k1 = start[o + 1];
    const b = bias[o];
    for (let s = 0; s < count; s++) {
      const xo = s * inputs;
      let sum = 0;
      for (let k = k0; k < k1; k++) sum += packed[k] * x[xo + col[k]];
      sum += b;
      y[s * outputs + o] = relu && sum < 0 ? 0 : sum;
    }
  }
}

/**
 * Backward through a masked layer: adds the kept weights' gradients to gW (scattered from m.grad)
 * and the bias gradients to gb; when dIn is given, writes the gradient w.r.t. the layer's input,
 * gated by the ReLU that produced it (zero wherever the input is zero). dOut and dIn hold sample s
 * at s × stride; x is count × inputs.
 */
export function maskedBackward(
  m: MaskedRows, x: Float32Array, inputs: number, dOut: Float32Array, dIn: Float32Array | undefined, stride: number,
  count: number, gW: Float32Array, gb: Float32Array,
): void {
  const { start, col, packed, grad } = m;
  const outputs = start.length - 1;
  grad.fill(0);
  if (dIn !== undefined) for (let s = 0; s < count; s++) dIn.fill(0, s * stride, s * stride + inputs);
  for (let o = 0; o < outputs; o++) {
    const k0 = start[o];
    const k1 = start[o + 1];
    for (let s = 0; s < count; s++) {
      const g = dOut[s * stride + o];
      if (g === 0) continue;
      gb[o] += g;
      const xo = s * inputs;
      if (dIn !== undefined) {
        const base = s * stride;
        for (let k = k0; k < k1; k++) {
          const i = col[k];
          grad[k] += g * x[xo + i];
          dIn[base + i] += g * packed[k];
        }
      } else {
        for (let k = k0; k < k1; k++) grad[k] += g * x[xo + col[k]];
      }
    }
  }
  for (let o = 0; o < outputs; o++) {
    const r = o * inputs;
    for (let k = start[o]; k < start[o + 1]; k++) gW[r + col[k]] += grad[k];
  }
  if (dIn !== undefined) {
    for (let s = 0; s < count; s++) {
      const xo = s * inputs;
      const base = s * stride;
      for (let i = 0; i < inputs; i++) if (x[xo + i] === 0) dIn[base + i] = 0;
    }
  }
}
