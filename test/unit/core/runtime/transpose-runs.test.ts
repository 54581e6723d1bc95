// Transpose by contiguous runs (kernels/transpose-runs.ts) against a naive index loop written
// here: random ranks 1–6 with random perms and dims (1s included), long strided runs, several element types, the
// axis merging on ShuffleNet's channel shuffle, and the Transpose op against onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { mergedAxes, transposeRuns } from '../../../../src/core/runtime/kernels/transpose-runs';
import { type OpCase, prng, randomFloats, relDiff, runBoth } from './single-op';

/** out[i0, …] = x[j] with j the input position of output index (i0, …) under perm. */
function naive(x: ArrayLike<number | bigint>, dims: number[], perm: number[]): (number | bigint)[] {
  const r = dims.length;
  const outDims = perm.map((p) => dims[p]);
  const n = dims.reduce((a, b) => a * b, 1);
  const out: (number | bigint)[] = [];
  for (let k = 0; k < n; k++) {
    // Output multi-index of k, then the input's flat position.
    const idx = new Array<number>(r);
    let rest = k;
    for (let i = r - 1; i >= 0; i--) {
      idx[i] = rest % outDims[i];
      rest = Math.floor(rest / outDims[i]);
    }
    const inIdx = new Array<number>(r);
    perm.forEach((p, i) => (inIdx[p] = idx[i]));
    let j = 0;
    for (let a = 0; a < r; a++) j = j * dims[a] + inIdx[a];
    out.push(x[j]);
  }
  return out;
}

function randomCase(seed: number): { dims: number[]; perm: number[] } {
  const r = prng(seed);
  const pick = (lo: number, hi: number): number => lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1));
  const rank = pick(1, 6);
  const dims = Array.from({ length: rank }, () => (pick(0, 4) === 0 ? 1 : pick(2, rank > 4 ? 4 : 7)));
  const perm = dims.map((_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = pick(0, i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return { dims, perm };
}

describe('transposeRuns against a naive index loop', () => {
  const cases = Array.from({ length: 80 }, (_, k) => randomCase(1000 + k));
  it.each(cases.map((c) => [`[${c.dims}] perm [${c.perm}]`, c] as const))('%s', (_n, c) => {
    const n = c.dims.reduce((a, b) => a * b, 1);
    const x = randomFloats(n, 7);
    const out = new Float32Array(n);
    transposeRuns(x, out, c.dims, c.perm);
    expect(Array.from(out)).toEqual(naive(x, c.dims, c.perm));
  });

  it.each([
    [[3, 20, 17, 9], [0, 3, 1, 2]],
    [[2, 40, 70], [0, 2, 1]],
    [[1, 33, 35, 40], [0, 2, 3, 1]],
    [[5, 9, 2, 12, 10], [4, 2, 0, 3, 1]],
    [[9, 10, 11], [2, 1, 0]],
  ])('[%s] perm [%s] (the last output axis strided in the input)', (dims, perm) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const x = randomFloats(n, 8);
    const out = new Float32Array(n);
    transposeRuns(x, out, dims, perm);
    expect(Array.from(out)).toEqual(naive(x, dims, perm));
  });

  it('moves int32, uint8 and int64 elements unchanged', () => {
    const dims = [3, 1, 4, 40];
    const perm = [2, 1, 0, 3];
    const n = 480;
    const i32 = Int32Array.from({ length: n }, (_, i) => i * 7 - 1000);
    const u8 = Uint8Array.from({ length: n }, (_, i) => (i * 13) % 256);
    const i64 = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10000000000n);
    for (const x of [i32, u8, i64]) {
      const Ctor = x.constructor as new (n: number) => typeof x;
      const out = new Ctor(n);
      transposeRuns(x as unknown as Float32Array, out as unknown as Float32Array, dims, perm);
      expect(Array.from(out as ArrayLike<number | bigint>)).toEqual(naive(x, dims, perm));
    }
  });

  it('merges the channel shuffle into runs of H·W elements', () => {
    // [1, 2, 58, 28, 28] perm [0, 2, 1, 3, 4]: output [58, 2] of runs of 784 (stride 784, 58·784).
    expect(mergedAxes([1, 2, 58, 28, 28], [0, 2, 1, 3, 4])).toEqual({ dims: [58, 2, 784], strides: [784, 58 * 784, 1] });
    // The identity collapses to one contiguous axis; a 2-D transpose keeps both axes.
    expect(mergedAxes([2, 3, 4], [0, 1, 2])).toEqual({ dims: [24], strides: [1] });
    expect(mergedAxes([5, 1, 6], [2, 1, 0])).toEqual({ dims: [6, 5], strides: [1, 6] });
  });
});

describe('Transpose op against onnxruntime-node', () => {
  const ints = (name: string, value: number[]): NonNullable<OpCase['attrs']>[number] => ({ name, type: 'ints', value });
  const cases: [string, OpCase][] = [
    ['channel shuffle [1,2,6,5,7] perm [0,2,1,3,4]', { op: 'Transpose', opset: 13, x: { dims: [1, 2, 6, 5, 7], data: randomFloats(420, 41) }, attrs: [ints('perm', [0, 2, 1, 3, 4])] }],
    ['NCHW → NHWC [2,3,4,5]', { op: 'Transpose', opset: 13, x: { dims: [2, 3, 4, 5], data: randomFloats(120, 42) }, attrs: [ints('perm', [0, 2, 3, 1])] }],
    ['default perm (reverse) of rank 4', { op: 'Transpose', opset: 13, x: { dims: [2, 3, 1, 4], data: randomFloats(24, 43) } }],
  ];
  it.each(cases)('%s', async (_label, c) => {
    const [r] = await runBoth(c);
    expect(r.ours.dims).toEqual([...r.ort.dims]);
    expect(r.ort.data.length).toBeGreaterThan(0);
    expect(relDiff(r)).toBe(0);
  });
});
