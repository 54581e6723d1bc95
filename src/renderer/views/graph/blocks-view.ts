// The graph view's runs of repeated blocks (blocks.ts) on the main graph: which are collapsed (a
// graph of more than COLLAPSE_ABOVE drawn ops opens with all collapsed), expanding one (a click or
// Enter on its box) and collapsing it again (its frame's control, or the corner toggle for all),
// keeping the spot of the drawing under the user in place; Find and select expand the runs that
// hold what they show. The view (index.ts) lays out and draws; this module says what and reacts.

import * as d3 from 'd3';
import type { GraphSummary } from '../../../engine/protocol';
import { type BlockRun, COLLAPSE_ABOVE, findBlocks, runRows, runTitle } from './blocks';
import { drawFrames, frameBox, paintGroups } from './blocks-draw';
import { drawnNodes } from '../../folded-nodes';
import type { Layout } from './layout';
import type { ViewRun } from './layout-runs';
import type { GraphOverlay } from './overlay';
import type { Drawing } from './render';

export interface BlocksHost {
  root: HTMLElement;
  svg: SVGSVGElement;
  zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  /** The layout in view. */
  layout(): Layout | undefined;
  /** Lays out and draws the main graph again, keeping the view. */
  redraw(): void;
  fit(): void;
}

export interface BlocksView {
  /** A new main graph: finds its runs and collapses them when it is big. */
  reset(graph: GraphSummary): void;
  /** The runs for the next layout of the main graph. */
  view(): ViewRun[];
  /** After drawing: the frames of expanded runs (main graph only) and the corner toggle. */
  drawn(drawing: Drawing, layout: Layout, main: boolean): void;
  /** After the view is set on a new layout: moves it as the last expand / collapse asked. */
  afterLayout(layout: Layout): void;
  /** The overlay's colour on collapsed runs (the largest value of their nodes). */
  paint(nodes: ReadonlyMap<string, SVGGElement>, overlay: GraphOverlay | null): void;
  /** A click or key on a collapsed run (expands it) or a frame's control (collapses it); true if handled. */
  event(ev: Event): boolean;
  /** Expands the collapsed runs holding any of `indices`, then calls `then` on the new layout; true when it did. */
  reveal(indices: Iterable<number>, then: (l: Layout) => void): boolean;
}

export function createBlocksView(host: BlocksHost): BlocksView {
  const { svg, zoom } = host;
  const sel = d3.select(svg);
  let runs: BlockRun[] = [];
  let collapsed = new Set<number>();
  /** Run once on the next layout (keeps a spot of the drawing in place, or centres on a node). */
  let pending: ((l: Layout) => void) | undefined;
  const members = (id: number): number[] => runs[id]?.blocks.flat() ?? [];
  const bar = document.createElement('div');
  bar.className = 'gv-blocks';
  host.root.append(bar);
  svg.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && blockEvent(e)) e.preventDefault();
  });
  const fit = (): void => host.fit();
  const redraw = (): void => host.redraw();

  /** Moves the view so that layout point `from` (old drawing) shows where `to` (new drawing) now is. */
  const keepSpot = (from: { x: number; y: number }, to: (l: Layout) => { x: number; y: number } | undefined): void => {
    pending = (l) => {
      const p = to(l);
      if (!p) return;
      const t = d3.zoomTransform(svg);
      sel.call(zoom.transform, d3.zoomIdentity.translate(t.x + (from.x - p.x) * t.k, t.y + (from.y - p.y) * t.k).scale(t.k));
    };
  };
  const topOf = (id: number) => (l: Layout) => {
    const box = frameBox(l, members(id));
    return box && { x: box.x + box.width / 2, y: box.y };
  };
  const expand = (ids: number[], then?: (l: Layout) => void): void => {
    const shut = ids.filter((id) => collapsed.has(id));
    if (shut.length === 0) return;
    const box = host.layout()?.nodes.find((n) => n.id === `g${shut[0]}`);
    for (const id of shut) collapsed.delete(id);
    if (then) pending = then;
    else if (box) keepSpot({ x: box.x, y: box.y - box.height / 2 }, topOf(shut[0]));
    redraw();
  };
  const collapse = (ids: number[]): void => {
    const open = ids.filter((id) => !collapsed.has(id) && runs[id]);
    if (open.length === 0) return;
    const current = host.layout();
    const top = current && topOf(open[0])(current);
    for (const id of open) collapsed.add(id);
    if (top) keepSpot(top, (l) => {
      const g = l.nodes.find((n) => n.id === `g${open[0]}`);
      return g && { x: g.x, y: g.y - g.height / 2 };
    });
    redraw();
  };
  /** A click or key on a collapsed run (expands it) or on a frame's control (collapses it). */
  const blockEvent = (ev: Event): boolean => {
    const t = ev.target as Element;
    const group = t.closest('[data-group]')?.getAttribute('data-group');
    const shut = t.closest('[data-collapse]')?.getAttribute('data-collapse');
    if (group != null) expand([Number(group)]);
    else if (shut != null) collapse([Number(shut)]);
    else return false;
    return true;
  };
  /** Expands the collapsed runs holding any of `indices` (main graph); true when it did. */
  const reveal = (indices: Iterable<number>, then?: (l: Layout) => void): boolean => {
    const want = new Set(indices);
    const ids = runs.filter((r) => collapsed.has(r.id) && r.blocks.some((b) => b.some((i) => want.has(i)))).map((r) => r.id);
    if (ids.length === 0) return false;
    expand(ids, then);
    return true;
  };
  const renderBar = (): void => {
    bar.replaceChildren();
    if (runs.length === 0) return;
    const b = document.createElement('button');
    const anyOpen = runs.some((r) => !collapsed.has(r.id));
    b.textContent = anyOpen ? `Collapse repeated blocks (${runs.length})` : 'Expand all blocks';
    b.dataset.testid = 'blocks-toggle';
    b.addEventListener('click', () => (anyOpen ? collapse(runs.map((r) => r.id)) : expand(runs.map((r) => r.id), () => fit())));
    bar.append(b);
  };

  return {
    reset(graph) {
      const t0 = performance.now();
      runs = findBlocks(graph);
      try {
        performance.measure('gv:blocks', { start: t0, end: performance.now() }); // read by the bench
      } catch {
        // profiling only
      }
      const drawn = drawnNodes(graph).length;
      collapsed = new Set(drawn > COLLAPSE_ABOVE ? runs.map((r) => r.id) : []);
      pending = undefined;
    },
    view: () => runs.map((r) => ({ id: r.id, title: runTitle(r), rows: runRows(r), blocks: r.blocks, collapsed: collapsed.has(r.id) })),
    drawn(drawing, layout, main) {
      bar.replaceChildren();
      if (!main) return;
      drawFrames(drawing, layout, runs.filter((r) => !collapsed.has(r.id)).map((r) => ({ id: r.id, title: runTitle(r), nodes: r.blocks.flat() })));
      renderBar();
    },
    afterLayout(layout) {
      const after = pending;
      pending = undefined;
      after?.(layout);
    },
    paint: (nodes, overlay) => paintGroups(nodes, members, overlay),
    event: (ev) => blockEvent(ev),
    reveal: (indices, then) => collapsed.size > 0 && reveal(indices, then),
  };
}
