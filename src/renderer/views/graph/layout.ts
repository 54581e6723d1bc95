// The pure layout of a graph: which boxes are drawn (ops, graph inputs and outputs as pills), what
// they say (op type, key attributes, folded weights such as `B ⟨1000×784⟩`, after a channel prune
// `B ⟨1000×784⟩ → ⟨400×784⟩`), and where dagre puts them, top to bottom. Collapsed runs of
// repeated blocks (blocks.ts) are one box each. No DOM: runs in a Web Worker and in Node tests alike.

import dagre from '@dagrejs/dagre';
import type { Dim } from '../../../core/onnx/model';
import type { GraphSummary, NodeSummary, ValueSummary } from '../../../engine/protocol';
import { type Category, opCategory } from './categories';
import { inputRole } from '../../op-roles';
import { changedWeightLabel, foldedChange, type PrunedShapes } from '../../pruned-shapes';
import { orderLayers } from './order';
import { prunedWidths } from './pruned-widths';
import { knownShapes } from './shapes';
import { type Folding, folding } from '../../folded-nodes';

export type Font = 'title' | 'body' | 'edge';
/** Width in pixels of a text in one of the view's fonts. */
export type Measure = (text: string, font: Font) => number;

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode {
  /** `n<index>` for an op, `i<k>` / `o<k>` for the k-th graph input / output, `g<id>` for a collapsed run. */
  id: string;
  kind: 'op' | 'input' | 'output' | 'group';
  /** The node index (ops), the input / output position, or the run's id (groups). */
  index: number;
  title: string;
  category: Category | 'io' | 'group';
  /** Attribute lines and folded weights, one text each; `changed`: a weight whose shape a prune changed. */
  rows: { text: string; kind: 'attribute' | 'weight'; changed?: boolean }[];
  /** Number of subgraphs (If / Loop / Scan): a badge is drawn. */
  subgraphs: number;
  /** Centre, and size. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  tensor: string;
  label: string;
  points: Point[];
  /** Where the shape label goes (dagre reserves room for it), when there is one. */
  labelAt?: Point;
  /** The label is a width a prune changed. */
  changed?: boolean;
}

export interface Layout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

/** A run of repeated blocks drawn as one box: its id, texts, and the node indices it stands for. */
export interface CollapsedGroup {
  id: number;
  title: string;
  rows: string[];
  nodes: number[];
  /** A fixed box size: the room an expanded run's blocks take (layout-runs.ts fills it). */
  size?: { width: number; height: number };
}

export const metrics = { titleHeight: 22, rowHeight: 15, padX: 10, padY: 4, pillHeight: 26, minWidth: 56 };

export function shapeLabel(shape: readonly Dim[] | undefined): string {
  if (!shape) return '';
  // Long symbolic names (p2o.DynamicDimension.0) would swamp the label: those read as '?'.
  return shape.map((d) => (d === null || d === '' || (typeof d === 'string' && d.length > 8) ? '?' : String(d))).join('×');
}

const skipAttributes = new Set(['value']);

function attributeRows(n: NodeSummary): LayoutNode['rows'] {
  const rows: LayoutNode['rows'] = [];
  for (const a of n.attributes) {
    if (a.type === 'graph' || a.type === 'graphs' || skipAttributes.has(a.name)) continue;
    if ((a.name === 'alpha' || a.name === 'beta') && a.value === '1' && (n.opType === 'Gemm')) continue; // defaults
    const v = a.value.length > 28 ? `${a.value.slice(0, 27)}…` : a.value;
    rows.push({ text: `${a.name}=${v}`, kind: 'attribute' });
    if (rows.length === 4) break;
  }
  return rows;
}

/** The text of a node box: title and rows, before placement. */
export function nodeContent(n: NodeSummary, fold: Folding, values: Map<string, ValueSummary>, changed?: PrunedShapes): Pick<LayoutNode, 'title' | 'rows'> {
  const rows = attributeRows(n);
  n.inputs.forEach((name, i) => {
    if (name === '' || !fold.tensors.has(name)) return;
    // A renamed weight (a folded Identity) is shown as what it renames: shape, and what a prune did to it.
    const source = fold.source.get(name);
    const change = foldedChange(changed, fold, n.index, i, name);
    if (change) {
      rows.push({ text: changedWeightLabel(inputRole(n.opType, i), change), kind: 'weight', changed: true });
      return;
    }
    const shape = values.get(name)?.shape ?? (source !== undefined ? values.get(source)?.shape : undefined);
    const dims = shape && shape.length > 0 ? shapeLabel(shape) : 'scalar';
    rows.push({ text: `${inputRole(n.opType, i)} ⟨${dims}⟩`, kind: 'weight' });
  });
  return { title: n.opType, rows };
}

export function valueMap(graph: GraphSummary): Map<string, ValueSummary> {
  const m = new Map<string, ValueSummary>();
  for (const v of graph.values) m.set(v.name, v);
  for (const i of graph.initializers) if (!m.has(i.name)) m.set(i.name, { name: i.name, shape: i.dims, type: i.dtype });
  return m;
}

export function layoutGraph(graph: GraphSummary, measure: Measure, changed?: PrunedShapes, groups: readonly CollapsedGroup[] = []): Layout {
  const groupOf = new Map<number, CollapsedGroup>();
  for (const c of groups) for (const i of c.nodes) groupOf.set(i, c);
  const fold = folding(graph);
  const folded = fold.tensors;
  const values = valueMap(graph);
  const shapes = knownShapes(graph);
  const widths = prunedWidths(graph, shapes, changed);
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, edgesep: 10, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const boxes = new Map<string, LayoutNode>();
  const add = (node: LayoutNode): void => {
    boxes.set(node.id, node);
    g.setNode(node.id, { width: node.width, height: node.height });
  };
  const producer = new Map<string, string>();

  const clip = (t: string): string => (t.length > 40 ? `${t.slice(0, 39)}…` : t);
  graph.inputs.forEach((v, k) => {
    if (folded.has(v.name)) return; // initializers listed as inputs (IR < 4)
    const title = clip(v.name);
    v = { ...v, type: clip(v.type) };
    const width = Math.max(metrics.minWidth, measure(title, 'title') + 2 * metrics.padX + 6);
    add({ id: `i${k}`, kind: 'input', index: k, title, category: 'io', rows: [{ text: v.type, kind: 'attribute' }], subgraphs: 0, x: 0, y: 0, width: Math.max(width, measure(v.type, 'body') + 2 * metrics.padX + 6), height: metrics.pillHeight + metrics.rowHeight });
    producer.set(v.name, `i${k}`);
  });
  for (const n of graph.nodes) {
    if (fold.nodes.has(n.index)) continue;
    const group = groupOf.get(n.index);
    if (group) {
      const id = `g${group.id}`;
      for (const o of n.outputs) if (o !== '') producer.set(o, id);
      if (boxes.has(id)) continue;
      const rows = group.rows.map((text) => ({ text, kind: 'attribute' as const }));
      const textWidth = Math.max(measure(group.title, 'title'), ...rows.map((r) => measure(r.text, 'body')));
      const height = metrics.titleHeight + rows.length * metrics.rowHeight + 2 * metrics.padY;
      add({ id, kind: 'group', index: group.id, title: group.title, category: 'group', rows, subgraphs: 0, x: 0, y: 0, width: group.size?.width ?? Math.ceil(textWidth + 2 * metrics.padX), height: group.size?.height ?? height });
      continue;
    }
    const { title, rows } = nodeContent(n, fold, values, changed);
    const textWidth = Math.max(measure(title, 'title'), ...rows.map((r) => measure(r.text, 'body')));
    const subgraphs = n.subgraphs.length;
    const width = Math.max(metrics.minWidth, Math.ceil(textWidth + 2 * metrics.padX + (subgraphs > 0 ? 18 : 0)));
    const height = metrics.titleHeight + (rows.length > 0 ? rows.length * metrics.rowHeight + 2 * metrics.padY : 0);
    add({ id: `n${n.index}`, kind: 'op', index: n.index, title, category: opCategory(n.opType), rows, subgraphs, x: 0, y: 0, width, height });
    for (const o of n.outputs) if (o !== '') producer.set(o, `n${n.index}`);
  }
  graph.outputs.forEach((v, k) => {
    const title = clip(v.name);
    v = { ...v, type: clip(v.type) };
    const width = Math.max(metrics.minWidth, measure(title, 'title') + 2 * metrics.padX + 6, measure(v.type, 'body') + 2 * metrics.padX + 6);
    add({ id: `o${k}`, kind: 'output', index: k, title, category: 'io', rows: [{ text: v.type, kind: 'attribute' }], subgraphs: 0, x: 0, y: 0, width, height: metrics.pillHeight + metrics.rowHeight });
  });

  const edges: Omit<LayoutEdge, 'points'>[] = [];
  const grouped = new Set<string>();
  const link = (tensor: string, to: string): void => {
    const from = producer.get(tensor);
    if (!from || from === to) return;
    // One edge between a collapsed run and each neighbour (the first tensor's label).
    if (from.startsWith('g') || to.startsWith('g')) {
      if (grouped.has(`${from}>${to}`)) return;
      grouped.add(`${from}>${to}`);
    }
    const label = shapeLabel(widths.get(tensor) ?? shapes.get(tensor));
    const name = `e${edges.length}`;
    edges.push({ from, to, tensor, label, ...(widths.has(tensor) ? { changed: true } : {}) });
    g.setEdge(from, to, { width: label ? measure(label, 'edge') + 4 : 0, height: label ? 12 : 0, labelpos: 'c' }, name);
  };
  for (const n of graph.nodes) {
    if (fold.nodes.has(n.index)) continue;
    const seen = new Set<string>();
    const group = groupOf.get(n.index);
    for (const i of n.inputs) {
      if (i === '' || folded.has(i) || seen.has(i)) continue;
      seen.add(i);
      link(i, group ? `g${group.id}` : `n${n.index}`);
    }
  }
  graph.outputs.forEach((v, k) => link(v.name, `o${k}`));

  dagre.layout(g, { customOrder: (graph) => orderLayers(graph) });
  for (const [id, box] of boxes) {
    const p = g.node(id);
    box.x = p.x;
    box.y = p.y;
  }
  const placed: LayoutEdge[] = edges.map((e, k) => {
    const d = g.edge({ v: e.from, w: e.to, name: `e${k}` }) as { points?: Point[]; x?: number; y?: number } | undefined;
    const out: LayoutEdge = { ...e, points: (d?.points ?? []).map((p) => ({ x: p.x, y: p.y })) };
    if (e.label && d?.x !== undefined && d.y !== undefined) out.labelAt = { x: d.x, y: d.y };
    return out;
  });
  const label = g.graph();
  return { nodes: [...boxes.values()], edges: placed, width: label.width ?? 0, height: label.height ?? 0 };
}

/** A text-width estimate for Node (tests) and a fallback: average glyph widths of the view's fonts. */
export function estimateWidth(text: string, font: Font): number {
  const per = font === 'title' ? 7.2 : font === 'body' ? 6.4 : 5.6;
  return text.length * per;
}
