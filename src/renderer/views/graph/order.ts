// Node order within the ranks for dagre (its `customOrder` hook), on plain arrays. Same method as
// dagre's own ordering for graphs without clusters (Sugiyama crossing reduction: an initial order
// by depth-first search, then alternating up / down barycenter sweeps, keeping the layering with
// the fewest weighted crossings until four sweeps in a row bring no improvement), but without the
// per-rank graphlib graphs dagre builds for every sweep, which made it most of the layout time.

import type { graphlib } from '@dagrejs/dagre';

type DagreGraph = graphlib.Graph;

/** Safety cap on sweeps (dagre has none; it stops after 4 sweeps without improvement). */
const MAX_SWEEPS = 48;

interface Adjacency {
  /** Neighbour indices and edge weights, flattened per node. */
  nodes: number[][];
  weights: number[][];
}

function weightOf(label: unknown): number {
  const w = (label as { weight?: number } | undefined)?.weight;
  return typeof w === 'number' ? w : 1;
}

/** Weighted crossings between consecutive layers (accumulator tree, as Barth, Jünger and Mutzel). */
export function crossings(layers: number[][], pos: Int32Array, rank: readonly number[], out: Adjacency): number {
  let total = 0;
  for (let r = 1; r < layers.length; r++) {
    const upper = layers[r - 1];
    const size = layers[r].length;
    if (size === 0) continue;
    let tree = 1;
    while (tree < size) tree <<= 1;
    const sums = new Float64Array(2 * tree);
    for (const u of upper) {
      // Edges of u to layer r, by target position.
      const targets = out.nodes[u];
      const ws = out.weights[u];
      const pairs: [number, number][] = [];
      for (let k = 0; k < targets.length; k++) if (rank[targets[k]] === r) pairs.push([pos[targets[k]], ws[k]]);
      pairs.sort((a, b) => a[0] - b[0]);
      for (const [p, w] of pairs) {
        // Weight of the edges already in the tree whose target lies right of p.
        let i = p + tree;
        sums[i] += w;
        let right = 0;
        while (i > 1) {
          if (i % 2 === 0) right += sums[i + 1];
          i >>= 1;
          sums[i] += w;
        }
        total += w * right;
      }
    }
  }
  return total;
}

interface Entry {
  v: number;
  i: number;
  bc: number;
}

/**
 * One layer reordered by barycenter. As in dagre, ties and the slots of nodes without neighbours
 * follow the nodes' index in the graph's node order (not their current position).
 */
function sortLayer(layer: number[], pos: Int32Array, adj: Adjacency, biasRight: boolean): number[] {
  const sortable: Entry[] = [];
  const fixed: Entry[] = [];
  [...layer].sort((a, b) => a - b).forEach((v, i) => {
    const ns = adj.nodes[v];
    if (ns.length === 0) {
      fixed.push({ v, i, bc: 0 });
      return;
    }
    const ws = adj.weights[v];
    let sum = 0;
    let weight = 0;
    for (let k = 0; k < ns.length; k++) {
      sum += ws[k] * pos[ns[k]];
      weight += ws[k];
    }
    sortable.push({ v, i, bc: weight > 0 ? sum / weight : 0 });
  });
  sortable.sort((a, b) => a.bc - b.bc || (biasRight ? b.i - a.i : a.i - b.i));
  const out: number[] = [];
  let f = 0;
  for (const s of sortable) {
    while (f < fixed.length && fixed[f].i <= out.length) out.push(fixed[f++].v);
    out.push(s.v);
  }
  while (f < fixed.length) out.push(fixed[f++].v);
  return out;
}

function setPositions(layers: number[][], pos: Int32Array): void {
  for (const layer of layers) layer.forEach((v, i) => (pos[v] = i));
}

/** Assigns `order` to every node of dagre's ranked, normalized layout graph. */
export function orderLayers(g: DagreGraph): void {
  const ids = g.nodes();
  const index = new Map<string, number>();
  ids.forEach((v, i) => index.set(v, i));
  const rank = ids.map((v) => (g.node(v) as { rank?: number }).rank ?? 0);
  const n = ids.length;
  const ins: Adjacency = { nodes: ids.map(() => []), weights: ids.map(() => []) };
  const outs: Adjacency = { nodes: ids.map(() => []), weights: ids.map(() => []) };
  for (const e of g.edges()) {
    const a = index.get(e.v);
    const b = index.get(e.w);
    if (a === undefined || b === undefined || a === b) continue;
    const w = weightOf(g.edge(e));
    outs.nodes[a].push(b);
    outs.weights[a].push(w);
    ins.nodes[b].push(a);
    ins.weights[b].push(w);
  }
  let maxRank = 0;
  for (const r of rank) if (r > maxRank) maxRank = r;
  // Initial order: depth-first from the nodes in rank order, each node placed when first reached.
  let layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  const visited = new Uint8Array(n);
  const starts = [...ids.keys()].sort((a, b) => rank[a] - rank[b]);
  const stack: number[] = [];
  for (const s of starts) {
    stack.push(s);
    while (stack.length > 0) {
      const v = stack.pop() as number;
      if (visited[v]) continue;
      visited[v] = 1;
      layers[rank[v]].push(v);
      const next = outs.nodes[v];
      for (let k = next.length - 1; k >= 0; k--) if (!visited[next[k]]) stack.push(next[k]);
    }
  }
  const pos = new Int32Array(n);
  setPositions(layers, pos);
  let best = layers.map((l) => [...l]);
  let bestCount = crossings(layers, pos, rank, outs);
  for (let i = 0, lastBest = 0; lastBest < 4 && i < MAX_SWEEPS && bestCount > 0; i++, lastBest++) {
    const down = i % 2 === 1;
    const biasRight = i % 4 >= 2;
    if (down) {
      for (let r = 1; r <= maxRank; r++) {
        layers[r] = sortLayer(layers[r], pos, ins, biasRight);
        layers[r].forEach((v, k) => (pos[v] = k));
      }
    } else {
      for (let r = maxRank - 1; r >= 0; r--) {
        layers[r] = sortLayer(layers[r], pos, outs, biasRight);
        layers[r].forEach((v, k) => (pos[v] = k));
      }
    }
    const count = crossings(layers, pos, rank, outs);
    if (count < bestCount) {
      lastBest = 0;
      bestCount = count;
      best = layers.map((l) => [...l]);
    } else if (count === bestCount) {
      best = layers.map((l) => [...l]);
    }
  }
  layers = best;
  layers.forEach((layer) => layer.forEach((v: number, k: number) => ((g.node(ids[v]) as { order?: number }).order = k)));
}
