// Pad: opset 2 (pads and value as attributes) and opset 11+ (pads, constant_value and, from 18,
// axes as inputs); modes constant, reflect, edge and wrap (19). Negative pads crop. Any element type.
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtData, type RtTensor, ctorOf, isHalfType, size, stridesOf, toBfloatBits, toHalfBits, toNumbers, writeNumber } from '../tensor';
import { type OpImpl, floatAttr, intsAttr, need, normAxis, stringAttr } from './types';

export const PAD_MODES = ['constant', 'reflect', 'edge', 'wrap'];

/** Input index read by output index o of an axis (o - begin shifted into range by the mode), or -1 for the constant. */
function sourceIndex(o: number, begin: number, n: number, mode: string): number {
  let i = o - begin;
  if (i >= 0 && i < n) return i;
  if (mode === 'constant' || n === 0) return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (mode === 'wrap') return ((i % n) + n) % n;
  // reflect: mirror about the first and last elements (without repeating them).
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

export const Pad: OpImpl = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const r = x.dims.length;
  const mode = stringAttr(ctx.node, 'mode', 'constant');
  if (!PAD_MODES.includes(mode) || (mode === 'wrap' && ctx.opset < 19)) {
    throw new RuntimeError(`${ctx.label}: mode "${mode}" is not one of ${PAD_MODES.join(', ')}`);
  }
  let padList: number[];
  let value: RtTensor | number | undefined;
  if (ctx.opset < 11) {
    padList = intsAttr(ctx.node, 'pads') ?? intsAttr(ctx.node, 'paddings') ?? [];
    value = floatAttr(ctx.node, 'value', 0);
  } else {
    padList = toNumbers(need(inputs, 1, ctx));
    value = inputs[2] && inputs[2].data.length > 0 ? inputs[2] : undefined;
  }
  // Begin and end pads of every axis (the axes input lists the axes that pads refer to).
  const begin = new Array<number>(r).fill(0);
  const end = new Array<number>(r).fill(0);
  const axes = ctx.opset >= 18 && inputs[3] ? toNumbers(inputs[3]).map((a) => normAxis(a, r, ctx)) : [...Array(r).keys()];
  if (padList.length !== 2 * axes.length) {
    throw new RuntimeError(`${ctx.label}: ${padList.length} pads for ${axes.length} axes (expected ${2 * axes.length})`);
  }
  axes.forEach((a, i) => {
    begin[a] = padList[i];
    end[a] = padList[i + axes.length];
  });
  const dims = x.dims.map((d, a) => d + begin[a] + end[a]);
  if (dims.some((d) => d < 0)) throw new RuntimeError(`${ctx.label}: pads [${padList.join(', ')}] crop more than the input [${x.dims.join(', ')}]`);
  if (mode !== 'constant') {
    const empty = x.dims.findIndex((d, a) => d === 0 && dims[a] > 0);
    if (empty >= 0) throw new RuntimeError(`${ctx.label}: cannot ${mode}-pad axis ${empty} of length 0`);
  }
  const Ctor = ctorOf(x.dataType);
  const n = size(dims);
  const y = ctx.out(0, Ctor, n);
  // The pad value as one element of the output's own array type.
  const fill = new Ctor(1) as RtData;
  if (typeof value === 'number') {
    if (isHalfType(x.dataType)) fill[0] = x.dataType === DataType.FLOAT16 ? toHalfBits(value) : toBfloatBits(value);
    else writeNumber(fill, 0, value);
  } else if (value) {
    if (value.dataType !== x.dataType) throw new RuntimeError(`${ctx.label}: constant_value has element type ${value.dataType}, the data ${x.dataType}`);
    fill[0] = value.data[0];
  }
  if (n === 0) return [{ dims, data: y, dataType: x.dataType }];
  const maps = dims.map((d, a) => Int32Array.from({ length: d }, (_, o) => sourceIndex(o, begin[a], x.dims[a], mode)));
  const inStrides = stridesOf(x.dims);
  const last = r - 1;
  const rowLen = r === 0 ? 1 : dims[last];
  const rows = n / rowLen;
  const src = x.data;
  const dst = y as RtData & { [i: number]: number | bigint };
  const pad = fill[0];
  const coord = new Array<number>(Math.max(0, r - 1)).fill(0);
  for (let row = 0; row < rows; row++) {
    const yo = row * rowLen;
    let base = 0;
    for (let a = 0; a < r - 1; a++) {
      const i = maps[a][coord[a]];
      if (i < 0) {
        base = -1;
        break;
      }
      base += i * inStrides[a];
    }
    if (r === 0) {
      dst[0] = src[0];
    } else if (base < 0) {
      for (let j = 0; j < rowLen; j++) dst[yo + j] = pad;
    } else {
      const m = maps[last];
      for (let j = 0; j < rowLen; j++) {
        const i = m[j];
        dst[yo + j] = i < 0 ? pad : src[base + i];
      }
    }
    for (let a = r - 2; a >= 0; a--) {
      if (++coord[a] < dims[a]) break;
      coord[a] = 0;
    }
  }
  return [{ dims, data: y, dataType: x.dataType }];
};
