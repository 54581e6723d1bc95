// The graph view: a Netron-like layered drawing of a GraphSummary with pan / zoom (d3-zoom), fit,
// find, selection, and If / Loop / Scan subgraphs behind a breadcrumb. Layout runs in a Web Worker.
// After a channel prune the main graph's changed weights read `B ⟨1000×784⟩ → ⟨400×784⟩`; an
// overlay (overlay.ts) colours the main graph's boxes. Runs of repeated blocks: blocks-view.ts.

import './graph.css';
import * as d3 from 'd3';
import type { GraphSummary, NodeSummary } from '../../../engine/protocol';
import type { PrunedShapes } from '../../pruned-shapes';
import { svgDocument, svgToPng } from './export';
import { type Font, type Layout, estimateWidth } from './layout';
import { measureGlyphs } from './glyphs';
import { layoutView } from './layout-runs';
import type { LayoutRequest } from './layout.worker';
import { type Drawing, drawLayout } from './render';
import type { GraphOverlay } from './overlay';
import { legendBand, showOverlay } from './overlay-draw';
import { createBlocksView } from './blocks-view';
import { drawnMatches } from '../../folded-nodes';

export interface GraphViewOptions {
  onSelect(node: NodeSummary | null, graphPath: string[]): void;
}

export interface GraphViewApi {
  show(graph: GraphSummary): void;
  /**
   * The weights of the main graph whose shape a prune changed (pruned-shapes.ts: prunedShapes of
   * the PruneReport), empty for none: the graph is laid out again with their new widths, keeping the view.
   */
  showShapeChanges(shapes: PrunedShapes): void;
  select(index: number | null): void;
  fit(): void;
  zoomIn(): void;
  zoomOut(): void;
  /** Marks the nodes in view that `match` accepts (inMain: main-graph indices), else those with `query` in a name / op / tensor. */
  find(query: string, match?: (node: NodeSummary, inMain: boolean) => boolean): NodeSummary[];
  /** Colours the main graph's op boxes by a measure or marks, with a legend; null removes it. Kept across layouts. */
  setOverlay(o: GraphOverlay | null): void;
  toSvg(): string;
  toPng(): Promise<Blob>;
  destroy(): void;
}

interface Level {
  graph: GraphSummary;
  /** Breadcrumb parts (node name, attribute); the path given to onSelect joins those after the root. */
  parts: string[];
}

/** A performance measure for profiling (the bench reads those named gv:*); never fails. */
function mark(name: string, start: number, end: number): void {
  try {
    performance.measure(name, { start, end });
  } catch {
    // measure() with options is missing in old engines: profiling only.
  }
}

function startWorker(): Worker | undefined {
  try {
    return new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return undefined;
  }
}

/**
 * The layout worker is started when this module loads (app start), not with the first model: it
 * loads dagre and lays out a small warm-up graph meanwhile, so the first real layout runs on
 * compiled code. The first view takes it; later views start their own.
 */
let spareWorker: Worker | undefined = typeof Worker === 'undefined' ? undefined : startWorker();

function takeWorker(): Worker | undefined {
  const w = spareWorker;
  spareWorker = undefined;
  return w ?? startWorker();
}

export function createGraphView(host: HTMLElement, opts: GraphViewOptions): GraphViewApi {
  const root = document.createElement('div');
  root.className = 'gv-root';
  root.dataset.testid = 'graph-view';
  const crumbs = document.createElement('nav');
  crumbs.className = 'gv-crumbs';
  const status = document.createElement('div');
  status.className = 'gv-status';
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'gv-svg');
  root.append(svg, crumbs, status);
  host.appendChild(root);

  const family = getComputedStyle(root).getPropertyValue('--gv-font').trim() || 'sans-serif';
  const glyph = measureGlyphs(family);
  let worker = takeWorker();
  let requestId = 0;
  const pending = new Map<number, { resolve(l: Layout): void; reject(e: Error): void }>();
  if (worker) {
    worker.onmessage = (e: MessageEvent<{ id: number; layout?: Layout; error?: string }>) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      if (!p) return;
      if (e.data.layout) p.resolve(e.data.layout);
      else p.reject(new Error(e.data.error ?? 'layout failed'));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker?.terminate();
      worker = undefined;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error('worker unavailable'));
      }
    };
  }
  const measureHere = (text: string, font: Font): number => {
    const table = glyph?.[font];
    if (!table) return estimateWidth(text, font);
    let w = 0;
    for (let i = 0; i < text.length; i++) w += table[text.charCodeAt(i) - 32] ?? table[77 - 32] ?? 8;
    return w;
  };
  const layoutOf = (graph: GraphSummary, shapes: PrunedShapes | undefined, runs: LayoutRequest['runs']): Promise<Layout> => {
    const here = (): Layout => layoutView(graph, measureHere, shapes, runs ?? []);
    if (!worker) return Promise.resolve().then(here);
    const id = ++requestId;
    return new Promise<Layout>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const changes = shapes && [...shapes.tensors.values()].map(({ tensor, before, after, values }) => ({ tensor, before, after, values }));
      worker?.postMessage({ id, graph, glyph, changes, ...(shapes ? { copies: [...shapes.copies] } : {}), runs } satisfies LayoutRequest);
    }).catch((error: unknown) => {
      if (error instanceof Error && error.message === 'worker unavailable') return here();
      throw error;
    });
  };

  let stack: Level[] = [];
  let layout: Layout | undefined;
  let drawing: Drawing | undefined;
  let selected: number | null = null;
  let matches = new Set<number>();
  let generation = 0;
  /** The main graph's changed weights (shapeChanges), and their key to skip a layout that changes nothing. */
  let changes: PrunedShapes | undefined;
  let changesKey = '';
  /** The overlay on the main graph's boxes and its legend (a subgraph in view shows neither). */
  let overlay: GraphOverlay | null = null;
  const paintOverlayNow = (): void => {
    showOverlay(root, drawing?.nodes, stack.length === 1 ? overlay : null);
    if (drawing) blocks.paint(drawing.nodes, stack.length === 1 ? overlay : null);
  };

  const zoom = d3
    .zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.02, 4])
    .on('zoom', (e: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
      drawing?.viewport.setAttribute('transform', e.transform.toString());
    });
  const sel = d3.select(svg);
  sel.call(zoom).on('dblclick.zoom', null);

  const current = (): GraphSummary | undefined => stack[stack.length - 1]?.graph;
  const graphPath = (): string[] => stack.slice(1).flatMap((l) => l.parts);

  const renderCrumbs = (): void => {
    crumbs.replaceChildren();
    if (stack.length < 2) return;
    stack.forEach((level, i) => {
      if (i > 0) crumbs.append(' › ');
      const b = document.createElement('button');
      b.textContent = level.parts.join(' › ');
      b.disabled = i === stack.length - 1;
      b.addEventListener('click', () => {
        stack = stack.slice(0, i + 1);
        void redraw();
        opts.onSelect(null, graphPath());
      });
      crumbs.append(b);
    });
  };

  const paintMarks = (): void => {
    if (!drawing) return;
    for (const [id, g] of drawing.nodes) {
      const idx = id.startsWith('n') ? Number(id.slice(1)) : -1;
      g.classList.toggle('gv-selected', idx === selected);
      g.classList.toggle('gv-match', matches.has(idx));
    }
    const sid = selected === null ? '' : `n${selected}`;
    for (const e of drawing.edges) e.classList.toggle('gv-selected', sid !== '' && (e.dataset.from === sid || e.dataset.to === sid));
  };

  /**
   * Fit: the whole drawing in the view, centred (the Fit button, key 0). `readableTop`, for a newly
   * opened graph only: a graph so tall that fitting it would make its boxes unreadable opens at a
   * readable scale showing its top instead.
   */
  const fit = (readableTop = false): void => {
    if (!layout) return;
    const w = svg.clientWidth || 800;
    const h = svg.clientHeight || 600;
    const pad = 20;
    const k = Math.min(1.2, w / (layout.width + 2 * pad), h / (layout.height + 2 * pad));
    // A very tall graph fits only below d3-zoom's default minimum: let the zoom go as far as Fit needs.
    zoom.scaleExtent([Math.min(0.02, k), 4]);
    const scale = readableTop && layout.height * k >= h * 0.5 && k < 0.35 ? Math.min(1, w / (layout.width + 2 * pad), 0.8) : k;
    const tx = (w - layout.width * scale) / 2;
    const ty = scale === k ? (h - layout.height * scale) / 2 : pad;
    sel.call(zoom.transform, d3.zoomIdentity.translate(tx, ty).scale(scale));
  };

  const centreOn = (index: number): void => {
    const n = layout?.nodes.find((b) => b.kind === 'op' && b.index === index);
    if (!n) return;
    const k = Math.max(d3.zoomTransform(svg).k, 0.8);
    sel.call(zoom.transform, d3.zoomIdentity.translate((svg.clientWidth || 800) / 2 - n.x * k, (svg.clientHeight || 600) / 2 - n.y * k).scale(k));
  };

  const blocks = createBlocksView({ root, svg, zoom, layout: () => layout, redraw: () => void redraw(true), fit: () => fit() });

  const enter = (node: NodeSummary): void => {
    const sub = node.subgraphs[0];
    if (!sub) return;
    const base = node.name || `${node.opType}_${node.index}`;
    stack.push({ graph: sub.graph, parts: [base, sub.attribute] });
    void redraw();
    opts.onSelect(null, graphPath());
  };

  const onNodeEvent = (ev: Event, dbl: boolean): void => {
    if (!dbl && blocks.event(ev)) return;
    const target = (ev.target as Element).closest('.gv-node');
    const g = current();
    if (!g) return;
    if (!target) {
      if (!dbl) {
        selected = null;
        paintMarks();
        opts.onSelect(null, graphPath());
      }
      return;
    }
    const idx = target.getAttribute('data-index');
    if (idx === null) return;
    const node = g.nodes[Number(idx)];
    if (!node) return;
    if (dbl) {
      if (node.subgraphs.length > 0) chooseSubgraph(node, ev as MouseEvent);
      return;
    }
    selected = node.index;
    paintMarks();
    opts.onSelect(node, graphPath());
  };

  // A node with two subgraphs (If) asks which one: a small menu at the pointer.
  const chooseSubgraph = (node: NodeSummary, ev: MouseEvent): void => {
    if (node.subgraphs.length === 1) return enter(node);
    root.querySelector('.gv-menu')?.remove();
    const menu = document.createElement('div');
    menu.className = 'gv-menu';
    const r = root.getBoundingClientRect();
    menu.style.left = `${ev.clientX - r.left}px`;
    menu.style.top = `${ev.clientY - r.top}px`;
    node.subgraphs.forEach((s, i) => {
      const b = document.createElement('button');
      b.textContent = s.attribute;
      b.addEventListener('click', () => {
        menu.remove();
        enter({ ...node, subgraphs: [node.subgraphs[i]!] });
      });
      menu.append(b);
    });
    root.append(menu);
  };
  svg.addEventListener('click', (e) => {
    root.querySelector('.gv-menu')?.remove();
    onNodeEvent(e, false);
  });
  svg.addEventListener('dblclick', (e) => onNodeEvent(e, true));

  // When the window or the side panel resizes, what was at the centre of the view stays there.
  let lastSize: [number, number] = [svg.clientWidth, svg.clientHeight];
  new ResizeObserver(() => {
    const w = svg.clientWidth;
    const h = svg.clientHeight;
    const [w0, h0] = lastSize;
    lastSize = [w, h];
    if (!layout || w === 0 || h === 0 || w0 === 0 || h0 === 0 || (w === w0 && h === h0)) return;
    const t = d3.zoomTransform(svg);
    sel.call(zoom.transform, d3.zoomIdentity.translate(t.x + (w - w0) / 2, t.y + (h - h0) / 2).scale(t.k));
  }).observe(svg);

  /**
   * Lays out and draws the current graph. `keepView` (new widths of the same graph): the old drawing
   * stays until the new one is ready, and the zoom, selection and find marks are kept.
   */
  async function redraw(keepView = false): Promise<void> {
    const g = current();
    if (!g) return;
    const gen = ++generation;
    if (!keepView) {
      selected = null;
      matches = new Set();
      renderCrumbs();
      status.textContent = `Laying out ${g.nodes.length} nodes…`;
      svg.replaceChildren();
      drawing = undefined;
      layout = undefined;
    }
    status.classList.remove('gv-error');
    try {
      const t0 = performance.now();
      const main = stack.length === 1;
      const l = await layoutOf(g, main && changes !== undefined && changes.tensors.size > 0 ? changes : undefined, main ? blocks.view() : undefined);
      if (gen !== generation) return;
      const t1 = performance.now();
      const view = d3.zoomTransform(svg);
      layout = l;
      drawing = drawLayout(svg, l);
      blocks.drawn(drawing, l, main);
      paintOverlayNow();
      status.textContent = '';
      root.dataset.changed = String(stack.length === 1 ? (changes?.tensors.size ?? 0) : 0);
      if (keepView) {
        sel.call(zoom.transform, view);
        paintMarks();
      } else fit(true);
      blocks.afterLayout(l);
      root.dataset.drawn = String(l.nodes.length);
      mark('gv:layout', t0, t1);
      mark('gv:draw', t1, performance.now());
    } catch (error) {
      if (gen !== generation) return;
      status.classList.add('gv-error');
      status.textContent = `The graph could not be laid out: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  return {
    show(graph) {
      performance.mark('gv:show');
      stack = [{ graph, parts: ['Main'] }];
      blocks.reset(graph);
      changes = undefined;
      changesKey = '';
      void redraw();
    },
    showShapeChanges(next) {
      const key = [...next.tensors.values()].map((c) => `${c.tensor}:${c.before.join('x')}>${c.after.join('x')}:${c.values.map((v) => `${v.index}=${v.after}`).join()}`).join('|') + `|${[...next.copies].join()}`;
      if (key === changesKey) return;
      changes = next;
      changesKey = key;
      // Only the main graph holds pruned weights; a subgraph in view is drawn again on the way back.
      if (stack.length === 1) void redraw(true);
    },
    select(index) {
      selected = index;
      paintMarks();
      if (index !== null && !(stack.length === 1 && blocks.reveal([index], () => centreOn(index)))) centreOn(index);
    },
    fit: () => fit(),
    zoomIn() {
      sel.call(zoom.scaleBy, 1.25);
    },
    zoomOut() {
      sel.call(zoom.scaleBy, 0.8);
    },
    find(query, match) {
      const g = current();
      const q = query.trim().toLowerCase();
      const test = match ? (n: NodeSummary) => match(n, stack.length === 1) : (n: NodeSummary) => [n.name, n.opType, ...n.inputs, ...n.outputs].some((s) => s.toLowerCase().includes(q));
      const found = !g || q === '' ? [] : drawnMatches(g, test);
      matches = new Set(found.map((n) => n.index));
      paintMarks();
      const first = found[0]?.index;
      if (first !== undefined && stack.length === 1) blocks.reveal(matches, () => centreOn(first));
      return found;
    },
    setOverlay(o) {
      overlay = o;
      paintOverlayNow();
    },
    toSvg() {
      const band = stack.length === 1 && overlay ? legendBand(overlay) : undefined;
      return layout ? svgDocument(svg, layout, band) : '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>';
    },
    async toPng() {
      const text = this.toSvg();
      return svgToPng(text, layout?.width ?? 1, (layout?.height ?? 1) + (stack.length === 1 && overlay ? legendBand(overlay).height : 0));
    },
    destroy() {
      generation++;
      worker?.terminate();
      worker = undefined;
      sel.on('.zoom', null);
      root.remove();
    },
  };
}
