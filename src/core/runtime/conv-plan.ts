// Conv layers of the plan: a Conv with constant weights (and bias) becomes one fused step, with a
// BatchNormalization that directly follows it folded into its weights, a residual Add of another
// computed value, and a Relu or Clip (constant bounds, e.g. ReLU6) applied as an output clamp, a
// HardSwish (or x · HardSigmoid(x), as torch.onnx.export writes it below opset 14), or a
// HardSigmoid (folded into the weights, then a clamp to [0, 1]). A Mul that feeds only the Conv
// (squeeze-excite: x · s with s [N, C, 1, 1]) is applied while the input is copied in. 1-D and 2-D
// layers run on the kernels of kernels/conv-run.ts; other ranks (and shapes the fused Mul/Add do
// not fit) on the reference loop with the folded weights.
import { DataType, type Node } from '../onnx/model';
import { RuntimeError } from './errors';
import { type Conv2dShape, type ConvLayerWeights, ConvLayerRunner, sparseConvPays } from './kernels/conv-runner';
import { ConvArena } from './kernels/conv-wasm';
import { arenaGlobalAveragePool } from './kernels/gap-run';
import { type ConvPool, type ConvPost, finishConv, maxPoolPlanes } from './kernels/conv-post';
import { sparsityOf } from './kernels/sparse';
import { type ConvGeom, convGeom, convOutDims, convReference } from './ops/conv';
import { binaryCompute } from './ops/elementwise';
import { type OpImpl, floatAttr, intAttr, intsAttr, need, stringAttr } from './ops/types';
import type { Gated } from './unary-plan';
import type { PlanOptions } from './plan';
import { type RtTensor, size } from './tensor';
import type { SoleUser } from './readers';

/** What the plan reports about a fused conv layer (LayerInfo.conv). */
export interface ConvLayerDetail {
  group: number;
  kernel: number[];
  /** A BatchNormalization was folded into the weights. */
  bn: boolean;
  /** The activation applied to the output (Relu/Clip as a clamp). */
  activation: 'relu' | 'clip' | 'hardswish' | 'hardsigmoid' | null;
  /** A residual Add (another computed value) folded in before the activation. */
  residual?: boolean;
  /** A Mul feeding the Conv (a per-channel input scale, squeeze-excite) folded in. */
  scale?: boolean;
  /** A MaxPool after the activation folded in: its kernel. */
  pool?: number[];
}

export interface FusedConv {
  impl: OpImpl;
  /** The Conv node (the step may start at a Mul before it). */
  head: Node;
  /** The values the step reads, in order. */
  ins: string[];
  /** Nodes after the one the step starts at that it computes too. */
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

/** x · gate(x) of a value with no other readers (unary-plan.ts gatedOf). */
type GatedOf = (x: string) => Gated | undefined;
/** Whether a value is computed before the step being planned (or is a graph input or constant). */
type Ready = (name: string) => boolean;

const add = (a: number, b: number): number => a + b;
const mul = (a: number, b: number): number => a * b;

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** x [N, C, ...sp] and s [N, C, 1, …] (same rank, float32): s is a per-channel scale of x. */
function channelScale(x: RtTensor, s: RtTensor): boolean {
  const r = x.dims.length;
  if (r < 3 || s.dims.length !== r || x.dataType !== DataType.FLOAT || s.dataType !== DataType.FLOAT) return false;
  return s.dims[0] === x.dims[0] && s.dims[1] === x.dims[1] && s.dims.slice(2).every((d) => d === 1);
}

/** A 2-D MaxPool the conv step can apply itself: one output, no dilation, no ceil mode, explicit pads below the kernel. */
function poolOf(node: Node | undefined): ConvPool | undefined {
  if (!node || node.outputs.filter((o) => o !== '').length !== 1 || node.outputs[0] === '') return undefined;
  const k = intsAttr(node, 'kernel_shape');
  const pads = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
  const strides = intsAttr(node, 'strides') ?? [1, 1];
  const dil = intsAttr(node, 'dilations') ?? [1, 1];
  const pad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (!k || k.length !== 2 || pads.length !== 4 || strides.length !== 2 || dil.some((d) => d !== 1) || intAttr(node, 'ceil_mode', 0) !== 0) return undefined;
  if ((pad !== 'NOTSET' && pad !== 'VALID') || strides.some((x) => x < 1) || pads.some((p, i) => p < 0 || p >= k[i % 2])) return undefined;
  const [pt, pl, pb, pr] = pad === 'VALID' ? [0, 0, 0, 0] : pads;
  return { kh: k[0], kw: k[1], sy: strides[0], sx: strides[1], pt, pl, pb, pr };
}

/** [N, M, PH, PW] of the pool over conv output dims [N, M, OH, OW]. */
function poolDims(d: readonly number[], p: ConvPool, label: string): number[] {
  const ph = Math.floor((d[2] + p.pt + p.pb - p.kh) / p.sy) + 1;
  const pw = Math.floor((d[3] + p.pl + p.pr - p.kw) / p.sx) + 1;
  if (ph < 1 || pw < 1) throw new RuntimeError(`${label}: MaxPool kernel [${p.kh}, ${p.kw}] is larger than its padded input [${d[2]}, ${d[3]}]`);
  return [d[0], d[1], ph, pw];
}

/** Read once: a module's exports may be getters (bundlers' CommonJS interop), the steps check it per run. */
const FLOAT = DataType.FLOAT;

/** The conv layers of one plan share one WebAssembly memory (kernels/conv-wasm.ts ConvArena). */
const arenas = new WeakMap<PlanOptions, ConvArena | null>();

/** The GlobalAveragePool step of a plan: on its conv arena where there is one (kernels/gap-run.ts). */
export function globalAveragePoolOp(options: PlanOptions): OpImpl | undefined {
  const arena = arenaOf(options);
  return arena && arenaGlobalAveragePool(arena);
}

function arenaOf(options: PlanOptions): ConvArena | undefined {
  if (options.wasm === false) return undefined;
  let a = arenas.get(options);
  if (a === undefined) {
    a = ConvArena.create() ?? null;
    arenas.set(options, a);
  }
  return a ?? undefined;
}

/** The constant float32 weights (rank ≥ 3) of a Conv the plan fuses, with its bias if any (else none). */
function convWeights(node: Node, known: Map<string, RtTensor>): RtTensor | undefined {
  if (node.opType !== 'Conv' || node.inputs.length < 2) return undefined;
  const wT = known.get(node.inputs[1]);
  if (!wT || wT.dataType !== DataType.FLOAT || wT.dims.length < 3 || known.has(node.inputs[0])) return undefined;
  if (!node.inputs[2]) return wT;
  const b = known.get(node.inputs[2]);
  return floats(b, wT.dims[0]) && b!.dims.length === 1 ? wT : undefined;
}

/**
 * Whether the only reader of `value` is a step of the same plan that reads the conv arena: a Conv with
 * constant weights reading it as X, or a Mul of two computed values feeding only such a Conv (its
 * squeeze-excite scale), or a GlobalAveragePool (averaged in the arena, kernels/gap-run.ts). Such a
 * step takes its input from the arena (or asks for it).
 */
function readByFusedConv(value: string, known: Map<string, RtTensor>, soleUser: SoleUser, opset: number): boolean {
  const spatial = (c: Node | undefined): boolean => {
    const w = c && convWeights(c, known);
    return !!w && w.dims.length <= 4;
  };
  const conv = soleUser(value, 'Conv');
  if (conv) return conv.inputs[0] === value && spatial(conv);
  // The arena's GlobalAveragePool reads it there too (and copies it out itself when it cannot).
  const gapNode = soleUser(value, 'GlobalAveragePool');
  if (gapNode) return gapNode.domain === '' || gapNode.domain === 'ai.onnx';
  const m = soleUser(value, 'Mul');
  if (!m || opset < 7 || m.inputs.length !== 2 || m.inputs.some((i) => i === '' || known.has(i))) return false;
  const next = soleUser(m.outputs[0], 'Conv');
  return !!next && next.inputs[0] === m.outputs[0] && spatial(next);
}

/**
 * A fused step starting at `node`: a Conv with constant weights, or a Mul (two computed inputs,
 * opset ≥ 7) whose only reader is such a Conv.
 */
export function fuseConvAt(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser, options: PlanOptions, opset: number, ready: Ready, gated?: GatedOf): FusedConv | undefined {
  if (node.opType === 'Conv') return fuseConv(node, known, soleUser, options, opset, ready, undefined, gated);
  if (node.opType !== 'Mul' || opset < 7 || node.inputs.length !== 2 || node.inputs.some((i) => i === '' || known.has(i))) return undefined;
  const conv = soleUser(node.outputs[0], 'Conv');
  if (!conv || conv.inputs[0] !== node.outputs[0]) return undefined;
  return fuseConv(conv, known, soleUser, options, opset, ready, node, gated);
}

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

/** A fused step for a Conv node with constant float32 weights (after `scaleMul`, if given), or undefined. */
function fuseConv(node: Node, known: Map<string, RtTensor>, soleUser: SoleUser, options: PlanOptions, opset: number, ready: Ready, scaleMul: Node | undefined, gated?: GatedOf): FusedConv | undefined {
  const wT = convWeights(node, known);
  if (!wT) return undefined;
  const M = wT.dims[0];
  const perOut = size(wT.dims.slice(1));
  let bias = new Float32Array(M);
  let hasBias = false;
  if (node.inputs[2]) {
    bias = Float32Array.from(floats(known.get(node.inputs[2]), M)!);
    hasBias = true;
  }
  const w = Float32Array.from(wT.data as Float32Array);
  const absorbed: Node[] = scaleMul ? [node] : [];
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
  let residual: string | undefined;
  const sum = opset >= 7 ? soleUser(out, 'Add') : undefined;
  if (sum && sum.inputs.length === 2) {
    const other = sum.inputs[0] === out ? sum.inputs[1] : sum.inputs[0];
    if (other && other !== out && !known.has(other) && ready(other)) {
      residual = other;
      absorbed.push(sum);
      out = sum.outputs[0];
    }
  }
  let lo = -Infinity;
  let hi = Infinity;
  let activation: ConvLayerDetail['activation'] = null;
  const relu = soleUser(out, 'Relu');
  const clip = relu ? undefined : soleUser(out, 'Clip');
  const hswish = relu || clip ? undefined : soleUser(out, 'HardSwish');
  const hswishGated = relu || clip || hswish ? undefined : gated?.(out);
  // HardSigmoid (no residual before it): clamp(α·y + β, 0, 1), α and β folded into the weights and bias.
  const hsig = relu || clip || hswish || residual || opset < 6 ? undefined : soleUser(out, 'HardSigmoid');
  if (hsig) {
    const alpha = floatAttr(hsig, 'alpha', 0.2);
    const beta = floatAttr(hsig, 'beta', 0.5);
    for (let i = 0; i < w.length; i++) w[i] *= alpha;
    for (let m = 0; m < M; m++) bias[m] = bias[m] * alpha + beta;
    hasBias = true;
    [lo, hi] = [0, 1];
    activation = 'hardsigmoid';
    absorbed.push(hsig);
    out = hsig.outputs[0];
  } else if (hswish) {
    activation = 'hardswish';
    absorbed.push(hswish);
    out = hswish.outputs[0];
  } else if (hswishGated?.kind === 'hardswish') {
    activation = 'hardswish';
    absorbed.push(hswishGated.gate, hswishGated.mul);
    out = hswishGated.mul.outputs[0];
  } else if (relu) {
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
  const poolNode = wT.dims.length === 4 ? soleUser(out, 'MaxPool') : undefined;
  const pool = poolOf(poolNode);
  if (pool) {
    absorbed.push(poolNode!);
    out = poolNode!.outputs[0];
  }
  const sparsity = sparsityOf(w);
  const kernel = wT.dims.slice(2);
  const group = intAttr(node, 'group', 1);
  // An explicit sparseMinSparsity is the caller's threshold; otherwise the measured cost model.
  const min = options.sparseMinSparsity;
  // The dense form of a 3×3 stride-1 layer with 8+ channels each way is Winograd (kernels/winograd-run.ts).
  const unit = (name: string): boolean => (intsAttr(node, name) ?? [1, 1]).every((d) => d === 1);
  const wino = group === 1 && kernel.length === 2 && kernel[0] === 3 && kernel[1] === 3 && unit('strides') && unit('dilations') && M >= 8 && perOut >= 72;
  const pays = min === undefined ? sparseConvPays(M, perOut, group, Math.round((1 - sparsity) * w.length), wino) : sparsity >= min;
  const sparse = options.kernels === 'sparse' && sparsity > 0 && pays;
  const post: ConvPost = { lo, hi, hardswish: activation === 'hardswish', residual: residual !== undefined };
  const weights: ConvLayerWeights = { M, group, kh: kernel.length === 2 ? kernel[0] : 1, kw: kernel[kernel.length - 1], w, bias, ...post, sparse, scaled: scaleMul !== undefined };
  const wasm = options.wasm !== false;
  const arena = kernel.length <= 2 ? arenaOf(options) : undefined;
  const runner = kernel.length <= 2 ? new ConvLayerRunner(weights, wasm, arena, arena !== undefined && readByFusedConv(out, known, soleUser, opset)) : undefined;
  const wDims = wT.dims;
  const ins = [...(scaleMul ? scaleMul.inputs : [node.inputs[0]]), ...(residual ? [residual] : [])];
  const resAt = ins.length - 1;
  // The geometry of the last input dims (attributes are read once per shape, not per run).
  let shapes: { x: number[]; g: ConvGeom; convDims: number[]; dims: number[]; s2: Conv2dShape } = { x: [], g: undefined as never, convDims: [], dims: [], s2: undefined as never };
  let result: [RtTensor] | undefined;
  const impl: OpImpl = (inputs, ctx) => {
    let x = need(inputs, 0, ctx);
    let scale: Float32Array | undefined;
    if (scaleMul) {
      const a = x;
      const b = need(inputs, 1, ctx);
      // The scale is read in JS (the arena may hold it pending: the SE gate is a conv too).
      if (channelScale(a, b)) {
        arena?.materialize(b.data);
        scale = b.data as Float32Array;
      } else if (channelScale(b, a)) {
        arena?.materialize(a.data);
        x = b;
        scale = a.data as Float32Array;
      } else {
        arena?.materialize(a.data);
        arena?.materialize(b.data);
        x = binaryCompute(a, b, mul, ctx, 1);
      }
    }
    if (x.dataType !== FLOAT) throw new RuntimeError(`${ctx.label}: input X must be float32 (the weights are), got element type ${x.dataType}`);
    if (!sameDims(x.dims, shapes.x)) {
      const g = convGeom(node, x.dims, wDims, ctx.label);
      const convDims = convOutDims(g);
      const two = g.inSp.length === 2;
      const s2: Conv2dShape = {
        C: g.C, H: two ? g.inSp[0] : 1, W: g.inSp[g.inSp.length - 1], OH: two ? g.outSp[0] : 1, OW: g.outSp[g.outSp.length - 1],
        sy: two ? g.strides[0] : 1, sx: g.strides[g.strides.length - 1], dy: two ? g.dilations[0] : 1, dx: g.dilations[g.dilations.length - 1],
        padT: two ? g.padBegin[0] : 0, padL: g.padBegin[g.padBegin.length - 1],
      };
      shapes = { x: [...x.dims], g, convDims, dims: pool ? poolDims(convDims, pool, ctx.label) : convDims, s2 };
    }
    const { g, convDims, dims } = shapes;
    const n = size(dims);
    const r = residual ? need(inputs, resAt, ctx) : undefined;
    const fits = !r || (r.dataType === FLOAT && sameDims(r.dims, convDims));
    const xd = x.data as Float32Array;
    if (runner && fits) {
      const y = ctx.out(0, Float32Array, n) as Float32Array;
      runner.run(shapes.s2, g.N, xd, y, scale, r?.data as Float32Array | undefined, pool);
      // The same result object while the buffer and dims repeat (a step per run, no allocation).
      if (result === undefined || result[0].data !== y || result[0].dims !== dims) result = [{ dims, data: y, dataType: FLOAT }];
      return result;
    }
    // The reference loop: scale applied first, residual Add (broadcasting) before the activation.
    for (const t of [xd, scale, r?.data]) arena?.materialize(t);
    const xs = scale ? Float32Array.from(xd, (v, i) => v * scale[Math.floor(i / (xd.length / scale.length))]) : xd;
    const y0 = new Float32Array(size(convDims));
    convReference(g, xs, w, bias, y0);
    let t: RtTensor = { dims: convDims, data: y0, dataType: DataType.FLOAT };
    if (r) t = binaryCompute(t, r, add, ctx, pool ? 1 : 0);
    const yd = r ? (t.data as Float32Array) : pool ? y0 : (ctx.out(0, Float32Array, n) as Float32Array);
    finishConv(t.data as Float32Array, 0, yd, 0, yd.length, undefined, 0, post);
    arena?.forget(yd);
    if (!pool) return [{ dims: t.dims, data: yd, dataType: DataType.FLOAT }];
    // A residual that broadcast may have changed the dims the pool sees.
    const pd = poolDims(t.dims, pool, ctx.label);
    const py = ctx.out(0, Float32Array, size(pd)) as Float32Array;
    maxPoolPlanes(yd, 0, py, 0, pd[0] * pd[1], t.dims[2], t.dims[3], pool);
    arena?.forget(py);
    return [{ dims: pd, data: py, dataType: DataType.FLOAT }];
  };
  return {
    impl, head: node, ins, absorbed, out, nodes: [...(scaleMul ? [scaleMul.name] : []), node.name, ...absorbed.slice(scaleMul ? 1 : 0).map((n) => n.name)], M, K: perOut, sparse,
    engine: runner ? runner.engine : 'js', sparsity, bias: hasBias,
    detail: {
      group, kernel, bn: bnFolded, activation, ...(residual ? { residual: true } : {}), ...(scaleMul ? { scale: true } : {}), ...(pool ? { pool: [pool.kh, pool.kw] } : {}),
    },
  };
}
