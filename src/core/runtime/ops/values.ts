// Operators that make or convert values: Constant, ConstantOfShape, Cast, CastLike.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import {
  type RtData,
  type RtTensor,
  alloc,
  fromModelTensor,
  fromSparseTensor,
  halfToFloat,
  isBigType,
  isHalfType,
  isRuntimeType,
  size,
  toBfloatBits,
  toHalfBits,
  toNumbers,
} from '../tensor';
import { type OpImpl, attr, intAttr, need, tensorAttr } from './types';

export const Constant: OpImpl = (_inputs, ctx) => {
  const node = ctx.node;
  for (const a of node.attributes) {
    switch (a.type) {
      case 'tensor':
        if (a.name === 'value') return [fromModelTensor(a.value, ctx.label)];
        break;
      case 'sparse_tensor':
        if (a.name === 'sparse_value') return [fromSparseTensor(a.value, ctx.label)];
        break;
      case 'float':
        if (a.name === 'value_float') return [{ dims: [], data: new Float32Array([a.value]), dataType: DataType.FLOAT }];
        break;
      case 'floats':
        if (a.name === 'value_floats') return [{ dims: [a.value.length], data: Float32Array.from(a.value), dataType: DataType.FLOAT }];
        break;
      case 'int':
        if (a.name === 'value_int') return [{ dims: [], data: BigInt64Array.of(BigInt(a.value)), dataType: DataType.INT64 }];
        break;
      case 'ints':
        if (a.name === 'value_ints') {
          return [{ dims: [a.value.length], data: BigInt64Array.from(a.value, (v) => BigInt(v)), dataType: DataType.INT64 }];
        }
        break;
      default:
        break;
    }
  }
  throw new RuntimeError(`${ctx.label}: no value attribute the runtime supports (strings are not supported)`);
};

/** Converts any runtime tensor to element type `to`. */
export function castTensor(x0: RtTensor, to: number, label: string): RtTensor {
  if (!isRuntimeType(to)) throw new RuntimeError(`${label}: cannot cast to element type ${to}`);
  if (x0.dataType === to) return x0;
  const n = x0.data.length;
  const out = alloc(to, n);
  if (isBigType(x0.dataType) && isBigType(to)) {
    const src = x0.data as BigInt64Array;
    const dst = out as BigInt64Array;
    for (let i = 0; i < n; i++) dst[i] = to === DataType.UINT64 ? BigInt.asUintN(64, src[i]) : BigInt.asIntN(64, src[i]);
    return { dims: x0.dims, data: out, dataType: to };
  }
  const x = isHalfType(x0.dataType) ? halfToFloat(x0) : x0;
  const src: Exclude<RtData, BigInt64Array | BigUint64Array> =
    x.data instanceof BigInt64Array || x.data instanceof BigUint64Array ? Float64Array.from(x.data, Number) : x.data;
  if (to === DataType.BOOL) {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else if (to === DataType.FLOAT16 || to === DataType.BFLOAT16) {
    const conv = to === DataType.FLOAT16 ? toHalfBits : toBfloatBits;
    for (let i = 0; i < n; i++) out[i] = conv(src[i]);
  } else if (isBigType(to)) {
    const dst = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      dst[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
  } else {
    const dst = out as Float32Array;
    for (let i = 0; i < n; i++) dst[i] = src[i];
  }
  return { dims: x0.dims, data: out, dataType: to };
}

export const Cast: OpImpl = (inputs, ctx) => [castTensor(need(inputs, 0, ctx), intAttr(ctx.node, 'to', 0), ctx.label)];

export const CastLike: OpImpl = (inputs, ctx) => [castTensor(need(inputs, 0, ctx), need(inputs, 1, ctx).dataType, ctx.label)];

export const ConstantOfShape: OpImpl = (inputs, ctx) => {
  const dims = toNumbers(need(inputs, 0, ctx));
  const t = tensorAttr(ctx.node, 'value');
  const v = t ? fromModelTensor(t, ctx.label) : { dims: [1], data: new Float32Array(1), dataType: DataType.FLOAT };
  const out = alloc(v.dataType, size(dims));
  out.fill(v.data[0] as never);
  return [{ dims, data: out, dataType: v.dataType }];
};

/** Why a Cast/Constant cannot run (string types), or undefined. */
export function valueNodeProblem(node: Parameters<OpImpl>[1]['node']): string | undefined {
  if (node.opType === 'Cast') {
    const to = intAttr(node, 'to', 0);
    if (!isRuntimeType(to)) return `cast to element type ${to}`;
  }
  if (node.opType === 'Constant') {
    if (attr(node, 'value_string') || attr(node, 'value_strings')) return 'string constant';
    const t = tensorAttr(node, 'value');
    if (t && !isRuntimeType(t.dataType)) return `constant of element type ${t.dataType}`;
  }
  return undefined;
}
