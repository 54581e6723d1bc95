// Conv (1-D, 2-D, 3-D and any rank): geometry from the attributes (auto_pad, pads, strides,
// dilations, group) shared with the planned kernels, and the reference implementation.
import { DataType, type Node } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, floatToHalf, halfToFloat, isHalfType, size } from '../tensor';
import type { FArray } from '../kernels/dense';
import { type OpContext, type OpImpl, intsAttr, need } from './types';

/** Everything a convolution kernel needs to know about its shapes. Spatial lists have one entry per spatial axis. */
export interface ConvGeom {
  N: number;
  /** Input channels (all groups). */
  C: number;
  /** Output channels (all groups). */
  M: number;
  group: number;
  inSp: number[];
  outSp: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before each spatial axis (the end padding only matters for the output size). */
  padBegin: number[];
}

function autoPad(node: Node): string {
  const a = node.attributes.find((x) => x.name === 'auto_pad');
  if (!a) return 'NOTSET';
  if (a.type !== 'string') throw new RuntimeError(`${node.opType} "${node.name}": attribute auto_pad is not a string`);
  return a.value;
}

function groupAttr(node: Node): number {
  const a = node.attributes.find((x) => x.name === 'group');
  return a && a.type === 'int' ? Number(a.value) : 1;
}

/** Shapes of Conv(x: [N, C, ...in], w: [M, C/group, ...k]); a RuntimeError naming the node when they do not fit. */
export function convGeom(node: Node, xDims: readonly number[], wDims: readonly number[], label: string): ConvGeom {
  const r = xDims.length - 2;
  if (r < 1) throw new RuntimeError(`${label}: input X must have rank >= 3 ([N, C, ...]), got [${xDims.join(', ')}]`);
  if (wDims.length !== xDims.length) {
    throw new RuntimeError(`${label}: weight W [${wDims.join(', ')}] and input X [${xDims.join(', ')}] have different ranks`);
  }
  const [N, C] = xDims;
  const M = wDims[0];
  const group = groupAttr(node);
  if (group < 1) throw new RuntimeError(`${label}: group ${group} must be >= 1`);
  if (C !== wDims[1] * group) {
    throw new RuntimeError(`${label}: input has ${C} channels but W [${wDims.join(', ')}] with group ${group} expects ${wDims[1] * group}`);
  }
  if (M % group !== 0) throw new RuntimeError(`${label}: ${M} output channels are not divisible by group ${group}`);
  const kernel = intsAttr(node, 'kernel_shape') ?? wDims.slice(2);
  if (kernel.length !== r || kernel.some((k, i) => k !== wDims[2 + i])) {
    throw new RuntimeError(`${label}: kernel_shape [${kernel.join(', ')}] does not match W [${wDims.join(', ')}]`);
  }
  const strides = intsAttr(node, 'strides') ?? new Array<number>(r).fill(1);
  const dilations = intsAttr(node, 'dilations') ?? new Array<number>(r).fill(1);
  if (strides.length !== r || strides.some((s) => s < 1)) throw new RuntimeError(`${label}: strides [${strides.join(', ')}] do not fit ${r} spatial axes`);
  if (dilations.length !== r || dilations.some((s) => s < 1)) throw new RuntimeError(`${label}: dilations [${dilations.join(', ')}] do not fit ${r} spatial axes`);
  const inSp = xDims.slice(2);
  const mode = autoPad(node);
  const padBegin: number[] = [];
  const outSp: number[] = [];
  const pads = intsAttr(node, 'pads');
  if (mode === 'NOTSET' && pads && (pads.length !== 2 * r || pads.some((p) => p < 0))) {
    throw new RuntimeError(`${label}: pads [${pads.join(', ')}] must be ${2 * r} non-negative values`);
  }
  for (let i = 0; i < r; i++) {
    const ext = (kernel[i] - 1) * dilations[i] + 1;
    let b: number;
    let e: number;
    if (mode === 'NOTSET') {
      b = pads ? pads[i] : 0;
      e = pads ? pads[i + r] : 0;
    } else if (mode === 'VALID') {
      b = 0;
      e = 0;
    } else if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
      const out = Math.ceil(inSp[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + ext - inSp[i]);
      b = mode === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      e = total - b;
    } else {
      throw new RuntimeError(`${label}: auto_pad ${mode} is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
    }
    const o = Math.floor((inSp[i] + b + e - ext) / strides[i]) + 1;
    if (o < 1) {
      throw new RuntimeError(`${label}: kernel extent ${ext} is larger than the padded input (${inSp[i] + b + e}) on spatial axis ${i}`);
    }
    padBegin.push(b);
    outSp.push(o);
  }
  return { N, C, M, group, inSp, outSp, kernel, strides, dilations, padBegin };
}

/** Output dims [N, M, ...out]. */
export function convOutDims(g: ConvGeom): number[] {
  return [g.N, g.M, ...g.outSp];
}

/**
 * Reference convolution on float data (any rank): y = conv(x, w) + b. Loops over output
 * positions per output channel; taps outside the input are padding (zero).
 */
export function convReference(g: ConvGeom, x: FArray, w: FArray, b: FArray | undefined, y: FArray): void {
  const r = g.inSp.length;
  const cg = g.C / g.group;
  const mg = g.M / g.group;
  const inSize = size(g.inSp);
  const outSize = size(g.outSp);
  const kSize = size(g.kernel);
  // For each kernel tap, its offset per spatial axis (dilated) and its flat offset in the input.
  const tapOff: number[][] = [];
  for (let t = 0; t < kSize; t++) {
    const o = new Array<number>(r);
    let rem = t;
    for (let i = r - 1; i >= 0; i--) {
      o[i] = (rem % g.kernel[i]) * g.dilations[i];
      rem = Math.floor(rem / g.kernel[i]);
    }
    tapOff.push(o);
  }
  const inStr = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStr[i] = acc;
    acc *= g.inSp[i];
  }
  const pos = new Array<number>(r);
  const base = new Array<number>(r);
  for (let n = 0; n < g.N; n++) {
    for (let m = 0; m < g.M; m++) {
      const grp = Math.floor(m / mg);
      const yOff = (n * g.M + m) * outSize;
      const bias = b ? b[m] : 0;
      for (let op = 0; op < outSize; op++) {
        let rem = op;
        for (let i = r - 1; i >= 0; i--) {
          pos[i] = rem % g.outSp[i];
          rem = Math.floor(rem / g.outSp[i]);
          base[i] = pos[i] * g.strides[i] - g.padBegin[i];
        }
        let s = 0;
        for (let t = 0; t < kSize; t++) {
          const to = tapOff[t];
          let flat = 0;
          let inside = true;
          for (let i = 0; i < r; i++) {
            const p = base[i] + to[i];
            if (p < 0 || p >= g.inSp[i]) {
              inside = false;
              break;
            }
            flat += p * inStr[i];
          }
          if (!inside) continue;
          const xBase = (n * g.C + grp * cg) * inSize + flat;
          const wBase = m * cg * kSize + t;
          for (let c = 0; c < cg; c++) s += x[xBase + c * inSize] * w[wBase + c * kSize];
        }
        y[yOff + op] = s + bias;
      }
    }
  }
}

function convFloat(inputs: (RtTensor | undefined)[], ctx: OpContext): RtTensor[] {
  const x = need(inputs, 0, ctx);
  const w = need(inputs, 1, ctx);
  const b = inputs[2];
  const g = convGeom(ctx.node, x.dims, w.dims, ctx.label);
  if (b && (b.dims.length !== 1 || b.dims[0] !== g.M)) {
    throw new RuntimeError(`${ctx.label}: bias B [${b.dims.join(', ')}] must be [${g.M}]`);
  }
  if (w.dataType !== x.dataType || (b && b.dataType !== x.dataType)) {
    throw new RuntimeError(`${ctx.label}: X, W and B must have the same element type`);
  }
  const dims = convOutDims(g);
  const Ctor = ctorOf(x.dataType) as Float32ArrayConstructor;
  const y = ctx.out(0, Ctor, size(dims)) as FArray;
  convReference(g, x.data as FArray, w.data as FArray, b ? (b.data as FArray) : undefined, y);
  return [{ dims, data: y, dataType: x.dataType }];
}

/** Conv on float32/float64; float16/bfloat16 computed in float32. */
export const Conv: OpImpl = (inputs, ctx) => {
  const x = inputs[0];
  if (x && isHalfType(x.dataType)) {
    const dt = x.dataType;
    const conv = inputs.map((t) => (t && isHalfType(t.dataType) ? halfToFloat(t) : t));
    return convFloat(conv, ctx).map((t) => floatToHalf(t, dt));
  }
  for (const t of inputs) {
    if (t && t.dataType !== DataType.FLOAT && t.dataType !== DataType.DOUBLE) {
      throw new RuntimeError(`${ctx.label}: element type ${t.dataType} is not supported (float only)`);
    }
  }
  return convFloat(inputs, ctx);
};
