// N:M and block plans (structure.ts): which groups of weights are removed, and the mask of a
// tensor under such a plan, recomputed from the tensor and its LayerPlan alone.
//
// N:M (grouped-nm.ts): the pattern fixes the ratio. The requested ratio is ignored, so layer and
// global mode give the same plan; an override of 0 leaves a tensor dense, any other override is
// refused. cutoff and tiesPruned are 0 (there is no cut: each group keeps its N largest |w|, ties
// to the lower input index); threshold is the largest pruned |w|.
//
// Blocks R×C (grouped-blocks.ts): cutoff / tiesPruned are the cut on block scores (mean |w|) and
// the number of blocks at the cut pruned, first in block index order.
// - layer: every selected tensor loses its round(ratio × nBlocks) lowest-scoring blocks.
// - global: the blocks of the non-overridden selected tensors form one pool sorted by (score,
//   tensor in selection order, block index); the shortest prefix of that order whose elements
//   reach or pass round(ratio × pool elements) is removed, extended to every block of score 0
//   (blocks holding only zeros: removing them changes no value, and it makes planning a pruned
//   or fine-tuned model again give the same blocks). Overridden tensors are pruned alone, per
//   layer, at their ratio. globalThreshold is the pool's block-score cut.
import { elementCount, type Model, type Tensor } from '../onnx/model';
import { checkPrunable } from './magnitude';
import { planTotals, selectTensors } from './select';
import { layoutIndex, weightLayout, type WeightLayout } from './layout';
import { formatStructure, parseStructure, type PruneStructure } from './structure';
import { nmMask } from './grouped-nm';
import { blockGrid, blockScores, blockSize, expandBlocks, layerCut, poolCut, prunedBlocks } from './grouped-blocks';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan } from './types';

type Grouped = Extract<PruneStructure, { kind: 'nm' | 'blocks' }>;

interface Selected {
  tensor: Tensor;
  layout: WeightLayout;
  layer: LayerPlan;
}

/** The selected tensors with their layouts and empty layer plans (validating names and overrides). */
function selectGrouped(model: Model, opts: PruneOptions, s: Grouped): Selected[] {
  const structure = formatStructure(s);
  const { tensors, overrides, users } = selectTensors(model, opts, (name, r) => {
    if (s.kind === 'nm' && r !== 0) {
      throw new PruneError(`"${name}": an N:M pattern fixes the ratio (${structure} prunes ${1 - s.n / s.m}); an override can only be 0, which leaves the tensor dense`);
    }
  });
  return tensors.map((tensor) => {
    const name = tensor.name;
    const layout = weightLayout(model, name);
    if (typeof layout === 'string') throw new PruneError(`"${name}" cannot be pruned in ${structure}: ${layout}`);
    const n = elementCount(tensor.dims);
    const overridden = Object.prototype.hasOwnProperty.call(overrides, name);
    const requested = overridden ? overrides[name] : s.kind === 'nm' ? 1 - s.n / s.m : opts.ratio;
    const layer: LayerPlan = {
      tensor: name, nodes: users.get(name) ?? [], dims: [...tensor.dims], n, kept: n, ratio: 0, threshold: 0, pruned: 0,
      cutoff: 0, tiesPruned: 0, requested, overridden, structure, layout,
    };
    return { tensor, layout, layer };
  });
}

function finish(layer: LayerPlan, pruned: number, threshold: number): void {
  layer.pruned = pruned;
  layer.kept = layer.n - pruned;
  layer.ratio = layer.n === 0 ? 0 : pruned / layer.n;
  layer.threshold = threshold;
}

/** Blocks of one tensor pruned alone: its round(ratio × nBlocks) lowest-scoring blocks. */
function blocksAlone(sel: Selected, s: Extract<Grouped, { kind: 'blocks' }>): void {
  const g = blockGrid(sel.layout, s.rows, s.cols);
  const k = Math.round(sel.layer.requested * g.count);
  if (k === 0) return;
  const scores = blockScores(sel.tensor, sel.layout, g);
  const cut = layerCut(scores, k);
  const r = expandBlocks(sel.tensor, sel.layout, g, prunedBlocks(scores, cut.cutoff, cut.tiesPruned), sel.layer.n);
  sel.layer.cutoff = cut.cutoff;
  sel.layer.tiesPruned = cut.tiesPruned;
  finish(sel.layer, r.pruned, r.threshold);
}

/** The global block pool: returns the pool's block-score cut (0 when nothing is pruned). */
function blocksGlobal(pool: Selected[], s: Extract<Grouped, { kind: 'blocks' }>, ratio: number): number {
  const grids = pool.map((x) => blockGrid(x.layout, s.rows, s.cols));
  const scores = pool.map((x, j) => blockScores(x.tensor, x.layout, grids[j]));
  const offsets: number[] = [];
  let total = 0;
  for (const sc of scores) {
    offsets.push(total);
    total += sc.length;
  }
  const target = Math.round(ratio * pool.reduce((a, x) => a + x.layer.n, 0));
  if (target === 0) return 0;
  const all = new Float64Array(total);
  const sizes = new Uint32Array(total);
  scores.forEach((sc, j) => {
    all.set(sc, offsets[j]);
    for (let b = 0; b < sc.length; b++) sizes[offsets[j] + b] = blockSize(pool[j].layout, grids[j], b);
  });
  const { cutoff, tiesPruned } = poolCut(all, sizes, target);
  // the ties at the cut go to the first blocks in pool order: tensor by tensor, by block index
  let left = tiesPruned;
  const ties = scores.map((sc) => {
    let atCut = 0;
    for (let b = 0; b < sc.length; b++) if (sc[b] === cutoff) atCut++;
    const take = Math.min(left, atCut);
    left -= take;
    return take;
  });
  pool.forEach((x, j) => {
    x.layer.cutoff = cutoff;
    x.layer.tiesPruned = ties[j];
    const r = expandBlocks(x.tensor, x.layout, grids[j], prunedBlocks(scores[j], cutoff, ties[j]), x.layer.n);
    finish(x.layer, r.pruned, r.threshold);
  });
  return cutoff;
}

/**
 * Plans N:M or block pruning of `model` (never modified); the ratio and mode are already checked
 * by planPrune. See the head of this file for the rules.
 */
export function planGrouped(model: Model, opts: PruneOptions, structure: Grouped): PrunePlan {
  const selected = selectGrouped(model, opts, structure);
  let globalThreshold = 0;
  let ratio = opts.ratio;
  if (structure.kind === 'nm') {
    ratio = 1 - structure.n / structure.m;
    for (const sel of selected) {
      if (sel.layer.requested === 0) continue;
      const r = nmMask(sel.tensor, sel.layout, structure.n, structure.m, sel.layer.n);
      finish(sel.layer, r.pruned, r.threshold);
    }
  } else if (opts.mode === 'layer') {
    for (const sel of selected) blocksAlone(sel, structure);
  } else {
    const pool: Selected[] = [];
    for (const sel of selected) {
      if (sel.layer.overridden) blocksAlone(sel, structure);
      else pool.push(sel);
    }
    globalThreshold = blocksGlobal(pool, structure, opts.ratio);
  }

  const layers = selected.map((x) => x.layer);
  return { mode: opts.mode, ratio, layers, ...planTotals(model, layers), globalThreshold, structure: formatStructure(structure) };
}

function checkLayout(t: Tensor, layer: LayerPlan, n: number): WeightLayout {
  const l = layer.layout;
  const fits = l !== undefined && l.tensor === t.name && l.outputs * l.inputs * l.positions === n &&
    layer.dims.length === t.dims.length && layer.dims.every((d, i) => d === t.dims[i]);
  if (!fits) throw new PruneError(`the ${layer.structure ?? 'structured'} plan for "${layer.tensor}" (dims [${layer.dims.join(', ')}]) does not match tensor "${t.name}" (dims [${t.dims.join(', ')}])`);
  return l;
}

/** channels, before the model is rewritten smaller: every weight of a removed output channel / neuron is 0. */
function channelMask(l: WeightLayout, layer: LayerPlan, n: number): Uint8Array {
  const mask = new Uint8Array(n).fill(1);
  for (const o of layer.removedChannels ?? []) {
    if (!Number.isInteger(o) || o < 0 || o >= l.outputs) throw new PruneError(`the channels plan for "${layer.tensor}" removes channel ${o} of ${l.outputs}`);
    for (let i = 0; i < l.inputs; i++) for (let p = 0; p < l.positions; p++) mask[layoutIndex(l, o, i, p)] = 0;
  }
  return mask;
}

/** 1 for every kept element of `t` under a structured layer plan (N:M, blocks, channels), 0 for every pruned one. */
export function groupedMask(t: Tensor, layer: LayerPlan): Uint8Array {
  const n = elementCount(t.dims);
  const l = checkLayout(t, layer, n);
  const s = parseStructure(layer.structure ?? '');
  if (s.kind === 'channels') return channelMask(l, layer, n);
  if (s.kind !== 'nm' && s.kind !== 'blocks') throw new PruneError(`"${layer.tensor}": groupedMask takes structured plans, not ${layer.structure ?? 'unstructured'}`);
  if (layer.pruned === 0) return new Uint8Array(n).fill(1);
  checkPrunable(t);
  let r: { mask: Uint8Array; pruned: number };
  if (s.kind === 'nm') {
    r = nmMask(t, l, s.n, s.m, n);
  } else {
    const g = blockGrid(l, s.rows, s.cols);
    r = expandBlocks(t, l, g, prunedBlocks(blockScores(t, l, g), layer.cutoff, layer.tiesPruned), n);
  }
  if (r.pruned !== layer.pruned) {
    throw new PruneError(`the ${layer.structure} plan for "${layer.tensor}" prunes ${layer.pruned} values but the tensor gives ${r.pruned}: the plan was made for another model`);
  }
  return r.mask;
}
