// Layout of a graph with runs of repeated blocks (blocks.ts), fast at any size. A collapsed run is
// one box. An expanded run is laid out once: dagre places one of its blocks (the second: the first
// may read from elsewhere) alone, with a pill for each tensor it reads from outside, and the whole
// graph is placed with the run as one box the height of all its blocks; the blocks are then copies
// of that one placement stacked in the box. Edges inside a block are the template's; an edge into
// a block from just above it continues the template's route from its pill (when the pill is in the
// top row); any other (an attention mask every layer reads) runs down a bus along the run's left side. dagre thus
// sees (graph with runs as boxes) + (one block per run) nodes instead of every node: a 24-layer
// encoder expanded costs two small layouts, not one of 2,000 nodes.

import type { GraphSummary, ValueSummary } from '../../../engine/protocol';
import { type Folding, folding } from '../../folded-nodes';
import { foldedChange, type PrunedShapes, readerKey } from '../../pruned-shapes';
import { type CollapsedGroup, nodeContent, valueMap, type Layout, type LayoutEdge, layoutGraph, type LayoutNode, type Measure, type Point } from './layout';

export interface ViewRun {
  id: number;
  title: string;
  rows: string[];
  blocks: number[][];
  collapsed: boolean;
}

/**
 * The changes the template is laid out with: its own, and for a weight no prune changed in the
 * template block but changed in another block, that block's (so that every copy's text fits its box).
 */
function templateChanges(graph: GraphSummary, fold: Folding, run: ViewRun, changed?: PrunedShapes): PrunedShapes | undefined {
  if (!changed || changed.tensors.size === 0) return changed;
  const copies = new Map(changed.copies);
  for (const [j, index] of run.blocks[1].entries()) {
    for (const [s, t] of graph.nodes[index].inputs.entries()) {
      if (t === '' || foldedChange(changed, fold, index, s, t)) continue;
      // The template's reader is labelled with the first changed reader's tensor at its place.
      const other = run.blocks.map((b) => b[j]).flatMap((i) => (i === undefined ? [] : [foldedChange(changed, fold, i, s, graph.nodes[i].inputs[s] ?? '')])).find((c) => c !== undefined);
      if (other) copies.set(readerKey(index, s), other.tensor);
    }
  }
  return { tensors: changed.tensors, copies };
}

/** One block laid out alone: inputs from outside the block are pills `i<k>` reading `tensors[k]`. */
function template(graph: GraphSummary, fold: Folding, block: number[], measure: Measure, changed?: PrunedShapes): { layout: Layout; tensors: string[] } {
  const members = new Set(block);
  const produced = new Set(block.flatMap((i) => graph.nodes[i].outputs));
  const tensors: string[] = [];
  for (const i of block) for (const t of graph.nodes[i].inputs) if (t !== '' && !produced.has(t) && !fold.tensors.has(t) && !tensors.includes(t)) tensors.push(t);
  const inputs: ValueSummary[] = tensors.map((name) => ({ name, type: '' }));
  // The folded nodes stay in (not drawn): their values are the block's weights.
  const sub: GraphSummary = { ...graph, inputs, outputs: [], nodes: graph.nodes.filter((n) => members.has(n.index) || fold.nodes.has(n.index)) };
  return { layout: layoutGraph(sub, measure, changed), tensors };
}

function bottom(n: LayoutNode): Point {
  return { x: n.x, y: n.y + n.height / 2 };
}

export function layoutView(graph: GraphSummary, measure: Measure, changed: PrunedShapes | undefined, runs: readonly ViewRun[]): Layout {
  const open = runs.filter((r) => !r.collapsed && r.blocks.length >= 2);
  const fold = folding(graph);
  const templates = new Map(open.map((r) => [r.id, template(graph, fold, r.blocks[1], measure, templateChanges(graph, fold, r, changed))]));
  const groups: CollapsedGroup[] = runs.map((r) => {
    const t = templates.get(r.id)?.layout;
    return { id: r.id, title: r.title, rows: r.rows, nodes: r.blocks.flat(), ...(t ? { size: { width: t.width, height: t.height * r.blocks.length } } : {}) };
  });
  const main = layoutGraph(graph, measure, changed, groups);
  if (open.length === 0) return main;

  const producerNode = new Map<string, number>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') producerNode.set(o, n.index);
  const boxes = new Map(main.nodes.map((n) => [n.id, n]));
  const runOf = new Map<number, { run: ViewRun; block: number }>();
  for (const r of open) r.blocks.forEach((b, k) => b.forEach((i) => runOf.set(i, { run: r, block: k })));
  const nodes: LayoutNode[] = main.nodes.filter((n) => !(n.kind === 'group' && templates.has(n.index)));
  const edges: LayoutEdge[] = [];

  // The copies of each template, placed in their run's box, each with its own texts (a prune may change one block's weights).
  const values = valueMap(graph);
  for (const r of open) {
    const { layout: t } = templates.get(r.id)!;
    const box = boxes.get(`g${r.id}`)!;
    const left = box.x - box.width / 2;
    const top = box.y - box.height / 2;
    const position = new Map(r.blocks[1].map((idx, j) => [idx, j]));
    r.blocks.forEach((block, b) => {
      const dy = top + b * t.height;
      for (const n of t.nodes) {
        if (n.kind !== 'op') continue;
        const index = block[position.get(n.index)!];
        const node = graph.nodes[index];
        nodes.push({ ...n, ...nodeContent(node, fold, values, changed), id: `n${index}`, index, x: left + n.x, y: dy + n.y });
        boxes.set(`n${index}`, nodes[nodes.length - 1]);
      }
    });
  }
  const move = (p: Point, dx: number, dy: number): Point => ({ x: p.x + dx, y: p.y + dy });
  for (const r of open) {
    const { layout: t, tensors } = templates.get(r.id)!;
    const box = boxes.get(`g${r.id}`)!;
    const left = box.x - box.width / 2;
    const top = box.y - box.height / 2;
    const busX = left + 4;
    const position = new Map(r.blocks[1].map((idx, j) => [idx, j]));
    r.blocks.forEach((block, b) => {
      const dy = top + b * t.height;
      const copyOf = (id: string): number => block[position.get(Number(id.slice(1)))!];
      for (const e of t.edges) {
        const points = e.points.map((p) => move(p, left, dy));
        const labelAt = e.labelAt && move(e.labelAt, left, dy);
        const to = copyOf(e.to);
        if (e.from.startsWith('n')) {
          edges.push({ ...e, from: `n${copyOf(e.from)}`, to: `n${to}`, points, ...(labelAt ? { labelAt } : {}) });
          continue;
        }
        // From outside the block: the same input slot of this copy's node names the tensor.
        const slot = graph.nodes[r.blocks[1][position.get(Number(e.to.slice(1)))!]].inputs.indexOf(tensors[Number(e.from.slice(1))]);
        const tensor = graph.nodes[to].inputs[slot] ?? e.tensor;
        const source = producerOf(tensor);
        if (!source) continue;
        const start = bottom(source);
        // Directly above this block (the block before, or what precedes the run): continue the template's route.
        const q = points[0];
        const near = start.y <= dy + 1 && dy - start.y < 80 && q.y - dy < 80;
        // (Doubled points at the bends: the view draws B-splines, which would cut a long corner.)
        const route = near ? [start, ...points.slice(1)] : [start, { x: start.x, y: start.y + 10 }, { x: busX, y: start.y + 24 }, { x: busX, y: start.y + 30 }, { x: busX, y: q.y - 30 }, { x: busX, y: q.y - 24 }, { x: q.x, y: q.y - 6 }, ...points];
        edges.push({ ...e, from: source.id, to: `n${to}`, tensor, points: route, ...(labelAt ? { labelAt } : {}) });
      }
    });
  }
  // The main layout's edges: those into an expanded run are the copies' own above; those out of it start at their producer.
  function producerOf(tensor: string): LayoutNode | undefined {
    const idx = producerNode.get(tensor);
    if (idx !== undefined) return boxes.get(`n${idx}`);
    const k = graph.inputs.findIndex((v) => v.name === tensor);
    return k >= 0 ? boxes.get(`i${k}`) : undefined;
  }
  for (const e of main.edges) {
    const intoRun = e.to.startsWith('g') && templates.has(Number(e.to.slice(1)));
    if (intoRun) continue;
    if (e.from.startsWith('g') && templates.has(Number(e.from.slice(1)))) {
      const source = producerOf(e.tensor);
      if (!source) continue;
      edges.push({ ...e, from: source.id, points: [bottom(source), ...e.points.slice(1)] });
    } else edges.push(e);
  }
  return { nodes, edges, width: main.width, height: main.height };
}
