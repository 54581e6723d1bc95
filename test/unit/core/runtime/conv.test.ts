// Conv against onnxruntime-node: 1-D, 2-D and 3-D, groups and depthwise, strides, dilations, pads
// and auto_pad, with and without bias; fused BatchNormalization and Relu/Clip; dense and sparse
// kernels, WebAssembly and JS; and the errors of shapes that do not fit.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { type Attribute, DataType, type Model, type Node, type Tensor } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { sparseConvPays } from '../../../../src/core/runtime/kernels/conv-runner';
import { prng, randomFloats } from './mlp';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };

interface Case {
  name: string;
  C: number;
  M: number;
  inSp: number[];
  kernel: number[];
  group?: number;
  strides?: number[];
  dilations?: number[];
  pads?: number[];
  autoPad?: string;
  bias?: boolean;
  /** Fraction of weights set to zero. */
  zeros?: number;
  bn?: boolean;
  act?: 'relu' | 'clip';
  /** The Conv output is also a graph output (so nothing may be fused into it). */
  convOut?: boolean;
}

const ints = (name: string, v: number[]): Attribute => ({ name, type: 'ints', value: v.map(BigInt) } as Attribute);
const f32 = (name: string, dims: number[], data: Float32Array): Tensor => ({ name, dims, dataType: DataType.FLOAT, data });

function convModel(c: Case, seed: number): Model {
  const rand = prng(seed);
  const g = c.group ?? 1;
  const wDims = [c.M, c.C / g, ...c.kernel];
  const w = randomFloats(wDims.reduce((a, b) => a * b, 1), rand, 0.5, c.zeros ?? 0);
  const inits: Tensor[] = [f32('w', wDims, w)];
  const attrs: Attribute[] = [ints('kernel_shape', c.kernel)];
  if (g !== 1) attrs.push({ name: 'group', type: 'int', value: BigInt(g) } as Attribute);
  if (c.strides) attrs.push(ints('strides', c.strides));
  if (c.dilations) attrs.push(ints('dilations', c.dilations));
  if (c.pads) attrs.push(ints('pads', c.pads));
  if (c.autoPad) attrs.push({ name: 'auto_pad', type: 'string', value: c.autoPad } as Attribute);
  const ins = ['x', 'w'];
  if (c.bias !== false) {
    inits.push(f32('b', [c.M], randomFloats(c.M, rand, 0.5)));
    ins.push('b');
  }
  const nodes: Node[] = [{ name: 'conv', opType: 'Conv', domain: '', inputs: ins, outputs: ['c'], attributes: attrs }];
  let last = 'c';
  if (c.bn) {
    const pos = (n: number): Float32Array => Float32Array.from(randomFloats(n, rand, 0.5), (v) => Math.abs(v) + 0.5);
    inits.push(f32('s', [c.M], pos(c.M)), f32('bb', [c.M], randomFloats(c.M, rand, 0.5)), f32('mu', [c.M], randomFloats(c.M, rand, 0.5)), f32('var', [c.M], pos(c.M)));
    nodes.push({ name: 'bn', opType: 'BatchNormalization', domain: '', inputs: [last, 's', 'bb', 'mu', 'var'], outputs: ['n'], attributes: [{ name: 'epsilon', type: 'float', value: 1e-3 } as Attribute] });
    last = 'n';
  }
  if (c.act === 'relu') {
    nodes.push({ name: 'relu', opType: 'Relu', domain: '', inputs: [last], outputs: ['r'], attributes: [] });
    last = 'r';
  } else if (c.act === 'clip') {
    inits.push(f32('lo', [], Float32Array.of(0)), f32('hi', [], Float32Array.of(0.3)));
    nodes.push({ name: 'clip', opType: 'Clip', domain: '', inputs: [last, 'lo', 'hi'], outputs: ['r'], attributes: [] });
    last = 'r';
  }
  const vi = (name: string): Model['graph']['inputs'][number] => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: undefined } } as Model['graph']['inputs'][number]);
  const outputs = [vi(last)];
  if (c.convOut && last !== 'c') outputs.push(vi('c'));
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'conv.test', producerVersion: '', domain: '', modelVersion: 1, docString: '',
    metadataProps: [], functions: [],
    graph: { name: c.name, inputs: [vi('x')], outputs, valueInfo: [], nodes, initializers: inits, sparseInitializers: [] },
  };
}

const CASES: Case[] = [
  { name: 'lenet-like 5x5 pad 2', C: 1, M: 6, inSp: [28, 28], kernel: [5, 5], pads: [2, 2, 2, 2], act: 'relu' },
  { name: '3x3 stride 2 asymmetric pads', C: 5, M: 7, inSp: [11, 9], kernel: [3, 3], strides: [2, 2], pads: [1, 0, 2, 1] },
  { name: 'stride 3x2 dilation 2x1', C: 3, M: 5, inSp: [13, 12], kernel: [3, 2], strides: [3, 2], dilations: [2, 1], pads: [1, 1, 0, 1] },
  { name: 'dilation 2 no bias', C: 4, M: 8, inSp: [10, 10], kernel: [3, 3], dilations: [2, 2], bias: false },
  { name: 'SAME_UPPER stride 2', C: 3, M: 4, inSp: [8, 7], kernel: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  { name: 'SAME_LOWER even kernel', C: 2, M: 3, inSp: [6, 7], kernel: [4, 2], autoPad: 'SAME_LOWER' },
  { name: 'VALID', C: 2, M: 3, inSp: [6, 7], kernel: [3, 3], autoPad: 'VALID', pads: undefined },
  { name: 'groups 2', C: 6, M: 4, inSp: [9, 9], kernel: [3, 3], group: 2, pads: [1, 1, 1, 1] },
  { name: 'depthwise stride 2 + ReLU6', C: 8, M: 8, inSp: [14, 14], kernel: [3, 3], group: 8, strides: [2, 2], pads: [1, 1, 1, 1], act: 'clip' },
  // Depthwise 3×3, padding 1 before (the dw3 kernels of kernels/depthwise-code.ts where dense): odd widths, one row, BN, stride 2.
  { name: 'depthwise 3x3 stride 1 + BN + ReLU6', C: 6, M: 6, inSp: [7, 9], kernel: [3, 3], group: 6, pads: [1, 1, 1, 1], bn: true, act: 'clip' },
  { name: 'depthwise 3x3 one row, width 5', C: 3, M: 3, inSp: [1, 5], kernel: [3, 3], group: 3, pads: [1, 1, 1, 1], act: 'relu' },
  { name: 'depthwise 3x3 stride 2, pads before only', C: 5, M: 5, inSp: [9, 12], kernel: [3, 3], group: 5, strides: [2, 2], pads: [1, 1, 0, 0], bn: true },
  { name: '1x1 (identity pack) + BN + Relu', C: 16, M: 24, inSp: [7, 7], kernel: [1, 1], bn: true, act: 'relu' },
  { name: '1x1 stride 2 projection + BN', C: 8, M: 12, inSp: [14, 14], kernel: [1, 1], strides: [2, 2], bn: true, bias: false },
  { name: '3x3 + BN + Relu, pruned 70%', C: 16, M: 16, inSp: [14, 14], kernel: [3, 3], pads: [1, 1, 1, 1], bn: true, act: 'relu', zeros: 0.7 },
  { name: 'conv output also a graph output', C: 3, M: 4, inSp: [8, 8], kernel: [3, 3], bn: true, act: 'relu', convOut: true },
  // Rows of at least 64 floats are packed with one bulk copy, shorter ones inline; stride 2 gathers.
  { name: 'wide rows 3x3 pad 1 (bulk copies)', C: 2, M: 5, inSp: [4, 70], kernel: [3, 3], pads: [1, 1, 1, 1], act: 'relu' },
  { name: 'wide rows stride 2', C: 2, M: 3, inSp: [5, 150], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '1-D', C: 3, M: 5, inSp: [17], kernel: [4], strides: [2], pads: [2, 1], dilations: [2] },
  { name: '1-D depthwise SAME_UPPER', C: 4, M: 8, inSp: [10], kernel: [3], group: 4, autoPad: 'SAME_UPPER' },
  { name: '3-D', C: 2, M: 3, inSp: [5, 6, 4], kernel: [3, 2, 2], strides: [1, 2, 1], pads: [1, 0, 1, 1, 1, 0], bn: true, act: 'relu' },
];

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('Conv against onnxruntime-node', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: dense and sparse, WebAssembly and JS, batch 1 and 3, within 1e-4', async (_n, c) => {
    const bytes = encodeModel(convModel(c, 17));
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const rand = prng(99);
    for (const batch of [1, 3]) {
      const dims = [batch, c.C, ...c.inSp];
      const x = randomFloats(dims.reduce((a, b) => a * b, 1), rand, 1, 0.3);
      const want = await ref.run({ x: new ort.Tensor('float32', x, dims) });
      for (const [kernels, wasm] of [['dense', true], ['sparse', true], ['dense', false], ['sparse', false]] as const) {
        const s = Session.create(decodeModel(bytes), { kernels, wasm, sparseMinSparsity: 0 });
        expect(s.layers).toHaveLength(1);
        const l = s.layers[0];
        expect(l.kind).toBe('conv');
        expect(l.engine).toBe(wasm && c.inSp.length <= 2 ? 'wasm' : 'js');
        // Fusion: BN folded and the activation absorbed, unless the conv output is read elsewhere.
        expect(l.conv?.bn).toBe(!!c.bn && !c.convOut);
        expect(l.conv?.activation).toBe(c.convOut ? null : c.act ?? null);
        expect(l.kernel).toBe(kernels === 'sparse' && (c.zeros ?? 0) > 0 ? 'sparse' : 'dense');
        const got = s.run({ x: { dims, data: x, dataType: DataType.FLOAT } });
        for (const name of ref.outputNames) {
          const w = want[name];
          expect(got[name].dims).toEqual([...w.dims]);
          expect(maxDiff(got[name].data as Float32Array, w.data as Float32Array)).toBeLessThan(1e-4);
        }
      }
    }
  });

  it('the reference op (Conv weights fed as a graph input) agrees with ORT too', async () => {
    const c: Case = { name: 'w as input', C: 4, M: 6, inSp: [9, 8], kernel: [3, 3], group: 2, strides: [2, 1], pads: [1, 1, 1, 1] };
    const m = convModel(c, 5);
    const w = m.graph.initializers.find((t) => t.name === 'w')!;
    const fed: Model = { ...m, graph: { ...m.graph, initializers: m.graph.initializers.filter((t) => t !== w), inputs: [...m.graph.inputs, { name: 'w', type: { kind: 'tensor', elemType: DataType.FLOAT } }] } };
    const bytes = encodeModel(fed);
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const x = randomFloats(2 * 4 * 72, prng(3), 1);
    const feeds = { x: { dims: [2, 4, 9, 8], data: x, dataType: DataType.FLOAT }, w: { dims: w.dims, data: w.data as Float32Array, dataType: DataType.FLOAT } };
    const want = await ref.run({ x: new ort.Tensor('float32', x, [2, 4, 9, 8]), w: new ort.Tensor('float32', w.data as Float32Array, w.dims) });
    const s = Session.create(decodeModel(bytes), { kernels: 'dense' });
    expect(s.layers).toHaveLength(0);
    const got = s.run(feeds)[ref.outputNames[0]];
    expect(maxDiff(got.data as Float32Array, want[ref.outputNames[0]].data as Float32Array)).toBeLessThan(1e-4);
  });

  it('sparseConvPays: hand-computed break-even points of the cost model', () => {
    // Dense: ⌈M/4⌉·4·K multiply-adds; lists: 1.3 per non-zero weight.
    expect(sparseConvPays(64, 100, 1, 4923)).toBe(true); // 1.3·4923 = 6399.9 < 6400
    expect(sparseConvPays(64, 100, 1, 4924)).toBe(false);
    expect(sparseConvPays(6, 25, 1, 150 - 1)).toBe(true); // M = 6 pads to 8: lists pay from one zero
    expect(sparseConvPays(16, 9, 16, 143)).toBe(true); // depthwise runs on lists anyway
    expect(sparseConvPays(16, 9, 16, 144)).toBe(false); // no zeros: nothing to skip
    // Against Winograd (half the direct cost): 1.3·nnz < 0.5 · 64 · 576 = 18432.
    expect(sparseConvPays(64, 576, 1, 14178, true)).toBe(true); // 18431.4
    expect(sparseConvPays(64, 576, 1, 14179, true)).toBe(false); // 18432.7
    expect(sparseConvPays(64, 576, 1, 14179, false)).toBe(true);
  });

  it('without sparseMinSparsity, sparse kernels go to the conv layers where the cost model says they pay', () => {
    const kernelOf = (c: Case): string => Session.create(convModel(c, 1), { kernels: 'sparse' }).layers[0].kernel;
    const c: Case = { name: 'cost', C: 16, M: 32, inSp: [8, 8], kernel: [3, 3] };
    expect(kernelOf({ ...c, zeros: 0.1 })).toBe('dense');
    // A dense 3×3 stride-1 layer with 8+ channels each way runs as Winograd: lists must beat half the direct cost.
    expect(kernelOf({ ...c, zeros: 0.5 })).toBe('dense');
    expect(kernelOf({ ...c, zeros: 0.7 })).toBe('sparse');
    expect(kernelOf({ ...c, C: 4, zeros: 0.5 })).toBe('sparse');
    expect(kernelOf({ ...c, M: 16, group: 16, C: 16, zeros: 0.1 })).toBe('sparse');
    expect(Session.create(convModel({ ...c, zeros: 0.1 }, 1), { kernels: 'sparse', sparseMinSparsity: 0.05 }).layers[0].kernel).toBe('sparse');
  });

  const bad: [string, Case, number[], RegExp][] = [
    ['channels vs group', { name: 'g', C: 4, M: 4, inSp: [6, 6], kernel: [3, 3], group: 2 }, [1, 5, 6, 6], /input has 5 channels but W \[4, 2, 3, 3\] with group 2 expects 4/],
    ['kernel larger than the input', { name: 'k', C: 2, M: 2, inSp: [6, 6], kernel: [3, 3] }, [1, 2, 2, 2], /kernel extent 3 is larger than the padded input \(2\)/],
    ['input rank', { name: 'r', C: 2, M: 2, inSp: [6, 6], kernel: [3, 3] }, [1, 2, 6], /weight W \[2, 2, 3, 3\] and input X \[1, 2, 6\] have different ranks/],
  ];
  it.each(bad)('a clear RuntimeError naming the node for %s (fused and reference)', (_n, c, dims, msg) => {
    const m = convModel(c, 1);
    const x = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (const kernels of ['dense', 'sparse'] as const) {
      const s = Session.create(m, { kernels });
      expect(() => s.run({ x: { dims, data: x, dataType: DataType.FLOAT } })).toThrow(msg);
      expect(() => s.run({ x: { dims, data: x, dataType: DataType.FLOAT } })).toThrow(/Conv "conv"/);
    }
  });

  it('a clear RuntimeError when output channels do not divide by group', () => {
    const m = convModel({ name: 'm', C: 4, M: 4, inSp: [6, 6], kernel: [3, 3], group: 2 }, 1);
    const w = m.graph.initializers[0];
    m.graph.initializers[0] = { ...w, dims: [3, 2, 3, 3], data: (w.data as Float32Array).slice(0, 54) };
    m.graph.initializers[1] = { ...m.graph.initializers[1], dims: [3], data: (m.graph.initializers[1].data as Float32Array).slice(0, 3) };
    const s = Session.create(m, { kernels: 'dense' });
    expect(() => s.run({ x: { dims: [1, 4, 6, 6], data: new Float32Array(144), dataType: DataType.FLOAT } })).toThrow(/3 output channels are not divisible by group 2/);
  });
});
