// Hosts the graph view (src/renderer/views/graph) in the centre of the window. If the view fails to
// start, a plain list of nodes stands in for the drawing so the window is never blank.

import type { ModelSummary, NodeSummary } from '../engine/protocol';
import { fallbackGraphView } from './graph-fallback';
import { createGraphView, type GraphViewApi } from './views/graph';

export type GraphView = GraphViewApi;

export function createGraphHost(
  host: HTMLElement,
  onSelect: (node: NodeSummary | null, graphPath: string[]) => void,
): GraphView {
  try {
    return createGraphView(host, { onSelect });
  } catch (error) {
    // A broken drawing must not take the rest of the app down: list the nodes instead.
    console.error('The graph view failed to start; showing the node list instead.', error);
    host.replaceChildren();
    return fallbackGraphView(host, onSelect);
  }
}

export function modelTitle(model: ModelSummary): string {
  return model.graph.name || model.fileName;
}
