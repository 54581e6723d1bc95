// Block-sparse layers in the batched program of chain.ts, found from the weights themselves (any
// model, any source of the zeros): the layout outputs × inputs (core/prune/layout.ts) cut into
// aligned R×C blocks, one entry per block holding any non-zero (its zeros stored as zeros), the
// entries of each group of R outputs together. Unstructured zeros leave few blocks empty, so the
// cost model keeps the CSR kernel for them.
import { blockEntryBytes } from './block-batch-code';
import type { DenseWeights } from './dense';
import { eachWeight } from './each-weight';
import type { SparseWeights } from './sparse';

type Weights = DenseWeights | SparseWeights;

/** A block shape of the batched kernel: R outputs × C inputs, S4 f32x4 of samples per pass. */
export interface BatchShape {
  R: number;
  C: number;
  S4: number;
  /** Estimated cost of one entry (a block holding any non-zero) in CSR entries (stored weights). */
  entryCost: number;
}

/**
 * The shapes compiled into the module (chain-code.ts); R·S4 + S4 + 1 f32x4 registers each. fc2 of
 * the sample MLP alone, 4x1 and 4x4 blocks, CPU time per sample, CSR / this (bench/block-batch-layer.ts):
 * 4x1 s8 1.16–1.35×, 2x1 s12 1.13–1.20×, and slower than CSR (0.84–1.06×): 4x2 s8, 2x2 s12, 4x4 s8,
 * 2x4 s12, 1x4 s24, 8x1 s4, 4x1 s12 (16 registers: spills). Entry costs: R·C / the speed-up.
 */
export const BATCH_SHAPES: readonly BatchShape[] = [
  { R: 4, C: 1, S4: 2, entryCost: 3.2 },
  { R: 2, C: 1, S4: 3, entryCost: 1.7 },
];

/** A block shape is taken only below this fraction of the CSR cost (the estimates are rough). */
export const BATCH_BLOCK_MARGIN = 0.95;

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Blocks of R outputs × C inputs holding a non-zero, per group of R outputs. */
export function blockCounts(w: Weights, R: number, C: number): Int32Array {
  const counts = new Int32Array(ceilDiv(w.N, R));
  const last = new Int32Array(counts.length).fill(-1);
  eachWeight(w, (k, j) => {
    const g = (j / R) | 0;
    const kb = (k / C) | 0;
    if (last[g] !== kb) {
      last[g] = kb;
      counts[g]++;
    }
  });
  return counts;
}

/** Where a block layer lives in the chain's memory. */
export interface BatchBlockLayer extends BatchShape {
  counts: Int32Array;
  entries: number;
  /** Bytes of the entries. */
  bytes: number;
}

export function batchBlockLayer(w: Weights, shape: BatchShape): BatchBlockLayer {
  const counts = blockCounts(w, shape.R, shape.C);
  let entries = 0;
  for (const c of counts) entries += c;
  return { ...shape, counts, entries, bytes: entries * blockEntryBytes(shape.R, shape.C) };
}

/**
 * Writes the layer: group starts at `groups` (u32 byte addresses, one per group then the end),
 * entries from `at`, each the byte address of its first input row (inAt + k0·rowBytes) and its
 * weights [c][r]. Memory from `at` must be zero.
 */
export function placeBatchBlocks(b: BatchBlockLayer, w: Weights, mem: ArrayBufferLike, groups: number, at: number, inAt: number, rowBytes: number): void {
  const { R, C, counts } = b;
  const G = counts.length;
  const eb = blockEntryBytes(R, C);
  const u32 = new Uint32Array(mem);
  const f32 = new Float32Array(mem);
  const cursor = new Int32Array(G);
  let p = at;
  for (let g = 0; g < G; g++) {
    u32[(groups >> 2) + g] = p;
    cursor[g] = p - eb;
    p += counts[g] * eb;
  }
  u32[(groups >> 2) + G] = p;
  const last = new Int32Array(G).fill(-1);
  eachWeight(w, (k, j, x) => {
    const g = (j / R) | 0;
    const kb = (k / C) | 0;
    if (last[g] !== kb) {
      last[g] = kb;
      cursor[g] += eb;
      u32[cursor[g] >> 2] = inAt + kb * C * rowBytes;
    }
    f32[(cursor[g] >> 2) + 1 + (k - kb * C) * R + (j - g * R)] = x;
  });
}

/** For the bench and the tests: 'csr' or a shape forces that kernel on every eligible layer. */
export const batchOverride: { force: BatchShape | 'csr' | undefined } = { force: undefined };

/** The block shape to run a layer's batched pass with, or undefined to keep CSR. */
export function batchBlockShape(w: Weights, nnz: number, regs: number): BatchShape | undefined {
  const f = batchOverride.force;
  if (f === 'csr') return undefined;
  if (f) return (4 * regs) % (4 * f.S4) === 0 ? f : undefined;
  let best: BatchShape | undefined;
  let bestCost = BATCH_BLOCK_MARGIN * nnz;
  for (const s of BATCH_SHAPES) {
    if (regs % s.S4 !== 0) continue;
    let entries = 0;
    for (const c of blockCounts(w, s.R, s.C)) entries += c;
    if (entries * s.entryCost < bestCost) {
      best = s;
      bestCost = entries * s.entryCost;
    }
  }
  return best;
}
