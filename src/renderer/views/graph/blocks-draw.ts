// Drawing of repeated blocks (blocks.ts) beyond the collapsed box itself (render.ts): the dashed
// frame around an expanded run with its "Collapse" control, and the overlay fill of a collapsed
// box (blocks-fill.ts says which).

import * as d3 from 'd3';
import type { Drawing } from './render';
import type { Layout } from './layout';
import { estimateWidth, metrics } from './layout';
import { groupFill } from './blocks-fill';
import type { GraphOverlay } from './overlay';

const SVG = 'http://www.w3.org/2000/svg';

export interface Frame {
  id: number;
  title: string;
  nodes: readonly number[];
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

/** The box around the drawn nodes of a run, in layout coordinates (undefined: none drawn). */
export function frameBox(layout: Layout, nodes: readonly number[]): { x: number; y: number; width: number; height: number } | undefined {
  const ids = new Set(nodes.map((i) => `n${i}`));
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of layout.nodes) {
    if (!ids.has(n.id)) continue;
    x0 = Math.min(x0, n.x - n.width / 2);
    y0 = Math.min(y0, n.y - n.height / 2);
    x1 = Math.max(x1, n.x + n.width / 2);
    y1 = Math.max(y1, n.y + n.height / 2);
  }
  if (x0 === Infinity) return undefined;
  const pad = 10;
  return { x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad };
}

/** Draws the frames of expanded runs under the drawing's boxes; each has a `[data-collapse]` control. */
export function drawFrames(drawing: Drawing, layout: Layout, frames: readonly Frame[]): void {
  const layer = document.createElementNS(SVG, 'g');
  layer.setAttribute('class', 'gv-frames');
  drawing.viewport.insertBefore(layer, drawing.viewport.firstChild);
  for (const f of frames) {
    const box = frameBox(layout, f.nodes);
    if (!box) continue;
    el('rect', { class: 'gv-frame', ...box }, layer);
    const label = `− Collapse ${f.title}`;
    const w = estimateWidth(label, 'title') + 2 * metrics.padX;
    const c = el('g', { class: 'gv-collapse', 'data-collapse': f.id, tabindex: 0, role: 'button', 'aria-label': `Collapse ${f.title}`, transform: `translate(${box.x},${box.y - 20})` }, drawing.viewport);
    el('rect', { width: w, height: 18 }, c);
    const t = el('text', { x: metrics.padX, y: 9, 'dominant-baseline': 'central' }, c);
    t.textContent = label;
  }
}

/** Paints (or with null clears) the collapsed runs' boxes of a drawing of the main graph. */
export function paintGroups(nodes: ReadonlyMap<string, SVGGElement>, members: (id: number) => readonly number[], o: GraphOverlay | null): void {
  for (const g of nodes.values()) {
    const id = g.getAttribute('data-group');
    if (id === null) continue;
    const box = g.querySelector<SVGRectElement>('.gv-box:not(.gv-stack)');
    g.querySelector('title.gv-ov-title')?.remove();
    const paint = o ? groupFill(o, members(Number(id))) : undefined;
    g.classList.toggle('gv-ov-painted', paint !== undefined);
    g.classList.toggle('gv-ov-dark', paint !== undefined && d3.lab(paint.fill).l < 55);
    if (box) box.style.fill = paint?.fill ?? '';
    if (paint) {
      const t = el('title', { class: 'gv-ov-title' }, g);
      t.textContent = paint.text;
    }
  }
}
