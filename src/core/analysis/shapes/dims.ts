// What shape inference knows about a value, attribute readers, and arithmetic on dims that may be
// numbers, symbols (dim_param names such as "N") or unknown (null).
import { DataType, type DataTypeCode, type Dim, type Node, type Tensor } from '../../onnx/model';

export interface Known {
  t?: DataTypeCode;
  s?: Dim[];
  /** The elements of a small 1-D or scalar integer tensor, as dims (shape arithmetic). */
  v?: Dim[];
  /** The elements of a small 1-D or scalar float tensor (Resize / Upsample scales). */
  f?: number[];
}

/** What a node's outputs are known to be, by output position. */
export type Out = (Known | undefined)[];

/** Infers a node's outputs from what is known of its inputs (undefined: an absent or unknown input). */
export type InferFn = (n: Node, ins: (Known | undefined)[], opset: number) => Out;

/** Small tensors up to this many elements are tracked by value (they are shapes, axes, indices, scales). */
const VALUE_LIMIT = 64;

export function attrInt(n: Node, name: string): number | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'int' ? Number(a.value) : undefined;
}
export function attrInts(n: Node, name: string): number[] | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'ints' ? a.value.map(Number) : undefined;
}
export function attrFloats(n: Node, name: string): number[] | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'floats' ? [...a.value] : undefined;
}
export function attrString(n: Node, name: string): string | undefined {
  const a = n.attributes.find((x) => x.name === name);
  return a && a.type === 'string' ? a.value : undefined;
}

function isInt(t: DataTypeCode | undefined): boolean {
  return t === DataType.INT64 || t === DataType.INT32 || t === DataType.INT16 || t === DataType.INT8 || t === DataType.UINT8;
}

function smallValues(t: Tensor): number[] | undefined {
  if (!t.data || t.dims.length > 1 || t.segment) return undefined;
  const n = t.dims.length === 0 ? 1 : t.dims[0];
  if (n > VALUE_LIMIT || t.data.length !== n || Array.isArray(t.data)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** What is known of a tensor with data: type, dims and, when small, its values. */
export function knownTensor(t: Tensor): Known {
  const float = t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE;
  return {
    t: t.dataType,
    s: t.dims,
    v: isInt(t.dataType) ? smallValues(t) : undefined,
    f: float ? smallValues(t) : undefined,
  };
}

export const num = (d: Dim | undefined): d is number => typeof d === 'number';

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

export function product(dims: readonly Dim[]): Dim {
  const f = factors(dims);
  if (!f) return null;
  if (f.syms.length === 0) return f.n;
  return f.syms.length === 1 && f.n === 1 ? f.syms[0] : null;
}

/** total / part, when the quotient is a number or a single symbol. */
export function quotient(total: readonly Dim[], part: readonly Dim[]): Dim {
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

export function broadcast(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
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

/** A possibly negative axis normalised against a rank, or undefined when out of range. */
export function norm(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** An integer binary op on dims (shape arithmetic: Add/Sub/Mul/Div/Max/Min); null where unknown. */
export function arith(op: string, a: Dim, b: Dim): Dim {
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
