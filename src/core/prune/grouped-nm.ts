// N:M masks: along a weight's inputs (core/prune/layout.ts), every group of M consecutive inputs at
// a fixed (output, position) keeps its N largest |w| (NaN as +Infinity). Ties: of equal |w| the
// lower input index is kept first. A trailing partial group of r < M inputs keeps min(r, N).
// The mask depends on the tensor alone, so the same rule builds the plan and recomputes the mask.
import type { Tensor } from '../onnx/model';
import { magnitudeReader } from './magnitude';
import { layoutIndex, type WeightLayout } from './layout';

export interface NmMask {
  /** 1 = kept, 0 = pruned. */
  mask: Uint8Array;
  pruned: number;
  /** The largest pruned |w| (0 when nothing is pruned). */
  threshold: number;
}

/** The N:M mask of `t` read through layout `l`. */
export function nmMask(t: Tensor, l: WeightLayout, n: number, m: number, size: number): NmMask {
  const mask = new Uint8Array(size).fill(1);
  const mag = magnitudeReader(t);
  const idx = new Int32Array(m);
  const val = new Float64Array(m);
  let pruned = 0;
  let threshold = 0;
  for (let o = 0; o < l.outputs; o++) {
    for (let p = 0; p < l.positions; p++) {
      for (let g = 0; g < l.inputs; g += m) {
        const r = Math.min(m, l.inputs - g);
        if (r <= n) continue;
        for (let j = 0; j < r; j++) {
          idx[j] = layoutIndex(l, o, g + j, p);
          val[j] = mag(idx[j]);
        }
        // element j is kept when fewer than n elements of the group beat it (larger |w|, or equal
        // |w| at a lower input index)
        for (let j = 0; j < r; j++) {
          let beaten = 0;
          const v = val[j];
          for (let q = 0; q < r && beaten < n; q++) if (val[q] > v || (val[q] === v && q < j)) beaten++;
          if (beaten >= n) {
            mask[idx[j]] = 0;
            pruned++;
            if (v > threshold) threshold = v;
          }
        }
      }
    }
  }
  return { mask, pruned, threshold };
}
