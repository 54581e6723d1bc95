// Winograd F(2×2, 3×3) and F(4×4, 3×3) for dense 3×3 stride-1 convs (kernels/winograd-run.ts): the weight transform
// on hand-computed cases, the layer program against the direct JS kernel (odd sizes, padding 0 and
// 1, residual, activations, per-channel scale, pool, batch 3), which layers it takes, and whole
// Conv steps through a Session against onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { type Attribute, DataType, type Model, type Node, type Tensor } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { type Conv2dShape, type ConvLayerWeights, ConvLayerRunner } from '../../../../src/core/runtime/kernels/conv-runner';
import { WinogradProgram, winogradFits, winogradPays, winogradTile, winogradWeights } from '../../../../src/core/runtime/kernels/winograd-run';
import { prng, randomFloats } from './mlp';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('winogradWeights: U = G g Gᵀ, G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]', () => {
  it('a centre tap gives the outer product of G’s middle column (0, ½, -½, 0)', () => {
    const g = new Float32Array(9);
    g[4] = 1;
    const col = [0, 0.5, -0.5, 0];
    const u = winogradWeights(g, 1, 1);
    expect(Array.from(u)).toEqual(col.flatMap((a) => col.map((b) => a * b + 0)));
  });

  it('F(4×4): a centre tap gives the outer product of its G’s middle column (0, -1/6, 1/6, 1/12, -1/12, 0)', () => {
    const g = new Float32Array(9);
    g[4] = 1;
    const col = [0, -1 / 6, 1 / 6, 1 / 12, -1 / 12, 0];
    const u = winogradWeights(g, 1, 1, 4);
    expect(u).toHaveLength(36);
    col.forEach((a, i) => col.forEach((b, j) => expect(u[i * 6 + j]).toBeCloseTo(a * b, 7)));
  });

  it('all ones give the outer product of G’s row sums (1, 3/2, ½, 1); channels land at [ξ][m][c]', () => {
    const sums = [1, 1.5, 0.5, 1];
    // M = 2, C = 1: channel 0 all ones, channel 1 all twos.
    const u = winogradWeights(Float32Array.from({ length: 18 }, (_, i) => (i < 9 ? 1 : 2)), 2, 1);
    for (let xi = 0; xi < 16; xi++) {
      const want = sums[xi >> 2] * sums[xi & 3];
      expect(u[xi * 2]).toBeCloseTo(want, 6);
      expect(u[xi * 2 + 1]).toBeCloseTo(2 * want, 6);
    }
  });
});

describe('which layers run as Winograd', () => {
  const l: ConvLayerWeights = { M: 16, group: 1, kh: 3, kw: 3, w: new Float32Array(16 * 16 * 9), bias: new Float32Array(16), lo: 0, hi: Infinity, sparse: false };
  const s: Conv2dShape = { C: 16, H: 14, W: 14, OH: 14, OW: 14, sy: 1, sx: 1, dy: 1, dx: 1, padT: 1, padL: 1 };
  it('fits only dense 3×3 stride-1 undilated ungrouped layers', () => {
    expect(winogradFits(s, l)).toBe(true);
    expect(winogradFits({ ...s, sy: 2, sx: 2, OH: 7, OW: 7 }, l)).toBe(false);
    expect(winogradFits({ ...s, dy: 2, dx: 2, OH: 12, OW: 12 }, l)).toBe(false);
    expect(winogradFits(s, { ...l, group: 2 })).toBe(false);
    expect(winogradFits(s, { ...l, sparse: true })).toBe(false);
    expect(winogradFits(s, { ...l, kh: 5, kw: 5 })).toBe(false);
  });
  it('pays with enough channels (not for a one-channel stem); 4×4 tiles on maps of 12 and more', () => {
    expect(winogradPays(s, l)).toBe(true);
    expect(winogradPays({ ...s, C: 1 }, l)).toBe(false);
    expect(winogradTile(s, l)).toBe(4);
    expect(winogradTile({ ...s, H: 7, W: 7, OH: 7, OW: 7 }, l)).toBe(2);
    expect(winogradTile({ ...s, C: 4 }, l)).toBe(0);
  });
});

interface LayerCase {
  C: number;
  M: number;
  H: number;
  W: number;
  pad: number;
  residual?: boolean;
  act?: 'relu' | 'clip' | 'hardswish';
  scale?: boolean;
  pool?: boolean;
}

const LAYER_CASES: LayerCase[] = [
  { C: 3, M: 5, H: 7, W: 9, pad: 1 },
  { C: 8, M: 12, H: 11, W: 6, pad: 0, residual: true, act: 'relu' },
  { C: 16, M: 16, H: 28, W: 28, pad: 1, act: 'relu' },
  { C: 32, M: 32, H: 14, W: 14, pad: 1, residual: true, act: 'hardswish' },
  { C: 64, M: 64, H: 7, W: 7, pad: 1, act: 'clip' },
  { C: 9, M: 7, H: 5, W: 13, pad: 1, scale: true, act: 'hardswish' },
  { C: 10, M: 6, H: 4, W: 4, pad: 0, residual: true },
  { C: 6, M: 8, H: 12, W: 10, pad: 1, act: 'relu', pool: true },
];

describe('the Winograd layer program against the direct JS kernel', () => {
  const both = LAYER_CASES.flatMap((c) => [2, 4].map((tile) => [`F(${tile}×${tile}) ${JSON.stringify(c)}`, c, tile as 2 | 4] as const));
  it.each(both)('%s, batch 3, within 1e-4', (_n, c, tile) => {
    const rand = prng(c.C * 31 + c.M);
    const { C, M, H, W, pad } = c;
    const OH = H + 2 * pad - 2;
    const OW = W + 2 * pad - 2;
    const N = 3;
    const [lo, hi] = c.act === 'relu' ? [0, Infinity] : c.act === 'clip' ? [-0.3, 0.5] : [-Infinity, Infinity];
    const l: ConvLayerWeights = {
      M, group: 1, kh: 3, kw: 3, w: randomFloats(M * C * 9, rand, 0.5), bias: randomFloats(M, rand, 0.5), lo, hi, sparse: false,
      hardswish: c.act === 'hardswish', residual: !!c.residual, scaled: !!c.scale,
    };
    const s: Conv2dShape = { C, H, W, OH, OW, sy: 1, sx: 1, dy: 1, dx: 1, padT: pad, padL: pad };
    const x = randomFloats(N * C * H * W, rand, 1);
    const scale = c.scale ? randomFloats(N * C, rand, 1) : undefined;
    const res = c.residual ? randomFloats(N * M * OH * OW, rand, 1) : undefined;
    const pool = c.pool ? { kh: 2, kw: 2, sy: 2, sx: 2, pt: 0, pl: 0, pb: 0, pr: 0 } : undefined;
    const outLen = N * M * (pool ? Math.floor(OH / 2) * Math.floor(OW / 2) : OH * OW);
    const wino = new ConvLayerRunner({ ...l, winograd: true, winogradTile: tile }, true);
    const direct = new ConvLayerRunner(l, false);
    const got = new Float32Array(outLen);
    const want = new Float32Array(outLen);
    wino.run(s, N, x, got, scale, res, pool);
    direct.run(s, N, x, want, scale, res, pool);
    expect(wino.winograd).toBe(true);
    expect(direct.winograd).toBe(false);
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
    // Bias and activation really applied: not all outputs equal.
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
  });
});

const ints = (name: string, v: number[]): Attribute => ({ name, type: 'ints', value: v.map(BigInt) } as Attribute);
const f32 = (name: string, dims: number[], data: Float32Array): Tensor => ({ name, dims, dataType: DataType.FLOAT, data });
const valueInfo = (name: string): Model['graph']['inputs'][number] => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: undefined } } as Model['graph']['inputs'][number]);
const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node => ({ name, opType, domain: '', inputs, outputs, attributes });

/** Conv 3×3 (C → M) → BatchNormalization → [+ r] → Relu, two of them in a row when `two`. */
function convModel(C: number, M: number, pad: number, residual: boolean, seed: number): Model {
  const rand = prng(seed);
  const bn = (k: string): Tensor[] => [
    f32(`${k}s`, [M], Float32Array.from({ length: M }, () => 1 + 0.3 * rand())),
    f32(`${k}b`, [M], randomFloats(M, rand, 0.2)),
    f32(`${k}m`, [M], randomFloats(M, rand, 0.2)),
    f32(`${k}v`, [M], Float32Array.from({ length: M }, () => 1 + 0.5 * rand())),
  ];
  const nodes: Node[] = [
    node('conv', 'Conv', ['x', 'w', 'b'], ['c'], [ints('kernel_shape', [3, 3]), ints('pads', [pad, pad, pad, pad])]),
    node('bn', 'BatchNormalization', ['c', 'ks', 'kb', 'km', 'kv'], ['n']),
  ];
  if (residual) nodes.push(node('add', 'Add', ['n', 'r'], ['a']));
  nodes.push(node('relu', 'Relu', [residual ? 'a' : 'n'], ['y']));
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 14 }], producerName: 'winograd.test', producerVersion: '', domain: '', modelVersion: 1, docString: '',
    metadataProps: [], functions: [],
    graph: {
      name: 'wino', inputs: [valueInfo('x'), ...(residual ? [valueInfo('r')] : [])], outputs: [valueInfo('y')], valueInfo: [], nodes, sparseInitializers: [],
      initializers: [f32('w', [M, C, 3, 3], randomFloats(M * C * 9, rand, 0.3)), f32('b', [M], randomFloats(M, rand, 0.3)), ...bn('k')],
    },
  };
}

describe('Conv + BN (+ residual) + Relu through a Session on Winograd, against onnxruntime-node', () => {
  afterEach(() => vi.restoreAllMocks());
  const cases: [string, number, number, number, number, number, boolean][] = [
    ['16→16 on 28×28, pad 1, residual (4×4 tiles)', 16, 16, 28, 28, 1, true],
    ['32→24 on 14×15, pad 1 (4×4 tiles)', 32, 24, 14, 15, 1, false],
    ['12→20 on 9×7, pad 0', 12, 20, 9, 7, 0, false],
    ['8→8 on 5×6, pad 1, residual', 8, 8, 5, 6, 1, true],
  ];
  it('a 3×3 layer pruned 50% stays dense (Winograd beats its lists), pruned 80% runs on lists', () => {
    for (const [zeros, kernel] of [[0.5, 'dense'], [0.8, 'sparse']] as const) {
      const m = convModel(16, 16, 1, false, 9);
      const w = m.graph.initializers[0].data as Float32Array;
      const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]));
      for (const i of order.slice(0, Math.round(zeros * w.length))) w[i] = 0;
      expect(Session.create(decodeModel(encodeModel(m)), { kernels: 'sparse' }).layers[0].kernel).toBe(kernel);
    }
  });

  it.each(cases)('%s: batch 1 and 3, within 1e-4', async (_n, C, M, H, W, pad, residual) => {
    const bytes = encodeModel(convModel(C, M, pad, residual, C + M + H));
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const spy = vi.spyOn(WinogradProgram.prototype, 'run');
    const s = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    expect(s.layers.map((l) => l.nodes)).toEqual([residual ? ['conv', 'bn', 'add', 'relu'] : ['conv', 'bn', 'relu']]);
    const rand = prng(3);
    const [OH, OW] = [H + 2 * pad - 2, W + 2 * pad - 2];
    for (const n of [1, 3]) {
      const x = randomFloats(n * C * H * W, rand, 1);
      const r = randomFloats(n * M * OH * OW, rand, 1);
      const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [n, C, H, W]), ...(residual ? { r: new ort.Tensor('float32', r, [n, M, OH, OW]) } : {}) };
      const want = (await ref.run(feeds)).y;
      const got = s.run({
        x: { dims: [n, C, H, W], data: x, dataType: DataType.FLOAT },
        ...(residual ? { r: { dims: [n, M, OH, OW], data: r, dataType: DataType.FLOAT } } : {}),
      }).y;
      expect(got.dims).toEqual([...want.dims]);
      expect(maxDiff(got.data as Float32Array, want.data as Float32Array)).toBeLessThan(1e-4);
    }
    expect(spy).toHaveBeenCalledTimes(4);
  });
});

describe('conv layers sharing one WebAssembly memory (ConvArena), against onnxruntime-node', () => {
  /** x → Conv 3×3 → Relu → Conv 1×1 stride 2 → Conv 3×3 (+ residual of the second's output) → y. */
  function chain(): Model {
    const rand = prng(77);
    const conv = (name: string, input: string, out: string, M: number, C: number, k: number, stride: number): [Node, Tensor] => [
      node(name, 'Conv', [input, `w${name}`], [out], [ints('kernel_shape', [k, k]), ints('pads', Array(4).fill((k - 1) / 2)), ints('strides', [stride, stride])]),
      f32(`w${name}`, [M, C, k, k], randomFloats(M * C * k * k, rand, 0.4)),
    ];
    const parts = [conv('a', 'x', 'ya', 12, 3, 3, 1), conv('b', 'ra', 'yb', 10, 12, 1, 2), conv('c', 'yb', 'yc', 10, 10, 3, 1)];
    return {
      irVersion: 8, opsetImports: [{ domain: '', version: 14 }], producerName: 'winograd.test', producerVersion: '', domain: '', modelVersion: 1, docString: '',
      metadataProps: [], functions: [],
      graph: {
        name: 'chain', inputs: [valueInfo('x')], outputs: [valueInfo('y')], valueInfo: [], sparseInitializers: [],
        nodes: [parts[0][0], node('relu', 'Relu', ['ya'], ['ra']), parts[1][0], parts[2][0], node('add', 'Add', ['yc', 'yb'], ['y'])],
        initializers: parts.map((p) => p[1]),
      },
    };
  }

  it('runs after runs with new inputs and new shapes (the programs rebuilt, the memory grown) give ORT’s answer', async () => {
    const bytes = encodeModel(chain());
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const s = Session.create(decodeModel(bytes), { kernels: 'dense' });
    expect(s.layers.map((l) => l.nodes)).toEqual([['a', 'relu'], ['b'], ['c', 'add']]);
    const rand = prng(12);
    for (const [n, h, w] of [[1, 16, 16], [1, 16, 16], [2, 16, 16], [1, 24, 20], [1, 16, 16]]) {
      const x = randomFloats(n * 3 * h * w, rand, 1);
      const want = (await ref.run({ x: new ort.Tensor('float32', x, [n, 3, h, w]) })).y;
      const got = s.run({ x: { dims: [n, 3, h, w], data: x, dataType: DataType.FLOAT } }).y;
      expect(got.dims).toEqual([...want.dims]);
      expect(maxDiff(got.data as Float32Array, want.data as Float32Array), `${n}×${h}×${w}`).toBeLessThan(1e-4);
    }
  });
});
