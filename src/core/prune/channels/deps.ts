// The dependency analysis of channel pruning: one forward pass over the graph (nodes in their
// topological order) that gives every activation carrying channels a descriptor — which "channel
// space" each run of channels along which axis comes from — and records what must be cut when a
// space loses channels.
//
// - A space is born at each Conv / ConvTranspose (group 1) / Gemm / MatMul with a constant weight: its output
//   channels / neurons. Ops that act per channel (activations, pools, BatchNormalization, Pad,
//   Dropout, Identity, Mul/Add… by a per-channel or scalar constant) pass the descriptor on.
// - Add / Sub / Mul / Div of two channel tensors join their spaces (residual blocks,
//   squeeze-excite gates): one group that loses one channel set.
// - Concat along the channel axis appends runs (offsets); Flatten / Reshape of C×H×W into a
//   vector multiplies the run length by H×W (`block`); of H×W×C (channels last, after a Transpose)
//   repeats the C channels H×W times (`repeat`).
// - Reductions over other axes (ReduceMean…), Squeeze and Unsqueeze keep the channels and move
//   their axis.
// - Resize keeps the channels (its scale on the channel axis must be 1; a sizes constant is updated,
//   sizes computed from the input's own Shape follow by themselves). Shape ends the channels: what
//   it computes when the model runs follows a prune.
// - A depthwise Conv (one input channel per group) keeps the space: its weight, bias and group
//   shrink with its input. A Conv in G other groups ties the space it reads (whole, from one
//   layer) to G equal runs: channel j of a run goes only with channel j of every run, so each
//   group loses the same input columns and the groups stay equal; its outputs keep.
// - Consumers cut their inputs: the weight rows of Conv / ConvTranspose / Gemm / MatMul,
//   per-channel constants. A ConvTranspose (group 1) is a producer too: its weight [C, M, k…]
//   loses output columns (axis 1) and input rows (axis 0).
//
// What cannot shrink: a space reaching a graph output, joined with a tensor of no space (a graph
// input…) or with a space whose producer is not selected — those are kept (the plan notes say
// why). What the analysis cannot follow (an op it does not know, a grouped Conv reading a Concat,
// a Concat or Reshape that mixes channels…) marks the space "refused": planning it is a PruneError
// naming the node. The descriptors, cuts and spaces it builds are defined in spaces.ts.
import { type GraphIndex, constantValues, opsetOf, extraOutputsUsed, intAttr, intsAttr, label, numericShape, rankOf, rootConstant } from './graph';
import { weightLayout } from '../layout';
import { type Analysis, type ChannelDesc, type Producer, type Seg, find, join, mark, plain, tieRoot, totalChannels } from './spaces';

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign',
  'Gelu', 'Erf', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Identity', 'Dropout',
  'Cast', 'Mish', 'ThresholdedRelu', 'Sin', 'Cos',
]);
const POOLS = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div']);
/** Reductions over other axes than the channels keep them (`x.mean((2, 3))`, Keras' global pooling). */
const REDUCE = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp']);

function isScalarLike(ix: GraphIndex, name: string): boolean {
  const s = numericShape(ix, name);
  return s !== undefined && s.every((d) => d === 1);
}

/** Whether a producer's weight gives it a channel space, and along which weight axis. */
function producerOf(ix: GraphIndex, node: number): Producer | undefined {
  const n = ix.nodes[node];
  if (n.domain !== '' && n.domain !== 'ai.onnx') return undefined;
  const w = n.inputs[1];
  if (w === undefined || !ix.constants.has(w)) return undefined;
  const conv = n.opType === 'Conv' || n.opType === 'ConvTranspose';
  if (conv && intAttr(n, 'group', 1) !== 1) return undefined;
  if (!conv && n.opType !== 'Gemm' && n.opType !== 'MatMul') return undefined;
  if (n.opType === 'MatMul' && ix.constants.has(n.inputs[0])) return undefined;
  const layout = weightLayout(ix.model, w);
  if (typeof layout === 'string') return undefined;
  const r = ix.constants.get(w)!.tensor.dims.length;
  const axis = n.opType === 'Conv' ? 0 : n.opType === 'ConvTranspose' ? 1 : n.opType === 'MatMul' ? r - 1 : intAttr(n, 'transB', 0) === 0 ? 1 : 0;
  return { tensor: w, node, layout, axis };
}

/** Runs the analysis over the whole graph. */
export function analyzeChannels(ix: GraphIndex): Analysis {
  const a: Analysis = { ix, spaces: [], parent: [], descs: new Map(), cuts: [] };
  const refuse = (d: ChannelDesc, node: number, why: string): void => mark(a, d, 'refuse', `${label(ix, node)} ${why}`);
  const slice = (tensor: string, axis: number, desc: ChannelDesc, node: number): void => {
    const root = rootConstant(ix, tensor);
    if (root === undefined) refuse(desc, node, `takes "${tensor}", which is not a constant, beside the channels`);
    else a.cuts.push({ kind: 'slice', tensor: root, axis, desc, node });
  };

  /**
   * A Conv in `groups` groups (not depthwise) reading `desc`: the channels of one space, whole, tied
   * to the groups; its weight loses the same input column in every group. Its own outputs keep.
   */
  const grouped = (desc: ChannelDesc, node: number, groups: number, perGroup: number): void => {
    const n = ix.nodes[node];
    const seg = desc.segs[0];
    const whole = desc.segs.length === 1 && seg.space >= 0 && seg.size === a.spaces[seg.space].size;
    if (!whole || seg.size !== groups * perGroup) {
      return refuse(desc, node, `is a grouped Conv (group ${groups}) reading channels that do not come whole from one layer`);
    }
    const root = rootConstant(ix, n.inputs[1]);
    if (root === undefined) return refuse(desc, node, 'has a weight that is not a constant');
    tieRoot(a, find(a, seg.space), groups, label(ix, node));
    a.cuts.push({ kind: 'grouped', tensor: root, node, desc, groups });
  };

  ix.nodes.forEach((n, i) => {
    const ins = n.inputs.map((x) => (x === '' ? undefined : a.descs.get(x)));
    const first = ins[0];
    const out = (d: ChannelDesc): void => void a.descs.set(n.outputs[0], d);
    const prod = producerOf(ix, i);
    const anyIn = ins.find((d) => d !== undefined);
    if (anyIn === undefined && prod === undefined) return;
    const others = ins.filter((d, k): d is ChannelDesc => d !== undefined && k !== 0);
    if (n.domain !== '' && n.domain !== 'ai.onnx') return ins.forEach((d) => d && refuse(d, i, 'is not an ONNX op'));

    if (prod !== undefined) {
      for (const d of others) refuse(d, i, 'takes channels as its weight or bias');
      if (first !== undefined) {
        const rank = rankOf(ix, n.inputs[0]);
        const conv = n.opType === 'Conv' || n.opType === 'ConvTranspose';
        const wantAxis = conv ? 1 : n.opType === 'Gemm' ? (intAttr(n, 'transA', 0) === 0 ? 1 : 0) : rank === undefined ? -1 : rank - 1;
        if (first.axis !== wantAxis || (conv && !plain(first))) refuse(first, i, 'reads the channels along another axis than its input dimension');
        else {
          const wr = ix.constants.get(prod.tensor)!.tensor.dims.length;
          const inAxis = n.opType === 'Conv' ? 1 : n.opType === 'ConvTranspose' ? 0 : n.opType === 'MatMul' ? wr - 2 : prod.axis === 1 ? 0 : 1;
          slice(prod.tensor, inAxis, first, i);
        }
      }
      const space = a.spaces.length;
      a.spaces.push({ size: prod.layout.outputs, producer: prod });
      a.parent.push(space);
      const d: ChannelDesc = { segs: [{ space, size: prod.layout.outputs }], axis: 1, block: 1, repeat: 1 };
      slice(prod.tensor, prod.axis, d, i);
      if (n.opType === 'MatMul') {
        const r = rankOf(ix, n.outputs[0]);
        if (r === undefined) return refuse(d, i, 'has an output of unknown rank');
        d.axis = r - 1;
      }
      const bias = n.inputs[2];
      if (bias !== undefined && bias !== '') {
        const bs = numericShape(ix, bias);
        if (bs === undefined) refuse(d, i, `has a bias "${bias}" of unknown shape`);
        else if (bs.length > 0 && bs[bs.length - 1] === prod.layout.outputs && bs.length <= (n.opType === 'Conv' || n.opType === 'ConvTranspose' ? 1 : 2)) slice(bias, bs.length - 1, d, i);
        else if (!bs.every((x) => x === 1)) refuse(d, i, `has a bias "${bias}" of shape [${bs.join(', ')}]`);
      }
      return out(d);
    }

    if (extraOutputsUsed(ix, i)) return ins.forEach((d) => d && refuse(d, i, 'has a second output in use'));
    const op = n.opType;
    if (first === undefined) {
      // channels only in a later input: a per-channel operand of something this pass does not follow
      if (BINARY.has(op)) return binary(a, i, ins, slice, refuse, out);
      return ins.forEach((d) => d && refuse(d, i, 'takes channels in an input this analysis does not follow'));
    }
    if (UNARY.has(op)) {
      for (let k = 1; k < n.inputs.length; k++) {
        const x = n.inputs[k];
        if (x !== '' && (ins[k] !== undefined || !isScalarLike(ix, x))) return refuse(first, i, `has a non-scalar input "${x}"`);
      }
      return out(first);
    }
    if (POOLS.has(op) || op === 'BatchNormalization' || op === 'InstanceNormalization') {
      if (first.axis !== 1 || !plain(first)) return refuse(first, i, 'needs the channels on axis 1');
      const params = op === 'BatchNormalization' ? [1, 2, 3, 4] : op === 'InstanceNormalization' ? [1, 2] : [];
      for (const k of params) slice(n.inputs[k], 0, first, i);
      return out(first);
    }
    if (op === 'Conv') {
      const group = intAttr(n, 'group', 1);
      const w = ix.constants.get(n.inputs[1])?.tensor;
      if (w === undefined || first.axis !== 1 || !plain(first)) return refuse(first, i, 'has a weight that is not a constant, or reads channels off axis 1');
      if (!(w.dims[1] === 1 && group === totalChannels(first) && w.dims[0] === group)) {
        return group > 1 ? grouped(first, i, group, w.dims[1]) : refuse(first, i, 'has a weight this analysis cannot read');
      }
      slice(n.inputs[1], 0, first, i);
      if (n.inputs[2] !== undefined && n.inputs[2] !== '') slice(n.inputs[2], 0, first, i);
      a.cuts.push({ kind: 'group', node: i, desc: first });
      return out(first);
    }
    if (op === 'ConvTranspose') {
      const w = n.inputs[1];
      if (!ix.constants.has(w) || intAttr(n, 'group', 1) !== 1 || first.axis !== 1 || !plain(first)) return refuse(first, i, 'is a grouped ConvTranspose or has no constant weight');
      slice(w, 0, first, i);
      return;
    }
    if (BINARY.has(op) || op === 'PRelu') return binary(a, i, ins, slice, refuse, out);
    if (op === 'Pad') {
      const rank = rankOf(ix, n.inputs[0]);
      const pads = n.inputs[1] !== undefined && n.inputs[1] !== '' ? constantValues(ix, n.inputs[1]) : intsAttr(n, 'pads');
      const axes = n.inputs[3] !== undefined && n.inputs[3] !== '' ? constantValues(ix, n.inputs[3]) : undefined;
      if (pads === undefined || rank === undefined || axes !== undefined) return refuse(first, i, 'has pads that are not constant');
      if (pads[first.axis] !== 0 || pads[first.axis + rank] !== 0) return refuse(first, i, 'pads the channel axis');
      return out(first);
    }
    if (op === 'Resize' || op === 'Upsample') {
      const at = (k: number): string | undefined => (n.inputs[k] !== undefined && n.inputs[k] !== '' ? n.inputs[k] : undefined);
      const scalesName = op === 'Upsample' || (opsetOf(ix.model) < 11 && op === 'Resize') ? at(1) : at(2);
      const sizesName = op === 'Resize' && opsetOf(ix.model) >= 11 ? at(3) : undefined;
      if (!plain(first) || intsAttr(n, 'axes') !== undefined) return refuse(first, i, 'resizes with axes, or along flattened channels');
      if (scalesName !== undefined) {
        const scales = constantValues(ix, scalesName);
        if (scales === undefined || (scales.length > 0 && scales[first.axis] !== 1)) return refuse(first, i, 'has scales that are not constant or resize the channels');
      }
      if (sizesName !== undefined) {
        if (constantValues(ix, sizesName) !== undefined) a.cuts.push({ kind: 'value', tensor: rootConstant(ix, sizesName)!, index: first.axis, desc: first, node: i });
        // Sizes computed when the model runs (F.interpolate(x, size=…) writes Concat(Shape(x)[:2], …)):
        // the channel entry is read off the input itself, so it follows a prune.
        else if (!shapeSources(ix, sizesName).has(n.inputs[0])) return refuse(first, i, 'has sizes computed from other tensors than its input');
      }
      return out(first);
    }
    // Shape reads the channel count when the model runs: what it computes follows a prune.
    if (op === 'Shape') return;
    if (op === 'Flatten' || op === 'Reshape') return reshape(a, i, first, refuse, out);
    if (op === 'Concat') return concat(a, i, ins, refuse, out);
    if (REDUCE.has(op) || op === 'Squeeze' || op === 'Unsqueeze') return dropOrAddAxes(a, i, first, refuse, out);
    if (op === 'Transpose') {
      const perm = intsAttr(n, 'perm');
      if (perm === undefined || !plain(first)) return refuse(first, i, 'has no perm attribute');
      return out({ ...first, axis: perm.indexOf(first.axis) });
    }
    return ins.forEach((d) => d && refuse(d, i, 'is not an op channel pruning can follow'));
  });

  for (const name of ix.outputs) {
    const d = a.descs.get(name);
    if (d !== undefined) mark(a, d, 'keep', `it reaches the graph output "${name}"`);
  }
  return a;
}

type Refuse = (d: ChannelDesc, node: number, why: string) => void;
type Slice = (tensor: string, axis: number, desc: ChannelDesc, node: number) => void;

function binary(a: Analysis, i: number, ins: (ChannelDesc | undefined)[], slice: Slice, refuse: Refuse, out: (d: ChannelDesc) => void): void {
  const ix = a.ix;
  const n = ix.nodes[i];
  const outRank = rankOf(ix, n.outputs[0]);
  const known = ins.map((d, k) => (d === undefined ? undefined : { d, k }));
  const carriers = known.filter((x) => x !== undefined);
  const ref = carriers[0].d;
  if (outRank === undefined) return carriers.forEach((c) => refuse(c.d, i, 'has an output of unknown rank'));
  const at = (k: number, d: ChannelDesc): number => d.axis + outRank - (rankOf(ix, n.inputs[k]) ?? outRank);
  const outAxis = at(carriers[0].k, ref);
  if (carriers.length === 2) {
    const b = carriers[1].d;
    if (at(carriers[1].k, b) !== outAxis || b.block !== ref.block || b.repeat !== ref.repeat || b.segs.length !== 1 || ref.segs.length !== 1 || b.segs[0].size !== ref.segs[0].size) {
      refuse(ref, i, 'combines two channel tensors that do not line up');
      return refuse(b, i, 'combines two channel tensors that do not line up');
    }
    const [x, y] = [ref.segs[0].space, b.segs[0].space];
    if (x < 0 || y < 0) mark(a, x < 0 ? b : ref, 'keep', `${label(ix, i)} adds it to channels that cannot shrink`);
    else join(a, x, y);
    return out({ ...ref, axis: outAxis });
  }
  const k = carriers[0].k;
  const other = n.inputs[1 - k];
  const os = ix.shapes.get(other);
  const oAxis = os === undefined ? -1 : outAxis - (outRank - os.length);
  if (os === undefined || (oAxis >= 0 && typeof os[oAxis] !== 'number')) return refuse(ref, i, `takes "${other}" of unknown shape beside the channels`);
  if (oAxis >= 0 && os[oAxis] !== 1) {
    if (os[oAxis] !== totalChannels(ref) * ref.block * ref.repeat) return refuse(ref, i, `takes "${other}", whose shape does not match the channels`);
    if (ix.constants.has(rootConstant(ix, other) ?? '')) slice(other, oAxis, ref, i);
    else mark(a, ref, 'keep', `${label(ix, i)} combines it with "${other}", which has as many channels and cannot shrink`);
  }
  return out({ ...ref, axis: outAxis });
}

/**
 * A reduction over other axes than the channels, a Squeeze or an Unsqueeze of other axes: the
 * channels stay, on the axis they move to. Axes are an attribute, or a constant input in newer
 * opsets (Squeeze / Unsqueeze 13, ReduceSum 13, the other reductions 18).
 */
function dropOrAddAxes(a: Analysis, i: number, d: ChannelDesc, refuse: Refuse, out: (d: ChannelDesc) => void): void {
  const ix = a.ix;
  const n = ix.nodes[i];
  const rank = rankOf(ix, n.inputs[0]);
  if (rank === undefined) return refuse(d, i, 'has an input of unknown rank');
  const given = n.inputs[1] !== undefined && n.inputs[1] !== '' ? constantValues(ix, n.inputs[1]) : intsAttr(n, 'axes');
  if (given === undefined && n.inputs[1] !== undefined && n.inputs[1] !== '') return refuse(d, i, 'has axes that are not constant');
  if (n.opType === 'Unsqueeze') {
    if (given === undefined) return refuse(d, i, 'has no axes');
    const outRank = rank + given.length;
    const added = new Set(given.map((x) => (x < 0 ? x + outRank : x)));
    // The channel axis is the d.axis-th position not taken by a new axis.
    let at = -1;
    for (let k = 0, seen = -1; k < outRank && at < 0; k++) if (!added.has(k) && ++seen === d.axis) at = k;
    return out({ ...d, axis: at });
  }
  let axes: number[];
  if (given !== undefined && given.length > 0) axes = given.map((x) => (x < 0 ? x + rank : x));
  else if (n.opType === 'Squeeze') {
    const shape = ix.shapes.get(n.inputs[0]);
    if (shape === undefined || shape.some((v) => typeof v !== 'number')) return refuse(d, i, 'squeezes the dims of size 1 of an input of unknown shape');
    axes = shape.flatMap((v, k) => (v === 1 ? [k] : []));
  } else if (intAttr(n, 'noop_with_empty_axes', 0) === 1) return out(d);
  else axes = Array.from({ length: rank }, (_, k) => k);
  if (axes.includes(d.axis)) return refuse(d, i, n.opType === 'Squeeze' ? 'squeezes the channel axis' : 'reduces over the channels');
  const keep = REDUCE.has(n.opType) && intAttr(n, 'keepdims', 1) === 1;
  return out({ ...d, axis: keep ? d.axis : d.axis - axes.filter((x) => x < d.axis).length });
}

/** The tensors whose Shape a computed value reads (walking back through any nodes to Shape nodes). */
function shapeSources(ix: GraphIndex, name: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const todo = [name];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = ix.producer.get(t);
    if (p === undefined) continue;
    const n = ix.nodes[p];
    if (n.opType === 'Shape') out.add(n.inputs[0]);
    else for (const x of n.inputs) if (x !== '') todo.push(x);
  }
  return out;
}

function reshape(a: Analysis, i: number, d: ChannelDesc, refuse: Refuse, out: (d: ChannelDesc) => void): void {
  const ix = a.ix;
  const n = ix.nodes[i];
  const raw = ix.shapes.get(n.inputs[0]);
  if (raw === undefined || !raw.slice(1).every((v) => typeof v === 'number')) return refuse(d, i, 'has an input of unknown shape');
  const inShape = raw.map((v) => (typeof v === 'number' ? v : -1));
  let to: number;
  let shape: number[] | undefined;
  if (n.opType === 'Flatten') {
    const ax = intAttr(n, 'axis', 1);
    to = ax < 0 ? ax + inShape.length : ax;
  } else {
    shape = constantValues(ix, n.inputs[1]);
    if (shape === undefined) return refuse(d, i, 'has a shape that is not a constant');
    const s = shape;
    const keepsPrefix = s.length >= 1 && s.length <= inShape.length && s.slice(0, s.length - 1).every((v, k) => v === 0 || v === inShape[k]);
    if (!keepsPrefix || intAttr(n, 'allowzero', 0) !== 0) return refuse(d, i, 'reshapes in a way that mixes channels');
    to = s.length - 1;
  }
  let res: ChannelDesc;
  if (d.axis < to) res = d;
  else {
    // The dims before the channel axis repeat the channel layout, those after it repeat each channel.
    if (inShape.slice(to, d.axis).some((v) => v < 0)) return refuse(d, i, 'flattens a dim of unknown size with the channels');
    const before = inShape.slice(to, d.axis).reduce((s, v) => s * v, 1);
    const after = inShape.slice(d.axis + 1).reduce((s, v) => s * v, 1);
    res = { segs: d.segs, axis: to, block: d.block * after, repeat: d.repeat * before };
  }
  if (shape !== undefined && shape[res.axis] > 0) a.cuts.push({ kind: 'value', tensor: rootConstant(ix, n.inputs[1])!, index: res.axis, desc: res, node: i });
  return out(res);
}

function concat(a: Analysis, i: number, ins: (ChannelDesc | undefined)[], refuse: Refuse, out: (d: ChannelDesc) => void): void {
  const ix = a.ix;
  const n = ix.nodes[i];
  const rank = rankOf(ix, n.outputs[0]);
  const carriers = ins.filter((d) => d !== undefined);
  if (rank === undefined) return carriers.forEach((d) => refuse(d, i, 'has an output of unknown rank'));
  let axis = intAttr(n, 'axis', 0);
  if (axis < 0) axis += rank;
  const segs: Seg[] = [];
  for (let k = 0; k < n.inputs.length; k++) {
    const d = ins[k];
    if (d !== undefined) {
      if (d.axis !== axis || !plain(d)) return carriers.forEach((c) => refuse(c, i, 'concatenates along another axis than the channels'));
      segs.push(...d.segs);
    } else {
      const s = numericShape(ix, n.inputs[k]);
      if (s === undefined) return carriers.forEach((c) => refuse(c, i, `concatenates "${n.inputs[k]}" of unknown shape`));
      segs.push({ space: -1, size: s[axis] });
    }
  }
  return out({ segs, axis, block: 1, repeat: 1 });
}
