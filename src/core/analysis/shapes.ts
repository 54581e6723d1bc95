// Static shape inference: the element type and shape of the intermediate tensors a model does not
// record (torch.onnx.export and paddle2onnx usually write no value_info), so the graph view can label
// its edges and the properties panel show their types. A forward pass in dependency order over the
// common ops; symbolic dims (dim_param, e.g. "N") are carried by name. Small integer tensors that
// hold shapes (Shape → Slice/Gather → Concat → Reshape chains) are tracked as dim vectors. Where a
// dim cannot be known it is null, and where a shape cannot be derived the tensor is left out:
// never a guessed shape.
import { DataType, type DataTypeCode, type Dim, type Graph, type Node, type Tensor } from '../onnx/model';
import { constantTensor } from './constants';

export interface InferredType {
  elemType: DataTypeCode;
  shape: Dim[];
}

interface Known {
  t?: DataTypeCode;
  s?: Dim[];
  /** The elements of a small 1-D or scalar integer tensor, as dims (shape arithmetic). */
  v?: Dim[];
}

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Clip', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt',
  'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'Gelu', 'Erf', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin',
  'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Mish', 'ThresholdedRelu',
  'Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'Hardmax', 'BatchNormalization', 'LayerNormalization',
  'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'LRN', 'PRelu', 'Not',
  'IsNaN', 'IsInf',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift', 'Where']);
const COMPARE = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BOOL_OUT = new Set([...COMPARE, 'Not', 'IsNaN', 'IsInf']);
const POOLS = new Set(['MaxPool', 'AveragePool', 'LpPool']);
const GLOBAL_POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const REDUCES = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);
/** Integer tensors up to this many elements are tracked by value (they are shapes, axes, indices). */
const VALUE_LIMIT = 64;

function attrInt(n: Node, name: string): number | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'int' ? Number(a.value) : undefined;
}
function attrInts(n: Node, name: string): number[] | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'ints' ? a.value.map(Number) : undefined;
}
function attrString(n: Node, name: string): string | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'string' ? a.value : undefined;
}

function isInt(t: DataTypeCode | undefined): boolean {
  return t === DataType.INT64 || t === DataType.INT32 || t === DataType.INT16 || t === DataType.INT8 || t === DataType.UINT8;
}

/** The values of a small integer tensor, as numbers. */
function tensorValues(t: Tensor): Dim[] | undefined {
  if (!isInt(t.dataType) || !t.data || t.dims.length > 1 || t.segment) return undefined;
  const n = t.dims.length === 0 ? 1 : t.dims[0];
  if (n > VALUE_LIMIT || t.data.length !== n) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

const num = (d: Dim | undefined): d is number => typeof d === 'number';

/** A product of dims as a number times symbols, or undefined when a dim is unknown. */
function factors(dims: readonly Dim[]): { n: number; syms: string[] } | undefined {
  let n = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (num(d)) n *= d;
    else if (typeof d === 'string' && d !== '') syms.push(d);
    else return undefined;
  }
  return { n, syms };
}

function product(dims: readonly Dim[]): Dim {
  const f = factors(dims);
  if (!f) return null;
  if (f.syms.length === 0) return f.n;
  return f.syms.length === 1 && f.n === 1 ? f.syms[0] : null;
}

/** total / part, when the quotient is a number or a single symbol. */
function quotient(total: readonly Dim[], part: readonly Dim[]): Dim {
  const a = factors(total);
  const b = factors(part);
  if (!a || !b || b.n === 0 || a.n % b.n !== 0) return null;
  const rest = [...a.syms];
  for (const s of b.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  const n = a.n / b.n;
  if (rest.length === 0) return n;
  return rest.length === 1 && n === 1 ? rest[0] : null;
}

function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (num(a) && a !== 1 && !num(b)) return a; // b must be a (or 1): the result is a
  if (num(b) && b !== 1 && !num(a)) return b;
  return null;
}

function broadcast(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s!.length);
      if (k >= 0) d = broadcastDim(d, s![k]);
    }
    out.push(d);
  }
  return out;
}

function norm(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

function arith(op: string, a: Dim, b: Dim): Dim {
  if (num(a) && num(b)) {
    switch (op) {
      case 'Add': return a + b;
      case 'Sub': return a - b;
      case 'Mul': return a * b;
      case 'Div': return b !== 0 ? Math.trunc(a / b) : null;
      case 'Max': return Math.max(a, b);
      case 'Min': return Math.min(a, b);
      default: return null;
    }
  }
  if (op === 'Mul' && (a === 1 || b === 1)) return a === 1 ? b : a;
  if (op === 'Div' && b === 1) return a;
  if ((op === 'Add' || op === 'Sub') && b === 0) return a;
  return null;
}

/** Output size of a sliding window (conv, pool) along one axis, or null when not computable. */
function slidingWindowDim(inp: Dim, k: number, s: number, d: number, pb: number, pe: number, autoPad: string, ceil: boolean): Dim {
  if (!num(inp)) return null;
  const eff = (k - 1) * d + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(inp / s);
  if (autoPad === 'VALID') return Math.floor((inp - eff) / s) + 1;
  const span = inp + pb + pe - eff;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A last window starting in the end padding is dropped (ceil_mode).
  if (ceil && (out - 1) * s >= inp + pb) out--;
  return out;
}

type Out = (Known | undefined)[];

/**
 * Infers the type and shape of every node output of `graph` whose shape it does not record (graph
 * inputs, outputs, value_info with a shape, and initializers are taken as given). `opset`: the default domain's version.
 */
export function inferShapes(graph: Graph, opset: number): Map<string, InferredType> {
  const known = new Map<string, Known>();
  const recorded = new Set<string>();
  for (const vi of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
    const t = vi.type;
    if (!t || t.kind !== 'tensor' || !t.shape || t.elemTypeAbsent) continue;
    recorded.add(vi.name);
    known.set(vi.name, { t: t.elemType, s: t.shape });
  }
  const fromTensor = (t: Tensor): Known => ({ t: t.dataType, s: t.dims, v: tensorValues(t) });
  for (const t of graph.initializers) {
    known.set(t.name, fromTensor(t));
    recorded.add(t.name);
  }
  for (const s of graph.sparseInitializers) {
    known.set(s.values.name, { t: s.values.dataType, s: s.dims });
    recorded.add(s.values.name);
  }

  const inferred = new Map<string, InferredType>();
  for (const node of dependencyOrder(graph.nodes)) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    let outs: Out;
    try {
      outs = inferNode(node, node.inputs.map((i) => (i === '' ? undefined : known.get(i))), opset);
    } catch {
      outs = [];
    }
    node.outputs.forEach((o, k) => {
      const r = outs[k];
      if (o === '' || recorded.has(o)) return;
      if (r && r.s && r.t !== undefined && r.s.every((d) => d === null || typeof d === 'string' || (Number.isInteger(d) && d >= 0))) {
        known.set(o, r);
        inferred.set(o, { elemType: r.t, shape: r.s });
      }
    });
  }
  return inferred;
}

function dependencyOrder(nodes: readonly Node[]): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const state = new Uint8Array(nodes.length);
  const order: Node[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root]) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const n = nodes[top[0]];
      if (top[1] < n.inputs.length) {
        const p = producer.get(n.inputs[top[1]++]);
        if (p !== undefined && state[p] === 0) {
          state[p] = 1;
          stack.push([p, 0]);
        }
        continue;
      }
      stack.pop();
      state[top[0]] = 2;
      order.push(n);
    }
  }
  return order;
}

function inferNode(n: Node, ins: (Known | undefined)[], opset: number): Out {
  const x = ins[0];
  const op = n.opType;
  const xs = x?.s;
  const t0 = x?.t;
  if (op === 'Constant') {
    const c = constantTensor(n);
    return c ? [{ t: c.dataType, s: c.dims, v: tensorValues(c) }] : [];
  }
  if (op === 'Cast') return [{ t: attrInt(n, 'to') as DataTypeCode, s: xs, v: x?.v }];
  if (op === 'CastLike') return [{ t: ins[1]?.t, s: xs, v: x?.v }];
  if (UNARY.has(op)) {
    const outs: Out = [{ t: BOOL_OUT.has(op) ? DataType.BOOL : t0, s: xs, v: op === 'Identity' ? x?.v : undefined }];
    if (op === 'Dropout') outs.push({ t: DataType.BOOL, s: xs });
    return outs;
  }
  if (BINARY.has(op) || COMPARE.has(op)) {
    const s = broadcast(ins.map((i) => i?.s));
    const t = COMPARE.has(op) ? DataType.BOOL : op === 'Where' ? ins[1]?.t : t0;
    let v: Dim[] | undefined;
    const [a, b] = [ins[0]?.v, ins[1]?.v];
    if (ins.length === 2 && a && b && s && s.length <= 1 && !COMPARE.has(op)) {
      const len = Math.max(a.length, b.length);
      if ((a.length === len || a.length === 1) && (b.length === len || b.length === 1)) {
        v = Array.from({ length: len }, (_, i) => arith(op, a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
      }
    }
    return [{ t, s, v }];
  }
  switch (op) {
    case 'Shape': {
      if (!xs) return [];
      const r = xs.length;
      const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
      const start = clampAxis(attrInt(n, 'start') ?? 0);
      const end = clampAxis(attrInt(n, 'end') ?? r);
      const v = xs.slice(start, Math.max(start, end));
      return [{ t: DataType.INT64, s: [v.length], v }];
    }
    case 'Size':
      return [{ t: DataType.INT64, s: [], v: xs ? [product(xs)] : undefined }];
    case 'Gemm': {
      const a = xs;
      const b = ins[1]?.s;
      if (a?.length !== 2 || b?.length !== 2) return [];
      return [{ t: t0, s: [attrInt(n, 'transA') ? a[1] : a[0], attrInt(n, 'transB') ? b[0] : b[1]] }];
    }
    case 'MatMul': {
      const a = xs;
      const b = ins[1]?.s;
      if (!a || !b || a.length === 0 || b.length === 0) return [];
      const a2 = a.length === 1 ? [1, a[0]] : a;
      const b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)])!;
      const s = [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
      return [{ t: t0, s }];
    }
    case 'Conv':
    case 'ConvTranspose': {
      const w = ins[1]?.s;
      if (!xs || !w || xs.length < 3 || w.length !== xs.length) return [];
      const sp = xs.length - 2;
      const k = attrInts(n, 'kernel_shape') ?? w.slice(2);
      if (!k.every(num)) return [];
      const strides = attrInts(n, 'strides') ?? new Array<number>(sp).fill(1);
      const dil = attrInts(n, 'dilations') ?? new Array<number>(sp).fill(1);
      const pads = attrInts(n, 'pads') ?? new Array<number>(2 * sp).fill(0);
      const autoPad = attrString(n, 'auto_pad') ?? 'NOTSET';
      const group = attrInt(n, 'group') ?? 1;
      if (op === 'Conv') {
        const out = xs.slice(2).map((d, i) => slidingWindowDim(d, k[i] as number, strides[i], dil[i], pads[i], pads[i + sp], autoPad, false));
        return [{ t: t0, s: [xs[0], w[0], ...out] }];
      }
      const outShape = attrInts(n, 'output_shape');
      const outPad = attrInts(n, 'output_padding') ?? new Array<number>(sp).fill(0);
      const m = num(w[1]) ? w[1] * group : null;
      if (outShape) return [{ t: t0, s: [xs[0], m, ...outShape.slice(-sp)] }];
      const out = xs.slice(2).map((d, i): Dim => {
        if (!num(d)) return null;
        const full = strides[i] * (d - 1) + outPad[i] + ((k[i] as number) - 1) * dil[i] + 1;
        if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * strides[i];
        return autoPad === 'VALID' ? full : full - pads[i] - pads[i + sp];
      });
      return [{ t: t0, s: [xs[0], m, ...out] }];
    }
    default:
      return inferShapeOp(n, ins, opset);
  }
}

function inferShapeOp(n: Node, ins: (Known | undefined)[], opset: number): Out {
  const x = ins[0];
  const op = n.opType;
  const xs = x?.s;
  const t0 = x?.t;
  const r = xs?.length ?? 0;
  if (POOLS.has(op)) {
    const k = attrInts(n, 'kernel_shape');
    if (!xs || !k || xs.length !== k.length + 2) return [];
    const sp = k.length;
    const strides = attrInts(n, 'strides') ?? new Array<number>(sp).fill(1);
    const dil = attrInts(n, 'dilations') ?? new Array<number>(sp).fill(1);
    const pads = attrInts(n, 'pads') ?? new Array<number>(2 * sp).fill(0);
    const autoPad = attrString(n, 'auto_pad') ?? 'NOTSET';
    const ceil = (attrInt(n, 'ceil_mode') ?? 0) === 1;
    const s = [xs[0], xs[1], ...xs.slice(2).map((d, i) => slidingWindowDim(d, k[i], strides[i], dil[i], pads[i], pads[i + sp], autoPad, ceil))];
    return [{ t: t0, s }, { t: DataType.INT64, s }];
  }
  if (GLOBAL_POOLS.has(op)) return xs && xs.length >= 3 ? [{ t: t0, s: [xs[0], xs[1], ...xs.slice(2).map(() => 1)] }] : [];
  if (REDUCES.has(op) || op === 'ArgMax' || op === 'ArgMin') {
    if (!xs) return [];
    const keep = (attrInt(n, 'keepdims') ?? 1) === 1;
    let axes: number[] | undefined;
    if (op === 'ArgMax' || op === 'ArgMin') axes = [attrInt(n, 'axis') ?? 0];
    else if (n.inputs.length > 1 && n.inputs[1] !== '') {
      const v = ins[1]?.v;
      if (!v || !v.every(num)) return [];
      axes = v as number[];
    } else axes = attrInts(n, 'axes');
    if (!axes || axes.length === 0) {
      if ((attrInt(n, 'noop_with_empty_axes') ?? 0) === 1) return [{ t: t0, s: xs }];
      axes = xs.map((_, i) => i);
    }
    const set = new Set(axes.map((a) => norm(a, r)));
    if (set.has(undefined)) return [];
    const s: Dim[] = [];
    xs.forEach((d, i) => (set.has(i) ? keep && s.push(1) : s.push(d)));
    return [{ t: op.startsWith('Arg') ? DataType.INT64 : t0, s }];
  }
  switch (op) {
    case 'Flatten': {
      if (!xs) return [];
      const a = attrInt(n, 'axis') ?? 1;
      const axis = a < 0 ? a + r : a;
      if (axis < 0 || axis > r) return [];
      return [{ t: t0, s: [product(xs.slice(0, axis)), product(xs.slice(axis))] }];
    }
    case 'Reshape': {
      const target = opset >= 5 ? ins[1]?.v : attrInts(n, 'shape');
      if (!xs || !target) return [];
      const allowZero = (attrInt(n, 'allowzero') ?? 0) === 1;
      const s: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (i < r ? xs[i] : null) : d === -1 ? -1 : d));
      const hole = s.indexOf(-1);
      if (hole >= 0) s[hole] = quotient(xs, s.filter((_, i) => i !== hole));
      return [{ t: t0, s: s.map((d) => (num(d) && d < 0 ? null : d)), v: x?.v && s.length <= 1 ? x.v : undefined }];
    }
    case 'Transpose': {
      if (!xs) return [];
      const perm = attrInts(n, 'perm') ?? xs.map((_, i) => r - 1 - i);
      if (perm.length !== r) return [];
      return [{ t: t0, s: perm.map((p) => xs[p]) }];
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      if (!xs) return [];
      let axes = opset >= 13 ? ins[1]?.v : attrInts(n, 'axes');
      if (opset >= 13 && (n.inputs[1] ?? '') === '') axes = op === 'Squeeze' ? undefined : [];
      else if (!axes) return [];
      if (op === 'Squeeze') {
        if (!axes) {
          if (!xs.every(num)) return [];
          return [{ t: t0, s: xs.filter((d) => d !== 1), v: x?.v }];
        }
        if (!axes.every(num)) return [];
        const set = new Set(axes.map((a) => norm(a as number, r)));
        return [{ t: t0, s: xs.filter((_, i) => !set.has(i)), v: x?.v }];
      }
      if (!axes || !axes.every(num)) return [];
      const outRank = r + axes.length;
      const set = new Set(axes.map((a) => norm(a as number, outRank)));
      if (set.has(undefined) || set.size !== axes.length) return [];
      const s: Dim[] = [];
      let k = 0;
      for (let i = 0; i < outRank; i++) s.push(set.has(i) ? 1 : xs[k++]);
      return [{ t: t0, s, v: x?.v }];
    }
    case 'Concat': {
      const shapes = ins.map((i) => i?.s);
      if (shapes.some((s) => !s) || shapes.length === 0) return [];
      const axis = norm(attrInt(n, 'axis') ?? 0, r);
      if (axis === undefined || shapes.some((s) => s!.length !== r)) return [];
      const s = xs!.map((_, i) => {
        if (i === axis) return shapes.reduce<Dim>((acc, sh) => (num(acc) && num(sh![i]) ? acc + sh![i] : null), 0);
        return shapes.map((sh) => sh![i]).find(num) ?? xs![i];
      });
      const v = r === 1 && ins.every((i) => i?.v) ? ins.flatMap((i) => i!.v!) : undefined;
      return [{ t: t0, s, v }];
    }
    case 'Gather': {
      const idx = ins[1];
      if (!xs || !idx?.s) return [];
      const axis = norm(attrInt(n, 'axis') ?? 0, r);
      if (axis === undefined) return [];
      const s = [...xs.slice(0, axis), ...idx.s, ...xs.slice(axis + 1)];
      let v: Dim[] | undefined;
      if (x?.v && r === 1 && idx.v && idx.v.every(num)) {
        const len = x.v.length;
        v = (idx.v as number[]).map((i) => x.v![i < 0 ? i + len : i] ?? null);
      }
      return [{ t: t0, s, v }];
    }
    case 'Slice': {
      if (!xs) return [];
      let starts: Dim[] | undefined, ends: Dim[] | undefined, axes: Dim[] | undefined, steps: Dim[] | undefined;
      if (opset < 10) {
        starts = attrInts(n, 'starts');
        ends = attrInts(n, 'ends');
        axes = attrInts(n, 'axes');
      } else {
        starts = ins[1]?.v;
        ends = ins[2]?.v;
        axes = n.inputs[3] ? ins[3]?.v : undefined;
        steps = n.inputs[4] ? ins[4]?.v : undefined;
        if ((n.inputs[3] && !axes) || (n.inputs[4] && !steps)) return [];
      }
      if (!starts || !ends || starts.length !== ends.length) return [];
      axes ??= starts.map((_, i) => i);
      steps ??= starts.map(() => 1);
      const all = [starts, ends, axes, steps];
      if (!all.every((a) => a.every(num))) return [];
      const s = [...xs];
      let v = x?.v ? [...x.v] : undefined;
      for (let j = 0; j < starts.length; j++) {
        const axis = norm(axes[j] as number, r);
        const step = steps[j] as number;
        if (axis === undefined || step === 0) return [];
        const d = xs[axis];
        let st = starts[j] as number;
        let en = ends[j] as number;
        if (!num(d)) {
          // A symbolic dim survives only a whole-axis slice.
          s[axis] = step === 1 && st === 0 && en >= 2 ** 31 - 1 ? d : null;
          v = undefined;
          continue;
        }
        if (st < 0) st += d;
        if (en < 0) en += d;
        if (step > 0) {
          st = Math.min(Math.max(st, 0), d);
          en = Math.min(Math.max(en, 0), d);
          s[axis] = Math.max(0, Math.ceil((en - st) / step));
        } else {
          st = Math.min(Math.max(st, -1), d - 1);
          en = Math.min(Math.max(en, -1), d - 1);
          s[axis] = Math.max(0, Math.ceil((st - en) / -step));
        }
        if (v && r === 1) {
          const out: Dim[] = [];
          for (let i = st; step > 0 ? i < en : i > en; i += step) out.push(v[i]);
          v = out;
        }
      }
      return [{ t: t0, s, v: r === 1 ? v : undefined }];
    }
    case 'Split': {
      if (!xs) return [];
      const axis = norm(attrInt(n, 'axis') ?? 0, r);
      if (axis === undefined) return [];
      const parts = n.outputs.length;
      let split = opset >= 13 ? (n.inputs[1] ? ins[1]?.v : undefined) : attrInts(n, 'split');
      if (opset >= 13 && n.inputs[1] && !split) return [];
      if (!split) {
        const d = xs[axis];
        if (!num(d)) return [];
        const size = Math.ceil(d / parts);
        split = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, d - i * size)));
      }
      return split.map((d) => ({ t: t0, s: xs.map((e, i) => (i === axis ? d : e)) }));
    }
    case 'Expand': {
      const shape = ins[1]?.v;
      if (!xs || !shape) return [];
      return [{ t: t0, s: broadcast([xs, shape]) }];
    }
    case 'Tile': {
      const reps = ins[1]?.v;
      if (!xs || !reps || reps.length !== r) return [];
      return [{ t: t0, s: xs.map((d, i) => arith('Mul', d, reps[i])) }];
    }
    case 'ConstantOfShape': {
      const shape = x?.v;
      if (!shape) return [];
      const a = n.attributes.find((a) => a.name === 'value');
      const t = a && a.type === 'tensor' ? a.value.dataType : DataType.FLOAT;
      return [{ t, s: shape }];
    }
    case 'Pad': {
      const pads = opset >= 11 ? ins[1]?.v : attrInts(n, 'pads') ?? attrInts(n, 'paddings');
      if (!xs || !pads || n.inputs[3] || pads.length !== 2 * r) return [];
      return [{ t: t0, s: xs.map((d, i) => arith('Add', arith('Add', d, pads[i]), pads[i + r])) }];
    }
    default:
      return [];
  }
}
