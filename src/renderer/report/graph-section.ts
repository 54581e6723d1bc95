// The model's graph, drawn by the app's graph view (pan with the mouse, zoom with the wheel or the
// buttons) and coloured by each node's share of the MACs (the app's overlay colours, views/graph/
// overlay.ts); a click on a node shows its op, MACs and parameters below. In a file:// page no
// Worker starts, so the view lays the graph out on the page itself.

import type { ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { formatCount, formatPercent } from '../format';
import type { MeasureOverlay } from '../views/graph/overlay';
import { createGraphView } from '../views/graph';

export function graphSection(body: HTMLElement, data: ReportData): void {
  const info = h('div', { class: 'rp-node-info', 'data-testid': 'report-node-info' }, 'Click a node to see its cost. Drag to pan, scroll to zoom.');
  const host = h('div', { class: 'rp-graph', 'data-testid': 'report-graph' });
  const fit = h('button', { type: 'button' }, 'Fit');
  const zoomIn = h('button', { type: 'button', 'aria-label': 'Zoom in' }, '+');
  const zoomOut = h('button', { type: 'button', 'aria-label': 'Zoom out' }, '−');
  body.append(h('div', { class: 'row rp-graph-tools' }, fit, zoomIn, zoomOut), host, info);
  const costs = new Map(data.metrics.nodes.map((n) => [n.index, n]));
  const view = createGraphView(host, {
    onSelect(node, graphPath) {
      if (!node) {
        info.textContent = 'Click a node to see its cost. Drag to pan, scroll to zoom.';
        return;
      }
      const c = graphPath.length === 0 ? costs.get(node.index) : undefined;
      const cost = c ? ` · MACs ${c.macs === null ? '—' : formatCount(c.macs)} · parameters ${formatCount(c.params)}` : '';
      info.textContent = `${node.opType} ${node.name}${cost}`;
    },
  });
  fit.addEventListener('click', () => view.fit());
  zoomIn.addEventListener('click', () => view.zoomIn());
  zoomOut.addEventListener('click', () => view.zoomOut());
  view.show(data.model.graph);
  const total = data.metrics.totals.macs;
  if (total > 0) {
    const values = new Map<number, number>();
    for (const n of data.metrics.nodes) if (n.macs !== null && n.macs > 0) values.set(n.index, n.macs / total);
    const overlay: MeasureOverlay = { kind: 'measure', id: 'mac-share', title: 'Share of MACs', values, format: (v) => formatPercent(v), domain: [0, Math.max(...values.values())] };
    view.setOverlay(overlay);
  }
}
