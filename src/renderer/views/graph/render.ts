// Draws a Layout as SVG with d3: boxes with coloured headers, pills for graph inputs / outputs,
// curved edges with arrowheads and shape labels. One pass, no per-frame work.

import * as d3 from 'd3';
import type { Layout, LayoutEdge, LayoutNode } from './layout';
import { metrics } from './layout';

const SVG = 'http://www.w3.org/2000/svg';

/** Top-rounded rectangle path (the coloured header of a box). */
function headPath(w: number, h: number, r: number, full: boolean): string {
  if (full) return `M0,${r}a${r},${r} 0 0 1 ${r},${-r}h${w - 2 * r}a${r},${r} 0 0 1 ${r},${r}v${h - 2 * r}a${r},${r} 0 0 1 ${-r},${r}h${-(w - 2 * r)}a${r},${r} 0 0 1 ${-r},${-r}z`;
  return `M0,${r}a${r},${r} 0 0 1 ${r},${-r}h${w - 2 * r}a${r},${r} 0 0 1 ${r},${r}v${h - r}h${-w}z`;
}

const curve = d3.line<{ x: number; y: number }>().x((p) => p.x).y((p) => p.y).curve(d3.curveBasis);

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

function text(parent: Element, cls: string, x: number, y: number, s: string, anchor = 'start'): void {
  const t = el('text', { class: cls, x, y, 'text-anchor': anchor, 'dominant-baseline': 'central' }, parent);
  t.textContent = s;
}

/** A collapsed run of repeated blocks: a stacked box, focusable, that a click or Enter expands. */
function drawGroup(n: LayoutNode, g: SVGGElement): void {
  g.setAttribute('data-group', String(n.index));
  g.setAttribute('tabindex', '0');
  g.setAttribute('role', 'button');
  g.setAttribute('aria-label', `${n.title}: expand`);
  for (const d of [6, 3]) el('rect', { class: 'gv-box gv-stack', x: d, y: d, width: n.width, height: n.height, rx: 5, ry: 5 }, g);
  el('rect', { class: 'gv-box', width: n.width, height: n.height, rx: 5, ry: 5 }, g);
  el('path', { class: 'gv-head', d: headPath(n.width, metrics.titleHeight, 5, false) }, g);
  text(g, 'gv-title', n.width / 2, metrics.titleHeight / 2, n.title, 'middle');
  n.rows.forEach((r, i) => text(g, i === n.rows.length - 1 ? 'gv-row gv-hint' : 'gv-row gv-weight', metrics.padX, metrics.titleHeight + metrics.padY + metrics.rowHeight * (i + 0.5), r.text));
  const t = el('title', {}, g);
  t.textContent = `${n.title}: click or press Enter to expand`;
}

function drawNode(n: LayoutNode, parent: Element): SVGGElement {
  const g = el('g', { class: `gv-node gv-cat-${n.category}`, transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})`, 'data-id': n.id }, parent);
  if (n.kind === 'group') {
    drawGroup(n, g);
    return g;
  }
  if (n.kind === 'op') g.setAttribute('data-index', String(n.index));
  else g.setAttribute('data-io', n.kind);
  const w = n.width;
  const h = n.height;
  if (n.kind !== 'op') {
    el('rect', { class: 'gv-pill', width: w, height: h, rx: h / 2, ry: h / 2 }, g);
    text(g, 'gv-pill-title', w / 2, metrics.pillHeight / 2 + 2, n.title, 'middle');
    text(g, 'gv-row', w / 2, metrics.pillHeight / 2 + 2 + metrics.rowHeight, n.rows[0]?.text ?? '', 'middle');
    return g;
  }
  if (n.rows.some((r) => r.changed)) g.classList.add('gv-pruned');
  el('rect', { class: 'gv-box', width: w, height: h, rx: 5, ry: 5 }, g);
  el('path', { class: 'gv-head', d: headPath(w, metrics.titleHeight, 5, n.rows.length === 0) }, g);
  text(g, 'gv-title', (n.subgraphs > 0 ? w - 18 : w) / 2, metrics.titleHeight / 2, n.title, 'middle');
  n.rows.forEach((r, i) => {
    text(g, r.kind === 'weight' ? (r.changed ? 'gv-row gv-weight gv-changed' : 'gv-row gv-weight') : 'gv-row', metrics.padX, metrics.titleHeight + metrics.padY + metrics.rowHeight * (i + 0.5), r.text);
  });
  if (n.subgraphs > 0) {
    el('circle', { class: 'gv-badge', cx: w - 11, cy: metrics.titleHeight / 2, r: 7 }, g);
    text(g, 'gv-badge-text', w - 11, metrics.titleHeight / 2, String(n.subgraphs), 'middle');
    const t = el('title', {}, g);
    t.textContent = `${n.subgraphs} subgraph${n.subgraphs > 1 ? 's' : ''}: double-click to open`;
  }
  return g;
}

function drawEdge(e: LayoutEdge, parent: Element, labels: Element): SVGPathElement {
  const p = el('path', { class: 'gv-edge', d: curve(e.points) ?? '', 'marker-end': 'url(#gv-arrow)', 'data-from': e.from, 'data-to': e.to }, parent);
  if (e.label && e.labelAt) text(labels, e.changed ? 'gv-edge-label gv-changed' : 'gv-edge-label', e.labelAt.x + 3, e.labelAt.y, e.label);
  return p;
}

export interface Drawing {
  viewport: SVGGElement;
  nodes: Map<string, SVGGElement>;
  edges: SVGPathElement[];
}

/** Empties `svg` and draws the layout into it; the returned viewport takes the zoom transform. */
export function drawLayout(svg: SVGSVGElement, layout: Layout): Drawing {
  svg.replaceChildren();
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'gv-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' }, defs);
  el('path', { class: 'gv-arrow', d: 'M0,0L10,5L0,10z' }, marker);
  const viewport = el('g', { class: 'gv-viewport' }, svg);
  const edgeLayer = el('g', { class: 'gv-edges' }, viewport);
  const labelLayer = el('g', { class: 'gv-labels' }, viewport);
  const nodeLayer = el('g', { class: 'gv-nodes' }, viewport);
  const edges = layout.edges.map((e) => drawEdge(e, edgeLayer, labelLayer));
  const nodes = new Map<string, SVGGElement>();
  for (const n of layout.nodes) nodes.set(n.id, drawNode(n, nodeLayer));
  return { viewport, nodes, edges };
}
