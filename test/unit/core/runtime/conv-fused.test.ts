// What the plan folds into a Conv step besides BN and Relu/Clip: a Mul feeding the conv (squeeze-
// excite: x · s, s [N, C, 1, 1]), a residual Add of another computed value, HardSwish, HardSigmoid, a MaxPool — against
// onnxruntime-node, with the shapes the fast path does not take (s [1, C, 1, 1] with N > 1, a
// broadcasting residual) going through the fallback, and an Add whose other input is computed
// after the conv left alone.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { type Attribute, DataType, type Model, type Node, type Tensor } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { prng, randomFloats } from './mlp';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const ints = (name: string, v: number[]): Attribute => ({ name, type: 'ints', value: v.map(BigInt) } as Attribute);
const f32 = (name: string, dims: number[], data: Float32Array): Tensor => ({ name, dims, dataType: DataType.FLOAT, data });
const vi = (name: string): Model['graph']['inputs'][number] => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: undefined } } as Model['graph']['inputs'][number]);
const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node => ({ name, opType, domain: '', inputs, outputs, attributes });

interface Case {
  name: string;
  /** Input dims per batch size n: x, and s when the conv reads Mul(x, s) (swap: Mul(s, x)). */
  x: (n: number) => number[];
  s?: (n: number) => number[];
  swap?: boolean;
  /** Residual dims (a graph input added to the conv output; first: Add(r, conv)). */
  r?: (n: number) => number[];
  first?: boolean;
  act?: 'hardswish' | 'relu' | 'clip' | 'hardsigmoid';
  M: number;
  kernel: number;
  pads: number;
  group?: number;
  zeros?: number;
  /** A MaxPool after the activation: kernel, stride, pad (all axes), ceil_mode. */
  pool?: { k: number; s: number; p: number; ceil?: boolean };
  /** Fused fast path expected (else the fallback); both must agree with ORT anyway. */
  expect: { scale: boolean; residual: boolean };
}

function model(c: Case, seed: number): { m: Model; inputs: string[] } {
  const rand = prng(seed);
  const C = c.x(1)[1];
  const g = c.group ?? 1;
  const wDims = [c.M, C / g, c.kernel, c.kernel];
  const inits = [f32('w', wDims, randomFloats(wDims.reduce((a, b) => a * b, 1), rand, 0.5, c.zeros ?? 0)), f32('b', [c.M], randomFloats(c.M, rand, 0.5))];
  const nodes: Node[] = [];
  const inputs = ['x'];
  let convIn = 'x';
  if (c.s) {
    inputs.push('s');
    nodes.push(node('mul', 'Mul', c.swap ? ['s', 'x'] : ['x', 's'], ['m']));
    convIn = 'm';
  }
  const attrs = [ints('kernel_shape', [c.kernel, c.kernel]), ints('pads', [c.pads, c.pads, c.pads, c.pads])];
  if (g !== 1) attrs.push({ name: 'group', type: 'int', value: BigInt(g) } as Attribute);
  nodes.push(node('conv', 'Conv', [convIn, 'w', 'b'], ['c'], attrs));
  let last = 'c';
  if (c.r) {
    inputs.push('r');
    nodes.push(node('add', 'Add', c.first ? ['r', last] : [last, 'r'], ['a']));
    last = 'a';
  }
  if (c.act === 'hardswish') nodes.push(node('act', 'HardSwish', [last], ['y']));
  else if (c.act === 'relu') nodes.push(node('act', 'Relu', [last], ['y']));
  else if (c.act === 'hardsigmoid') {
    nodes.push(node('act', 'HardSigmoid', [last], ['y'], [{ name: 'alpha', type: 'float', value: 0.3 } as Attribute, { name: 'beta', type: 'float', value: 0.4 } as Attribute]));
  }
  else if (c.act === 'clip') {
    inits.push(f32('lo', [], Float32Array.of(-0.2)), f32('hi', [], Float32Array.of(0.4)));
    nodes.push(node('act', 'Clip', [last, 'lo', 'hi'], ['y']));
  }
  if (c.act) last = 'y';
  if (c.pool) {
    const { k, s: st, p } = c.pool;
    const pa = [ints('kernel_shape', [k, k]), ints('strides', [st, st]), ints('pads', [p, p, p, p])];
    if (c.pool.ceil) pa.push({ name: 'ceil_mode', type: 'int', value: 1n } as Attribute);
    nodes.push(node('pool', 'MaxPool', [last], ['pooled'], pa));
    last = 'pooled';
  }
  const m: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 14 }], producerName: 'conv-fused.test', producerVersion: '', domain: '', modelVersion: 1, docString: '',
    metadataProps: [], functions: [],
    graph: { name: c.name, inputs: inputs.map(vi), outputs: [vi(last)], valueInfo: [], nodes, initializers: inits, sparseInitializers: [] },
  };
  return { m, inputs };
}

const CASES: Case[] = [
  {
    name: 'SE scale + residual + HardSwish (1x1 projection)', x: (n) => [n, 12, 7, 7], s: (n) => [n, 12, 1, 1], r: (n) => [n, 8, 7, 7], act: 'hardswish', M: 8, kernel: 1, pads: 0,
    expect: { scale: true, residual: true },
  },
  { name: 'Mul(s, x) order, 3x3, Relu', x: (n) => [n, 4, 9, 9], s: (n) => [n, 4, 1, 1], swap: true, act: 'relu', M: 6, kernel: 3, pads: 1, expect: { scale: true, residual: false } },
  { name: 'Add(r, conv) + Relu, pruned 60%', x: (n) => [n, 6, 8, 8], r: (n) => [n, 6, 8, 8], first: true, act: 'relu', M: 6, kernel: 3, pads: 1, zeros: 0.6, expect: { scale: false, residual: true } },
  { name: 'depthwise + residual + Clip', x: (n) => [n, 8, 6, 6], r: (n) => [n, 8, 6, 6], act: 'clip', M: 8, kernel: 3, pads: 1, group: 8, expect: { scale: false, residual: true } },
  { name: 'SE gate: 1x1 + HardSigmoid (alpha 0.3, beta 0.4)', x: (n) => [n, 6, 1, 1], act: 'hardsigmoid', M: 12, kernel: 1, pads: 0, expect: { scale: false, residual: false } },
  { name: 'HardSigmoid after a 3x3, pruned 50%', x: (n) => [n, 4, 6, 6], act: 'hardsigmoid', M: 5, kernel: 3, pads: 1, zeros: 0.5, expect: { scale: false, residual: false } },
  { name: 'HardSwish alone', x: (n) => [n, 3, 10, 10], act: 'hardswish', M: 5, kernel: 3, pads: 0, expect: { scale: false, residual: false } },
  // 1x1 stride 1 unpadded: the dense kernel writes the NCHW planes straight (odd plane sizes, channels
  // not a multiple of four; a residual added in place); padded, it packs and compacts as before.
  { name: '1x1 straight into NCHW, 5×7 map, M 6, HardSwish', x: (n) => [n, 5, 5, 7], act: 'hardswish', M: 6, kernel: 1, pads: 0, expect: { scale: false, residual: false } },
  { name: '1x1 straight into NCHW + residual + Relu, 3×5 map, M 7', x: (n) => [n, 4, 3, 5], r: (n) => [n, 7, 3, 5], act: 'relu', M: 7, kernel: 1, pads: 0, expect: { scale: false, residual: true } },
  { name: '1x1 straight into NCHW + residual + HardSwish, SE-scaled, 7×7 map, M 9', x: (n) => [n, 6, 7, 7], s: (n) => [n, 6, 1, 1], r: (n) => [n, 9, 7, 7], act: 'hardswish', M: 9, kernel: 1, pads: 0, expect: { scale: true, residual: true } },
  { name: '1x1 straight into NCHW + MaxPool 2x2/2, 6×5 map', x: (n) => [n, 3, 6, 5], act: 'relu', M: 5, kernel: 1, pads: 0, pool: { k: 2, s: 2, p: 0 }, expect: { scale: false, residual: false } },
  { name: '1x1 padded (packed and compacted, not straight), residual', x: (n) => [n, 3, 4, 5], r: (n) => [n, 6, 6, 7], act: 'relu', M: 6, kernel: 1, pads: 1, expect: { scale: false, residual: true } },
  // Fallbacks: the scale is shared by the batch; the residual broadcasts (and widens the output).
  { name: 'scale [1, C, 1, 1] (fallback)', x: (n) => [n, 4, 6, 6], s: () => [1, 4, 1, 1], act: 'hardswish', M: 3, kernel: 3, pads: 1, expect: { scale: true, residual: false } },
  { name: 'broadcasting residual (fallback)', x: (n) => [n, 3, 6, 6], r: () => [2, 1, 1, 6], act: 'relu', M: 4, kernel: 3, pads: 1, expect: { scale: false, residual: true } },
  // MaxPool after the activation (LeNet: 2x2 stride 2; a ResNet stem: 3x3 stride 2 pad 1, odd sizes).
  { name: 'Relu + MaxPool 2x2/2', x: (n) => [n, 1, 12, 12], act: 'relu', M: 6, kernel: 5, pads: 2, pool: { k: 2, s: 2, p: 0 }, expect: { scale: false, residual: false } },
  { name: 'Relu + MaxPool 2x2/2 on odd sizes (last row and column dropped)', x: (n) => [n, 3, 11, 13], act: 'relu', M: 5, kernel: 3, pads: 1, pool: { k: 2, s: 2, p: 0 }, expect: { scale: false, residual: false } },
  { name: 'MaxPool 3x3/2 pad 1, pruned 70%', x: (n) => [n, 3, 11, 9], M: 8, kernel: 3, pads: 1, zeros: 0.7, pool: { k: 3, s: 2, p: 1 }, expect: { scale: false, residual: false } },
  { name: 'residual + Relu + MaxPool', x: (n) => [n, 4, 8, 8], r: (n) => [n, 4, 8, 8], act: 'relu', M: 4, kernel: 3, pads: 1, pool: { k: 2, s: 2, p: 0 }, expect: { scale: false, residual: true } },
  { name: 'broadcasting residual + MaxPool (fallback)', x: (n) => [n, 3, 6, 6], r: () => [2, 1, 1, 6], act: 'relu', M: 4, kernel: 3, pads: 1, pool: { k: 2, s: 2, p: 0 }, expect: { scale: false, residual: true } },
];

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('Conv steps with a folded Mul, residual Add or HardSwish, against onnxruntime-node', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: dense and sparse, WebAssembly and JS, batch 1 and 2, within 1e-4', async (_n, c) => {
    const { m, inputs } = model(c, 23);
    const bytes = encodeModel(m);
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const rand = prng(5);
    for (const n of c.r && c.r(1)[0] === 2 ? [2] : [1, 2]) {
      const dims: Record<string, number[]> = { x: c.x(n), ...(c.s ? { s: c.s(n) } : {}), ...(c.r ? { r: c.r(n) } : {}) };
      const data = Object.fromEntries(inputs.map((k) => [k, randomFloats(dims[k].reduce((a, b) => a * b, 1), rand, 1)]));
      const want = (await ref.run(Object.fromEntries(inputs.map((k) => [k, new ort.Tensor('float32', data[k], dims[k])]))))[ref.outputNames[0]];
      for (const [kernels, wasm] of [['dense', true], ['sparse', true], ['dense', false], ['sparse', false]] as const) {
        const s = Session.create(decodeModel(bytes), { kernels, wasm, sparseMinSparsity: 0 });
        // One step: every node is folded into the conv layer.
        expect(s.layers).toHaveLength(1);
        const l = s.layers[0];
        expect(l.nodes).toEqual(m.graph.nodes.map((x) => x.name));
        expect(l.conv?.pool).toEqual(c.pool ? [c.pool.k, c.pool.k] : undefined);
        expect(l.conv?.activation).toBe(c.act ?? null);
        expect(!!l.conv?.scale).toBe(c.expect.scale);
        expect(!!l.conv?.residual).toBe(c.expect.residual);
        const got = s.run(Object.fromEntries(inputs.map((k) => [k, { dims: dims[k], data: data[k], dataType: DataType.FLOAT }])))[ref.outputNames[0]];
        expect(got.dims).toEqual([...want.dims]);
        expect(maxDiff(got.data as Float32Array, want.data as Float32Array), `${kernels} wasm=${wasm} n=${n}`).toBeLessThan(1e-4);
      }
    }
  });

  it('a MaxPool with ceil_mode stays a step of its own (and agrees with ORT)', async () => {
    const c: Case = { name: 'ceil', x: (n) => [n, 2, 7, 7], act: 'relu', M: 3, kernel: 3, pads: 0, pool: { k: 2, s: 2, p: 0, ceil: true }, expect: { scale: false, residual: false } };
    const { m } = model(c, 4);
    const bytes = encodeModel(m);
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const x = randomFloats(2 * 2 * 49, prng(1), 1);
    const want = (await ref.run({ x: new ort.Tensor('float32', x, [2, 2, 7, 7]) })).pooled;
    const s = Session.create(decodeModel(bytes), { kernels: 'dense' });
    expect(s.layers.map((l) => l.nodes)).toEqual([['conv', 'act']]);
    const got = s.run({ x: { dims: [2, 2, 7, 7], data: x, dataType: DataType.FLOAT } }).pooled;
    expect(got.dims).toEqual([...want.dims]);
    expect(maxDiff(got.data as Float32Array, want.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('an Add of two convs is folded into the second (its other input is computed before it), not the first', async () => {
    const rand = prng(8);
    const conv = (name: string, out: string): Node => node(name, 'Conv', ['x', `w${name}`], [out], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]);
    const m: Model = {
      irVersion: 8, opsetImports: [{ domain: '', version: 14 }], producerName: 'conv-fused.test', producerVersion: '', domain: '', modelVersion: 1, docString: '',
      metadataProps: [], functions: [],
      graph: {
        name: 'two', inputs: [vi('x')], outputs: [vi('y')], valueInfo: [], sparseInitializers: [],
        nodes: [conv('p', 'cp'), conv('q', 'cq'), node('add', 'Add', ['cp', 'cq'], ['a']), node('act', 'Relu', ['a'], ['y'])],
        initializers: [f32('wp', [4, 3, 3, 3], randomFloats(108, rand, 0.5)), f32('wq', [4, 3, 3, 3], randomFloats(108, rand, 0.5))],
      },
    };
    const bytes = encodeModel(m);
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const x = randomFloats(2 * 3 * 25, rand, 1);
    const want = (await ref.run({ x: new ort.Tensor('float32', x, [2, 3, 5, 5]) })).y;
    const s = Session.create(decodeModel(bytes), { kernels: 'dense' });
    expect(s.layers.map((l) => [l.nodes, !!l.conv?.residual, l.conv?.activation])).toEqual([[['p'], false, null], [['q', 'add', 'act'], true, 'relu']]);
    expect(maxDiff(s.run({ x: { dims: [2, 3, 5, 5], data: x, dataType: DataType.FLOAT } }).y.data as Float32Array, want.data as Float32Array)).toBeLessThan(1e-4);
  });
});
