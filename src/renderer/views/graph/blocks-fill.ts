// The overlay (overlay.ts) on a collapsed run of repeated blocks, no DOM: a measure shows the
// largest value of its nodes (a hotspot inside any layer shows on the box; the tooltip says "max"),
// marks show the mark its marked nodes share, or "changed" when they differ.

import { type GraphOverlay, MARK_COLOURS, measureColour } from './overlay';

/** What a collapsed run's box shows under an overlay: a colour and a tooltip, or none. */
export function groupFill(o: GraphOverlay, nodes: readonly number[]): { fill: string; text: string } | undefined {
  if (o.kind === 'marks') {
    const marks = new Set(nodes.map((i) => o.marks.get(i)).filter((m) => m !== undefined));
    if (marks.size === 0) return undefined;
    const mark = marks.size === 1 ? [...marks][0] : 'changed';
    return { fill: MARK_COLOURS[mark], text: `${o.title}: ${mark}` };
  }
  let max = -Infinity;
  for (const i of nodes) {
    const v = o.values.get(i);
    if (v !== undefined && Number.isFinite(v) && v > max) max = v;
  }
  if (max === -Infinity) return undefined;
  return { fill: measureColour(o, max), text: `${o.title}: max ${o.format(max)}` };
}
