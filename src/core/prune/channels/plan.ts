// Channel pruning: which output channels / neurons each selected weight loses, found with the
// dependency analysis of the graph (deps.ts).
//
// - Each selected Conv / Gemm / MatMul weight owns a channel space; spaces joined by a residual Add
//   or a gate form one group that loses one channel set, scored by the members' summed norms.
// - Per layer: a group loses round(ratio × channels) of its lowest-scoring channels (its ratio: the
//   largest requested by its members), never all (one at least stays). Global: the normalised
//   scores of every group without an override in one pool; the lowest round(ratio × channels) go,
//   still keeping one channel per group. Overridden groups are pruned on their own. With
//   channelMultiple q, a group of a multiple of q channels keeps the nearest multiple of q.
// - Groups that cannot shrink (a graph output, a tensor of no channel space, a member that is not
//   selected) are kept whole and named in plan.notes. A group the analysis cannot follow is refused
//   with a PruneError naming the node. A depthwise Conv weight is no group of its own: it loses the
//   channels of its input.
import { elementCount, type Model } from '../../onnx/model';
import { checkPrunable } from '../magnitude';
import { defaultPrunable, nodeLabel } from '../prunable';
import { weightLayout } from '../layout';
import { DEFAULT_IMPORTANCE, isChannelMultiple, MAX_CHANNEL_MULTIPLE } from '../structure';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan, type ShapeChange } from '../types';
import { planTotals } from '../select';
import { find, gcd, type Analysis } from './spaces';
import { channelEdits, finalDims, type ChannelEdits } from './edits';
import { label } from './graph';
import { lowest } from './importance';
import { effectiveGroupScores } from './effective';
import { channelAnalysis, tensorCopies } from './unshare';

interface Group {
  root: number;
  members: string[];
  size: number;
  /** The channels lie in `tie` runs that lose the same channels (a grouped Conv reads them; Space.tie). */
  tie: number;
  ratio: number;
  overridden: boolean;
  raw: Float64Array;
  normalised: Float64Array;
}

function checkRatio(what: string, r: number): void {
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) throw new PruneError(`${what} must be a number from 0 to 1, got ${String(r)}`);
}

/**
 * Scores given instead of the weights' norms: per selected weight, one score per output channel
 * (higher = more important). A group sums its members' scores (a member without scores adds 0) and
 * compares them as they are in the global pool; a group none of whose members has scores is scored
 * by its weights' norms (opts.importance).
 */
export type ChannelScores = ReadonlyMap<string, ArrayLike<number>>;

/** The groups of the selected weights in the analysis `a`; refuses what it cannot follow. */
export function channelGroups(a: Analysis, names: string[], opts: PruneOptions, notes: string[], scores?: ChannelScores): { groups: Group[]; followers: Map<string, number> } {
  const ix = a.ix;
  const model = ix.model;
  const bySpace = new Map<string, number>();
  a.spaces.forEach((s, k) => bySpace.set(s.producer.tensor, k));
  const followsInput = new Map<string, number>();
  // A depthwise Conv's weight loses the channels of its input; a grouped one's the same input
  // columns in every group: they follow, with no channels of their own to choose.
  for (const c of a.cuts) if (c.kind === 'group' || c.kind === 'grouped') followsInput.set(ix.nodes[c.node].inputs[1], c.node);
  const followers = new Map<string, number>();
  const roots = new Map<number, string[]>();
  // The user's own selection is refused whole when part of it cannot be followed; the default
  // selection (every Conv, Gemm and MatMul weight) keeps those tensors whole, named in the notes.
  const chosen = opts.select !== undefined;
  const unfollowed: { who: string; why: string }[] = [];
  for (const name of names) {
    const c = ix.constants.get(name);
    if (c === undefined) throw new PruneError(`the model has no initializer or Constant tensor named "${name}"`);
    checkPrunable(c.tensor);
    const space = bySpace.get(name);
    if (space !== undefined) {
      const root = find(a, space);
      roots.set(root, [...(roots.get(root) ?? []), name]);
      continue;
    }
    const dw = followsInput.get(name);
    if (dw !== undefined) {
      followers.set(name, dw);
      continue;
    }
    const layout = weightLayout(model, name);
    const user = typeof layout === 'string' ? undefined : layout.node;
    const n = user === undefined ? undefined : ix.nodes[user];
    if (n !== undefined && n.opType === 'Conv' && c.tensor.dims[1] === 1) {
      notes.push(`${name}: kept whole (the depthwise ${label(ix, user!)} has the channels of its input, which cannot shrink)`);
      continue;
    }
    const why = user !== undefined ? `${label(ix, user)}: only Conv and ConvTranspose with group 1, Gemm and MatMul with the weight as right operand have their own channels` : String(layout);
    if (chosen) throw new PruneError(`channel pruning cannot remove the output channels of "${name}" (${why}); exclude it from the selection`, 'unsupported');
    unfollowed.push({ who: name, why });
  }
  const overrides = opts.overrides ?? {};
  const groups: Group[] = [];
  const refused: { who: string; why: string }[] = [];
  for (const [root, members] of roots) {
    const space = a.spaces[root];
    const all = a.spaces.map((s, k) => ({ s, k })).filter((x) => find(a, x.k) === root).map((x) => x.s.producer.tensor);
    const who = members.join(', ');
    if (space.refuse !== undefined) {
      refused.push({ who, why: space.refuse });
      continue;
    }
    if (space.keep !== undefined) {
      notes.push(`${who}: channels kept (${space.keep})`);
      continue;
    }
    const missing = all.filter((t) => !members.includes(t));
    if (missing.length > 0) {
      notes.push(`${who}: channels kept (they are tied to ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not selected)`);
      continue;
    }
    const given = members.filter((m) => scores?.has(m) === true);
    let raw: Float64Array;
    let normalised: Float64Array;
    if (given.length > 0) {
      raw = new Float64Array(space.size);
      for (const m of given) {
        const s = scores!.get(m)!;
        if (s.length !== space.size) throw new PruneError(`the channel scores of "${m}" number ${s.length}; it has ${space.size} output channels`);
        for (let o = 0; o < space.size; o++) raw[o] += Number(s[o]);
      }
      normalised = raw;
    } else {
      const importance = opts.importance ?? DEFAULT_IMPORTANCE;
      ({ raw, normalised } = effectiveGroupScores(a, root, importance, opts.channelScoring));
    }
    const over = members.filter((m) => Object.prototype.hasOwnProperty.call(overrides, m));
    const ratio = over.length > 0 ? Math.max(...over.map((m) => overrides[m])) : opts.ratio;
    groups.push({ root, members, size: space.size, tie: space.tie ?? 1, ratio, overridden: over.length > 0, raw, normalised });
  }
  const shown = (list: { who: string; why: string }[]): string => {
    const items = list.map((r) => `${r.who} (${r.why})`);
    return (items.length > 5 ? [...items.slice(0, 5), `… ${items.length - 5} more`] : items).join('; ');
  };
  if (refused.length > 0 && (chosen || (groups.length === 0 && followers.size === 0))) {
    throw new PruneError(`channel pruning cannot follow the channels of ${shown(refused)}; exclude ${refused.length > 1 ? 'these tensors' : 'it'} from the selection`, 'unsupported');
  }
  if (unfollowed.length > 0 && groups.length === 0 && followers.size === 0) {
    throw new PruneError(`channel pruning cannot remove the output channels of ${shown(unfollowed)}`, 'unsupported');
  }
  for (const r of [...refused, ...unfollowed]) notes.push(`${r.who}: channels kept (${r.why})`);
  return { groups, followers };
}

/** Per channel of one run of a tied group: the sum (raw) or mean (normalised) of its scores over the runs. */
function fold(scores: Float64Array, tie: number, mean: boolean): Float64Array {
  const per = scores.length / tie;
  const out = new Float64Array(per);
  for (let t = 0; t < tie; t++) for (let j = 0; j < per; j++) out[j] += scores[t * per + j];
  if (mean) for (let j = 0; j < per; j++) out[j] /= tie;
  return out;
}

/** Channels j of one run → the same channel of every run, ascending. */
function unfold(local: number[], tie: number, per: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < tie; t++) for (const j of local) out.push(t * per + j);
  return out;
}

/**
 * Root space → channels removed, for the spec. A tied group (Group.tie) chooses among the channels
 * of one run, by their scores summed over the runs, and loses each chosen one in every run.
 */
function chooseChannels(groups: Group[], opts: PruneOptions): { removed: Map<number, number[]>; globalThreshold: number } {
  const removed = new Map<number, number[]>();
  let globalThreshold = 0;
  const per = (g: Group): number => g.size / g.tie;
  const set = (g: Group, local: number[]): void => void (local.length > 0 ? removed.set(g.root, unfold(local, g.tie, per(g))) : removed.delete(g.root));
  const alone = (g: Group): void => {
    const k = Math.min(per(g) - 1, Math.round(g.ratio * per(g)));
    if (k > 0) set(g, lowest(fold(g.raw, g.tie, false), k));
  };
  if (opts.mode === 'layer') groups.forEach(alone);
  else {
    const pool = groups.filter((g) => (g.overridden ? (alone(g), false) : true));
    const all: { g: number; c: number; s: number }[] = [];
    pool.forEach((g, gi) => fold(g.normalised, g.tie, true).forEach((s, c) => all.push({ g: gi, c, s })));
    all.sort((x, y) => x.s - y.s || x.g - y.g || x.c - y.c);
    // The budget counts channels: a tied entry removes one from every run.
    let k = Math.round(opts.ratio * pool.reduce((s, g) => s + g.size, 0));
    const left = pool.map((g) => per(g));
    const chosen = pool.map(() => [] as number[]);
    for (const e of all) {
      if (k === 0) break;
      const cost = pool[e.g].tie;
      if (k < cost) continue;
      if (left[e.g] <= 1) continue;
      left[e.g]--;
      chosen[e.g].push(e.c);
      globalThreshold = e.s;
      k -= cost;
    }
    pool.forEach((g, gi) => chosen[gi].length > 0 && set(g, chosen[gi].sort((x, y) => x - y)));
  }
  const q = opts.channelMultiple ?? 1;
  if (q > 1) {
    for (const g of groups) {
      // Kept channels a multiple of q: a tied group keeps a multiple of q / gcd(q, tie) in each run.
      const step = q / gcd(q, g.tie);
      if (per(g) % step !== 0) continue;
      const kept = per(g) - (removed.get(g.root)?.length ?? 0) / g.tie;
      const k = per(g) - Math.max(step, Math.round(kept / step) * step);
      const scores = opts.mode === 'global' && !g.overridden ? fold(g.normalised, g.tie, true) : fold(g.raw, g.tie, false);
      set(g, k > 0 ? lowest(scores, k) : []);
    }
  }
  return { removed, globalThreshold };
}

/** The shape changes of the edits, Reshape shape constants included. */
export function shapeChangesOf(edits: ChannelEdits, a: Analysis): ShapeChange[] {
  const out = [...edits.slices];
  for (const v of edits.values) {
    const dims = a.ix.constants.get(v.tensor)!.tensor.dims;
    out.push({ tensor: v.tensor, before: [...dims], after: [...dims], axis: 0, removed: [], value: { index: v.index, before: v.before, after: v.after } });
  }
  return out;
}

/** The channel plan; `scores` (optional) replace the weights' norms of the tensors they name (ChannelScores). */
export function planChannels(given: Model, opts: PruneOptions, scores?: ChannelScores): PrunePlan {
  const a = channelAnalysis(given);
  const model = a.ix.model;
  const q = opts.channelMultiple;
  if (q !== undefined && !isChannelMultiple(q)) throw new PruneError(`the channel multiple must be an integer from 1 to ${MAX_CHANNEL_MULTIPLE}, got ${String(q)}`);
  const names = [...new Set(opts.select ?? defaultPrunable(model))];
  for (const [name, r] of Object.entries(opts.overrides ?? {})) {
    checkRatio(`the override ratio for "${name}"`, r);
    if (!names.includes(name)) throw new PruneError(`an override names "${name}", which is not among the tensors selected for pruning`);
  }
  const notes: string[] = [];
  for (const name of scores?.keys() ?? []) if (!names.includes(name)) throw new PruneError(`channel scores name "${name}", which is not among the tensors selected for pruning`);
  const { groups, followers } = channelGroups(a, names, opts, notes, scores);
  const grouped = new Set(a.cuts.flatMap((c) => (c.kind === 'grouped' ? [a.ix.nodes[c.node].inputs[1]] : [])));
  const { removed, globalThreshold } = chooseChannels(groups, opts);
  const edits = channelEdits(a, removed);
  const ix = a.ix;
  const overrides = opts.overrides ?? {};
  const layers: LayerPlan[] = names.map((name) => {
    const t = ix.constants.get(name)!.tensor;
    const n = elementCount(t.dims);
    const keptDims = finalDims(edits, name, t.dims);
    const pruned = n - elementCount(keptDims);
    const g = groups.find((x) => x.members.includes(name));
    const own = g === undefined ? undefined : removed.get(g.root);
    const dw = followers.get(name);
    // A follower's output channels are its input's (depthwise: weight axis 0); a grouped Conv keeps its outputs.
    const removedChannels = own ?? (dw !== undefined && !grouped.has(name) ? (edits.slices.find((s) => s.tensor === name && s.axis === 0)?.removed ?? []) : []);
    const layout = weightLayout(model, name);
    const overridden = Object.prototype.hasOwnProperty.call(overrides, name);
    const users = ix.nodes.map((node, i) => (node.inputs.includes(name) ? nodeLabel(node, i) : undefined)).filter((x) => x !== undefined);
    let threshold = 0;
    if (g !== undefined && own !== undefined) for (const c of own) threshold = Math.max(threshold, g.raw[c]);
    return {
      tensor: name, nodes: users, dims: [...t.dims], n, kept: n - pruned, ratio: n === 0 ? 0 : pruned / n, threshold, pruned,
      cutoff: 0, tiesPruned: 0, requested: overridden ? overrides[name] : opts.ratio, overridden,
      structure: 'channels', ...(typeof layout === 'string' ? {} : { layout }), removedChannels, keptDims: [...keptDims],
    };
  });
  return {
    mode: opts.mode, ratio: opts.ratio, layers, ...planTotals(model, layers),
    globalThreshold, structure: 'channels', shapeChanges: shapeChangesOf(edits, a), notes,
    ...(tensorCopies(a).length > 0 ? { copies: tensorCopies(a).map((c) => ({ ...c })) } : {}),
  };
}
