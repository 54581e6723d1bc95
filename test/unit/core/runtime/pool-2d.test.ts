// The separable 2-D pool kernels (kernels/pool-2d.ts) against a plain window loop written here, on
// random geometries (kernel 1–5, stride 1–3, asymmetric pads 0–2, ceil_mode, odd sizes, NaNs,
// several planes), in JS and in WebAssembly (pool-wasm.ts), through the MaxPool/AveragePool ops and the pool folded after a conv
// (maxPoolPlanes), and the ops against onnxruntime-node on hand-built models.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { maxPoolPlanes } from '../../../../src/core/runtime/kernels/conv-post';
import { type Pool2d, avgPool2d, maxPool2d, maxPool2dJs, pool2dFits } from '../../../../src/core/runtime/kernels/pool-2d';
import { maxPool2dWasm } from '../../../../src/core/runtime/kernels/pool-wasm';
import { graph, model, node } from '../../../support/hand-models';
import { type Attrs, type OpCase, prng, randomFloats, relDiff, runBoth } from './single-op';

const ints = (name: string, value: number[]): Attrs[number] => ({ name, type: 'ints', value });
const int = (name: string, value: number): Attrs[number] => ({ name, type: 'int', value });

/** ONNX output length of one axis (explicit pads, dilation 1), ceil_mode's dropped last window included. */
function outLen(n: number, k: number, s: number, pb: number, pe: number, ceil: boolean): number {
  const span = n + pb + pe - k;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= n + pb) o--;
  return o;
}

/** The window loop: max (NaN if any NaN) or mean (divisor with or without the padding). */
function reference(x: Float32Array, planes: number, H: number, W: number, g: Pool2d, pb: number, pr: number, how: 'max' | 'avg', countPad: boolean): Float32Array {
  const y = new Float32Array(planes * g.OH * g.OW);
  let o = 0;
  for (let c = 0; c < planes; c++) {
    for (let oy = 0; oy < g.OH; oy++) {
      for (let ox = 0; ox < g.OW; ox++) {
        let m = -Infinity;
        let s = 0;
        let n = 0;
        let nPad = 0;
        for (let i = 0; i < g.kh; i++) {
          for (let j = 0; j < g.kw; j++) {
            const yy = oy * g.sy - g.pt + i;
            const xx = ox * g.sx - g.pl + j;
            if (yy >= -g.pt && yy < H + pb && xx >= -g.pl && xx < W + pr) nPad++;
            if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
            const v = x[(c * H + yy) * W + xx];
            if (Number.isNaN(v) || v > m) m = Number.isNaN(m) ? m : v;
            s += v;
            n++;
          }
        }
        y[o++] = how === 'max' ? m : s / (countPad ? nPad : n);
      }
    }
  }
  return y;
}

function sameFloats(got: Float32Array, want: Float32Array, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i], `element ${i}`).toBeNaN();
    else expect(Math.abs(got[i] - want[i]), `element ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
  }
}

interface Geo {
  planes: number;
  H: number;
  W: number;
  g: Pool2d;
  pb: number;
  pr: number;
  ceil: boolean;
  x: Float32Array;
}

/** Random geometries whose every window holds an input element, with some NaNs in the input. */
function geometries(count: number, seed: number): Geo[] {
  const r = prng(seed);
  const pick = (lo: number, hi: number): number => lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1));
  const out: Geo[] = [];
  while (out.length < count) {
    const [kh, kw, sy, sx] = [pick(1, 5), pick(1, 5), pick(1, 3), pick(1, 3)];
    const [pt, pb, pl, pr] = [pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)];
    const [H, W, planes, ceil] = [pick(kh, 14), pick(kw, 15), pick(1, 5), pick(0, 1) === 1];
    if (H + pt + pb < kh || W + pl + pr < kw) continue;
    const g: Pool2d = { kh, kw, sy, sx, pt, pl, OH: outLen(H, kh, sy, pt, pb, ceil), OW: outLen(W, kw, sx, pl, pr, ceil) };
    if (!pool2dFits(H, W, g)) continue;
    const x = randomFloats(planes * H * W, seed + out.length);
    const nans = pick(0, 3);
    for (let i = 0; i < nans; i++) x[pick(0, x.length - 1)] = NaN;
    out.push({ planes, H, W, g, pb, pr, ceil, x });
  }
  return out;
}

const name = (c: Geo): string => `${c.planes}×${c.H}×${c.W} k${c.g.kh}×${c.g.kw} s${c.g.sy},${c.g.sx} pads ${c.g.pt},${c.g.pl},${c.pb},${c.pr}${c.ceil ? ' ceil' : ''}`;

describe('separable 2-D pool kernels against the window loop', () => {
  it.each(geometries(60, 7).map((c) => [name(c), c] as const))('max %s', (_n, c) => {
    const y = new Float32Array(3 + c.planes * c.g.OH * c.g.OW);
    // Offsets into both buffers, as the conv arena uses.
    const src = new Float32Array(5 + c.x.length);
    src.set(c.x, 5);
    const want = reference(c.x, c.planes, c.H, c.W, c.g, c.pb, c.pr, 'max', false);
    maxPool2dJs(src, 5, y, 3, c.planes, c.H, c.W, c.g);
    sameFloats(y.subarray(3), want, 0);
    y.fill(7);
    expect(maxPool2dWasm(src, 5, y, 3, c.planes, c.H, c.W, c.g)).toBe(true);
    sameFloats(y.subarray(3), want, 0);
  });

  it('the WebAssembly max pool over several chunks of planes (3×3/2 and 2×4/(1,3), NaNs)', () => {
    // 5 planes of 301×333 (over 2^19 floats in all, so copied in more than one chunk).
    const [planes, H, W] = [5, 301, 333];
    const x = randomFloats(planes * H * W, 77);
    for (let i = 0; i < 20; i++) x[(i * 7919 * 13) % x.length] = NaN;
    for (const [kh, kw, sy, sx, pt, pl, pb, pr] of [[3, 3, 2, 2, 1, 1, 1, 1], [2, 4, 1, 3, 0, 2, 1, 0]]) {
      const g: Pool2d = { kh, kw, sy, sx, pt, pl, OH: outLen(H, kh, sy, pt, pb, true), OW: outLen(W, kw, sx, pl, pr, true) };
      const y = new Float32Array(planes * g.OH * g.OW);
      maxPool2d(x, 0, y, 0, planes, H, W, g);
      sameFloats(y, reference(x, planes, H, W, g, pb, pr, 'max', false), 0);
    }
  });

  it.each(geometries(30, 99).map((c) => [name(c), c] as const))('average %s', (_n, c) => {
    for (const countPad of [false, true]) {
      const divOf = (n: number, k: number, s: number, p0: number, p1: number, out: number): number[] =>
        Array.from({ length: out }, (_, o) => {
          let d = 0;
          for (let j = 0; j < k; j++) {
            const i = o * s - p0 + j;
            if (countPad ? i >= -p0 && i < n + p1 : i >= 0 && i < n) d++;
          }
          return d;
        });
      const y = new Float32Array(c.planes * c.g.OH * c.g.OW);
      const divH = divOf(c.H, c.g.kh, c.g.sy, c.g.pt, c.pb, c.g.OH);
      const divW = divOf(c.W, c.g.kw, c.g.sx, c.g.pl, c.pr, c.g.OW);
      avgPool2d(c.x, 0, y, 0, c.planes, c.H, c.W, c.g, divH, divW);
      sameFloats(y, reference(c.x, c.planes, c.H, c.W, c.g, c.pb, c.pr, 'avg', countPad), 1e-6);
    }
  });

  it('maxPoolPlanes (the pool folded after a conv) agrees with the window loop, NaNs included', () => {
    for (const c of geometries(40, 123)) {
      if (c.ceil || c.g.pt >= c.g.kh || c.pb >= c.g.kh || c.g.pl >= c.g.kw || c.pr >= c.g.kw) continue;
      const y = new Float32Array(2 + c.planes * c.g.OH * c.g.OW);
      const p = { kh: c.g.kh, kw: c.g.kw, sy: c.g.sy, sx: c.g.sx, pt: c.g.pt, pl: c.g.pl, pb: c.pb, pr: c.pr };
      maxPoolPlanes(c.x, 0, y, 2, c.planes, c.H, c.W, p);
      sameFloats(y.subarray(2), reference(c.x, c.planes, c.H, c.W, c.g, c.pb, c.pr, 'max', false), 0);
    }
  });
});

/** One pool node run by our runtime on x (dims [N, C, H, W]). */
function runOp(op: string, attrs: Attrs, dims: number[], x: Float32Array): Float32Array {
  const m = model(graph('g', {
    inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: dims } }],
    outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
    nodes: [node(op, ['x'], ['y'], attrs)],
  }));
  return Session.create(m, { kernels: 'dense' }).run({ x: { dims, data: x, dataType: DataType.FLOAT } }).y.data as Float32Array;
}

describe('MaxPool and AveragePool ops on the fast path', () => {
  it('MaxPool ops agree with the window loop on random geometries with NaNs (batch 2)', () => {
    for (const c of geometries(25, 555)) {
      if (c.planes % 2 !== 0) continue;
      const attrs = [ints('kernel_shape', [c.g.kh, c.g.kw]), ints('strides', [c.g.sy, c.g.sx]), ints('pads', [c.g.pt, c.g.pl, c.pb, c.pr]), int('ceil_mode', c.ceil ? 1 : 0)];
      const got = runOp('MaxPool', attrs, [2, c.planes / 2, c.H, c.W], c.x);
      sameFloats(got, reference(c.x, c.planes, c.H, c.W, c.g, c.pb, c.pr, 'max', false), 0);
    }
  });

  const cases: [string, OpCase][] = [
    ['MaxPool 3×3/2 ceil_mode (SqueezeNet) on 1×4×13×13', { op: 'MaxPool', opset: 12, x: { dims: [1, 4, 13, 13], data: randomFloats(676, 31) }, attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), int('ceil_mode', 1)] }],
    ['MaxPool 3×3/2 pad 1 (ShuffleNet/ResNet stem) on 2×3×11×10', { op: 'MaxPool', opset: 12, x: { dims: [2, 3, 11, 10], data: randomFloats(660, 32) }, attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])] }],
    ['MaxPool 5×2/(3,1) asymmetric pads, ceil_mode', { op: 'MaxPool', opset: 12, x: { dims: [1, 3, 12, 9], data: randomFloats(324, 33) }, attrs: [ints('kernel_shape', [5, 2]), ints('strides', [3, 1]), ints('pads', [2, 0, 1, 1]), int('ceil_mode', 1)] }],
    ['AveragePool 3×3/2 pads, ceil_mode, count_include_pad 0', { op: 'AveragePool', opset: 11, x: { dims: [1, 3, 10, 11], data: randomFloats(330, 34) }, attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 0, 1, 2]), int('ceil_mode', 1)] }],
    ['AveragePool 3×2/(2,3) pads, ceil_mode, count_include_pad 1', { op: 'AveragePool', opset: 19, x: { dims: [1, 2, 12, 10], data: randomFloats(240, 36) }, attrs: [ints('kernel_shape', [3, 2]), ints('strides', [2, 3]), ints('pads', [1, 1, 1, 0]), int('ceil_mode', 1), int('count_include_pad', 1)] }],
    ['AveragePool 4×3/(1,2) pads, count_include_pad 1', { op: 'AveragePool', opset: 11, x: { dims: [2, 2, 9, 8], data: randomFloats(288, 35) }, attrs: [ints('kernel_shape', [4, 3]), ints('strides', [1, 2]), ints('pads', [2, 1, 1, 2]), int('count_include_pad', 1)] }],
  ];
  it.each(cases)('%s agrees with onnxruntime-node', async (_label, c) => {
    const [r] = await runBoth(c);
    expect(r.ours.dims).toEqual([...r.ort.dims]);
    expect(r.ort.data.length).toBeGreaterThan(0);
    expect(relDiff(r)).toBeLessThan(1e-6);
  });
});

describe('the 2×2 stride-2 pool after a conv', () => {
  it('takes the max of each 2×2 block, NaN wherever the block holds one (odd sizes drop the last row and column)', () => {
    // Plane 3×5 → 1×2: blocks {1, -2, 6, 7} and {3, NaN, 8, 9}; plane 2 → {NaN, 0, 0, 0} and {-1, -5, -3, -4}.
    const x = Float32Array.of(
      1, -2, 3, NaN, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0,
      NaN, 0, -1, -5, 2, 0, 0, -3, -4, 0, 0, 0, 0, 0, 0,
    );
    const y = new Float32Array(4);
    maxPoolPlanes(x, 0, y, 0, 2, 3, 5, { kh: 2, kw: 2, sy: 2, sx: 2, pt: 0, pl: 0, pb: 0, pr: 0 });
    expect(Array.from(y)).toEqual([7, NaN, NaN, -1]);
  });
});
