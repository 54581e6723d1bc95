// R×C block masks: blocks of R consecutive outputs × C consecutive inputs at one position of a
// weight's layout (core/prune/layout.ts); the last blocks along each side are smaller when R or C
// does not divide it. A block's score is the mean |w| of its elements (NaN as +Infinity), so 1×1
// blocks score like unstructured pruning.
//
// Block index (the tie order): b = (bo · nbIn + bi) · positions + p, for output block bo, input
// block bi, position p, nbIn = ceil(inputs / C). A block is pruned when its score is below the
// layer's cutoff, or equal to it and among the first `tiesPruned` such blocks in index order.
import type { Tensor } from '../onnx/model';
import { magnitudeReader, selectKth } from './magnitude';
import type { WeightLayout } from './layout';

export interface BlockGrid {
  rows: number;
  cols: number;
  nbOut: number;
  nbIn: number;
  count: number;
}

export function blockGrid(l: WeightLayout, rows: number, cols: number): BlockGrid {
  const nbOut = Math.ceil(l.outputs / rows);
  const nbIn = Math.ceil(l.inputs / cols);
  return { rows, cols, nbOut, nbIn, count: nbOut * nbIn * l.positions };
}

/** Elements of block b. */
export function blockSize(l: WeightLayout, g: BlockGrid, b: number): number {
  const q = Math.floor(b / l.positions);
  const bo = Math.floor(q / g.nbIn);
  const bi = q - bo * g.nbIn;
  return Math.min(g.rows, l.outputs - bo * g.rows) * Math.min(g.cols, l.inputs - bi * g.cols);
}

/** The score (mean |w|) of every block, in block index order. */
export function blockScores(t: Tensor, l: WeightLayout, g: BlockGrid): Float64Array {
  const sums = new Float64Array(g.count);
  const mag = magnitudeReader(t);
  for (let o = 0; o < l.outputs; o++) {
    const rowBase = Math.floor(o / g.rows) * g.nbIn;
    for (let i = 0; i < l.inputs; i++) {
      const base = (rowBase + Math.floor(i / g.cols)) * l.positions;
      const e = o * l.outStride + i * l.inStride;
      for (let p = 0; p < l.positions; p++) sums[base + p] += mag(e + p * l.posStride);
    }
  }
  for (let b = 0; b < g.count; b++) sums[b] /= blockSize(l, g, b);
  return sums;
}

/** Which blocks are pruned under (cutoff, tiesPruned): 1 = pruned. */
export function prunedBlocks(scores: Float64Array, cutoff: number, tiesPruned: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  let ties = tiesPruned;
  for (let b = 0; b < scores.length; b++) {
    const s = scores[b];
    if (s < cutoff || (s === cutoff && ties > 0 && ties--)) out[b] = 1;
  }
  return out;
}

/** The element mask (1 = kept) of pruned blocks, the elements pruned and the largest pruned |w|. */
export function expandBlocks(t: Tensor, l: WeightLayout, g: BlockGrid, pruned: Uint8Array, size: number): { mask: Uint8Array; pruned: number; threshold: number } {
  const mask = new Uint8Array(size).fill(1);
  const mag = magnitudeReader(t);
  let count = 0;
  let threshold = 0;
  for (let o = 0; o < l.outputs; o++) {
    const rowBase = Math.floor(o / g.rows) * g.nbIn;
    for (let i = 0; i < l.inputs; i++) {
      const base = (rowBase + Math.floor(i / g.cols)) * l.positions;
      const e = o * l.outStride + i * l.inStride;
      for (let p = 0; p < l.positions; p++) {
        if (pruned[base + p] === 0) continue;
        const k = e + p * l.posStride;
        mask[k] = 0;
        count++;
        const v = mag(k);
        if (v > threshold) threshold = v;
      }
    }
  }
  return { mask, pruned: count, threshold };
}

/** The cut that removes the k lowest-scoring blocks of one tensor (ties by index): cutoff and ties at it. */
export function layerCut(scores: Float64Array, k: number): { cutoff: number; tiesPruned: number } {
  if (k <= 0) return { cutoff: 0, tiesPruned: 0 };
  const cutoff = selectKth(scores.slice(), k - 1);
  let less = 0;
  for (let b = 0; b < scores.length; b++) if (scores[b] < cutoff) less++;
  return { cutoff, tiesPruned: k - less };
}

/**
 * The cut of a pool of blocks (scores and element counts in pool order) removing, lowest score
 * first and ties in pool order, the fewest blocks whose elements reach `target` (> 0), and every
 * block of score 0: the cut score and how many blocks at it are removed (the first in pool order).
 */
export function poolCut(scores: Float64Array, sizes: Uint32Array, target: number): { cutoff: number; tiesPruned: number } {
  const upTo = (v: number): number => {
    let e = 0;
    for (let b = 0; b < scores.length; b++) if (scores[b] <= v) e += sizes[b];
    return e;
  };
  // the smallest score v whose blocks of score ≤ v reach the target (binary search on the sorted scores)
  const sorted = scores.slice().sort();
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (upTo(sorted[mid]) >= target) hi = mid;
    else lo = mid + 1;
  }
  const cutoff = sorted[lo];
  let reached = 0;
  for (let b = 0; b < scores.length; b++) if (scores[b] < cutoff) reached += sizes[b];
  let ties = 0;
  for (let b = 0; b < scores.length && (reached < target || cutoff === 0); b++) {
    if (scores[b] !== cutoff) continue;
    reached += sizes[b];
    ties++;
  }
  return { cutoff, tiesPruned: ties };
}
