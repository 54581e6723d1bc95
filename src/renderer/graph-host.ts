// Hosts the graph view (src/renderer/views/graph, written separately) in the centre of the window.
// Until that module exists the build still works: a plain list of nodes stands in for the drawing.

import type { GraphSummary, ModelSummary, NodeSummary } from '../engine/protocol';
import { clear, h } from './dom';
import { formatDims } from './format';

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
  return real ? real(host, { onSelect }) : fallbackGraphView(host, onSelect);
}

/** A readable list of the nodes with their weight shapes; used only when the graph view is absent. */
function fallbackGraphView(host: HTMLElement, onSelect: (node: NodeSummary | null, graphPath: string[]) => void): GraphView {
  const list = h('div', { class: 'graph-fallback' });
  host.append(list);
  let graph: GraphSummary | null = null;
  let boxes: HTMLElement[] = [];
  const select = (index: number | null): void => {
    boxes.forEach((b, i) => b.classList.toggle('selected', i === index));
    if (index !== null) boxes[index]?.scrollIntoView({ block: 'center' });
  };
  return {
    show(g) {
      graph = g;
      const weights = new Map<string, string>(g.initializers.map((i) => [i.name, formatDims(i.dims)]));
      // Constant nodes are folded into the nodes they feed, like initializers.
      for (const n of g.nodes) {
        const value = n.attributes.find((a) => a.name === 'value');
        if (n.opType === 'Constant' && value) weights.set(n.outputs[0], value.value.replace(/^[a-z0-9]+\[(.*)\]$/, '$1').replace(/,/g, '×'));
      }
      boxes = g.nodes.map((node) =>
        h(
          'div',
          {
            class: 'fallback-node',
            hidden: node.opType === 'Constant',
            'data-node-index': node.index,
            onclick: () => {
              select(node.index);
              onSelect(node, []);
            },
          },
          h('div', { class: 'op' }, h('span', {}, node.opType), node.name ? h('span', { class: 'chip' }, node.name) : null),
          node.inputs.map((name, i) =>
            i > 0 && weights.has(name) ? h('div', { class: 'init' }, `${ROLES[node.opType]?.[i] ?? i} ⟨${weights.get(name)}⟩`) : null,
          ),
        ),
      );
      clear(list, boxes);
    },
    select,
    fit: () => undefined,
    zoomIn: () => undefined,
    zoomOut: () => undefined,
    find(query) {
      const q = query.toLowerCase();
      return (graph?.nodes ?? []).filter(
        (n) => n.name.toLowerCase().includes(q) || n.opType.toLowerCase().includes(q) || n.inputs.concat(n.outputs).some((t) => t.toLowerCase().includes(q)),
      );
    },
    toSvg: () => '<svg xmlns="http://www.w3.org/2000/svg"/>',
    toPng: async () => new Blob([], { type: 'image/png' }),
    destroy: () => list.remove(),
  };
}

const ROLES: Record<string, string[]> = {
  Gemm: ['A', 'B', 'C'],
  MatMul: ['A', 'B'],
  Conv: ['X', 'W', 'B'],
  BatchNormalization: ['X', 'scale', 'B', 'mean', 'var'],
};

export function modelTitle(model: ModelSummary): string {
  return model.graph.name || model.fileName;
}
