// Magnitude plans (unstructured, per layer or global) of a model whose weights are still in
// external data files, reading one tensor at a time. The plan is the one planPrune makes in memory
// (same cut, same ties: earlier tensors and lower indices first): per layer from each tensor alone;
// global from two passes over the pool, the high then the low 16 bits of each |w|'s float32 bit
// pattern (as core/prune/bits.ts selects the k-th magnitude), keeping per tensor what the counts
// need (below the chosen high bucket: a count and the largest; in it: a histogram of the low bits).

import { externalTensors } from '../core/onnx/external';
import { DataType, elementCount, type Model, type Tensor } from '../core/onnx/model';
import { bitsToFloat, float32Bits } from '../core/prune/bits';
import { checkRatio, planTotals, selectTensors } from '../core/prune/select';
import { methodSpecOf, type PruneSpec } from '../core/prune';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan } from '../core/prune/types';
import { DEFAULT_STRUCTURE, parseStructure } from '../core/prune/structure';
import { isUnread } from './stream-stats';

const INF_BITS = 0x7f800000;

/** A tensor with its data in memory (an unread external tensor read for the caller). */
export type ReadTensor = (t: Tensor) => Promise<Tensor>;

/** Streaming reads: `read`, then `release` once the tensor read is no longer used (its memory is reused). */
export interface TensorSource {
  read: ReadTensor;
  release(loaded: Tensor): void;
  /** After each tensor: progress, cancel (may throw). */
  step(): Promise<void>;
}

/** Why `spec` cannot be planned tensor by tensor on this model, or undefined when it can. */
export function notStreamable(model: Model, spec: PruneSpec): string | undefined {
  const opts = methodSpecOf(spec);
  if (opts.method !== undefined && opts.method !== 'magnitude') return `the ${opts.method} method needs the whole model in memory`;
  if (parseStructure(opts.structure ?? DEFAULT_STRUCTURE).kind !== 'unstructured') return 'structured pruning needs the whole model in memory';
  const initializers = new Set(model.graph.initializers);
  const elsewhere = externalTensors(model).find((t) => !initializers.has(t));
  if (elsewhere) return `"${elsewhere.name}" is external data outside the main graph's initializers`;
  const { tensors } = selectTensors(model, opts, undefined, true);
  for (const t of tensors) {
    if (!initializers.has(t)) return `"${t.name}" is a Constant value, not an initializer`;
    if (t.dataType === DataType.DOUBLE && isUnread(t)) return `"${t.name}" holds float64 values`;
  }
  return undefined;
}

/** The layers of a plan before any tensor is read (nothing pruned yet), and the selection. */
export function startPlan(model: Model, opts: PruneOptions): { layers: LayerPlan[]; tensors: Tensor[] } {
  checkRatio('the prune ratio', opts.ratio);
  if (opts.mode !== 'layer' && opts.mode !== 'global') throw new PruneError(`unknown prune mode "${String(opts.mode)}" (layer or global)`);
  const { tensors, overrides, users } = selectTensors(model, opts, undefined, true);
  const layers = tensors.map((t): LayerPlan => {
    const n = elementCount(t.dims);
    const overridden = Object.prototype.hasOwnProperty.call(overrides, t.name);
    return {
      tensor: t.name, nodes: users.get(t.name) ?? [], dims: [...t.dims], n,
      kept: n, ratio: 0, threshold: 0, pruned: 0, cutoff: 0, tiesPruned: 0, requested: overridden ? overrides[t.name] : opts.ratio, overridden,
    };
  });
  return { layers, tensors };
}

function finish(layer: LayerPlan, cutBits: number, less: number, maxLessBits: number, ties: number): void {
  const cut = bitsToFloat(cutBits);
  layer.cutoff = cut;
  layer.tiesPruned = ties;
  layer.pruned = less + ties;
  layer.kept = layer.n - layer.pruned;
  layer.ratio = layer.n === 0 ? 0 : layer.pruned / layer.n;
  layer.threshold = ties > 0 ? cut : less > 0 ? bitsToFloat(maxLessBits) : 0;
}

/**
 * Plans one layer from its tensor in memory (per layer, or an overridden tensor of a global plan):
 * two passes over it, as for a pool of one.
 */
export async function planLayerAlone(layer: LayerPlan, loaded: Tensor): Promise<void> {
  const inMemory: TensorSource = { read: async (t) => t, release: () => undefined, step: async () => undefined };
  await planPool([layer], [loaded], Math.round(layer.requested * layer.n), inMemory);
}

function magBits(b: number): number {
  const m = b & 0x7fffffff;
  return m > INF_BITS ? INF_BITS : m;
}

/** Bucket holding the k-th (1-based) count, and how many come before it. */
function findBucket(hist: ArrayLike<number>, k: number): { bucket: number; before: number } {
  let cum = 0;
  for (let b = 0; b < hist.length; b++) {
    if (cum + hist[b] >= k) return { bucket: b, before: cum };
    cum += hist[b];
  }
  throw new Error(`findBucket: k = ${k} exceeds the ${cum} values`);
}

/**
 * Plans the pool of a global plan (the layers not overridden) with two reads of each pooled
 * tensor; `step` runs after each tensor read (progress, cancel).
 */
export async function planGlobalPool(layers: LayerPlan[], tensors: Tensor[], ratio: number, src: TensorSource): Promise<number> {
  const pool = layers.map((l, i) => i).filter((i) => !layers[i].overridden);
  const total = pool.reduce((s, i) => s + layers[i].n, 0);
  return planPool(pool.map((i) => layers[i]), pool.map((i) => tensors[i]), Math.round(ratio * total), src);
}

/** Plans `k` entries pruned over the pool of `layers` (their `tensors`, read twice through `src`); the cut. */
async function planPool(layers: LayerPlan[], tensors: Tensor[], k: number, src: TensorSource): Promise<number> {
  const pool = layers.map((_, i) => i);
  if (k === 0) return 0;
  const high = new Float64Array(65536);
  for (const i of pool) {
    const loaded = await src.read(tensors[i]);
    const u = float32Bits(loaded);
    for (let j = 0; j < u.length; j++) high[magBits(u[j]) >>> 16]++;
    src.release(loaded);
    await src.step();
  }
  const hb = findBucket(high, k);
  const lowAll = new Float64Array(65536);
  const below = new Map<number, { count: number; max: number; low?: Float64Array }>();
  for (const i of pool) {
    const loaded = await src.read(tensors[i]);
    const u = float32Bits(loaded);
    let count = 0;
    let max = 0;
    let low: Float64Array | undefined;
    for (let j = 0; j < u.length; j++) {
      const b = magBits(u[j]);
      const h = b >>> 16;
      if (h < hb.bucket) {
        count++;
        if (b > max) max = b;
      } else if (h === hb.bucket) {
        low ??= new Float64Array(65536);
        low[b & 0xffff]++;
        lowAll[b & 0xffff]++;
      }
    }
    below.set(i, { count, max, low });
    src.release(loaded);
    await src.step();
  }
  const lb = findBucket(lowAll, k - hb.before);
  const cut = ((hb.bucket << 16) | lb.bucket) >>> 0;
  let ties = k - hb.before - lb.before;
  for (const i of pool) {
    const b = below.get(i)!;
    let less = b.count;
    let maxLess = b.max;
    let equal = 0;
    if (b.low) {
      for (let lo = 0; lo < lb.bucket; lo++) {
        if (b.low[lo] > 0) {
          less += b.low[lo];
          maxLess = ((hb.bucket << 16) | lo) >>> 0;
        }
      }
      equal = b.low[lb.bucket];
    }
    const take = Math.min(ties, equal);
    ties -= take;
    finish(layers[i], cut, less, maxLess, take);
  }
  return bitsToFloat(cut);
}

/** The finished plan object over planned layers. */
export function finishPlan(model: Model, opts: PruneOptions, layers: LayerPlan[], globalThreshold: number): PrunePlan {
  return { mode: opts.mode, ratio: opts.ratio, layers, ...planTotals(model, layers), globalThreshold };
}

/**
 * The whole plan, reading each selected tensor once per pass (per layer: one pass; global: two
 * over the pool, one over overridden tensors).
 */
export async function planStreamed(model: Model, spec: PruneSpec, src: TensorSource): Promise<PrunePlan> {
  const opts = methodSpecOf(spec);
  const { layers, tensors } = startPlan(model, opts);
  let globalThreshold = 0;
  if (opts.mode === 'global') globalThreshold = await planGlobalPool(layers, tensors, opts.ratio, src);
  for (let i = 0; i < layers.length; i++) {
    if (opts.mode === 'global' && !layers[i].overridden) continue;
    const loaded = await src.read(tensors[i]);
    await planLayerAlone(layers[i], loaded);
    src.release(loaded);
    await src.step();
  }
  return finishPlan(model, opts, layers, globalThreshold);
}
