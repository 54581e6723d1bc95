// Activation steps of the plan on WebAssembly (kernels/unary-run.ts): Sigmoid, Tanh, Gelu,
// HardSigmoid, HardSwish, Relu and LeakyRelu on float32 data; Softmax over contiguous rows, its
// exponentials there (attention's: JS's Math.exp costs about 13 ns an element); and the gated
// forms torch.onnx.export writes, fused into one step: SiLU, a Sigmoid whose only reader is a Mul
// of the same input by it (x · sigmoid(x), nn.SiLU; EfficientNet), and HardSwish below opset 14,
// x · HardSigmoid(x) with α = 1/6, β = 0.5 (nn.Hardswish; MobileNetV3). Other types and platforms
// without WebAssembly run the ops of ops/elementwise.ts, ops/nn.ts and ops/transformer.ts.
import { DataType, type Node } from '../onnx/model';
import { BINARY, UNARY } from './ops/elementwise';
import { Softmax } from './ops/nn';
import { Gelu } from './ops/transformer';
import { type OpImpl, floatAttr, intAttr, need, normAxis, stringAttr } from './ops/types';
import { size } from './tensor';
import type { UnaryKind } from './kernels/unary-code';
import { unaryWasm } from './kernels/unary-run';
import type { SoleUser, TwoReaders } from './readers';

const KINDS: Record<string, UnaryKind> = {
  Sigmoid: 'sigmoid', Tanh: 'tanh', HardSigmoid: 'hardsigmoid', HardSwish: 'hardswish', Relu: 'relu', LeakyRelu: 'leakyrelu',
};

/**
 * The step of a float32 activation in WebAssembly, falling back to `fallback` for anything else;
 * the node's attributes (HardSigmoid's α and β, LeakyRelu's α) read once, when the plan is built.
 */
function activationStep(kind: UnaryKind, node: Node, fallback: OpImpl): OpImpl {
  const alpha = kind === 'hardsigmoid' ? floatAttr(node, 'alpha', 0.2) : kind === 'leakyrelu' ? floatAttr(node, 'alpha', 0.01) : 0;
  const beta = kind === 'hardsigmoid' ? floatAttr(node, 'beta', 0.5) : 0;
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    if (x.dataType !== DataType.FLOAT || !(x.data instanceof Float32Array)) return fallback(inputs, ctx);
    const y = ctx.out(0, Float32Array, x.data.length) as Float32Array;
    if (!unaryWasm(kind, x.data, y, alpha, beta)) return fallback(inputs, ctx);
    return [{ dims: x.dims, data: y, dataType: DataType.FLOAT }];
  };
}

/**
 * Softmax of float32 rows: y = x − max per row (JS), e^y in WebAssembly, then each row divided by
 * its sum (float64). False when WebAssembly is unavailable.
 */
function softmaxRows(src: Float32Array, y: Float32Array, rows: number, len: number): boolean {
  for (let base = 0; base < rows * len; base += len) {
    let mx = -Infinity;
    for (let k = base; k < base + len; k++) if (src[k] > mx) mx = src[k];
    for (let k = base; k < base + len; k++) y[k] = src[k] - mx;
  }
  if (!unaryWasm('exp', y, y)) return false;
  for (let base = 0; base < rows * len; base += len) {
    let sum = 0;
    for (let k = base; k < base + len; k++) sum += y[k];
    const inv = 1 / sum;
    for (let k = base; k < base + len; k++) y[k] *= inv;
  }
  return true;
}

/** Softmax along contiguous rows (the last axis, or any axis before opset 13) of float32 on WebAssembly; else the op. */
const softmaxStep: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const r = x.dims.length;
  const legacy = ctx.opset < 13;
  const axis = normAxis(intAttr(ctx.node, 'axis', legacy ? 1 : -1), Math.max(r, 1), ctx);
  if (x.dataType !== DataType.FLOAT || !(x.data instanceof Float32Array) || (!legacy && axis !== r - 1) || x.data.length === 0) return Softmax(inputs, ctx);
  const len = size(x.dims.slice(axis));
  const y = ctx.out(0, Float32Array, x.data.length) as Float32Array;
  if (!softmaxRows(x.data, y, x.data.length / len, len)) return Softmax(inputs, ctx);
  return [{ dims: x.dims, data: y, dataType: DataType.FLOAT }];
};

/** The WebAssembly step of an activation or Softmax node (default domain), or undefined for other ops or when asked for JS only. */
export function activationOp(node: Node, wasm: boolean): OpImpl | undefined {
  if (!wasm) return undefined;
  if (node.opType === 'Softmax') return softmaxStep;
  if (node.opType === 'Gelu') {
    const mode = stringAttr(node, 'approximate', 'none');
    return mode === 'none' || mode === 'tanh' ? activationStep(mode === 'none' ? 'gelu' : 'gelutanh', node, Gelu) : undefined;
  }
  const kind = KINDS[node.opType];
  return kind !== undefined ? activationStep(kind, node, UNARY[node.opType]) : undefined;
}

/** The activation x · gate(x) is, by the gate's op and attributes: SiLU, or HardSwish (α = 1/6, β = 0.5 as float32). */
function gatedKind(gate: Node): 'silu' | 'hardswish' | undefined {
  if (gate.opType === 'Sigmoid') return 'silu';
  if (gate.opType !== 'HardSigmoid') return undefined;
  return floatAttr(gate, 'alpha', 0.2) === Math.fround(1 / 6) && floatAttr(gate, 'beta', 0.5) === 0.5 ? 'hardswish' : undefined;
}

/** A gate (Sigmoid or HardSigmoid node) and the Mul of its input by its output: x · gate(x). */
export interface Gated {
  gate: Node;
  mul: Node;
  kind: 'silu' | 'hardswish';
}

/**
 * The gated activation at a gate node: its output's only reader a Mul whose other input is the
 * gate's input (which may have other readers).
 */
export function gatedAt(gate: Node, soleUser: SoleUser): Gated | undefined {
  if (gate.inputs.length !== 1 || gate.outputs.length !== 1) return undefined;
  const kind = gatedKind(gate);
  const mul = kind === undefined ? undefined : soleUser(gate.outputs[0], 'Mul');
  if (kind === undefined || !mul || mul.inputs.length !== 2 || mul.outputs.length !== 1) return undefined;
  const [a, b] = mul.inputs;
  const x = gate.inputs[0];
  return (a === x && b === gate.outputs[0]) || (b === x && a === gate.outputs[0]) ? { gate, mul, kind } : undefined;
}

/**
 * The gated activation of value x when x has no other readers (`readers`: its readers, or
 * undefined when there are more than two or it is a graph output): a fused layer can then apply it
 * to its output in place.
 */
export function gatedOf(x: string, readers: TwoReaders, soleUser: SoleUser): Gated | undefined {
  const r = readers(x);
  if (r?.length !== 2) return undefined;
  for (const gate of r) {
    const g = gate.inputs[0] === x ? gatedAt(gate, soleUser) : undefined;
    if (g && r.includes(g.mul)) return g;
  }
  return undefined;
}

/**
 * The fused step of a gated activation at a gate node (gatedAt): it reads the gate's input and
 * writes the Mul's output (the JS fallback computes both ops).
 */
export function fuseGatedAt(node: Node, soleUser: SoleUser, wasm: boolean): { mul: Node; impl: OpImpl } | undefined {
  const g = wasm ? gatedAt(node, soleUser) : undefined;
  if (!g) return undefined;
  const gateFirst = g.mul.inputs[1] === node.inputs[0];
  const fallback: OpImpl = (inputs, ctx) => {
    // The gate into a buffer of its own (the step's output buffer is the Mul's).
    const s = UNARY[node.opType](inputs, { node: ctx.node, opset: ctx.opset, label: ctx.label, out: (_slot, ctor, n) => new ctor(n) })[0];
    return BINARY.Mul(gateFirst ? [s, inputs[0]] : [inputs[0], s], ctx);
  };
  return { mul: g.mul, impl: activationStep(g.kind, node, fallback) };
}
