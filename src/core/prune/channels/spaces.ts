// What the channel analysis (deps.ts) is made of: the descriptor of where an activation's channels
// come from (runs of channel spaces along an axis, blocked or repeated), the cuts a lost channel
// makes, the spaces born at producers with what keeps, refuses or ties them, and the union-find
// that joins spaces into groups. Read by the plan, the edits, apply and the data-aware scoring.
import type { GraphIndex } from './graph';
import type { WeightLayout } from '../layout';

/** A run of channels from one space (space −1: channels that never shrink). */
export interface Seg {
  space: number;
  size: number;
}

/**
 * Where the channels of an activation lie: runs along `axis`, each channel repeated `block` times
 * in a row, and that whole layout `repeat` times over (a channels-last activation flattened: H×W
 * copies of the C channels, as a Keras Flatten after a Conv reads in a tf2onnx export).
 */
export interface ChannelDesc {
  segs: Seg[];
  axis: number;
  block: number;
  repeat: number;
}

/** One entry per channel along the axis: neither blocked nor repeated. */
export function plain(d: ChannelDesc): boolean {
  return d.block === 1 && d.repeat === 1;
}

/** A constant cut along `axis` where `desc` loses channels. */
export interface SliceCut {
  kind: 'slice';
  tensor: string;
  axis: number;
  desc: ChannelDesc;
  node: number;
}
/** A shape constant whose entry `index` holds the channel axis of `desc` (Reshape). */
export interface ValueCut {
  kind: 'value';
  tensor: string;
  index: number;
  desc: ChannelDesc;
  node: number;
}
/** A depthwise Conv whose group attribute follows `desc`. */
export interface GroupCut {
  kind: 'group';
  node: number;
  desc: ChannelDesc;
}
/**
 * The weight [M, C/G, k…] of a Conv in G groups reading `desc` (C channels, one space tied to G):
 * the channel g·C/G + j it loses is the same input column j of every group.
 */
export interface GroupedCut {
  kind: 'grouped';
  tensor: string;
  node: number;
  desc: ChannelDesc;
  groups: number;
}
export type Cut = SliceCut | ValueCut | GroupCut | GroupedCut;

export interface Producer {
  tensor: string;
  node: number;
  layout: WeightLayout;
  /** The weight's axis holding the output channels. */
  axis: number;
}

export interface Space {
  size: number;
  producer: Producer;
  /**
   * Set on the root when a Conv in groups reads the channels: they lie in `tie` equal runs, and a
   * channel goes only together with the same one of every run (what keeps the groups equal).
   */
  tie?: number;
  /** The node that tied it, for messages. */
  tieBy?: string;
  /** Why the space must keep its channels (set on the root after joins). */
  keep?: string;
  /** Why the analysis refuses to shrink it. */
  refuse?: string;
}

export interface Analysis {
  ix: GraphIndex;
  spaces: Space[];
  parent: number[];
  descs: Map<string, ChannelDesc>;
  cuts: Cut[];
}

/** The root of a space after the joins (union-find with path compression). */
export function find(a: Analysis, s: number): number {
  let r = s;
  while (a.parent[r] !== r) r = a.parent[r];
  while (a.parent[s] !== r) {
    const next = a.parent[s];
    a.parent[s] = r;
    s = next;
  }
  return r;
}

/** Sets `keep` or `refuse` (first reason wins) on the root of every space of `desc`. */
export function mark(a: Analysis, desc: ChannelDesc, field: 'keep' | 'refuse', why: string): void {
  for (const seg of desc.segs) {
    if (seg.space < 0) continue;
    const sp = a.spaces[find(a, seg.space)];
    sp[field] ??= why;
  }
}

/** Joins two spaces into one group (a residual Add, a gate): their reasons and ties combine. */
export function join(a: Analysis, x: number, y: number): void {
  const rx = find(a, x);
  const ry = find(a, y);
  if (rx === ry) return;
  a.parent[ry] = rx;
  const sx = a.spaces[rx];
  const sy = a.spaces[ry];
  sx.keep ??= sy.keep;
  sx.refuse ??= sy.refuse;
  if (sy.tie !== undefined) tieRoot(a, rx, sy.tie, sy.tieBy ?? 'a grouped Conv');
}

export const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));

/** Ties the root space to runs of `groups` (Space.tie), combining with a tie it has. */
export function tieRoot(a: Analysis, root: number, groups: number, by: string): void {
  const sp = a.spaces[root];
  const tie = sp.tie === undefined ? groups : (sp.tie * groups) / gcd(sp.tie, groups);
  if (sp.size % tie !== 0) {
    sp.refuse ??= `${by} splits its ${sp.size} channels into ${groups} groups, which cannot lose channels together with the ${sp.tie ?? groups} groups of another`;
    return;
  }
  sp.tie = tie;
  sp.tieBy ??= by;
}

/** Channels along the axis `d` describes, before blocks and repeats. */
export function totalChannels(d: ChannelDesc): number {
  return d.segs.reduce((s, g) => s + g.size, 0);
}
