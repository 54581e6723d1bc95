// Shapes of data-movement ops: Shape, Size, Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat,
// Gather, Expand, Tile, ConstantOfShape. Small integer tensors that hold shapes are followed by value
// (Shape → Gather → Unsqueeze → Concat → Reshape).
import { DataType, type Dim } from '../../onnx/model';
import { type InferFn, arith, attrInt, attrInts, broadcast, knownTensor, norm, num, product, quotient } from './dims';

const shape: InferFn = (n, ins) => {
  const xs = ins[0]?.s;
  if (!xs) return [];
  const r = xs.length;
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clampAxis(attrInt(n, 'start') ?? 0);
  const end = clampAxis(attrInt(n, 'end') ?? r);
  const v = xs.slice(start, Math.max(start, end));
  return [{ t: DataType.INT64, s: [v.length], v }];
};

const flatten: InferFn = (n, ins) => {
  const xs = ins[0]?.s;
  if (!xs) return [];
  const r = xs.length;
  const a = attrInt(n, 'axis') ?? 1;
  const axis = a < 0 ? a + r : a;
  if (axis < 0 || axis > r) return [];
  return [{ t: ins[0]?.t, s: [product(xs.slice(0, axis)), product(xs.slice(axis))] }];
};

const reshape: InferFn = (n, ins, opset) => {
  const x = ins[0];
  const xs = x?.s;
  const target = opset >= 5 ? ins[1]?.v : attrInts(n, 'shape');
  if (!xs || !target) return [];
  const r = xs.length;
  const allowZero = (attrInt(n, 'allowzero') ?? 0) === 1;
  const s: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (i < r ? xs[i] : null) : d === -1 ? -1 : d));
  const hole = s.indexOf(-1);
  if (hole >= 0) s[hole] = quotient(xs, s.filter((_, i) => i !== hole));
  return [{ t: x.t, s: s.map((d) => (num(d) && d < 0 ? null : d)), v: x.v && s.length <= 1 ? x.v : undefined }];
};

const transpose: InferFn = (n, ins) => {
  const xs = ins[0]?.s;
  if (!xs) return [];
  const perm = attrInts(n, 'perm') ?? xs.map((_, i) => xs.length - 1 - i);
  if (perm.length !== xs.length) return [];
  return [{ t: ins[0]?.t, s: perm.map((p) => xs[p]) }];
};

const squeeze: InferFn = (n, ins, opset) => {
  const x = ins[0];
  const xs = x?.s;
  if (!xs) return [];
  const r = xs.length;
  const axes = opset >= 13 ? ((n.inputs[1] ?? '') === '' ? undefined : ins[1]?.v) : attrInts(n, 'axes');
  if (!axes) {
    if (opset >= 13 && (n.inputs[1] ?? '') !== '') return [];
    if (!xs.every(num)) return [];
    return [{ t: x.t, s: xs.filter((d) => d !== 1), v: x.v }];
  }
  if (!axes.every(num)) return [];
  const set = new Set(axes.map((a) => norm(a, r)));
  return [{ t: x.t, s: xs.filter((_, i) => !set.has(i)), v: x.v }];
};

const unsqueeze: InferFn = (n, ins, opset) => {
  const x = ins[0];
  const xs = x?.s;
  const axes = opset >= 13 ? ((n.inputs[1] ?? '') === '' ? [] : ins[1]?.v) : attrInts(n, 'axes');
  if (!xs || !axes || !axes.every(num)) return [];
  const outRank = xs.length + axes.length;
  const set = new Set(axes.map((a) => norm(a, outRank)));
  if (set.has(undefined) || set.size !== axes.length) return [];
  const s: Dim[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) s.push(set.has(i) ? 1 : xs[k++]);
  return [{ t: x.t, s, v: x.v }];
};

const concat: InferFn = (n, ins) => {
  const shapes = ins.map((i) => i?.s);
  const xs = shapes[0];
  if (!xs || shapes.some((s) => !s)) return [];
  const r = xs.length;
  const axis = norm(attrInt(n, 'axis') ?? 0, r);
  if (axis === undefined || shapes.some((s) => s!.length !== r)) return [];
  const s = xs.map((_, i) => {
    if (i === axis) return shapes.reduce<Dim>((acc, sh) => (num(acc) && num(sh![i]) ? acc + sh![i] : null), 0);
    return shapes.map((sh) => sh![i]).find(num) ?? xs[i];
  });
  const v = r === 1 && ins.every((i) => i?.v) ? ins.flatMap((i) => i!.v!) : undefined;
  return [{ t: ins[0]?.t, s, v }];
};

const gather: InferFn = (n, ins) => {
  const x = ins[0];
  const xs = x?.s;
  const idx = ins[1];
  if (!xs || !idx?.s) return [];
  const r = xs.length;
  const axis = norm(attrInt(n, 'axis') ?? 0, r);
  if (axis === undefined) return [];
  const s = [...xs.slice(0, axis), ...idx.s, ...xs.slice(axis + 1)];
  let v: Dim[] | undefined;
  if (x.v && r === 1 && idx.v && idx.v.every(num)) {
    const len = x.v.length;
    v = (idx.v as number[]).map((i) => x.v![i < 0 ? i + len : i] ?? null);
  }
  return [{ t: x.t, s, v }];
};

const expand: InferFn = (_n, ins) => {
  const xs = ins[0]?.s;
  const target = ins[1]?.v;
  return xs && target ? [{ t: ins[0]?.t, s: broadcast([xs, target]) }] : [];
};

const tile: InferFn = (_n, ins) => {
  const xs = ins[0]?.s;
  const reps = ins[1]?.v;
  if (!xs || !reps || reps.length !== xs.length) return [];
  return [{ t: ins[0]?.t, s: xs.map((d, i) => arith('Mul', d, reps[i])) }];
};

const constantOfShape: InferFn = (n, ins) => {
  const target = ins[0]?.v;
  if (!target) return [];
  const a = n.attributes.find((x) => x.name === 'value');
  const t = a && a.type === 'tensor' ? a.value.dataType : DataType.FLOAT;
  // A small integer vector of one value (torch's expand(-1) builds its shape from one) is tracked by value.
  const fill = a && a.type === 'tensor' ? knownTensor(a.value).v?.[0] : undefined;
  const v = fill !== undefined && target.length === 1 && num(target[0]) && target[0] <= 64 ? new Array<Dim>(target[0]).fill(fill) : undefined;
  return [{ t, s: target, v }];
};

export const SHAPE_OPS: Record<string, InferFn> = {
  Shape: shape,
  Size: (_n, ins) => [{ t: DataType.INT64, s: [], v: ins[0]?.s ? [product(ins[0].s)] : undefined }],
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Gather: gather,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
};
