// The exact plan: how many entries each tensor loses and
// the |w| cut that selects them (ties at the cut broken by index, lower index pruned first).
import { DataType, elementCount, type Model, type Tensor } from '../onnx/model';
import { magnitudeReader, selectKth, writeMagnitudes } from './magnitude';
import { checkRatio, planTotals, selectTensors } from './select';

export { defaultPrunable, nodeLabel } from './prunable';
import { bitsToFloat, countBits, float32Bits, kthMagnitudeBits } from './bits';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan } from './types';
import { DEFAULT_STRUCTURE, parseStructure } from './structure';
import { planGrouped } from './grouped-plan';
import { planChannels } from './channels/plan';

interface Counts {
  less: number;
  equal: number;
  maxLess: number;
}

/** How many |w| are below / equal to the cut, and the largest |w| below it. */
function countAgainst(t: Tensor, cut: number): Counts {
  let less = 0;
  let equal = 0;
  let maxLess = 0;
  if (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE) {
    const a = t.data as Float32Array | Float64Array;
    for (let i = 0; i < a.length; i++) {
      let v = Math.abs(a[i]);
      if (v !== v) v = Infinity;
      if (v < cut) {
        less++;
        if (v > maxLess) maxLess = v;
      } else if (v === cut) equal++;
    }
  } else {
    const mag = magnitudeReader(t);
    const n = elementCount(t.dims);
    for (let i = 0; i < n; i++) {
      const v = mag(i);
      if (v < cut) {
        less++;
        if (v > maxLess) maxLess = v;
      } else if (v === cut) equal++;
    }
  }
  return { less, equal, maxLess };
}

/** The k-th smallest |w| (1-based k ≥ 1) over the given tensors, in one pool. */
function kthMagnitude(tensors: Tensor[], k: number): number {
  const total = tensors.reduce((s, t) => s + elementCount(t.dims), 0);
  const pool = tensors.some((t) => t.dataType === DataType.DOUBLE) ? new Float64Array(total) : new Float32Array(total);
  let off = 0;
  for (const t of tensors) {
    writeMagnitudes(t, pool, off);
    off += elementCount(t.dims);
  }
  return selectKth(pool, k - 1);
}

/**
 * Plans the pruning of `model` (never modified). Per layer: each selected tensor loses exactly
 * round(ratio × n) of its smallest-|w| entries. Global: round(ratio × N) entries over the pool of
 * selected tensors without override, ties at the cut going to earlier tensors (selection order)
 * and lower indices first. Overridden tensors are pruned per layer at their own ratio.
 */
export function planPrune(model: Model, opts: PruneOptions): PrunePlan {
  const structure = parseStructure(opts.structure ?? DEFAULT_STRUCTURE);
  checkRatio('the prune ratio', opts.ratio);
  if (opts.mode !== 'layer' && opts.mode !== 'global') throw new PruneError(`unknown prune mode "${String(opts.mode)}" (layer or global)`);
  if (structure.kind === 'unstructured') return planUnstructured(model, opts);
  return structure.kind === 'channels' ? planChannels(model, opts) : planGrouped(model, opts, structure);
}

/** planPrune without structure; the ratio and mode are already checked. */
function planUnstructured(model: Model, opts: PruneOptions): PrunePlan {
  const { tensors, overrides, users } = selectTensors(model, opts);

  const layers: LayerPlan[] = tensors.map((t) => {
    const n = elementCount(t.dims);
    const overridden = Object.prototype.hasOwnProperty.call(overrides, t.name);
    const requested = overridden ? overrides[t.name] : opts.ratio;
    return {
      tensor: t.name, nodes: users.get(t.name) ?? [], dims: [...t.dims], n,
      kept: n, ratio: 0, threshold: 0, pruned: 0, cutoff: 0, tiesPruned: 0, requested, overridden,
    };
  });

  const finish = (layer: LayerPlan, cut: number, c: Counts, ties: number): void => {
    layer.cutoff = cut;
    layer.tiesPruned = ties;
    layer.pruned = c.less + ties;
    layer.kept = layer.n - layer.pruned;
    layer.ratio = layer.n === 0 ? 0 : layer.pruned / layer.n;
    layer.threshold = ties > 0 ? cut : c.less > 0 ? c.maxLess : 0;
  };

  /** The cut and per-tensor counts for pruning k entries over a group of tensors. */
  const cutGroup = (group: Tensor[], k: number): { cut: number; counts: Counts[] } => {
    if (group.some((t) => t.dataType === DataType.DOUBLE)) {
      const cut = kthMagnitude(group, k);
      return { cut, counts: group.map((t) => countAgainst(t, cut)) };
    }
    // float32 / float16 / bfloat16: selection on the magnitudes' bit patterns
    const bits = group.map(float32Bits);
    const cutBits = kthMagnitudeBits(bits, k);
    const counts = bits.map((u) => {
      const c = countBits(u, cutBits);
      return { less: c.less, equal: c.equal, maxLess: bitsToFloat(c.maxLess) };
    });
    return { cut: bitsToFloat(cutBits), counts };
  };

  const pruneAlone = (i: number): void => {
    const layer = layers[i];
    const k = Math.round(layer.requested * layer.n);
    if (k === 0) return;
    const { cut, counts } = cutGroup([tensors[i]], k);
    finish(layer, cut, counts[0], k - counts[0].less);
  };

  let globalThreshold = 0;
  if (opts.mode === 'layer') {
    layers.forEach((_, i) => pruneAlone(i));
  } else {
    const poolIdx: number[] = [];
    layers.forEach((l, i) => (l.overridden ? pruneAlone(i) : poolIdx.push(i)));
    const total = poolIdx.reduce((s, i) => s + layers[i].n, 0);
    const k = Math.round(opts.ratio * total);
    if (k > 0) {
      const { cut, counts } = cutGroup(poolIdx.map((i) => tensors[i]), k);
      let ties = k - counts.reduce((s, c) => s + c.less, 0);
      poolIdx.forEach((li, j) => {
        const take = Math.min(ties, counts[j].equal);
        ties -= take;
        finish(layers[li], cut, counts[j], take);
      });
      globalThreshold = cut;
    }
  }

  return { mode: opts.mode, ratio: opts.ratio, layers, ...planTotals(model, layers), globalThreshold };
}
