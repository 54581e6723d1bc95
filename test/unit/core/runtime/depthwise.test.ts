// The depthwise 3×3 kernels (kernels/depthwise-run.ts, dw3 and dw3s2 for stride 2) against the
// layer's JS kernel (itself held to onnxruntime by conv.test.ts): widths across the four-float blocks (1–16),
// one row, activations (clamp, ReLU6, HardSwish), a per-channel input scale, a MaxPool after,
// batch 2; which layers it takes (dense enough, stride 1, padding 1, no residual).
import { describe, expect, it } from 'vitest';
import { type Conv2dShape, type ConvLayerWeights, ConvLayerRunner } from '../../../../src/core/runtime/kernels/conv-runner';
import { DEPTHWISE_MIN_DENSITY, DEPTHWISE_MIN_DENSITY_WIDE, depthwiseFits } from '../../../../src/core/runtime/kernels/depthwise-run';
import { prng, randomFloats } from './mlp';

const shape = (C: number, H: number, W: number, stride = 1, OH = Math.ceil(H / stride), OW = Math.ceil(W / stride)): Conv2dShape =>
  ({ C, H, W, OH, OW, sy: stride, sx: stride, dy: 1, dx: 1, padT: 1, padL: 1 });

function layer(C: number, rand: () => number, extra: Partial<ConvLayerWeights> = {}): ConvLayerWeights {
  return { M: C, group: C, kh: 3, kw: 3, w: randomFloats(C * 9, rand, 1), bias: randomFloats(C, rand, 0.5), lo: -Infinity, hi: Infinity, sparse: false, ...extra };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('dw3 / dw3s2: depthwise 3×3, stride 1 or 2, padding 1, in WebAssembly', () => {
  const acts: [string, Partial<ConvLayerWeights>][] = [['none', {}], ['ReLU6', { lo: 0, hi: 6 }], ['HardSwish', { hardswish: true }]];
  const sizes: [number, number, number][] = [[5, 7, 7], [3, 1, 9], [4, 5, 1], [2, 3, 2], [3, 4, 3], [6, 6, 4], [2, 2, 5], [3, 3, 6], [4, 8, 8], [2, 9, 9], [7, 14, 14]];
  it.each(sizes)('C %i, %i×%i: all activations, batch 2, within 1e-5 of the JS kernel', (C, H, W) => {
    const rand = prng(C * 100 + H * 10 + W);
    const s = shape(C, H, W);
    for (const [name, act] of acts) {
      const l = layer(C, rand, act);
      expect(depthwiseFits(s, l)).toBe(true);
      const x = randomFloats(2 * C * H * W, rand, 3);
      const wasm = new ConvLayerRunner(l, true);
      const js = new ConvLayerRunner(l, false);
      const got = new Float32Array(2 * C * H * W);
      const want = new Float32Array(2 * C * H * W);
      wasm.run(s, 2, x, got);
      js.run(s, 2, x, want);
      expect(wasm.depthwise, name).toBe(true);
      expect(maxDiff(got, want), name).toBeLessThan(1e-5);
    }
  });

  // Stride 2: padding 1 each side (output ⌈H/2⌉) or only before (⌊H/2⌋), odd and even sizes.
  const strided: [number, number, number, number, number][] = [[4, 14, 14, 7, 7], [3, 7, 7, 4, 4], [2, 8, 9, 4, 4], [3, 1, 5, 1, 3], [2, 5, 2, 3, 1], [5, 9, 16, 5, 8], [2, 12, 11, 6, 5]];
  it.each(strided)('stride 2, C %i, %i×%i → %i×%i: all activations, batch 2, within 1e-5 of the JS kernel', (C, H, W, OH, OW) => {
    const rand = prng(C * 1000 + H * 10 + W);
    const s = shape(C, H, W, 2, OH, OW);
    for (const [name, act] of acts) {
      const l = layer(C, rand, act);
      expect(depthwiseFits(s, l)).toBe(true);
      const x = randomFloats(2 * C * H * W, rand, 3);
      const wasm = new ConvLayerRunner(l, true);
      const got = new Float32Array(2 * C * OH * OW);
      const want = new Float32Array(2 * C * OH * OW);
      wasm.run(s, 2, x, got);
      new ConvLayerRunner(l, false).run(s, 2, x, want);
      expect(wasm.depthwise, name).toBe(true);
      expect(maxDiff(got, want), name).toBeLessThan(1e-5);
    }
  });

  it('with a per-channel input scale and a MaxPool 2×2 after', () => {
    const rand = prng(7);
    const [C, H, W] = [5, 7, 7];
    const s = shape(C, H, W);
    const l = layer(C, rand, { lo: 0, hi: Infinity, scaled: true });
    const x = randomFloats(2 * C * H * W, rand, 2);
    const scale = randomFloats(2 * C, rand, 1);
    const pool = { kh: 2, kw: 2, sy: 2, sx: 2, pt: 0, pl: 0, pb: 0, pr: 0 };
    const got = new Float32Array(2 * C * 3 * 3);
    const want = new Float32Array(2 * C * 3 * 3);
    const wasm = new ConvLayerRunner(l, true);
    wasm.run(s, 2, x, got, scale, undefined, pool);
    new ConvLayerRunner(l, false).run(s, 2, x, want, scale, undefined, pool);
    expect(wasm.depthwise).toBe(true);
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
  });

  it('takes only dense-enough depthwise 3×3 layers at stride 1 or 2, padding 1, without a residual', () => {
    const rand = prng(3);
    const s = shape(4, 6, 6);
    const l = layer(4, rand);
    expect(depthwiseFits(s, l)).toBe(true);
    expect(depthwiseFits({ ...s, sy: 2, sx: 2, OH: 3, OW: 3 }, l)).toBe(true);
    expect(depthwiseFits({ ...s, sy: 3, sx: 3, OH: 2, OW: 2 }, l)).toBe(false);
    expect(depthwiseFits({ ...s, sy: 2, sx: 1, OH: 3, OW: 6 }, l)).toBe(false);
    expect(depthwiseFits({ ...s, dy: 2, dx: 2, OH: 4, OW: 4 }, l)).toBe(false);
    expect(depthwiseFits({ ...s, padT: 0, padL: 0, OH: 4, OW: 4 }, l)).toBe(false);
    expect(depthwiseFits(s, { ...l, residual: true })).toBe(false);
    expect(depthwiseFits({ ...s, C: 8 }, { ...l, group: 4 })).toBe(false);
    // 36 weights: keeping fewer than DEPTHWISE_MIN_DENSITY of them non-zero leaves the layer to the lists.
    const keep = Math.ceil(DEPTHWISE_MIN_DENSITY * 36);
    const sparse = (n: number): Float32Array => Float32Array.from(l.w, (v, i) => (i < n ? v || 1 : 0));
    expect(depthwiseFits(s, { ...l, w: sparse(keep) })).toBe(true);
    expect(depthwiseFits(s, { ...l, w: sparse(keep - 1) })).toBe(false);
    // Stride-1 maps wider than 8 want DEPTHWISE_MIN_DENSITY_WIDE; stride 2 the lower share.
    const wide = shape(4, 10, 10);
    const keepWide = Math.ceil(DEPTHWISE_MIN_DENSITY_WIDE * 36);
    expect(depthwiseFits(wide, { ...l, w: sparse(keepWide) })).toBe(true);
    expect(depthwiseFits(wide, { ...l, w: sparse(keepWide - 1) })).toBe(false);
    expect(depthwiseFits(shape(4, 10, 10, 2), { ...l, w: sparse(keep) })).toBe(true);
    const r = new ConvLayerRunner({ ...l, w: sparse(keep - 1), sparse: true }, true);
    r.run(s, 1, new Float32Array(4 * 36), new Float32Array(4 * 36));
    expect(r.depthwise).toBe(false);
  });
});
