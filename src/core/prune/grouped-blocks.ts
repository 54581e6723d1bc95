// R×C block masks: blocks of R consecutive outputs × C consecutive inputs at one position of a
// weight's layout (core/prune/layout.ts); the last blocks along each side are smaller when R or C
// does not divide it. A block's score is the mean |w| of its elements (NaN as +Infinity), so 1×1
// blocks score like unstructured pruning.
//
// Block index (the tie order): b = (bo · nbIn + bi) · positions + p, for output block bo, input
// block bi, position p, nbIn = ceil(inputs / C). A block is pruned when its score is below the
// layer's cutoff, or equal to it and among the first `tiesPruned` such blocks in index order.
import type { Tensor } from '../onnx/model';
import { magnitudeReader } from './magnitude';
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

/** Block indices of `scores` sorted by (score, index) ascending. */
export function sortedBlocks(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let b = 0; b < order.length; b++) order[b] = b;
  return order.sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : a - b));
}

/** The cut that removes the k lowest-scoring blocks of one tensor (ties by index): cutoff and ties at it. */
export function layerCut(scores: Float64Array, k: number): { cutoff: number; tiesPruned: number } {
  if (k <= 0) return { cutoff: 0, tiesPruned: 0 };
  const order = sortedBlocks(scores);
  const cutoff = scores[order[k - 1]];
  let ties = 0;
  for (let j = 0; j < k; j++) if (scores[order[j]] === cutoff) ties++;
  return { cutoff, tiesPruned: ties };
}
