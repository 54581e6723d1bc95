// Reductions over axes: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp, ReduceSumSquare; ArgMax and ArgMin.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, alloc, floatToHalf, halfToFloat, isHalfType, nextOffset, size, toNumbers, writeNumber } from '../tensor';
import { type OpContext, type OpImpl, intAttr, intsAttr, need, normAxis } from './types';

function reduceOp(init: number, step: (acc: number, v: number) => number, fin?: (acc: number, count: number) => number): OpImpl {
  return (inputs, ctx: OpContext) => {
    let x: RtTensor = need(inputs, 0, ctx);
    const half = isHalfType(x.dataType) ? x.dataType : 0;
    if (half) x = halfToFloat(x);
    // Axes moved from attribute to input: ReduceSum at opset 13, the others at 18.
    const axesAsInput = ctx.opset >= (ctx.node.opType === 'ReduceSum' ? 13 : 18);
    const axesRaw = axesAsInput ? (inputs[1] ? toNumbers(inputs[1]) : undefined) : intsAttr(ctx.node, 'axes');
    const keep = intAttr(ctx.node, 'keepdims', 1) === 1;
    const noop = intAttr(ctx.node, 'noop_with_empty_axes', 0) === 1;
    const r = x.dims.length;
    // No axes reduces all of them, or (noop_with_empty_axes) none: each element is reduced alone,
    // so L1/L2/SumSquare/LogSum still apply their element function (as onnxruntime does).
    const empty = !axesRaw || axesRaw.length === 0;
    const axes = new Set((empty ? (noop ? [] : x.dims.map((_, i) => i)) : axesRaw).map((a) => normAxis(a, r, ctx)));
    const outDimsKeep = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
    const n = size(outDimsKeep);
    const acc = new Float64Array(n).fill(init);
    const cnt = size(x.dims) / Math.max(n, 1);
    const outStr: number[] = [];
    let s = 1;
    for (let i = r - 1; i >= 0; i--) {
      outStr[i] = axes.has(i) ? 0 : s;
      s *= outDimsKeep[i];
    }
    const total = size(x.dims);
    // The reduced axes are the trailing ones (a LayerNorm's mean): contiguous runs, no index walk.
    const trailing = axes.size > 0 && [...axes].every((a) => a >= r - axes.size);
    if (trailing && !(x.data instanceof BigInt64Array || x.data instanceof BigUint64Array)) {
      const d = x.data;
      const len = n === 0 ? 0 : total / n;
      for (let o = 0, k = 0; o < n; o++) {
        let a = acc[o];
        for (let j = 0; j < len; j++, k++) a = step(a, d[k]);
        acc[o] = a;
      }
    } else {
      const idx = new Array<number>(r).fill(0);
      let off = 0;
      for (let k = 0; k < total; k++) {
        acc[off] = step(acc[off], Number(x.data[k]));
        off = nextOffset(idx, x.dims, outStr, r - 1, off);
      }
    }
    if (total === 0 && init !== 0 && init !== 1) throw new RuntimeError(`${ctx.label}: reducing an empty tensor`);
    const out = alloc(x.dataType, n);
    for (let i = 0; i < n; i++) writeNumber(out, i, fin ? fin(acc[i], cnt) : acc[i]);
    const dims = keep ? outDimsKeep : x.dims.filter((_, i) => !axes.has(i));
    const res: RtTensor = { dims, data: out, dataType: x.dataType };
    return [half ? floatToHalf(res, half) : res];
  };
}

export const REDUCE: Record<string, OpImpl> = {
  ReduceSum: reduceOp(0, (a, v) => a + v),
  ReduceMean: reduceOp(0, (a, v) => a + v, (a, c) => a / c),
  ReduceMax: reduceOp(-Infinity, (a, v) => (v > a || v !== v ? v : a)),
  ReduceMin: reduceOp(Infinity, (a, v) => (v < a || v !== v ? v : a)),
  ReduceProd: reduceOp(1, (a, v) => a * v),
  ReduceL1: reduceOp(0, (a, v) => a + Math.abs(v)),
  ReduceL2: reduceOp(0, (a, v) => a + v * v, (a) => Math.sqrt(a)),
  ReduceLogSum: reduceOp(0, (a, v) => a + v, (a) => Math.log(a)),
  ReduceLogSumExp: reduceOp(0, (a, v) => a + Math.exp(v), (a) => Math.log(a)),
  ReduceSumSquare: reduceOp(0, (a, v) => a + v * v),
};

/** ArgMax / ArgMin along one axis (default 0), keepdims, select_last_index (opset 12): int64 indices. */
function argOp(better: (v: number, best: number) => boolean): OpImpl {
  return (inputs, ctx) => {
    let x: RtTensor = need(inputs, 0, ctx);
    if (isHalfType(x.dataType)) x = halfToFloat(x);
    const r = x.dims.length;
    const axis = normAxis(intAttr(ctx.node, 'axis', 0), r, ctx);
    const keep = intAttr(ctx.node, 'keepdims', 1) === 1;
    const last = intAttr(ctx.node, 'select_last_index', 0) === 1;
    const len = x.dims[axis];
    if (len === 0) throw new RuntimeError(`${ctx.label}: axis ${axis} is empty`);
    const outer = size(x.dims.slice(0, axis));
    const inner = size(x.dims.slice(axis + 1));
    const out = new BigInt64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = Number(x.data[base]);
        let at = 0;
        for (let k = 1; k < len; k++) {
          const v = Number(x.data[base + k * inner]);
          if (better(v, best) || (last && v === best)) {
            best = v;
            at = k;
          }
        }
        out[o * inner + i] = BigInt(at);
      }
    }
    const dims = keep ? x.dims.map((d, i) => (i === axis ? 1 : d)) : x.dims.filter((_, i) => i !== axis);
    return [{ dims, data: out, dataType: DataType.INT64 }];
  };
}

export const ArgMax: OpImpl = argOp((v, best) => v > best);
export const ArgMin: OpImpl = argOp((v, best) => v < best);

