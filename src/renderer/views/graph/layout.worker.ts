// Lays a graph out off the main thread. Receives { id, graph, widths? }, answers { id, layout } or { id, error }.
// Text widths come from the page (a canvas measures fonts there); an estimate stands in for missing ones.

import type { GraphSummary } from '../../../engine/protocol';
import type { ChangedTensor } from '../../pruned-shapes';
import { estimateWidth, type Font, layoutGraph } from './layout';
import { layoutView, type ViewRun } from './layout-runs';

export interface LayoutRequest {
  id: number;
  graph: GraphSummary;
  /** Widths of the printable ASCII glyphs (code 32..126) per font, measured by the page. */
  glyph?: Partial<Record<Font, number[]>>;
  /** Weights whose shape a channel prune changed: their rows read `B ⟨1000×784⟩ → ⟨400×784⟩`. */
  changes?: ChangedTensor[];
  /** Readers of a shared constant that read their own copy (PrunedShapes.copies as entries). */
  copies?: [string, string][];
  /** Runs of repeated blocks, collapsed (one box) or expanded (laid out once, stacked). */
  runs?: ViewRun[];
}

interface WorkerScope {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

/**
 * A small synthetic graph laid out once when the worker starts, so that the first real layout does
 * not also pay for compiling dagre (a residual network: a chain with skip connections).
 */
export function warmUpGraph(blocks = 12): GraphSummary {
  const nodes: GraphSummary['nodes'] = [];
  let prev = 'x';
  for (let b = 0; b < blocks; b++) {
    const base = nodes.length;
    const node = (opType: string, inputs: string[], out: string): void => {
      nodes.push({ index: nodes.length, name: `${opType}_${nodes.length}`, opType, domain: '', inputs, outputs: [out], attributes: [], subgraphs: [] });
    };
    node('Conv', [prev], `c${base}`);
    node('Relu', [`c${base}`], `r${base}`);
    node('Conv', [`r${base}`], `d${base}`);
    node('Add', [`d${base}`, prev], `a${base}`);
    prev = `a${base}`;
  }
  return { name: 'warm-up', inputs: [{ name: 'x', type: 'float32[1,3,32,32]' }], outputs: [{ name: prev, type: 'float32' }], values: [], nodes, initializers: [] };
}

try {
  layoutGraph(warmUpGraph(), estimateWidth);
} catch {
  // Warm-up only: a real request reports its own errors.
}

scope.onmessage = (e) => {
  const { id, graph, glyph, changes, copies, runs } = e.data;
  try {
    const layout = layoutView(graph, (text, font) => {
      const table = glyph?.[font];
      if (!table) return estimateWidth(text, font);
      const fallback = table[77 - 32] ?? 8; // 'M' for anything outside ASCII
      let w = 0;
      for (let i = 0; i < text.length; i++) w += table[text.charCodeAt(i) - 32] ?? fallback;
      return w;
    }, changes && { tensors: new Map(changes.map((c) => [c.tensor, c])), copies: new Map(copies) }, runs ?? []);
    scope.postMessage({ id, layout });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
