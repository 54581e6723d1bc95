// The channel scores of a group on the weights as the network computes them:
//
// - A BatchNormalization right after a producer (directly, or after a constant bias Add) scales
//   its output channel c by γ_c/√(var_c+ε): the channel's L1 norm is multiplied by that factor's
//   magnitude, its squared L2 norm by its square. So a model that keeps BN and the same model with
//   BN folded into the Conv rank their channels alike.
// - Optionally (ChannelScoring.outgoing) the group's score is multiplied by the norm of the
//   channel's outgoing weights — the input columns of every Conv / Gemm / MatMul that reads it.
//   With ReLU-like activations a channel's in-weights can be scaled by α and its out-weights by 1/α
//   without changing the function; the product is invariant to that, either norm alone is not.
//
// The members of a coupled group (residual Add, gate) sum their effective norms (groupScores).
import type { ChannelImportance } from '../structure';
import { weightLayout } from '../layout';
import { find, type Analysis } from './spaces';
import { constantValues, rootConstant, type GraphIndex } from './graph';
import { axisNorms, channelNorms, groupScores, type ChannelNorms } from './importance';

/**
 * How channels are scored (scripts/channels-cnns.ts --scores compares them). Measured on the
 * BN-kept ResNet, 10,000 t10k: magnitude 0.2 → own norm 0.243, BN folded 0.198, × outgoing 0.333;
 * 0.3 → 0.165 / 0.127 / 0.100 (all collapse); reconstruct 0.3 → 0.847 / 0.846 / 0.843. No variant
 * holds better everywhere; BN folding stays on because it makes BN-kept and BN-folded models rank
 * alike, outgoing stays off.
 */
export interface ChannelScoring {
  /** Scale each channel's norm by the |γ/σ| of a BatchNormalization that follows it. */
  batchNorm: boolean;
  /** Multiply by the norm of the consumers' input columns of the channel. */
  outgoing: boolean;
}
export const DEFAULT_CHANNEL_SCORING: Readonly<ChannelScoring> = Object.freeze({ batchNorm: true, outgoing: false });

/** The per-channel factor of a BatchNormalization that follows `tensor`, or undefined. */
export function followingBnScale(ix: GraphIndex, tensor: string, channels: number): Float64Array | undefined {
  let cur = tensor;
  for (let guard = 0; guard < 4; guard++) {
    const uses = ix.uses.get(cur) ?? [];
    if (uses.length !== 1 || ix.outputs.has(cur)) return undefined;
    const n = ix.nodes[uses[0].node];
    if (n.opType === 'Identity') {
      cur = n.outputs[0];
      continue;
    }
    if (n.opType === 'Add' && n.inputs.length === 2) {
      const other = n.inputs[1 - uses[0].slot];
      if (rootConstant(ix, other) === undefined) return undefined;
      cur = n.outputs[0];
      continue;
    }
    if (n.opType !== 'BatchNormalization' || uses[0].slot !== 0) return undefined;
    const gamma = constantValues(ix, n.inputs[1]);
    const variance = constantValues(ix, n.inputs[4]);
    if (gamma?.length !== channels || variance?.length !== channels) return undefined;
    const epsAttr = n.attributes.find((a) => a.name === 'epsilon');
    const eps = epsAttr && epsAttr.type === 'float' ? Number(epsAttr.value) : 1e-5;
    return Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + eps));
  }
  return undefined;
}

/** `norms` with each channel scaled by `scale` (|s| for L1 sums, s² for squared L2 sums). */
export function scaleNorms(norms: ChannelNorms, scale: Float64Array, importance: ChannelImportance): ChannelNorms {
  const sums = norms.sums.map((s, c) => s * (importance === 'l1' ? Math.abs(scale[c]) : scale[c] * scale[c]));
  return { sums, perChannel: norms.perChannel };
}

function axisStride(dims: readonly number[], axis: number): number {
  let s = 1;
  for (let k = axis + 1; k < dims.length; k++) s *= dims[k];
  return s;
}

/** Per channel of the group `root`: the summed norm of its outgoing weight columns, with the element count. */
export function outgoingNorms(a: Analysis, root: number, size: number, importance: ChannelImportance): ChannelNorms {
  const sums = new Float64Array(size);
  let perChannel = 0;
  const seen = new Set<string>();
  for (const cut of a.cuts) {
    if (cut.kind !== 'slice' || seen.has(`${cut.tensor}\u0000${cut.axis}`)) continue;
    const t = a.ix.constants.get(cut.tensor)?.tensor;
    const n = a.ix.nodes[cut.node];
    if (t === undefined || !['Conv', 'Gemm', 'MatMul'].includes(n.opType) || rootConstant(a.ix, n.inputs[1] ?? '') !== cut.tensor) continue;
    const l = weightLayout(a.ix.model, cut.tensor);
    if (typeof l === 'string' || axisStride(t.dims, cut.axis) !== l.inStride || t.dims[cut.axis] !== l.inputs) continue;
    seen.add(`${cut.tensor}\u0000${cut.axis}`);
    const cols = axisNorms(t, l, importance, 'inputs');
    const { block, repeat } = cut.desc;
    const period = cut.desc.segs.reduce((s, g) => s + g.size, 0) * block;
    let offset = 0;
    for (const seg of cut.desc.segs) {
      if (seg.space >= 0 && find(a, seg.space) === root) {
        for (let t = 0; t < repeat; t++) for (let c = 0; c < seg.size; c++) for (let b = 0; b < block; b++) sums[c] += cols[t * period + (offset + c) * block + b];
        perChannel += l.outputs * l.positions * block * repeat;
      }
      offset += seg.size;
    }
  }
  return { sums, perChannel };
}

/** The scores of the group `root` (every space joined to it): raw for ranking within it, normalised for the global pool. */
export function effectiveGroupScores(a: Analysis, root: number, importance: ChannelImportance, scoring: Readonly<ChannelScoring> = DEFAULT_CHANNEL_SCORING): { raw: Float64Array; normalised: Float64Array } {
  const members: ChannelNorms[] = [];
  a.spaces.forEach((s, k) => {
    if (find(a, k) !== root) return;
    const p = s.producer;
    let norms = channelNorms(a.ix.constants.get(p.tensor)!.tensor, p.layout, importance);
    const out = a.ix.nodes[p.node].outputs[0];
    const bn = scoring.batchNorm ? followingBnScale(a.ix, out, p.layout.outputs) : undefined;
    if (bn !== undefined) norms = scaleNorms(norms, bn, importance);
    members.push(norms);
  });
  const scores = groupScores(members, importance);
  if (!scoring.outgoing) return scores;
  const o = outgoingNorms(a, root, scores.raw.length, importance);
  if (o.perChannel === 0) return scores;
  const n = o.perChannel / scores.raw.length;
  for (let c = 0; c < scores.raw.length; c++) {
    const raw = importance === 'l1' ? o.sums[c] : Math.sqrt(o.sums[c]);
    const mean = importance === 'l1' ? o.sums[c] / n : Math.sqrt(o.sums[c] / n);
    scores.raw[c] *= raw;
    scores.normalised[c] *= mean;
  }
  return scores;
}
