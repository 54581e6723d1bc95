// Graph overlays (issue 16): a measure per node of the main graph drawn as the fill of its box on a
// sequential scale, or marks (added / removed / changed) as fixed colours. Keys are node indices of
// the main graph. This file: the types and the colours (no DOM); overlay-draw.ts paints the boxes
// after every layout and draws the legend (in the view's corner and in the SVG export).

import * as d3 from 'd3';

export interface MeasureOverlay { kind: 'measure'; id: string; title: string; values: ReadonlyMap<number, number>; format(v: number): string; domain?: [number, number]; higherIsWorse?: boolean }
export interface MarksOverlay { kind: 'marks'; id: string; title: string; marks: ReadonlyMap<number, 'added' | 'removed' | 'changed'> }
export type GraphOverlay = MeasureOverlay | MarksOverlay;

export const MARK_COLOURS: Record<'added' | 'removed' | 'changed', string> = { added: '#2f9e44', removed: '#e03131', changed: '#f08c00' };

/** The scale's domain: the given one, else the values' min and max (a single value: [v, v + 1]). */
export function overlayDomain(o: MeasureOverlay): [number, number] {
  if (o.domain) return o.domain;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of o.values.values()) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) return [0, 1];
  return lo === hi ? [lo, lo + 1] : [lo, hi];
}

/** The ramp, pale (low) to dark (high): yellow-red, or blue-green when higher is better (higherIsWorse false). */
function interpolator(o: MeasureOverlay): (t: number) => string {
  return o.higherIsWorse === false ? d3.interpolateYlGnBu : d3.interpolateYlOrRd;
}

export function measureColour(o: MeasureOverlay, v: number): string {
  const [lo, hi] = overlayDomain(o);
  const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
  // 0.08..1 of the ramp: its very first colour is nearly white, too close to an unpainted box.
  return interpolator(o)(0.08 + 0.92 * t);
}

/** Fills of each painted node: index → colour. */
export function overlayFills(o: GraphOverlay): Map<number, string> {
  const out = new Map<number, string>();
  if (o.kind === 'marks') for (const [i, m] of o.marks) out.set(i, MARK_COLOURS[m]);
  else for (const [i, v] of o.values) if (Number.isFinite(v)) out.set(i, measureColour(o, v));
  return out;
}

export function valueText(o: GraphOverlay, index: number): string | undefined {
  if (o.kind === 'marks') return o.marks.get(index);
  const v = o.values.get(index);
  return v === undefined ? undefined : o.format(v);
}

/** The ramp's stops for a CSS or SVG gradient. */
export function overlayStops(o: MeasureOverlay, n = 8): string[] {
  const [lo, hi] = overlayDomain(o);
  return Array.from({ length: n + 1 }, (_, i) => measureColour(o, lo + ((hi - lo) * i) / n));
}
