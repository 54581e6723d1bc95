// Lays a graph out off the main thread. Receives { id, graph, widths? }, answers { id, layout } or { id, error }.
// Text widths come from the page (a canvas measures fonts there); an estimate stands in for missing ones.

import type { GraphSummary } from '../../../engine/protocol';
import { estimateWidth, type Font, layoutGraph } from './layout';

export interface LayoutRequest {
  id: number;
  graph: GraphSummary;
  /** Widths of the printable ASCII glyphs (code 32..126) per font, measured by the page. */
  glyph?: Partial<Record<Font, number[]>>;
}

interface WorkerScope {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, graph, glyph } = e.data;
  try {
    const layout = layoutGraph(graph, (text, font) => {
      const table = glyph?.[font];
      if (!table) return estimateWidth(text, font);
      const fallback = table[77 - 32] ?? 8; // 'M' for anything outside ASCII
      let w = 0;
      for (let i = 0; i < text.length; i++) w += table[text.charCodeAt(i) - 32] ?? fallback;
      return w;
    });
    scope.postMessage({ id, layout });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
