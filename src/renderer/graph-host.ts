// Hosts the graph view (src/renderer/views/graph, written separately) in the centre of the window.
// Until that module exists the build still works: a plain list of nodes stands in for the drawing.

import type { GraphSummary, ModelSummary, NodeSummary } from '../engine/protocol';
import { fallbackGraphView } from './graph-fallback';

export interface GraphView {
  show(graph: GraphSummary): void;
  select(index: number | null): void;
  fit(): void;
  zoomIn(): void;
  zoomOut(): void;
  find(query: string): NodeSummary[];
  toSvg(): string;
  toPng(): Promise<Blob>;
  destroy(): void;
}

type CreateGraphView = (
  host: HTMLElement,
  opts: { onSelect(node: NodeSummary | null, graphPath: string[]): void },
) => GraphView;

const modules = import.meta.glob<{ createGraphView: CreateGraphView }>('./views/graph/index.ts', { eager: true });

export function createGraphHost(
  host: HTMLElement,
  onSelect: (node: NodeSummary | null, graphPath: string[]) => void,
): GraphView {
  const real = Object.values(modules)[0]?.createGraphView;
  if (real) {
    try {
      return real(host, { onSelect });
    } catch (error) {
      // A broken drawing must not take the rest of the app down: list the nodes instead.
      console.error('The graph view failed to start; showing the node list instead.', error);
      host.replaceChildren();
    }
  }
  return fallbackGraphView(host, onSelect);
}

export function modelTitle(model: ModelSummary): string {
  return model.graph.name || model.fileName;
}
