// Comparison and logic operators: Equal, Less, Greater, LessOrEqual, GreaterOrEqual, Not, And, Or,
// Xor, IsNaN, IsInf, and Where (select with three-way broadcasting). Boolean results are BOOL
// tensors (Uint8Array of 0/1); int64 inputs are compared as bigints, so exactly.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtData, type RtTensor, ctorOf, halfToFloat, isHalfType, size } from '../tensor';
import { broadcastDims, broadcastRuns } from './broadcast';
import { type OpContext, type OpImpl, intAttr, need } from './types';

type Scalar = number | bigint;
type Cmp = (a: Scalar, b: Scalar) => boolean;

function plain(t: RtTensor): RtTensor {
  return isHalfType(t.dataType) ? halfToFloat(t) : t;
}

function compareOp(f: Cmp, boolOnly = false): OpImpl {
  return (inputs, ctx) => {
    const a = plain(need(inputs, 0, ctx));
    const b = plain(need(inputs, 1, ctx));
    if (boolOnly && (a.dataType !== DataType.BOOL || b.dataType !== DataType.BOOL)) {
      throw new RuntimeError(`${ctx.label}: inputs must be bool tensors`);
    }
    if ((a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) !== (b.data instanceof BigInt64Array || b.data instanceof BigUint64Array)) {
      throw new RuntimeError(`${ctx.label}: inputs have different element types (${a.dataType} and ${b.dataType})`);
    }
    const dims = broadcastDims(a.dims, b.dims, ctx.label);
    const { runs, len, starts, steps } = broadcastRuns([a.dims, b.dims], dims);
    const [ka, kb] = steps;
    const ad = a.data;
    const bd = b.data;
    const y = ctx.out(0, Uint8Array, size(dims)) as Uint8Array;
    for (let o = 0, i = 0; o < runs; o++) {
      const oa = starts[0][o];
      const ob = starts[1][o];
      for (let k = 0; k < len; k++, i++) y[i] = f(ad[oa + k * ka], bd[ob + k * kb]) ? 1 : 0;
    }
    return [{ dims, data: y, dataType: DataType.BOOL }];
  };
}

function unaryBool(f: (v: number, ctx: OpContext) => boolean, boolOnly = false): OpImpl {
  return (inputs, ctx) => {
    const x = plain(need(inputs, 0, ctx));
    if (boolOnly && x.dataType !== DataType.BOOL) throw new RuntimeError(`${ctx.label}: input must be a bool tensor`);
    const n = x.data.length;
    const y = ctx.out(0, Uint8Array, n) as Uint8Array;
    for (let i = 0; i < n; i++) y[i] = f(Number(x.data[i]), ctx) ? 1 : 0;
    return [{ dims: x.dims, data: y, dataType: DataType.BOOL }];
  };
}

const isInf: OpImpl = (inputs, ctx) => {
  const neg = intAttr(ctx.node, 'detect_negative', 1) === 1;
  const pos = intAttr(ctx.node, 'detect_positive', 1) === 1;
  return unaryBool((v) => (v === Infinity && pos) || (v === -Infinity && neg))(inputs, ctx);
};

/** Where(condition, X, Y): X where condition is true, else Y, all three broadcast; X's element type. */
export const Where: OpImpl = (inputs, ctx) => {
  const c = need(inputs, 0, ctx);
  const x = need(inputs, 1, ctx);
  const y = need(inputs, 2, ctx);
  if (x.dataType !== y.dataType) {
    throw new RuntimeError(`${ctx.label}: X and Y have different element types (${x.dataType} and ${y.dataType})`);
  }
  const dims = broadcastDims(broadcastDims(c.dims, x.dims, ctx.label), y.dims, ctx.label);
  const { runs, len, starts, steps } = broadcastRuns([c.dims, x.dims, y.dims], dims);
  const [kc, kx, ky] = steps;
  const out = ctx.out(0, ctorOf(x.dataType), size(dims)) as RtData;
  const cd = c.data;
  const xd = x.data;
  const yd = y.data;
  for (let o = 0, i = 0; o < runs; o++) {
    const [oc, ox, oy] = [starts[0][o], starts[1][o], starts[2][o]];
    for (let k = 0; k < len; k++, i++) out[i] = (cd[oc + k * kc] ? xd[ox + k * kx] : yd[oy + k * ky]) as never;
  }
  return [{ dims, data: out, dataType: x.dataType }];
};

export const LOGIC: Record<string, OpImpl> = {
  Equal: compareOp((a, b) => a === b),
  Less: compareOp((a, b) => a < b),
  Greater: compareOp((a, b) => a > b),
  LessOrEqual: compareOp((a, b) => a <= b),
  GreaterOrEqual: compareOp((a, b) => a >= b),
  And: compareOp((a, b) => !!a && !!b, true),
  Or: compareOp((a, b) => !!a || !!b, true),
  Xor: compareOp((a, b) => !!a !== !!b, true),
  Not: unaryBool((v) => v === 0, true),
  IsNaN: unaryBool((v) => v !== v),
  IsInf: isInf,
  Where,
};
