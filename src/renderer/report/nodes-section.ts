// Cost per node: every node of the main graph with MACs or weights (core/analysis/node-metrics.ts,
// the same numbers as the app's Properties panel), in graph order, with its share of the model's
// MACs as a bar.

import type { ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { formatBytes, formatCount, formatPercent } from '../format';

export function nodesSection(body: HTMLElement, data: ReportData): void {
  const m = data.metrics;
  const rows = m.nodes.filter((n) => (n.macs ?? 0) > 0 || n.params > 0);
  const total = m.totals.macs;
  body.append(
    h('p', { class: 'rp-note' }, `Multiply-accumulates at batch 1 as the graph states them (a zero weight still counts), and the weights each node reads: parameters, zeros and stored bytes. ${rows.length} of ${m.nodes.length} nodes have either.`),
    h(
      'div',
      { class: 'rp-scroll' },
      h(
        'table',
        { class: 'grid rp-nodes', 'data-testid': 'report-nodes' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Op'), h('th', { class: 'num' }, 'MACs'), h('th', {}, 'Share of MACs'), h('th', { class: 'num' }, 'Parameters'), h('th', { class: 'num' }, 'Sparsity'), h('th', { class: 'num' }, 'Bytes'))),
        h(
          'tbody',
          {},
          rows.map((n) => {
            const share = n.macs !== null && total > 0 ? n.macs / total : 0;
            return h(
              'tr',
              { 'data-node': n.index },
              h('td', { class: 'mono' }, n.name || `${n.opType}_${n.index}`),
              h('td', {}, n.opType),
              h('td', { class: 'num' }, n.macs === null ? '—' : formatCount(n.macs)),
              h('td', {}, n.macs === null ? '' : h('span', { class: 'rp-bar', style: `--share:${(100 * share).toFixed(2)}%` }, formatPercent(share))),
              h('td', { class: 'num' }, formatCount(n.params)),
              h('td', { class: 'num' }, n.sparsity === null ? '—' : formatPercent(n.sparsity)),
              h('td', { class: 'num' }, n.params > 0 ? formatBytes(n.bytes) : '—'),
            );
          }),
        ),
      ),
    ),
  );
}
