// A plain stand-in for the graph view, used only when src/renderer/views/graph is absent from the
// build: the nodes top to bottom in file order, with their weight shapes (`B ⟨1000×784⟩`), graph
// inputs and outputs as pills, selection, find highlighting and zoom. Constant nodes are folded
// into the nodes they feed, like initializers.

import type { GraphSummary, NodeSummary, ValueSummary } from '../engine/protocol';
import { clear, h } from './dom';
import { formatDims } from './format';
import { inputRole } from './op-roles';
import { changeAt, changedWeightLabel, type PrunedShapes } from './pruned-shapes';
import type { GraphView } from './graph-host';

export function fallbackGraphView(host: HTMLElement, onSelect: (node: NodeSummary | null, graphPath: string[]) => void): GraphView {
  const list = h('div', { class: 'graph-fallback-list' });
  const scroller = h('div', { class: 'graph-fallback' }, list);
  host.append(scroller);
  let graph: GraphSummary | null = null;
  /** The weights a channel prune changed: their lines read `B ⟨1000×784⟩ → ⟨400×784⟩`. */
  let changes: PrunedShapes | undefined;
  let boxes: HTMLElement[] = [];
  let zoom = 1;
  const setZoom = (z: number): void => {
    zoom = Math.min(2, Math.max(0.25, z));
    list.style.zoom = String(zoom);
  };
  const select = (index: number | null): void => {
    boxes.forEach((b, i) => b.classList.toggle('selected', i === index));
    if (index !== null) boxes[index]?.scrollIntoView({ block: 'center' });
  };
  scroller.addEventListener('click', (e) => {
    if (e.target === scroller || e.target === list) {
      select(null);
      onSelect(null, []);
    }
  });
  const pill = (v: ValueSummary, kind: 'input' | 'output'): HTMLElement =>
    h('div', { class: `fallback-io ${kind}` }, h('b', {}, v.name), ' ', h('span', {}, v.type));

  return {
    show(g) {
      graph = g;
      const weights = new Map<string, string>(g.initializers.map((i) => [i.name, formatDims(i.dims)]));
      for (const n of g.nodes) {
        const value = n.attributes.find((a) => a.name === 'value');
        // The summary shows a Constant's value as e.g. "float32[16,3,3,3]" (scalars may add the value).
        const dims = /^[a-z0-9]+\[([^\]]*)\]/.exec(value?.value ?? '')?.[1];
        if (n.opType === 'Constant' && dims !== undefined) weights.set(n.outputs[0], dims === '' ? 'scalar' : dims.replace(/,/g, '×'));
      }
      const weightLine = (node: number, slot: number, role: string, name: string): string => {
        const c = changeAt(changes, node, slot, name);
        return c ? changedWeightLabel(role, c) : `${role} ⟨${weights.get(name) ?? ''}⟩`;
      };
      const initNames = new Set(g.initializers.map((i) => i.name));
      boxes = g.nodes.map((node) => {
        const attrs = node.attributes.filter((a) => a.type !== 'graph' && a.type !== 'tensor' && a.value.length <= 24).slice(0, 3);
        return h(
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
          attrs.map((a) => h('div', { class: 'init attr' }, `${a.name} = ${a.value}`)),
          node.inputs.map((name, i) =>
            i > 0 && weights.has(name) ? h('div', { class: 'init' }, weightLine(node.index, i, inputRole(node.opType, i), name)) : null,
          ),
          node.subgraphs.length > 0 ? h('div', { class: 'init attr' }, `${node.subgraphs.length} subgraph${node.subgraphs.length > 1 ? 's' : ''}`) : null,
        );
      });
      const inputs = g.inputs.filter((v) => !initNames.has(v.name));
      clear(
        list,
        inputs.length > 0 ? h('div', { class: 'fallback-io-row' }, inputs.map((v) => pill(v, 'input'))) : null,
        boxes,
        g.outputs.length > 0 ? h('div', { class: 'fallback-io-row' }, g.outputs.map((v) => pill(v, 'output'))) : null,
      );
      setZoom(1);
      scroller.scrollTop = 0;
    },
    showShapeChanges(next) {
      changes = next;
      if (graph) this.show(graph);
    },
    select,
    fit() {
      const height = list.scrollHeight / zoom;
      setZoom(height > 0 ? Math.min(1, (scroller.clientHeight - 40) / height) : 1);
    },
    zoomIn: () => setZoom(zoom * 1.2),
    zoomOut: () => setZoom(zoom / 1.2),
    find(query) {
      const q = query.toLowerCase();
      const found = q
        ? (graph?.nodes ?? []).filter(
            (n) => n.name.toLowerCase().includes(q) || n.opType.toLowerCase().includes(q) || n.inputs.concat(n.outputs).some((t) => t.toLowerCase().includes(q)),
          )
        : [];
      const hit = new Set(found.map((n) => n.index));
      boxes.forEach((b, i) => b.classList.toggle('match', hit.has(i)));
      return found;
    },
    // The node list draws no overlay.
    setOverlay: () => undefined,
    toSvg: () => '<svg xmlns="http://www.w3.org/2000/svg"/>',
    toPng: async () => new Blob([], { type: 'image/png' }),
    destroy: () => scroller.remove(),
  };
}
