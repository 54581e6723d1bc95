// Gradient check of every op of the graph trainer: the backward pass against central finite
// differences of L = Σ r · y (r random, the sum in float64) on tiny random tensors, for every input
// that takes a gradient. Inputs avoid the kinks of ReLU-like ops and near-ties of max pooling so
// that the difference quotient is exact up to rounding. Then the whole-graph backward (residual
// fan-out, broadcasting Mul, BN, shared parameters) against finite differences of the loss.
import { describe, expect, it } from 'vitest';
import type { Attribute, Model, Node } from '../../../../src/core/onnx/model';
import { DataType } from '../../../../src/core/onnx/model';
import { GRAPH_OPS, backward, compileGraph, forward, logitsOf, softmaxCrossEntropy, type Value } from '../../../../src/core/train/graph';
import { mulberry32 } from '../../../../src/core/train';
import { withoutGemmWasm } from '../../../../src/core/train/graph/gemm-wasm';
import { ConvTranspose as RuntimeConvTranspose } from '../../../../src/core/runtime/ops/conv-transpose';
import { Resize as RuntimeResize, Upsample as RuntimeUpsample } from '../../../../src/core/runtime/ops/resize';

const rand = mulberry32(42);
/** Values in ±[0.05, 1.05): away from 0 (the kinks of Relu and friends). */
const away = (n: number, r: () => number = rand): Float32Array => Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.05 + r()));
/** Distinct values at least 0.01 apart, shuffled (no near-ties for max pooling). */
function spread(n: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_x, i) => (i - n / 2) * 0.02);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}
const sz = (d: number[]): number => d.reduce((a, b) => a * b, 1);
const t = (dims: number[], data?: Float32Array): Value => ({ dims, data: data ?? away(sz(dims)) });
const rand2 = mulberry32(7);
const t2 = (dims: number[], data?: Float32Array): Value => ({ dims, data: data ?? Float32Array.from({ length: sz(dims) }, () => (rand2() < 0.5 ? -1 : 1) * (0.05 + rand2())) });

const ints = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'int', value });
const float = (name: string, value: number): Attribute => ({ name, type: 'float', value });
const str = (name: string, value: string): Attribute => ({ name, type: 'string', value });

interface Case {
  name: string;
  op: string;
  attrs?: Attribute[];
  inputs: Value[];
  /** Inputs given as constants (no gradient). */
  constants?: number[];
  /** Inputs that are fixed tensors (so the kernel may read them) but still take a gradient, like weights. */
  weights?: number[];
  opset?: number;
  h?: number;
}

function lossOf(y: Float32Array, r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
}

function check(c: Case, factory = GRAPH_OPS[c.op]): void {
  const node: Node = { name: c.name, opType: c.op, domain: '', inputs: c.inputs.map((_v, i) => `in${i}`), outputs: ['y'], attributes: c.attrs ?? [] };
  const constants = new Set(c.constants ?? []);
  const fixed = (i: number): boolean => constants.has(i) || (c.weights ?? []).includes(i);
  const kernel = factory({ node, label: c.name, opset: c.opset ?? 17, constant: (i) => (fixed(i) ? c.inputs[i] : undefined) });
  const run = (ins: Value[]): Float32Array => kernel.forward(ins).outputs[0].data;
  const f = kernel.forward(c.inputs);
  const y = f.outputs[0];
  const r = Float64Array.from({ length: y.data.length }, () => rand() * 2 - 1);
  const need = c.inputs.map((_v, i) => !constants.has(i));
  const grads = kernel.backward(Float32Array.from(r), c.inputs, f.outputs, f.saved, need);
  const h = c.h ?? 1e-3;
  need.forEach((n, i) => {
    if (!n) return;
    const g = grads[i];
    expect(g, `${c.name}: gradient of input ${i}`).toBeDefined();
    const x = c.inputs[i];
    expect(g!.length).toBe(x.data.length);
    for (let k = 0; k < x.data.length; k++) {
      const plus = x.data.slice();
      const minus = x.data.slice();
      plus[k] += h;
      minus[k] -= h;
      const step = plus[k] - minus[k];
      const ins = (d: Float32Array): Value[] => c.inputs.map((v, j) => (j === i ? { dims: v.dims, data: d } : v));
      const numeric = (lossOf(run(ins(plus)), r) - lossOf(run(ins(minus)), r)) / step;
      if (Math.abs(numeric - g![k]) > 2e-3 + 1e-2 * Math.abs(numeric)) {
        throw new Error(`${c.name}: d/d input ${i}[${k}] is ${g![k]} by backward, ${numeric} by finite differences`);
      }
    }
  });
}

const X = [2, 4, 5, 5];
const cases: Case[] = [
  { name: 'Conv stride 2, dilation 2, asymmetric pads, bias', op: 'Conv', attrs: [ints('strides', [2, 1]), ints('dilations', [2, 1]), ints('pads', [1, 0, 2, 1])], inputs: [t(X), t([3, 4, 3, 2]), t([3])] },
  { name: 'Conv group 2', op: 'Conv', attrs: [int('group', 2), ints('pads', [1, 1, 1, 1])], inputs: [t(X), t([6, 2, 3, 3]), t([6])] },
  { name: 'Conv depthwise', op: 'Conv', attrs: [int('group', 4), ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])], inputs: [t(X), t([4, 1, 3, 3]), t([4])] },
  { name: 'Conv SAME_UPPER stride 2, no bias', op: 'Conv', attrs: [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 2])], inputs: [t(X), t([2, 4, 2, 2])] },
  { name: 'Conv 1-D', op: 'Conv', attrs: [ints('pads', [1, 2]), ints('strides', [2])], inputs: [t([2, 3, 7]), t([2, 3, 3]), t([2])] },
  { name: 'MaxPool 3×3 stride 2 pads 1', op: 'MaxPool', attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])], inputs: [t(X, spread(sz(X)))] },
  { name: 'MaxPool 2×2 ceil_mode', op: 'MaxPool', attrs: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('ceil_mode', 1)], inputs: [t(X, spread(sz(X)))] },
  { name: 'AveragePool count_include_pad', op: 'AveragePool', attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), int('count_include_pad', 1)], inputs: [t(X)] },
  { name: 'AveragePool ceil_mode excluding pads', op: 'AveragePool', attrs: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('ceil_mode', 1)], inputs: [t(X)] },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [t(X)] },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', inputs: [t(X, spread(sz(X)))] },
  { name: 'BatchNormalization', op: 'BatchNormalization', attrs: [float('epsilon', 1e-3)], inputs: [t(X), t([4]), t([4]), t([4]), t([4], Float32Array.from([0.5, 1, 2, 0.1]))], constants: [3, 4] },
  { name: 'Add residual (same shape)', op: 'Add', inputs: [t(X), t(X)] },
  { name: 'Mul squeeze-excite broadcast', op: 'Mul', inputs: [t(X), t([2, 4, 1, 1])] },
  { name: 'Sub broadcast [C, 1, 1]', op: 'Sub', inputs: [t(X), t([4, 1, 1])] },
  { name: 'Div broadcast by a row', op: 'Div', inputs: [t([3, 4]), t([4], Float32Array.from([0.7, -1.3, 2, 1.1]))] },
  // Broadcast along the innermost run on either side (their own random stream: the cases after them keep their data).
  { name: 'Mul broadcast first input', op: 'Mul', inputs: [t2([2, 4, 1, 1]), t2(X)] },
  { name: 'Sub from a broadcast [C, 1, 1]', op: 'Sub', inputs: [t2([4, 1, 1]), t2(X)] },
  { name: 'Div by a per-channel [N, C, 1, 1]', op: 'Div', inputs: [t2(X), t2([2, 4, 1, 1], Float32Array.from([0.7, -1.3, 2, 1.1, 0.9, -0.8, 1.6, 1.2]))] },
  { name: 'BatchNormalization, planes of whole f32x4 steps', op: 'BatchNormalization', inputs: [t2([2, 3, 4, 4]), t2([3]), t2([3]), t2([3]), t2([3], Float32Array.from([0.7, 1.5, 0.2]))], constants: [3, 4] },
  { name: 'Div of a per-channel [N, C, 1, 1]', op: 'Div', inputs: [t2([2, 4, 1, 1]), t2(X, Float32Array.from({ length: sz(X) }, (_v, i) => (i % 2 ? 1 : -1) * (0.8 + (i % 5) * 0.1)))] },
  { name: 'Gemm transB, bias [N]', op: 'Gemm', attrs: [int('transB', 1)], inputs: [t([3, 5]), t([4, 5]), t([4])] },
  { name: 'Gemm transA, alpha, beta, C [M, 1]', op: 'Gemm', attrs: [int('transA', 1), float('alpha', 0.7), float('beta', 1.5)], inputs: [t([5, 3]), t([5, 4]), t([3, 1])] },
  { name: 'MatMul 3-D by 2-D weight', op: 'MatMul', inputs: [t([2, 3, 4]), t([4, 5])], weights: [1] },
  { name: 'Concat axis 1', op: 'Concat', attrs: [int('axis', 1)], inputs: [t([2, 3, 2]), t([2, 1, 2]), t([2, 2, 2])] },
  { name: 'Relu', op: 'Relu', inputs: [t(X)] },
  { name: 'Clip ReLU6', op: 'Clip', inputs: [t(X, Float32Array.from(away(sz(X)), (v) => v * 8)), t([], Float32Array.of(0)), t([], Float32Array.of(6))], constants: [1, 2] },
  { name: 'LeakyRelu', op: 'LeakyRelu', attrs: [float('alpha', 0.1)], inputs: [t(X)] },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [t(X)] },
  { name: 'HardSigmoid', op: 'HardSigmoid', attrs: [float('alpha', 0.3)], inputs: [t(X)] },
  { name: 'HardSwish', op: 'HardSwish', inputs: [t(X, Float32Array.from(away(sz(X)), (v) => v * 5))] },
  { name: 'Tanh', op: 'Tanh', inputs: [t(X)] },
  { name: 'Flatten', op: 'Flatten', attrs: [int('axis', 2)], inputs: [t(X)] },
  { name: 'Reshape with 0 and -1', op: 'Reshape', inputs: [t(X), t([3], Float32Array.of(0, -1, 5))], constants: [1] },
  { name: 'ReduceMean axes 2, 3 (keepdims 0)', op: 'ReduceMean', attrs: [ints('axes', [2, 3]), int('keepdims', 0)], inputs: [t([2, 3, 2, 3])] },
  { name: 'ReduceMean axes -1 (keepdims 1)', op: 'ReduceMean', attrs: [ints('axes', [-1])], inputs: [t([2, 3, 4])] },
  { name: 'ReduceSum axes as an input (opset 13)', op: 'ReduceSum', opset: 13, inputs: [t([2, 3, 4]), t([1], Float32Array.of(1))], constants: [1] },
  { name: 'ReduceMean over every axis', op: 'ReduceMean', inputs: [t([2, 3])] },
  { name: 'ReduceMax axes 2, 3', op: 'ReduceMax', attrs: [ints('axes', [2, 3]), int('keepdims', 0)], inputs: [t([2, 3, 2, 3], spread(36))] },
  { name: 'ConvTranspose k2 stride 2, bias (a U-Net up-step)', op: 'ConvTranspose', attrs: [ints('strides', [2, 2])], inputs: [t([2, 3, 3, 2]), t([3, 4, 2, 2]), t([4])] },
  { name: 'ConvTranspose k3 stride 2, pads 1, output_padding 1, dilation 1×2', op: 'ConvTranspose', attrs: [ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), ints('output_padding', [1, 1]), ints('dilations', [1, 2])], inputs: [t([1, 2, 3, 3]), t([2, 3, 3, 3]), t([3])] },
  { name: 'ConvTranspose group 2, no bias', op: 'ConvTranspose', attrs: [int('group', 2), ints('strides', [1, 2])], inputs: [t([2, 4, 2, 3]), t([4, 3, 2, 2])] },
  { name: 'ConvTranspose 1-D stride 3', op: 'ConvTranspose', attrs: [ints('strides', [3]), ints('pads', [1, 0])], inputs: [t([2, 2, 4]), t([2, 3, 3]), t([3])] },
  { name: 'Resize nearest ×2 (asymmetric, floor: F.interpolate)', op: 'Resize', attrs: [str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')], inputs: [t([2, 3, 3, 2]), t([0], new Float32Array(0)), t([4], Float32Array.of(1, 1, 2, 2))], constants: [1, 2] },
  { name: 'Resize linear half_pixel, scales 2 × 1.5', op: 'Resize', attrs: [str('mode', 'linear')], inputs: [t([1, 2, 3, 4]), t([0], new Float32Array(0)), t([4], Float32Array.of(1, 1, 2, 1.5))], constants: [1, 2] },
  { name: 'Resize linear align_corners to sizes 5 × 3 (down in W)', op: 'Resize', attrs: [str('mode', 'linear'), str('coordinate_transformation_mode', 'align_corners')], inputs: [t([1, 2, 3, 4]), t([0], new Float32Array(0)), t([0], new Float32Array(0)), t([4], Float32Array.of(1, 2, 5, 3))], constants: [1, 2, 3] },
  { name: 'Resize cubic pytorch_half_pixel ×2', op: 'Resize', attrs: [str('mode', 'cubic'), str('coordinate_transformation_mode', 'pytorch_half_pixel')], inputs: [t([1, 1, 3, 3]), t([0], new Float32Array(0)), t([4], Float32Array.of(1, 1, 2, 2))], constants: [1, 2] },
  { name: 'Upsample nearest (opset 9)', op: 'Upsample', opset: 9, inputs: [t([1, 2, 2, 3]), t([4], Float32Array.of(1, 1, 2, 3))], constants: [1] },
  { name: 'Transpose NCHW → NHWC', op: 'Transpose', attrs: [ints('perm', [0, 2, 3, 1])], inputs: [t([2, 3, 4, 2])] },
  { name: 'Transpose without perm (axes reversed)', op: 'Transpose', inputs: [t([2, 3, 4])] },
  { name: 'Identity', op: 'Identity', inputs: [t(X)] },
  { name: 'Dropout (inference)', op: 'Dropout', inputs: [t(X)] },
];

describe('graph trainer Resize / Upsample / ConvTranspose forward equals the runtime op (validated by the ONNX node tests)', () => {
  const runtimeOps: Record<string, typeof RuntimeResize> = { Resize: RuntimeResize, Upsample: RuntimeUpsample, ConvTranspose: RuntimeConvTranspose };
  for (const c of cases.filter((k) => k.op in runtimeOps)) {
    it(c.name, () => {
      const node: Node = { name: c.name, opType: c.op, domain: '', inputs: c.inputs.map((_v, i) => `in${i}`), outputs: ['y'], attributes: c.attrs ?? [] };
      const kernel = GRAPH_OPS[c.op]({ node, label: c.name, opset: c.opset ?? 17, constant: (i) => ((c.constants ?? []).includes(i) ? c.inputs[i] : undefined) });
      const ours = kernel.forward(c.inputs).outputs[0];
      const impl = runtimeOps[c.op];
      const feeds = c.inputs.map((v) => ({ dims: v.dims, data: v.data, dataType: DataType.FLOAT }));
      const [want] = impl(feeds, { node, opset: c.opset ?? 17, label: c.name, out: (_s, ctor, n) => new ctor(n) });
      expect(ours.dims).toEqual(want!.dims);
      for (let i = 0; i < ours.data.length; i++) expect(ours.data[i]).toBeCloseTo((want!.data as Float32Array)[i], 5);
    });
  }
});

describe('graph trainer: every op against finite differences', () => {
  for (const c of cases) it(c.name, () => check(c));
  // The ops that run on WebAssembly where it is available, on their JS loops too.
  for (const c of cases.filter((k) => ['Conv', 'BatchNormalization', 'Relu', 'Clip', 'HardSwish'].includes(k.op))) it(`${c.name} (JS)`, () => withoutGemmWasm(() => check(c)));

  it('the check catches a wrong gradient', () => {
    // Tanh whose backward is off by 10%: the check must throw.
    const off = (ctx: Parameters<typeof GRAPH_OPS.Tanh>[0]) => {
      const k = GRAPH_OPS.Tanh(ctx);
      return { ...k, backward: (...a: Parameters<typeof k.backward>) => k.backward(...a).map((g) => g && g.map((v) => v * 1.1)) };
    };
    expect(() => check({ name: 'Tanh', op: 'Tanh', inputs: [t([4])] })).not.toThrow();
    expect(() => check({ name: 'Tanh ×1.1', op: 'Tanh', inputs: [t([4])] }, off)).toThrow(/finite differences/);
  });
});

// A residual CNN: Conv → BN → Relu → (depthwise Conv → HardSwish) + skip → squeeze-excite Mul →
// GlobalAveragePool → Flatten → Gemm; "shared.bias" feeds two nodes through an Identity.
function tinyNet(r: () => number): Model {
  const init = (name: string, dims: number[], data?: Float32Array) => ({ name, dataType: DataType.FLOAT, dims, data: data ?? Float32Array.from(away(sz(dims), r), (v) => v * 0.5) });
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node => ({ name, opType, domain: '', inputs, outputs, attributes });
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'tiny', valueInfo: [], sparseInitializers: [],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 2, 6, 6] } }],
      outputs: [{ name: 'logits', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 3] } }],
      initializers: [
        init('c1.w', [4, 2, 3, 3]), init('bn.s', [4]), init('bn.b', [4]), init('bn.m', [4]), init('bn.v', [4], Float32Array.of(0.5, 1, 1.5, 2)),
        init('dw.w', [4, 1, 3, 3]), init('shared.bias', [4]), init('fc.w', [3, 4]), init('fc.b', [3]),
      ],
      nodes: [
        node('c1', 'Conv', ['x', 'c1.w'], ['a'], [ints('pads', [1, 1, 1, 1])]),
        node('bn', 'BatchNormalization', ['a', 'bn.s', 'bn.b', 'bn.m', 'bn.v'], ['b']),
        node('relu', 'Relu', ['b'], ['c']),
        node('alias', 'Identity', ['shared.bias'], ['dw.b']),
        node('dw', 'Conv', ['c', 'dw.w', 'dw.b'], ['d'], [int('group', 4), ints('pads', [1, 1, 1, 1])]),
        node('hs', 'HardSwish', ['d'], ['e']),
        node('res', 'Add', ['e', 'c'], ['f']),
        node('gap', 'GlobalAveragePool', ['f'], ['g']),
        node('gate', 'Sigmoid', ['g'], ['h']),
        node('se', 'Mul', ['f', 'h'], ['i']),
        node('gap2', 'GlobalAveragePool', ['i'], ['j']),
        node('flat', 'Flatten', ['j'], ['k']),
        node('fc', 'Gemm', ['k', 'fc.w', 'fc.b'], ['logits'], [int('transB', 1)]),
      ],
    },
  };
}

describe('graph trainer: whole-graph backward', () => {
  it('equals finite differences of the mean cross-entropy for every trainable parameter', () => {
    // Its own generator: the op cases above draw from the shared one, and a new case must not move
    // this net's values onto a ReLU kink (where a finite difference means nothing).
    const r = mulberry32(42);
    const model = tinyNet(r);
    const trainable = ['c1.w', 'bn.s', 'bn.b', 'dw.w', 'shared.bias', 'fc.w', 'fc.b'];
    const net = compileGraph(model, trainable);
    const N = 3;
    const x = away(N * 2 * 36, r);
    const labels = Int32Array.of(0, 2, 1);
    const loss = (): number => {
      const l = logitsOf(net, forward(net, x, N));
      return softmaxCrossEntropy(l.data, labels, N, 3).loss / N;
    };
    const f = forward(net, x, N);
    const grads = backward(net, f, softmaxCrossEntropy(logitsOf(net, f).data, labels, N, 3).dLogits);
    const h = 1e-3;
    for (const name of trainable) {
      const p = net.params.get(name)!.data;
      const g = grads.get(name)!;
      for (let k = 0; k < p.length; k++) {
        const v = p[k];
        p[k] = v + h;
        const up = loss();
        const hp = p[k] - v;
        p[k] = v - h;
        const down = loss();
        const hm = v - p[k];
        p[k] = v;
        const numeric = (up - down) / (hp + hm);
        if (Math.abs(numeric - g[k]) > 1e-4 + 2e-2 * Math.abs(numeric)) throw new Error(`${name}[${k}]: backward ${g[k]}, finite differences ${numeric}`);
      }
    }
    expect(grads.get('shared.bias')!.some((v) => v !== 0)).toBe(true);
  });
});
