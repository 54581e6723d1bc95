// layoutView (layout-runs.ts): a graph with repeated blocks laid out with its runs collapsed (one box
// each) or expanded (one block laid out, copies stacked). Checked against the plain layout of the
// same graph (layoutGraph, every node through dagre): the same boxes and the same connections,
// no overlapping boxes, every edge going down.

import { describe, expect, it } from 'vitest';
import { summarizeGraph } from '../../../../../src/engine/summary';
import { findBlocks, runRows, runTitle } from '../../../../../src/renderer/views/graph/blocks';
import { estimateWidth, type Layout, layoutGraph } from '../../../../../src/renderer/views/graph/layout';
import { layoutView } from '../../../../../src/renderer/views/graph/layout-runs';
import { bertGraph } from '../../../../support/bert-graph';

const graph = summarizeGraph(bertGraph({ layers: 4 }).graph);
const runs = findBlocks(graph);
const view = (collapsed: boolean) => runs.map((r) => ({ id: r.id, title: runTitle(r), rows: runRows(r), blocks: r.blocks, collapsed }));

function noOverlap(layout: Layout): void {
  const boxes = [...layout.nodes].sort((a, b) => a.x - a.width / 2 - (b.x - b.width / 2));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (b.x - b.width / 2 >= a.x + a.width / 2) break;
      expect(Math.abs(a.y - b.y) < (a.height + b.height) / 2, `${a.id} overlaps ${b.id}`).toBe(false);
    }
  }
}

const pairs = (l: Layout) => new Set(l.edges.map((e) => `${e.from}>${e.to}`));

describe('layoutView', () => {
  it('expanded: the boxes and connections of the plain layout, stacked without overlap', () => {
    expect(runs).toHaveLength(1);
    const plain = layoutGraph(graph, estimateWidth);
    const stacked = layoutView(graph, estimateWidth, undefined, view(false));
    expect(stacked.nodes.map((n) => n.id).sort()).toEqual(plain.nodes.map((n) => n.id).sort());
    expect(pairs(stacked)).toEqual(pairs(plain));
    noOverlap(stacked);
    const byId = new Map(stacked.nodes.map((n) => [n.id, n]));
    for (const e of stacked.edges) {
      const [from, to] = [byId.get(e.from)!, byId.get(e.to)!];
      expect(from.y + from.height / 2, `${e.from} -> ${e.to}`).toBeLessThan(to.y - to.height / 2);
      // The route starts on the source box's border (copied routes too).
      expect(Math.abs(e.points[0].x - from.x)).toBeLessThanOrEqual(from.width / 2 + 1);
      expect(Math.abs(e.points[0].y - from.y)).toBeLessThanOrEqual(from.height / 2 + 1);
    }
    // Each box keeps its own texts: a layer's query weight reads its own shape.
    const q = graph.nodes.find((n) => n.name === '/encoder/layer.3/attention/self/query/MatMul')!;
    expect(byId.get(`n${q.index}`)?.rows.map((r) => r.text)).toEqual(['B ⟨8×8⟩']);
  });

  it('expanded after a prune of one block: that box shows its new width and its text fits', () => {
    const q = graph.nodes.find((n) => n.name === '/encoder/layer.3/attention/self/query/MatMul')!;
    const changed = { tensors: new Map([[q.inputs[1], { tensor: q.inputs[1], before: [8, 8], after: [8, 4], values: [] }]]), copies: new Map<string, string>() };
    const l = layoutView(graph, estimateWidth, changed, view(false));
    const box = l.nodes.find((n) => n.id === `n${q.index}`)!;
    expect(box.rows[0]).toMatchObject({ text: 'B ⟨8×8⟩ → ⟨8×4⟩', changed: true });
    expect(box.width).toBeGreaterThanOrEqual(estimateWidth(box.rows[0].text, 'body'));
    noOverlap(l);
  });

  it('collapsed: one box for the run, edges to and from it once per neighbour', () => {
    const l = layoutView(graph, estimateWidth, undefined, view(true));
    const inRun = new Set(runs[0].blocks.flat().map((i) => `n${i}`));
    expect(l.nodes.filter((n) => inRun.has(n.id))).toEqual([]);
    const group = l.nodes.filter((n) => n.kind === 'group');
    expect(group.map((g) => g.title)).toEqual(['Encoder layer × 4']);
    const e = l.edges.filter((x) => x.from === 'g0' || x.to === 'g0').map((x) => `${x.from}>${x.to}`);
    expect(new Set(e).size).toBe(e.length);
    // In: the embeddings' LayerNorm output and the mask; out: the pooler's Gather.
    expect(e).toHaveLength(3);
    noOverlap(l);
  });
});
