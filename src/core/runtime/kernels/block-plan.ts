// Block-sparse layers at batch 1, found from the weights themselves (any model, any source of the
// zeros): each input column's non-zero weights grouped in aligned runs of 4V outputs, one entry per
// run holding any non-zero (the run's zeros stored as zeros). An R×C block of zeros in the layout
// outputs × inputs (core/prune/layout.ts) with R a multiple of 4V is C empty runs; unstructured
// zeros leave few runs empty, so the cost model below keeps the scalar CSC kernel for them.
import { BLOCK_WIDTHS } from './block-code';
import type { DenseWeights } from './dense';
import { eachWeight } from './each-weight';
import type { SparseWeights } from './sparse';

type Weights = DenseWeights | SparseWeights;


/**
 * Estimated cost per non-zero input, in ns, of the batch-1 kernels (chain-code.ts csc6 and axpy,
 * block-code.ts bcsc): a scalar CSC entry; an f32x4 step of a dense row; a block entry (index and
 * loop) plus each of its f32x4 read-multiply-add-writes.
 */
export const ONE_ROW_COST = { scalar: 1, denseStep: 0.8, blockEntry: 0.5, blockStep: 0.8 } as const;

const pad = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Runs with a non-zero per column, each column's count padded to even (bcsc is unrolled by 2). */
export function blockRuns(w: Weights, V: number): Int32Array {
  const R = 4 * V;
  const runs = new Int32Array(w.K);
  let lastK = -1;
  let lastG = -1;
  eachWeight(w, (k, j) => {
    const g = (j / R) | 0;
    if (k !== lastK || g !== lastG) runs[k]++;
    lastK = k;
    lastG = g;
  });
  for (let k = 0; k < w.K; k++) runs[k] = pad(runs[k], 2);
  return runs;
}

/**
 * The block width (1, 2, 4 f32x4 registers) whose estimated cost beats the kernel chain.ts would
 * otherwise take (dense rows when `dense`, else scalar CSC), or 0 to keep that one. Only for layers
 * whose accumulator offsets fit in u16.
 */
export function oneRowBlockWidth(w: Weights, dense: boolean): number {
  const { K, N } = w;
  if ((pad(N, 16) + 16) * 4 >= 65536) return 0;
  let best = 0;
  let bestCost = (K * pad(N, 4)) / 4 * ONE_ROW_COST.denseStep;
  if (!dense) {
    const perColumn = new Int32Array(K);
    eachWeight(w, (k) => perColumn[k]++);
    bestCost = 0;
    for (const c of perColumn) bestCost += pad(c, 4) * ONE_ROW_COST.scalar;
  }
  for (const V of BLOCK_WIDTHS) {
    let entries = 0;
    for (const r of blockRuns(w, V)) entries += r;
    const cost = entries * (ONE_ROW_COST.blockEntry + V * ONE_ROW_COST.blockStep);
    if (cost < bestCost) {
      best = V;
      bestCost = cost;
    }
  }
  return best;
}

/** Where a block layer lives in the chain's memory (byte addresses). */
export interface BlockLayer {
  V: number;
  /** Entries per column (padded to even). */
  runs: Int32Array;
  stored: number;
  /** Accumulator floats: N rounded up to 4V, then one dummy run the padding entries write zeros to. */
  accFloats: number;
}

export function blockLayer(w: Weights, V: number): BlockLayer {
  const runs = blockRuns(w, V);
  let stored = 0;
  for (const r of runs) stored += r;
  return { V, runs, stored, accFloats: pad(w.N, 4 * V) + 4 * V };
}

/**
 * Writes the layer: u16 accumulator byte offsets at ix (stored entries), weights at wAt (16V bytes
 * per entry, zero where the run has zeros) and column starts cols[k] = byte address of the column's
 * first u16 (K + 1 of them). Memory from wAt must be zero. Returns delta for bcsc.
 */
export function placeBlocks(b: BlockLayer, w: Weights, mem: ArrayBufferLike, ix: number, wAt: number, cols: number): number {
  const { V, runs } = b;
  const R = 4 * V;
  const K = w.K;
  const u16 = new Uint16Array(mem, ix, b.stored);
  const u32 = new Uint32Array(mem, cols, K + 1);
  const f32 = new Float32Array(mem, wAt, b.stored * R);
  const dummy = 4 * (b.accFloats - R);
  u16.fill(dummy);
  const cursor = new Int32Array(K);
  let at = 0;
  for (let k = 0; k < K; k++) {
    u32[k] = ix + 2 * at;
    cursor[k] = at - 1;
    at += runs[k];
  }
  u32[K] = ix + 2 * at;
  const last = new Int32Array(K).fill(-1);
  eachWeight(w, (k, j, x) => {
    const g = (j / R) | 0;
    if (g !== last[k]) {
      last[k] = g;
      u16[++cursor[k]] = 4 * R * g;
    }
    f32[cursor[k] * R + (j - R * g)] = x;
  });
  return wAt - ix * (8 * V);
}
