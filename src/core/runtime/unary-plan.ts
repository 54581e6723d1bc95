// Activation steps of the plan on WebAssembly (kernels/unary-run.ts): Sigmoid, HardSigmoid,
// HardSwish, Relu and LeakyRelu on float32 data, and SiLU, a Sigmoid whose only reader is a Mul of
// the same input by it (x · sigmoid(x), as torch.onnx.export writes nn.SiLU; EfficientNet), fused
// into one step. Other types and platforms without WebAssembly run the ops of ops/elementwise.ts.
import { DataType, type Node } from '../onnx/model';
import { BINARY, UNARY } from './ops/elementwise';
import { type OpImpl, floatAttr, need } from './ops/types';
import type { UnaryKind } from './kernels/unary-code';
import { unaryWasm } from './kernels/unary-run';

const KINDS: Record<string, UnaryKind> = {
  Sigmoid: 'sigmoid', HardSigmoid: 'hardsigmoid', HardSwish: 'hardswish', Relu: 'relu', LeakyRelu: 'leakyrelu',
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

/** The WebAssembly step of an activation node (default domain), or undefined for other ops or when asked for JS only. */
export function activationOp(node: Node, wasm: boolean): OpImpl | undefined {
  const kind = KINDS[node.opType];
  return wasm && kind !== undefined ? activationStep(kind, node, UNARY[node.opType]) : undefined;
}

/**
 * SiLU at a Sigmoid node: its output's only reader a Mul whose other input is the Sigmoid's input.
 * The fused step reads the Sigmoid's input and writes the Mul's output (the JS fallback computes
 * both ops).
 */
export function fuseSiluAt(node: Node, soleUser: (name: string, opType: string) => Node | undefined, wasm: boolean): { mul: Node; impl: OpImpl } | undefined {
  if (!wasm || node.opType !== 'Sigmoid' || node.inputs.length !== 1 || node.outputs.length !== 1) return undefined;
  const mul = soleUser(node.outputs[0], 'Mul');
  if (!mul || mul.inputs.length !== 2 || mul.outputs.length !== 1) return undefined;
  const [a, b] = mul.inputs;
  const x = node.inputs[0];
  if (!((a === x && b === node.outputs[0]) || (b === x && a === node.outputs[0]))) return undefined;
  const sigmoidFirst = b === x;
  const fallback: OpImpl = (inputs, ctx) => {
    // The Sigmoid into a buffer of its own (the step's output buffer is the Mul's).
    const s = UNARY.Sigmoid(inputs, { node: ctx.node, opset: ctx.opset, label: ctx.label, out: (_slot, ctor, n) => new ctor(n) })[0];
    return BINARY.Mul(sigmoidFirst ? [s, inputs[0]] : [inputs[0], s], ctx);
  };
  return { mul, impl: activationStep('silu', node, fallback) };
}
