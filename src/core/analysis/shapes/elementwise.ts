// Shapes of value-making and elementwise ops: Constant, Cast, unary ops (the input's shape),
// broadcasting binary and variadic ops, comparisons (bool), Where.
import { DataType, type DataTypeCode, type Dim, type Node } from '../../onnx/model';
import { constantTensor } from '../constants';
import { type InferFn, type Known, type Out, arith, attrInt, broadcast, knownTensor, num } from './dims';

const UNARY = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Clip', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt',
  'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'Gelu', 'Erf', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin',
  'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Mish', 'ThresholdedRelu',
  'Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'Hardmax', 'BatchNormalization',
  'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'LRN', 'PRelu', 'Not',
  'IsNaN', 'IsInf',
];
const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift', 'Where'];
const COMPARE = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BOOL_OUT = new Set([...COMPARE, 'Not', 'IsNaN', 'IsInf']);

const unary: InferFn = (n, ins) => {
  const x = ins[0];
  const outs: Out = [{ t: BOOL_OUT.has(n.opType) ? DataType.BOOL : x?.t, s: x?.s, v: n.opType === 'Identity' ? x?.v : undefined, f: n.opType === 'Identity' ? x?.f : undefined }];
  if (n.opType === 'Dropout') outs.push({ t: DataType.BOOL, s: x?.s });
  return outs;
};

/** Broadcasting binary and variadic ops; integer values (shape arithmetic) are computed elementwise. */
const binary: InferFn = (n, ins) => {
  const op = n.opType;
  const s = broadcast(ins.map((i) => i?.s));
  const t = COMPARE.has(op) ? DataType.BOOL : op === 'Where' ? ins[1]?.t : ins[0]?.t;
  let v: Dim[] | undefined;
  const [a, b] = [ins[0]?.v, ins[1]?.v];
  const c = ins[2]?.v;
  if (op === 'Where' && a && b && c && s && s.length <= 1) {
    // Where on shape vectors (torch's expand(-1) writes Where(Equal(shape, -1), 1, shape)).
    const len = Math.max(a.length, b.length, c.length);
    const at = (x: Dim[], i: number): Dim => x[x.length === 1 ? 0 : i];
    if ([a, b, c].every((x) => x.length === len || x.length === 1) && Array.from({ length: len }, (_, i) => at(a, i)).every(num)) {
      v = Array.from({ length: len }, (_, i) => (at(a, i) ? at(b, i) : at(c, i)));
    }
  } else if (op === 'Equal' && a && b && s && s.length <= 1) {
    const len = Math.max(a.length, b.length);
    const eq = (x: Dim, y: Dim): Dim => (x === y && x !== null ? 1 : num(x) && num(y) ? 0 : typeof x === 'string' && num(y) && y < 0 ? 0 : null);
    if ((a.length === len || a.length === 1) && (b.length === len || b.length === 1)) {
      v = Array.from({ length: len }, (_, i) => eq(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
    }
  } else if (ins.length === 2 && a && b && s && s.length <= 1 && !COMPARE.has(op)) {
    const len = Math.max(a.length, b.length);
    if ((a.length === len || a.length === 1) && (b.length === len || b.length === 1)) {
      v = Array.from({ length: len }, (_, i) => arith(op, a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
    }
  }
  return [{ t, s, v }];
};

const constant: InferFn = (n: Node) => {
  const c = constantTensor(n);
  return c ? [knownTensor(c)] : [];
};

export const ELEMENTWISE: Record<string, InferFn> = {
  Constant: constant,
  Cast: (n, ins) => [{ t: attrInt(n, 'to') as DataTypeCode, s: ins[0]?.s, v: ins[0]?.v }],
  CastLike: (_n, ins): Known[] => [{ t: ins[1]?.t, s: ins[0]?.s, v: ins[0]?.v }],
  ...Object.fromEntries(UNARY.map((op) => [op, unary])),
  ...Object.fromEntries([...BINARY, ...COMPARE].map((op) => [op, binary])),
};
