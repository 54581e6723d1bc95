// Shapes of Gemm, MatMul, the Reduce* ops (axes as attribute, or input from opset 13 for ReduceSum
// and 18 for the others; keepdims; noop_with_empty_axes) and ArgMax/ArgMin.
import { DataType, type Dim } from '../../onnx/model';
import { type InferFn, attrInt, attrInts, broadcast, norm, num } from './dims';

const REDUCES = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

const gemm: InferFn = (n, ins) => {
  const a = ins[0]?.s;
  const b = ins[1]?.s;
  if (a?.length !== 2 || b?.length !== 2) return [];
  return [{ t: ins[0]?.t, s: [attrInt(n, 'transA') ? a[1] : a[0], attrInt(n, 'transB') ? b[0] : b[1]] }];
};

const matmul: InferFn = (_n, ins) => {
  const a = ins[0]?.s;
  const b = ins[1]?.s;
  if (!a || !b || a.length === 0 || b.length === 0) return [];
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)])!;
  const s = [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
  return [{ t: ins[0]?.t, s }];
};

const reduce: InferFn = (n, ins, opset) => {
  const xs = ins[0]?.s;
  if (!xs) return [];
  const op = n.opType;
  const arg = op === 'ArgMax' || op === 'ArgMin';
  const keep = (attrInt(n, 'keepdims') ?? 1) === 1;
  let axes: number[] | undefined;
  if (arg) axes = [attrInt(n, 'axis') ?? 0];
  else if (opset >= (op === 'ReduceSum' ? 13 : 18)) {
    if (n.inputs.length > 1 && n.inputs[1] !== '') {
      const v = ins[1]?.v;
      if (!v || !v.every(num)) return [];
      axes = v as number[];
    }
  } else axes = attrInts(n, 'axes');
  if (!axes || axes.length === 0) {
    if ((attrInt(n, 'noop_with_empty_axes') ?? 0) === 1) return [{ t: ins[0]?.t, s: xs }];
    axes = xs.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => norm(a, xs.length)));
  if (set.has(undefined)) return [];
  const s: Dim[] = [];
  xs.forEach((d, i) => (set.has(i) ? keep && s.push(1) : s.push(d)));
  return [{ t: arg ? DataType.INT64 : ins[0]?.t, s }];
};

export const LINEAR: Record<string, InferFn> = {
  Gemm: gemm,
  MatMul: matmul,
  ArgMax: reduce,
  ArgMin: reduce,
  ...Object.fromEntries(REDUCES.map((op) => [op, reduce])),
};
