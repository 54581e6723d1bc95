// Three patterns of transformers as torch.onnx.export writes them below the opsets that have the
// ops, each run as one step of the op (ops/transformer.ts; on WebAssembly where unary-plan.ts has
// it) instead of five to nine elementwise passes (onnxruntime fuses them too):
// - LayerNorm below opset 17: m = ReduceMean(x, axes [-1]); d = x − m; v = ReduceMean(d² (Pow 2 or
//   d·d)); y = d / Sqrt(v + ε) · γ + β, with γ (and β) constants of one dimension; the Add of β
//   may be absent. → LayerNormalization(x, γ, β; axis −1, epsilon ε).
// - GELU below opset 20: (x · (Erf(x / √2) + 1)) · 0.5, the Mul orders either way. → Gelu(x).
// - GELU's tanh form below opset 20 (torch's approximate="tanh", GPT-2's NewGELU):
//   0.5 · (x · (1 + Tanh(√(2/π) · (x + 0.044715 · x³)))) with x³ as x·(x·x) or Pow(x, 3), each
//   Mul's and Add's operands in either order. → Gelu(x; approximate "tanh").
// Each matched value but x must be read only inside the pattern (and be no graph output); x may
// have other readers.
import type { Attribute, Node } from '../onnx/model';
import { Gelu, LayerNormalization } from './ops/transformer';
import { type OpImpl, intAttr, intsAttr } from './ops/types';
import { type RtTensor, size, toNumbers } from './tensor';
import type { SoleUser, TwoReaders } from './readers';


export interface FusedPattern {
  /** The op that runs the step, and the node its attributes are read from (the first node, renamed). */
  impl: OpImpl;
  node: Node;
  /** The step's inputs (x, then constants) and output. */
  ins: string[];
  out: string;
  /** The pattern's nodes after the first. */
  absorbed: Node[];
}

/** The value of a constant of one element, or undefined. */
function scalar(known: Map<string, RtTensor>, name: string): number | undefined {
  const t = known.get(name);
  return t && size(t.dims) === 1 ? toNumbers(t)[0] : undefined;
}

/** The other input of a two-input node, when one of them is `name`. */
function other(n: Node, name: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  return n.inputs[0] === name ? n.inputs[1] : n.inputs[1] === name ? n.inputs[0] : undefined;
}

/** ReduceMean over the last axis, dims kept (axes as an attribute, or from opset 18 a constant input). */
function meanOfLast(n: Node, known: Map<string, RtTensor>): boolean {
  if (n.opType !== 'ReduceMean' || intAttr(n, 'keepdims', 1) !== 1) return false;
  const axes = n.inputs.length > 1 && n.inputs[1] !== '' ? (known.has(n.inputs[1]) ? toNumbers(known.get(n.inputs[1])!) : undefined) : intsAttr(n, 'axes');
  return axes !== undefined && axes.length === 1 && axes[0] === -1;
}

/** A constant of at most one dimension (γ, β of the last axis). */
function vectorConstant(known: Map<string, RtTensor>, name: string | undefined): boolean {
  const t = name === undefined ? undefined : known.get(name);
  return t !== undefined && t.dims.length <= 1;
}

const float = (name: string, value: number): Attribute => ({ name, type: 'float', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'int', value: BigInt(value) });

/** The decomposed LayerNorm at a ReduceMean node, or undefined. */
export function layerNormAt(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser, twoReaders: TwoReaders): FusedPattern | undefined {
  if (!meanOfLast(node, known)) return undefined;
  const x = node.inputs[0];
  const sub = soleUser(node.outputs[0], 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== node.outputs[0]) return undefined;
  const d = sub.outputs[0];
  const readers = twoReaders(d);
  if (!readers) return undefined;
  const square = readers.find((n) => (n.opType === 'Pow' && n.inputs[0] === d && scalar(known, n.inputs[1]) === 2) || (n.opType === 'Mul' && n.inputs[0] === d && n.inputs[1] === d));
  const div = readers.find((n) => n.opType === 'Div' && n.inputs[0] === d);
  if (!square || !div || square === div) return undefined;
  const variance = soleUser(square.outputs[0], 'ReduceMean');
  if (!variance || !meanOfLast(variance, known)) return undefined;
  const plusEps = soleUser(variance.outputs[0], 'Add');
  const epsName = plusEps ? other(plusEps, variance.outputs[0]) : undefined;
  const eps = epsName === undefined ? undefined : scalar(known, epsName);
  if (!plusEps || eps === undefined) return undefined;
  const root = soleUser(plusEps.outputs[0], 'Sqrt');
  if (!root || soleUser(root.outputs[0], 'Div') !== div || div.inputs[1] !== root.outputs[0]) return undefined;
  const scale = soleUser(div.outputs[0], 'Mul');
  const gamma = scale ? other(scale, div.outputs[0]) : undefined;
  if (!scale || !vectorConstant(known, gamma)) return undefined;
  const shift = soleUser(scale.outputs[0], 'Add');
  const beta = shift ? other(shift, scale.outputs[0]) : undefined;
  const withBeta = shift !== undefined && vectorConstant(known, beta);
  const absorbed = [sub, square, variance, plusEps, root, div, scale, ...(withBeta ? [shift] : [])];
  const ln: Node = { ...node, opType: 'LayerNormalization', inputs: [], attributes: [int('axis', -1), float('epsilon', eps)] };
  return { impl: LayerNormalization, node: ln, ins: [x, gamma!, ...(withBeta ? [beta!] : [])], out: absorbed[absorbed.length - 1].outputs[0], absorbed };
}

/** The decomposed exact GELU at a Div node (x / √2), or undefined. */
export function geluAt(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser): FusedPattern | undefined {
  if (node.opType !== 'Div' || node.inputs.length !== 2) return undefined;
  const [x, by] = node.inputs;
  const s = scalar(known, by);
  if (s === undefined || Math.abs(s - Math.SQRT2) > 1e-6) return undefined;
  const erf = soleUser(node.outputs[0], 'Erf');
  const plusOne = erf ? soleUser(erf.outputs[0], 'Add') : undefined;
  const one = plusOne ? other(plusOne, erf!.outputs[0]) : undefined;
  if (!plusOne || one === undefined || scalar(known, one) !== 1) return undefined;
  const times = soleUser(plusOne.outputs[0], 'Mul');
  if (!times || other(times, plusOne.outputs[0]) !== x) return undefined;
  const half = soleUser(times.outputs[0], 'Mul');
  const h = half ? other(half, times.outputs[0]) : undefined;
  if (!half || h === undefined || scalar(known, h) !== 0.5) return undefined;
  const gelu: Node = { ...node, opType: 'Gelu', inputs: [], attributes: [] };
  return { impl: Gelu, node: gelu, ins: [x], out: half.outputs[0], absorbed: [erf!, plusOne, times, half] };
}

const near = (v: number | undefined, want: number): boolean => v !== undefined && Math.abs(v - want) <= 1e-6 * Math.abs(want);

/** The decomposed tanh-form GELU at its first node (x·x or Pow(x, 3)), or undefined. */
export function geluTanhAt(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser): FusedPattern | undefined {
  let x: string;
  let cube: Node | undefined;
  const first: Node[] = [];
  if (node.opType === 'Mul' && node.inputs.length === 2 && node.inputs[0] === node.inputs[1]) {
    x = node.inputs[0];
    cube = soleUser(node.outputs[0], 'Mul');
    if (!cube || other(cube, node.outputs[0]) !== x) return undefined;
    first.push(cube);
  } else if (node.opType === 'Pow' && node.inputs.length === 2 && scalar(known, node.inputs[1]) === 3) {
    x = node.inputs[0];
    cube = node;
  } else {
    return undefined;
  }
  const kappa = soleUser(cube.outputs[0], 'Mul');
  if (!kappa || !near(scalar(known, other(kappa, cube.outputs[0]) ?? ''), 0.044715)) return undefined;
  const sum = soleUser(kappa.outputs[0], 'Add');
  if (!sum || other(sum, kappa.outputs[0]) !== x) return undefined;
  const beta = soleUser(sum.outputs[0], 'Mul');
  if (!beta || !near(scalar(known, other(beta, sum.outputs[0]) ?? ''), Math.sqrt(2 / Math.PI))) return undefined;
  const tanh = soleUser(beta.outputs[0], 'Tanh');
  const plusOne = tanh ? soleUser(tanh.outputs[0], 'Add') : undefined;
  if (!tanh || !plusOne || scalar(known, other(plusOne, tanh.outputs[0]) ?? '') !== 1) return undefined;
  const times = soleUser(plusOne.outputs[0], 'Mul');
  const half = times && other(times, plusOne.outputs[0]) === x ? soleUser(times.outputs[0], 'Mul') : undefined;
  if (!times || !half || scalar(known, other(half, times.outputs[0]) ?? '') !== 0.5) return undefined;
  const absorbed = [...first, kappa, sum, beta, tanh, plusOne, times, half];
  const gelu: Node = { ...node, opType: 'Gelu', inputs: [], attributes: [{ name: 'approximate', type: 'string', value: 'tanh' }] };
  return { impl: Gelu, node: gelu, ins: [x], out: absorbed[absorbed.length - 1].outputs[0], absorbed };
}
