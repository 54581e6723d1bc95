// Drawing graph overlays (overlay.ts): the fills and tooltips of the op boxes, one pass over a
// drawing (redone after every layout), and the legend: a DOM block in the view's corner, and an SVG
// band above the exported drawing.

import * as d3 from 'd3';
import { MARK_COLOURS, overlayDomain, overlayFills, overlayStops, valueText, type GraphOverlay } from './overlay';

const SVG = 'http://www.w3.org/2000/svg';

function isDark(colour: string): boolean {
  return d3.lab(colour).l < 55;
}

/** Paints (or with null clears) the op boxes of a drawing of the main graph. */
export function paintOverlay(nodes: ReadonlyMap<string, SVGGElement>, o: GraphOverlay | null): void {
  const fills = o ? overlayFills(o) : new Map<number, string>();
  for (const g of nodes.values()) {
    const idx = g.getAttribute('data-index');
    if (idx === null) continue;
    const box = g.querySelector<SVGRectElement>('.gv-box');
    g.querySelector('title.gv-ov-title')?.remove();
    const fill = fills.get(Number(idx));
    g.classList.toggle('gv-ov-painted', fill !== undefined);
    g.classList.toggle('gv-ov-dark', fill !== undefined && isDark(fill));
    if (box) box.style.fill = fill ?? '';
    // A node drawn as its title bar only (Relu, Add …: no rows) shows the colour on that bar.
    const head = g.querySelector<SVGPathElement>('.gv-head');
    const headOnly = fill !== undefined && g.querySelector('.gv-row') === null;
    g.classList.toggle('gv-ov-head', headOnly);
    if (head) head.style.fill = headOnly ? fill : '';
    if (o && fill !== undefined) {
      const t = document.createElementNS(SVG, 'title');
      t.setAttribute('class', 'gv-ov-title');
      t.textContent = `${o.title}: ${valueText(o, Number(idx)) ?? ''}`;
      g.append(t);
    }
  }
}

const NO_VALUE = 'no value';

/** The legend in the view's corner: title, ramp with min / max ticks (or the marks), a "no value" swatch. */
export function legendElement(o: GraphOverlay): HTMLElement {
  const el = document.createElement('div');
  el.className = 'gv-legend';
  el.dataset.testid = 'overlay-legend';
  const title = document.createElement('div');
  title.className = 'gv-legend-title';
  title.textContent = o.title;
  el.append(title);
  const swatch = (colour: string, label: string, cls = 'gv-legend-swatch'): HTMLElement => {
    const row = document.createElement('div');
    row.className = 'gv-legend-row';
    const s = document.createElement('span');
    s.className = cls;
    if (colour) s.style.background = colour;
    const t = document.createElement('span');
    t.textContent = label;
    row.append(s, t);
    return row;
  };
  if (o.kind === 'marks') {
    for (const m of ['added', 'removed', 'changed'] as const) el.append(swatch(MARK_COLOURS[m], m));
  } else {
    const [lo, hi] = overlayDomain(o);
    const ramp = document.createElement('div');
    ramp.className = 'gv-legend-ramp';
    ramp.style.background = `linear-gradient(to right, ${overlayStops(o).join(', ')})`;
    const ticks = document.createElement('div');
    ticks.className = 'gv-legend-ticks';
    const min = document.createElement('span');
    min.dataset.testid = 'legend-min';
    min.textContent = o.format(lo);
    const max = document.createElement('span');
    max.dataset.testid = 'legend-max';
    max.textContent = o.format(o.domain ? hi : Math.max(...[...o.values.values()].filter(Number.isFinite)));
    ticks.append(min, max);
    el.append(ramp, ticks);
  }
  el.append(swatch('', NO_VALUE, 'gv-legend-swatch gv-legend-none'));
  return el;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

/** Height of the exported legend band, in drawing units. */
export const LEGEND_HEIGHT = 44;

/** The legend band above an exported drawing, in the theme's colours. */
export function legendBand(o: GraphOverlay): { node: SVGGElement; height: number } {
  const css = getComputedStyle(document.documentElement);
  const colour = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return { node: legendSvg(o, colour('--gv-text', '#1d2129'), colour('--gv-fill', '#ffffff'), colour('--gv-stroke', '#b9bec6')), height: LEGEND_HEIGHT + 6 };
}

/** The legend as an SVG group for the exported drawing (plain attributes: no stylesheet needed). */
export function legendSvg(o: GraphOverlay, text: string, noValueFill: string, stroke: string): SVGGElement {
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('class', 'gv-legend-svg');
  g.setAttribute('font-family', 'system-ui, sans-serif');
  const label = (x: number, y: number, s: string, anchor = 'start', weight = '400'): void => {
    const t = svgEl('text', { x, y, 'font-size': 11, 'font-weight': weight, fill: text, 'text-anchor': anchor }, g);
    t.textContent = s;
  };
  label(10, 14, o.title, 'start', '600');
  let x = 10;
  if (o.kind === 'marks') {
    for (const m of ['added', 'removed', 'changed'] as const) {
      svgEl('rect', { x, y: 22, width: 14, height: 12, fill: MARK_COLOURS[m], stroke }, g);
      label(x + 18, 32, m);
      x += 80;
    }
  } else {
    const id = `gv-legend-ramp-${o.id.replace(/[^\w-]/g, '_')}`;
    const defs = svgEl('defs', {}, g);
    const grad = svgEl('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 }, defs);
    const s = overlayStops(o);
    s.forEach((c, i) => svgEl('stop', { offset: i / (s.length - 1), 'stop-color': c }, grad));
    svgEl('rect', { x, y: 22, width: 160, height: 10, fill: `url(#${id})`, stroke }, g);
    const [lo, hi] = overlayDomain(o);
    const max = o.domain ? hi : Math.max(...[...o.values.values()].filter(Number.isFinite));
    label(x, 43, o.format(lo));
    label(x + 160, 43, o.format(max), 'end');
    x += 180;
  }
  svgEl('rect', { x, y: 22, width: 14, height: 12, fill: noValueFill, stroke }, g);
  label(x + 18, 32, NO_VALUE);
  return g;
}

/** The overlay on a drawing's op boxes (if drawn yet) and its legend in `root`'s corner; null clears both. */
export function showOverlay(root: HTMLElement, nodes: ReadonlyMap<string, SVGGElement> | undefined, o: GraphOverlay | null): void {
  if (nodes) paintOverlay(nodes, o);
  root.querySelector('.gv-legend')?.remove();
  if (o) root.append(legendElement(o));
}
