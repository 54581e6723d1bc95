// Conv layers of the plan: a Conv with constant weights (and bias) becomes one fused step, with a
// BatchNormalization that directly follows it folded into its weights and a Relu or Clip (constant
// bounds, e.g. ReLU6) that follows applied as an output clamp. 1-D and 2-D layers run on the
// kernels of kernels/conv-run.ts; other ranks on the reference loop with the folded weights.
import { DataType, type Node } from '../onnx/model';
import { RuntimeError } from './errors';
import { type ConvLayerWeights, ConvLayerRunner } from './kernels/conv-run';
import { sparsityOf } from './kernels/sparse';
import { convGeom, convOutDims, convReference } from './ops/conv';
import { type OpImpl, floatAttr, intAttr, need } from './ops/types';
import type { PlanOptions } from './plan';
import { type RtTensor, size } from './tensor';

/** What the plan reports about a fused conv layer (LayerInfo.conv). */
export interface ConvLayerDetail {
  group: number;
  kernel: number[];
  /** A BatchNormalization was folded into the weights. */
  bn: boolean;
  /** The activation applied as an output clamp. */
  activation: 'relu' | 'clip' | null;
}

export interface FusedConv {
  impl: OpImpl;
  absorbed: Node[];
  /** The value the fused step writes (the last absorbed node's output). */
  out: string;
  nodes: string[];
  M: number;
  K: number;
  sparse: boolean;
  engine: 'wasm' | 'js';
  sparsity: number;
  bias: boolean;
  detail: ConvLayerDetail;
}

type SoleUser = (name: string, opType: string) => Node | undefined;

function floats(t: RtTensor | undefined, n: number): Float32Array | undefined {
  if (!t || t.dataType !== DataType.FLOAT || size(t.dims) !== n) return undefined;
  return t.data as Float32Array;
}

/** The constant bounds of a Clip node, or undefined when they are not constant. */
function clipBounds(node: Node, known: Map<string, RtTensor>, opset: number): [number, number] | undefined {
  if (opset < 11) return [floatAttr(node, 'min', -3.4028234663852886e38), floatAttr(node, 'max', 3.4028234663852886e38)];
  const bound = (i: number, dflt: number): number | undefined => {
    const name = node.inputs[i];
    if (!name) return dflt;
    const t = floats(known.get(name), 1);
    return t ? t[0] : undefined;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** A fused step for a Conv node with constant float32 weights, or undefined. */
export function fuseConv(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser, options: PlanOptions, opset: number): FusedConv | undefined {
  if (node.opType !== 'Conv' || node.inputs.length < 2) return undefined;
  const wT = known.get(node.inputs[1]);
  if (!wT || wT.dataType !== DataType.FLOAT || wT.dims.length < 3 || known.has(node.inputs[0])) return undefined;
  const M = wT.dims[0];
  const perOut = size(wT.dims.slice(1));
  let bias = new Float32Array(M);
  let hasBias = false;
  if (node.inputs[2]) {
    const b = floats(known.get(node.inputs[2]), M);
    if (!b || known.get(node.inputs[2])!.dims.length !== 1) return undefined;
    bias = Float32Array.from(b);
    hasBias = true;
  }
  const w = Float32Array.from(wT.data as Float32Array);
  const absorbed: Node[] = [];
  let out = node.outputs[0];
  let bnFolded = false;
  const bn = soleUser(out, 'BatchNormalization');
  if (bn && intAttr(bn, 'training_mode', 0) === 0 && bn.outputs.filter((o) => o !== '').length === 1) {
    const p = [1, 2, 3, 4].map((i) => floats(known.get(bn.inputs[i]), M));
    if (p.every((x) => x !== undefined)) {
      const [scale, beta, mean, variance] = p as Float32Array[];
      const eps = floatAttr(bn, 'epsilon', 1e-5);
      for (let m = 0; m < M; m++) {
        const k = scale[m] / Math.sqrt(variance[m] + eps);
        for (let i = 0; i < perOut; i++) w[m * perOut + i] *= k;
        bias[m] = (bias[m] - mean[m]) * k + beta[m];
      }
      absorbed.push(bn);
      out = bn.outputs[0];
      bnFolded = true;
      hasBias = true;
    }
  }
  let lo = -Infinity;
  let hi = Infinity;
  let activation: ConvLayerDetail['activation'] = null;
  const relu = soleUser(out, 'Relu');
  const clip = relu ? undefined : soleUser(out, 'Clip');
  if (relu) {
    lo = 0;
    activation = 'relu';
    absorbed.push(relu);
    out = relu.outputs[0];
  } else if (clip) {
    const bounds = clipBounds(clip, known, opset);
    if (bounds) {
      [lo, hi] = bounds;
      activation = 'clip';
      absorbed.push(clip);
      out = clip.outputs[0];
    }
  }
  const sparsity = sparsityOf(w);
  const sparse = options.kernels === 'sparse' && sparsity >= (options.sparseMinSparsity ?? 0) && sparsity > 0;
  const kernel = wT.dims.slice(2);
  const group = intAttr(node, 'group', 1);
  const weights: ConvLayerWeights = { M, group, kh: kernel.length === 2 ? kernel[0] : 1, kw: kernel[kernel.length - 1], w, bias, lo, hi, sparse };
  const wasm = options.wasm !== false;
  const runner = kernel.length <= 2 ? new ConvLayerRunner(weights, wasm) : undefined;
  const wDims = wT.dims;
  const impl: OpImpl = (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    if (x.dataType !== DataType.FLOAT) throw new RuntimeError(`${ctx.label}: input X must be float32 (the weights are), got element type ${x.dataType}`);
    const g = convGeom(node, x.dims, wDims, ctx.label);
    const dims = convOutDims(g);
    const y = ctx.out(0, Float32Array, size(dims)) as Float32Array;
    const xd = x.data as Float32Array;
    if (runner) {
      const two = g.inSp.length === 2;
      runner.run({
        C: g.C, H: two ? g.inSp[0] : 1, W: g.inSp[g.inSp.length - 1], OH: two ? g.outSp[0] : 1, OW: g.outSp[g.outSp.length - 1],
        sy: two ? g.strides[0] : 1, sx: g.strides[g.strides.length - 1], dy: two ? g.dilations[0] : 1, dx: g.dilations[g.dilations.length - 1],
        padT: two ? g.padBegin[0] : 0, padL: g.padBegin[g.padBegin.length - 1],
      }, g.N, xd, y);
    } else {
      convReference(g, xd, w, bias, y);
      for (let i = 0; i < y.length; i++) y[i] = y[i] < lo ? lo : y[i] > hi ? hi : y[i];
    }
    return [{ dims, data: y, dataType: DataType.FLOAT }];
  };
  return {
    impl, absorbed, out, nodes: [node.name, ...absorbed.map((n) => n.name)], M, K: perOut, sparse,
    engine: runner ? runner.engine : 'js', sparsity, bias: hasBias,
    detail: { group, kernel, bn: bnFolded, activation },
  };
}
