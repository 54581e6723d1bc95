// The importance of each output channel / neuron of a weight: its L1 norm (Σ|w|) or L2 norm
// (√Σw²) over its inputs × positions, read through the weight's layout. A coupled group (residual
// Add, squeeze-excite gate) sums its members' norms. For global pruning the score is normalised by
// the channel's size: mean |w| per element (L1), root mean square (L2).
import type { Tensor } from '../../onnx/model';
import { layoutIndex, type WeightLayout } from '../layout';
import { magnitudeReader } from '../magnitude';
import type { ChannelImportance } from '../structure';

export interface ChannelNorms {
  /** Σ|w| (L1) or Σw² (L2) of each output channel. */
  sums: Float64Array;
  /** Elements per output channel. */
  perChannel: number;
}

export function channelNorms(t: Tensor, l: WeightLayout, importance: ChannelImportance): ChannelNorms {
  return { sums: axisNorms(t, l, importance, 'outputs'), perChannel: l.inputs * l.positions };
}

/**
 * Σ|w| (L1) or Σw² (L2) of each output (its row: inputs × positions) or of each input (its column:
 * outputs × positions) of a weight.
 */
export function axisNorms(t: Tensor, l: WeightLayout, importance: ChannelImportance, along: 'outputs' | 'inputs'): Float64Array {
  const mag = magnitudeReader(t);
  const byOutput = along === 'outputs';
  const n = byOutput ? l.outputs : l.inputs;
  const m = byOutput ? l.inputs : l.outputs;
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let s = 0;
    for (let k = 0; k < m; k++) {
      for (let p = 0; p < l.positions; p++) {
        const v = mag(byOutput ? layoutIndex(l, c, k, p) : layoutIndex(l, k, c, p));
        s += importance === 'l1' ? v : v * v;
      }
    }
    out[c] = s;
  }
  return out;
}

/** Per channel: the group's summed norm (ranking within a layer) and its normalised score (global pool). */
export function groupScores(members: ChannelNorms[], importance: ChannelImportance): { raw: Float64Array; normalised: Float64Array } {
  const c = members[0].sums.length;
  const raw = new Float64Array(c);
  const normalised = new Float64Array(c);
  const elements = members.reduce((s, m) => s + m.perChannel, 0);
  for (let o = 0; o < c; o++) {
    let r = 0;
    let total = 0;
    for (const m of members) {
      r += importance === 'l1' ? m.sums[o] : Math.sqrt(m.sums[o]);
      total += m.sums[o];
    }
    raw[o] = r;
    normalised[o] = elements === 0 ? 0 : importance === 'l1' ? total / elements : Math.sqrt(total / elements);
  }
  return { raw, normalised };
}

/** The `k` lowest-scoring channels (ties: lower index first), ascending by index. */
export function lowest(scores: Float64Array, k: number): number[] {
  const order = Array.from(scores.keys()).sort((x, y) => scores[x] - scores[y] || x - y);
  return order.slice(0, k).sort((x, y) => x - y);
}
