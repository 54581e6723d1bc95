// Repeated blocks of a graph (a transformer's layers): maximal runs of structurally identical
// subgraphs of the main graph, so that the view can draw each run as one box. Pure: runs in the
// page, in the layout worker and in Node tests.
//
// The rule. Only drawn nodes count (folded-nodes.ts: input-less Constants and the Identities that
// rename a weight fold into their users).
// 1. Names first (core/analysis/blocks.ts, shared with pruning). When the exporter wrote path-like names, the first path segment of a node's
//    name that ends in a number (`/encoder/layer.3/…`, `/h.3/…`, `/blocks.3/…`, `layers_3`) puts
//    it in block 3 of the family `/encoder/layer.#`. Blocks of one family with consecutive numbers
//    whose op sequences (op type and attributes, in node order) are equal form a run; a block that
//    differs (a last layer with fewer ops) ends the run. Runs need 2+ blocks of 2+ ops each.
// 2. Structure for the nodes no name rule claimed. Each node gets a signature: op type, domain,
//    its non-tensor attributes, and for each input where it comes from: a weight, a graph input, a
//    folded constant or a node. Nodes i and j match when their signatures are equal and each input
//    comes from the node as many places back in node order (the block's own wiring, a residual)
//    or from the very same node (an attention mask every layer uses). The graph is p-periodic from
//    s to e when node i matches node i + p for every i in [s, e - p). Over every period p in
//    [MIN_PERIOD, min(n/2, MAX_PERIOD)] the longest p-periodic stretch is a run of ⌊len/p⌋ blocks
//    starting at its first node; the run covering the most nodes wins (ties: the smaller period,
//    so 24 blocks of p beat 12 of 2p), its nodes are taken, and the search repeats on the rest.
//    Blocks that differ only in weights or names match; each block must hold a layer (a Conv,
//    Gemm, MatMul…: two decomposed LayerNorms in a row are not a block). The first block's first nodes may take
//    their inputs from elsewhere (the first layer reads the embeddings): when the nodes just before
//    a stretch have the same op keys as those one period later and complete a block, they join.

import type { GraphSummary, NodeSummary } from '../../../engine/protocol';
import { nameBlock } from '../../../core/analysis/blocks';
import { drawnNodes, folding } from '../../folded-nodes';

export { nameBlock };

export interface BlockRun {
  /** Stable id within the graph: the run's position in the list. */
  id: number;
  /** What one block is: `encoder layer` from names, `block` from structure. */
  label: string;
  /** Node indices of each block (drawn nodes only, in node order). */
  blocks: number[][];
  /** Elements of the weights its nodes use (each weight once). */
  params: number;
  /** 'name' or 'structure': which rule found it. */
  rule: 'name' | 'structure';
}

export const MIN_PERIOD = 4;
/** Ops that make a block a layer: a structural block holds at least one. */
const LAYER_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Einsum', 'LSTM', 'GRU', 'RNN', 'Attention', 'MultiHeadAttention', 'QLinearConv', 'QLinearMatMul', 'MatMulInteger', 'ConvInteger']);
export const MAX_PERIOD = 1000;
/** Graphs with more drawn nodes than this open with their runs collapsed. */
export const COLLAPSE_ABOVE = 1000;

function opKey(n: NodeSummary): string {
  const attrs = n.attributes.filter((a) => a.type !== 'tensor' && a.type !== 'graph' && a.type !== 'graphs').map((a) => `${a.name}=${a.value}`);
  return `${n.domain}:${n.opType}(${attrs.join(',')})`;
}

function sameOps(a: number[], b: number[], keys: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => keys[v] === keys[b[i]]);
}

function byNames(nodes: readonly NodeSummary[], keys: readonly string[]): { label: string; blocks: number[][] }[] {
  const families = new Map<string, { label: string; blocks: Map<number, number[]> }>();
  for (const n of nodes) {
    const b = nameBlock(n.name);
    if (!b) continue;
    let f = families.get(b.family);
    if (!f) families.set(b.family, (f = { label: b.label, blocks: new Map() }));
    const list = f.blocks.get(b.number) ?? [];
    list.push(n.index);
    f.blocks.set(b.number, list);
  }
  const runs: { label: string; blocks: number[][] }[] = [];
  for (const f of families.values()) {
    const numbers = [...f.blocks.keys()].sort((a, b) => a - b);
    let current: number[][] = [];
    const flush = (): void => {
      if (current.length >= 2 && current[0].length >= 2) runs.push({ label: f.label, blocks: current });
      current = [];
    };
    numbers.forEach((num, i) => {
      const block = f.blocks.get(num) as number[];
      const prev = current[current.length - 1];
      if (prev && (num !== numbers[i - 1] + 1 || !sameOps(prev, block, keys))) flush();
      current.push(block);
    });
    flush();
  }
  return runs;
}

/**
 * How the nodes of `seq` (node indices in node order) compare: `base` ids (op key and where each
 * input comes from: weight, graph input, folded constant, node), and each input's producer position.
 */
function signatures(graph: GraphSummary, seq: readonly number[], keys: readonly string[], folded: ReadonlySet<string>): { same(i: number, j: number): boolean; similar(i: number, j: number): boolean } {
  const position = new Map<string, number>();
  const weights = new Set(graph.initializers.map((i) => i.name));
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const ids = new Map<string, number>();
  const base = new Int32Array(seq.length);
  const sources: Int32Array[] = [];
  seq.forEach((index, i) => {
    const n = graph.nodes[index];
    const parts = [keys[index]];
    const src = new Int32Array(n.inputs.length).fill(-1);
    n.inputs.forEach((name, s) => {
      if (name === '') parts.push('-');
      else if (weights.has(name)) parts.push('w');
      else if (folded.has(name)) parts.push('c');
      else if (position.has(name)) {
        parts.push('n');
        src[s] = position.get(name) as number;
      } else parts.push(inputs.has(name) ? 'x' : '?');
    });
    const sig = parts.join('|');
    let id = ids.get(sig);
    if (id === undefined) ids.set(sig, (id = ids.size));
    base[i] = id;
    sources.push(src);
    for (const o of n.outputs) if (o !== '') position.set(o, i);
  });
  // Same op, and each input from the node as many places back (the block's own wiring) or from the very same node (a mask every block uses).
  const same = (i: number, j: number): boolean => {
    if (base[i] !== base[j]) return false;
    const a = sources[i];
    const b = sources[j];
    for (let s = 0; s < a.length; s++) if (a[s] !== b[s] && i - a[s] !== j - b[s]) return false;
    return true;
  };
  return { same, similar: (i, j) => keys[seq[i]] === keys[seq[j]] };
}

export interface Periodic {
  start: number;
  period: number;
  count: number;
}

/**
 * Runs of identical consecutive blocks among n items compared by `same(i, j)`, greedily by the
 * number of items covered (ties: the smaller period); runs do not overlap.
 */
export function periodicRuns(
  n: number,
  same: (i: number, j: number) => boolean,
  similar?: (i: number, j: number) => boolean,
  minPeriod = MIN_PERIOD,
  maxPeriod = MAX_PERIOD,
  accept: (start: number, period: number) => boolean = () => true,
): Periodic[] {
  const used = new Uint8Array(n);
  const found: Periodic[] = [];
  for (;;) {
    let best: Periodic | undefined;
    const top = Math.min(Math.floor(n / 2), maxPeriod);
    for (let p = minPeriod; p <= top; p++) {
      let len = 0;
      for (let i = 0; i <= n - p; i++) {
        if (i < n - p && used[i] === 0 && used[i + p] === 0 && same(i, i + p)) {
          len++;
          continue;
        }
        let start = i - len;
        let count = Math.floor((len + p) / p);
        // The first block's first nodes may differ only in where their inputs come from (the first
        // layer after the embeddings): when the same ops precede the stretch, they complete a block.
        const need = count * p - len;
        if (similar && need <= p && start - need >= 0) {
          let ok = true;
          for (let k = 1; k <= need && ok; k++) ok = used[start - k] === 0 && similar(start - k, start - k + p);
          if (ok) {
            start -= need;
            count++;
          }
        }
        if (count >= 2 && (!best || count * p > best.count * best.period) && accept(start, p)) best = { start, period: p, count };
        len = 0;
      }
    }
    if (!best) return found.sort((a, b) => a.start - b.start);
    used.fill(1, best.start, best.start + best.count * best.period);
    found.push(best);
  }
}

/** The repeated blocks of a graph's drawn nodes (see the rule above), in node order of their first node. */
export function findBlocks(graph: GraphSummary): BlockRun[] {
  const keys = graph.nodes.map(opKey);
  const fold = folding(graph);
  const drawn = drawnNodes(graph, fold);
  const named = byNames(drawn, keys);
  const claimed = new Set(named.flatMap((r) => r.blocks.flat()));
  const rest = drawn.filter((n) => !claimed.has(n.index)).map((n) => n.index);
  const compare = signatures(graph, rest, keys, fold.tensors);
  // A block holds a layer: a repeated chain of other ops (two decomposed LayerNorms in a row) is not what a reader calls a block.
  const hasLayer = (start: number, period: number): boolean => rest.slice(start, start + period).some((i) => LAYER_OPS.has(graph.nodes[i].opType));
  const structural = periodicRuns(rest.length, compare.same, compare.similar, MIN_PERIOD, MAX_PERIOD, hasLayer).map((r) => ({
    label: 'block',
    blocks: Array.from({ length: r.count }, (_, b) => rest.slice(r.start + b * r.period, r.start + (b + 1) * r.period)),
  }));
  const params = new Map(graph.initializers.map((i) => [i.name, i.params]));
  const runs = [...named.map((r) => ({ ...r, rule: 'name' as const })), ...structural.map((r) => ({ ...r, rule: 'structure' as const }))];
  runs.sort((a, b) => a.blocks[0][0] - b.blocks[0][0]);
  return runs.map((r, id) => {
    const seen = new Set<string>();
    let total = 0;
    for (const b of r.blocks) for (const i of b) for (const name of graph.nodes[i].inputs) {
      const t = fold.source.get(name) ?? name; // a renamed weight counts as the weight
      if (!params.has(t) || seen.has(t)) continue;
      seen.add(t);
      total += params.get(t) as number;
    }
    return { id, label: r.label, blocks: r.blocks, params: total, rule: r.rule };
  });
}

/** `Encoder layer × 24`. */
export function runTitle(run: Pick<BlockRun, 'label' | 'blocks'>): string {
  return `${run.label.charAt(0).toUpperCase()}${run.label.slice(1)} × ${run.blocks.length}`;
}

export function formatCount(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(v);
}

/** The rows of a collapsed run's box: ops and parameters. */
export function runRows(run: BlockRun): string[] {
  const ops = run.blocks.reduce((s, b) => s + b.length, 0);
  return [`${run.blocks[0].length} ops per block, ${ops} in all`, `${formatCount(run.params)} parameters`, 'click to expand'];
}
