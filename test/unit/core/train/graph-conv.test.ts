// The graph trainer's Conv (the WebAssembly path of ops/conv-wasm.ts and the JS fallback) against
// a direct float64 convolution written here from the definition: y[n, o, oy, ox] = b[o] +
// Σ w[o, c, i, j] · x[n, g·Cg + c, oy·s − pad + i·d, ox·s − pad + j·d]; its gradients are the same
// sum read the other way (dx += dy · w, dw += dy · x, db += dy). Shapes with odd sizes, stride 2,
// asymmetric pads, dilation, groups, batch 1 and batches spread over several chunks.
import { describe, expect, it } from 'vitest';
import type { Attribute, Node } from '../../../../src/core/onnx/model';
import { GRAPH_OPS, type Value } from '../../../../src/core/train/graph';
import { withoutGemmWasm } from '../../../../src/core/train/graph/gemm-wasm';
import { mulberry32 } from '../../../../src/core/train';

interface Case {
  name: string;
  x: number[];
  w: number[];
  group?: number;
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  bias?: boolean;
}

const cases: Case[] = [
  { name: '3x3 pad 1, batch 1', x: [1, 3, 7, 9], w: [5, 3, 3, 3], pads: [1, 1, 1, 1], bias: true },
  { name: 'stride 2, asymmetric pads, odd sizes', x: [3, 4, 11, 8], w: [7, 4, 3, 2], strides: [2, 2], pads: [0, 1, 2, 1], bias: true },
  { name: 'dilation 2, no bias', x: [2, 2, 9, 10], w: [6, 2, 3, 3], dilations: [2, 2], pads: [2, 1, 2, 1] },
  { name: 'group 2', x: [2, 6, 8, 8], w: [10, 3, 3, 3], group: 2, pads: [1, 1, 1, 1], bias: true },
  { name: 'strided 1x1 projection', x: [3, 8, 9, 9], w: [12, 8, 1, 1], strides: [2, 2] },
  // K·P = 27 · 400 floats per sample: 6 samples a chunk, 9 samples = two chunks, the second partial.
  { name: 'batch over two chunks', x: [9, 3, 20, 20], w: [9, 3, 3, 3], pads: [1, 1, 1, 1], bias: true },
  { name: 'depthwise 3x3 stride 2, pads', x: [3, 5, 9, 8], w: [5, 1, 3, 3], group: 5, strides: [2, 2], pads: [1, 1, 1, 1], bias: true },
  { name: 'depthwise 3x3 stride 1, pads', x: [3, 6, 9, 7], w: [6, 1, 3, 3], group: 6, pads: [1, 1, 1, 1], bias: true },
  { name: 'depthwise 2x4 stride 1, asymmetric pads', x: [2, 3, 6, 9], w: [3, 1, 2, 4], group: 3, pads: [0, 2, 1, 1], bias: true },
  { name: 'depthwise 5x3 dilation 2, batch 1, no bias', x: [1, 4, 10, 7], w: [4, 1, 5, 3], group: 4, dilations: [2, 1], pads: [2, 0, 3, 1] },
  // C·H·W = 8 · 128 · 128 floats a sample: 4 samples a chunk, 6 samples = two chunks, the second partial.
  { name: 'depthwise over two chunks', x: [6, 8, 128, 128], w: [8, 1, 3, 3], group: 8, pads: [1, 1, 1, 1], bias: true },
  { name: '1-D', x: [4, 3, 13], w: [5, 3, 3], strides: [2], pads: [1, 2], bias: true },
];

/** Direct convolution and its three gradients (float64) for a case over 2-D (1-D as height 1). */
function reference(c: Case, x: Float32Array, w: Float32Array, b: Float32Array | undefined, dy: Float32Array, outDims: number[]) {
  const two = c.x.length === 4;
  const [N, C, H, W] = two ? c.x : [c.x[0], c.x[1], 1, c.x[2]];
  const [M, Cg, kh, kw] = two ? c.w : [c.w[0], c.w[1], 1, c.w[2]];
  const [OH, OW] = two ? outDims.slice(2) : [1, outDims[2]];
  const [sh, sw] = two ? (c.strides ?? [1, 1]) : [1, (c.strides ?? [1])[0]];
  const [dh, dw] = two ? (c.dilations ?? [1, 1]) : [1, (c.dilations ?? [1])[0]];
  const [pt, pl] = two ? (c.pads ?? [0, 0, 0, 0]) : [0, (c.pads ?? [0, 0])[0]];
  const Mg = M / (c.group ?? 1);
  const y = new Float64Array(N * M * OH * OW);
  const dx = new Float64Array(x.length);
  const dwt = new Float64Array(w.length);
  const db = new Float64Array(M);
  for (let n = 0; n < N; n++) for (let o = 0; o < M; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const yi = ((n * M + o) * OH + oy) * OW + ox;
    let s = b !== undefined ? b[o] : 0;
    const g = dy[yi];
    db[o] += g;
    for (let ci = 0; ci < Cg; ci++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = oy * sh - pt + i * dh;
      const ix = ox * sw - pl + j * dw;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const xi = ((n * C + Math.floor(o / Mg) * Cg + ci) * H + iy) * W + ix;
      const wi = ((o * Cg + ci) * kh + i) * kw + j;
      s += w[wi] * x[xi];
      dx[xi] += g * w[wi];
      dwt[wi] += g * x[xi];
    }
    y[yi] = s;
  }
  return { y, dx, dw: dwt, db };
}

function expectClose(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i] - want[i]) > 1e-4 + 1e-4 * Math.abs(want[i])) throw new Error(`${what}[${i}] is ${got[i]}, the direct sum gives ${want[i]}`);
  }
}

function run(c: Case): void {
  const r = mulberry32(c.x.reduce((a, b) => a * 31 + b, 7));
  const rnd = (n: number): Float32Array => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const size = (d: number[]): number => d.reduce((a, b) => a * b, 1);
  const attrs: Attribute[] = [];
  if (c.group !== undefined) attrs.push({ name: 'group', type: 'int', value: c.group });
  for (const k of ['strides', 'pads', 'dilations'] as const) if (c[k] !== undefined) attrs.push({ name: k, type: 'ints', value: c[k]! });
  const x: Value = { dims: c.x, data: rnd(size(c.x)) };
  const w: Value = { dims: c.w, data: rnd(size(c.w)) };
  const b: Value | undefined = c.bias === true ? { dims: [c.w[0]], data: rnd(c.w[0]) } : undefined;
  const inputs = b !== undefined ? [x, w, b] : [x, w];
  const node: Node = { name: c.name, opType: 'Conv', domain: '', inputs: inputs.map((_v, i) => `in${i}`), outputs: ['y'], attributes: attrs };
  const kernel = GRAPH_OPS.Conv({ node, label: c.name, opset: 17, constant: (i) => (i > 0 ? inputs[i] : undefined) });
  const f = kernel.forward(inputs);
  const y = f.outputs[0];
  const dy = rnd(y.data.length);
  const want = reference(c, x.data, w.data, b?.data, dy, y.dims);
  expectClose(y.data, want.y, `${c.name}: y`);
  const [dx, dw, db] = kernel.backward(dy, inputs, f.outputs, f.saved, inputs.map(() => true));
  expectClose(dx!, want.dx, `${c.name}: dx`);
  expectClose(dw!, want.dw, `${c.name}: dw`);
  if (b !== undefined) expectClose(db!, want.db, `${c.name}: db`);
  // Only the weight gradient (a frozen input): dx is not computed.
  const [dx2, dw2] = kernel.backward(dy, inputs, f.outputs, f.saved, [false, true, false]);
  expect(dx2).toBeUndefined();
  expectClose(dw2!, want.dw, `${c.name}: dw alone`);
}

describe('graph trainer Conv against the direct sum', () => {
  for (const c of cases) {
    it(`${c.name} (WebAssembly)`, () => run(c));
    it(`${c.name} (JS fallback)`, () => withoutGemmWasm(() => run(c)));
  }
});
