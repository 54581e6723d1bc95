// ConvTranspose over 1 to 3 spatial dims: per batch and group, the input columns are multiplied
// by the transposed kernel (one matrix product) and the products scattered into the output
// (col2im). Groups, strides, dilations, pads, auto_pad, output_padding and output_shape.
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, size } from '../tensor';
import { ConvLayerRunner } from '../kernels/conv-runner';
import { type FArray, mmAccumulate, transpose2d } from '../kernels/dense';
import { floatOnly } from './nn';
import { type OpContext, intAttr, intsAttr, need, stringAttr } from './types';

interface Axis {
  inLen: number;
  outLen: number;
  k: number;
  s: number;
  d: number;
  /** Begin pad: output o = i*s + j*d - pb. */
  pb: number;
}

/** Output length and begin pad of every spatial axis (ONNX ConvTranspose shape rules). */
function axes(x: RtTensor, w: RtTensor, ctx: OpContext): Axis[] {
  const sp = x.dims.length - 2;
  const node = ctx.node;
  const kernel = intsAttr(node, 'kernel_shape') ?? w.dims.slice(2);
  const strides = intsAttr(node, 'strides') ?? new Array<number>(sp).fill(1);
  const dil = intsAttr(node, 'dilations') ?? new Array<number>(sp).fill(1);
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * sp).fill(0);
  const outPad = intsAttr(node, 'output_padding') ?? new Array<number>(sp).fill(0);
  let outShape = intsAttr(node, 'output_shape');
  if (outShape && outShape.length === sp + 2) outShape = outShape.slice(2);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const lists = [kernel, strides, dil, outPad, ...(outShape ? [outShape] : [])];
  if (lists.some((l) => l.length !== sp) || pads.length !== 2 * sp) {
    throw new RuntimeError(`${ctx.label}: kernel_shape, strides, dilations, pads, output_padding or output_shape do not match the ${sp} spatial dims of the input`);
  }
  if (kernel.some((k, i) => k !== w.dims[i + 2])) {
    throw new RuntimeError(`${ctx.label}: kernel_shape [${kernel.join(', ')}] does not match the weight [${w.dims.join(', ')}]`);
  }
  if (strides.some((s) => s < 1) || dil.some((d) => d < 1)) throw new RuntimeError(`${ctx.label}: strides and dilations must be positive`);
  const same = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';
  return x.dims.slice(2).map((inLen, i) => {
    const s = strides[i];
    const d = dil[i];
    const k = kernel[i];
    const full = s * (inLen - 1) + outPad[i] + (k - 1) * d + 1;
    if (outShape || same) {
      const outLen = outShape ? outShape[i] : inLen * s;
      const total = full - outLen;
      // SAME_UPPER puts the odd unit of padding at the end, otherwise at the beginning.
      const pb = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      return { inLen, outLen, k, s, d, pb };
    }
    const [pb, pe] = autoPad === 'VALID' ? [0, 0] : [pads[i], pads[i + sp]];
    const outLen = full - pb - pe;
    if (outLen < 0) throw new RuntimeError(`${ctx.label}: pads [${pads.join(', ')}] leave no output`);
    return { inLen, outLen, k, s, d, pb };
  });
}

/** Output index range [lo, hi) of input indices i with 0 <= i*s + j*d - pb < outLen. */
function validInputs(a: Axis, j: number): [number, number] {
  const off = j * a.d - a.pb;
  const lo = Math.max(0, Math.ceil(-off / a.s));
  const hi = Math.min(a.inLen, Math.floor((a.outLen - 1 - off) / a.s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * float32: the products of every group at once as a 1x1 convolution with group·Mg·K output
 * channels, on the convolution kernels (WebAssembly SIMD where available); kept per node while
 * the weights stay the same (checked each run: O(weights), against O(weights × pixels) of work).
 */
const runners = new WeakMap<object, { w: FArray; copy: Float32Array; runner: ConvLayerRunner }>();

/** Whether w still holds the values it had when copied (weights edited in place rebuild the runner). */
function unchanged(w: FArray, copy: Float32Array): boolean {
  if (w.length !== copy.length) return false;
  for (let i = 0; i < w.length; i++) if (w[i] !== copy[i]) return false;
  return true;
}

function columns(node: object, wtOf: (g: number) => FArray, w: FArray, group: number, Cg: number, rows: number): ConvLayerRunner {
  const hit = runners.get(node);
  if (hit && hit.w === w && unchanged(w, hit.copy)) return hit.runner;
  const M = group * rows;
  const kernel = new Float32Array(M * Cg);
  for (let g = 0; g < group; g++) kernel.set(wtOf(g), g * rows * Cg);
  const runner = new ConvLayerRunner({ M, group, kh: 1, kw: 1, w: kernel, bias: new Float32Array(M), lo: -Infinity, hi: Infinity, sparse: false }, true);
  runners.set(node, { w, copy: Float32Array.from(w), runner });
  return runner;
}

export const ConvTranspose = floatOnly((inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const w = need(inputs, 1, ctx);
  const b = inputs[2];
  const sp = x.dims.length - 2;
  if (sp < 1 || sp > 3) throw new RuntimeError(`${ctx.label}: input of rank ${x.dims.length} is not supported (1 to 3 spatial dims)`);
  if (w.dims.length !== x.dims.length) throw new RuntimeError(`${ctx.label}: weight [${w.dims.join(', ')}] and input [${x.dims.join(', ')}] differ in rank`);
  const group = intAttr(ctx.node, 'group', 1);
  const [N, C] = x.dims;
  if (group < 1 || C % group !== 0 || w.dims[0] !== C) {
    throw new RuntimeError(`${ctx.label}: input channels ${C}, weight [${w.dims.join(', ')}] and group ${group} do not fit`);
  }
  const Cg = C / group;
  const Mg = w.dims[1];
  const M = Mg * group;
  if (b && b.data.length !== M) throw new RuntimeError(`${ctx.label}: bias has ${b.data.length} values for ${M} output channels`);
  const real = axes(x, w, ctx);
  const unit: Axis = { inLen: 1, outLen: 1, k: 1, s: 1, d: 1, pb: 0 };
  const [A, B, D] = [...new Array<Axis>(3 - sp).fill(unit), ...real];
  const S = A.inLen * B.inLen * D.inLen;
  const O = A.outLen * B.outLen * D.outLen;
  const K = A.k * B.k * D.k;
  const Ctor = ctorOf(x.dataType) as Float32ArrayConstructor;
  const dims = [N, M, ...real.map((a) => a.outLen)];
  const y = ctx.out(0, Ctor, size(dims)) as FArray;
  const xd = x.data as FArray;
  const wd = w.data as FArray;
  const bd = b?.data as FArray | undefined;
  // Per group: the kernel as [Mg*K, Cg] so that cols = kernel · x_g is one product.
  const wtOf = (g: number): FArray => transpose2d(wd.subarray(g * Cg * Mg * K, (g + 1) * Cg * Mg * K) as FArray, Cg, Mg * K, new Ctor(Mg * K * Cg));
  const rows = Mg * K;
  const all = xd instanceof Float32Array && S > 0 ? new Float32Array(group * rows * S) : undefined;
  const runner = all ? columns(ctx.node, wtOf, wd, group, Cg, rows) : undefined;
  const cols = all ?? new Ctor(rows * S);
  const wt = runner ? [] : Array.from({ length: group }, (_, g) => wtOf(g));
  const ranges = [A, B, D].map((a) => Array.from({ length: a.k }, (_, j) => validInputs(a, j)));
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      if (runner && all) {
        if (g === 0) runner.run({ C, H: A.inLen * B.inLen, W: D.inLen, OH: A.inLen * B.inLen, OW: D.inLen, sy: 1, sx: 1, dy: 1, dx: 1, padT: 0, padL: 0 }, 1, xd.subarray(n * C * S, (n + 1) * C * S) as Float32Array, all);
      } else {
        cols.fill(0);
        mmAccumulate(wt[g], 0, xd, (n * C + g * Cg) * S, cols, 0, rows, Cg, S);
      }
      const colBase = all ? g * rows * S : 0;
      for (let m = 0; m < Mg; m++) {
        const oc = g * Mg + m;
        const yo = (n * M + oc) * O;
        y.fill(bd ? bd[oc] : 0, yo, yo + O);
        for (let ja = 0; ja < A.k; ja++) {
          const [a0, a1] = ranges[0][ja];
          for (let jb = 0; jb < B.k; jb++) {
            const [b0, b1] = ranges[1][jb];
            for (let jd = 0; jd < D.k; jd++) {
              const [d0, d1] = ranges[2][jd];
              const row = colBase + (m * K + (ja * B.k + jb) * D.k + jd) * S;
              const offD = jd * D.d - D.pb;
              for (let ia = a0; ia < a1; ia++) {
                const oa = ia * A.s + ja * A.d - A.pb;
                for (let ib = b0; ib < b1; ib++) {
                  const ob = ib * B.s + jb * B.d - B.pb;
                  const src = row + (ia * B.inLen + ib) * D.inLen;
                  const dst = yo + (oa * B.outLen + ob) * D.outLen + offD;
                  for (let id = d0; id < d1; id++) y[dst + id * D.s] += cols[src + id];
                }
              }
            }
          }
        }
      }
    }
  }
  return [{ dims, data: y, dataType: x.dataType }];
});
