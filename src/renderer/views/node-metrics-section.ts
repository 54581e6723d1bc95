// The Properties panel's "Metrics" section (issue 16): a node's parameters, MACs at batch 1 (with its
// share of the model's), weight sparsity and stored bytes, or the model's totals without a
// selection; "before → after" for each value a prune changed.

import type { NodeMetrics, NodeMetricsReport } from '../../engine/protocol';
import { h } from '../dom';
import { formatBytes, formatCount, formatPercent } from '../format';
import { MACS_HINT } from '../metrics';

type Row = [label: string, text: string, title?: string];

function pair(before: string, after: string | undefined): string {
  return after === undefined || after === before ? before : `${before} → ${after}`;
}

function macsText(m: NodeMetrics | undefined, total: number): string | undefined {
  if (!m) return undefined;
  if (m.macs === null) return 'unknown (shapes not derived)';
  if (m.macs === 0) return '0';
  return `${formatCount(m.macs)} (${formatPercent(total > 0 ? m.macs / total : 0)})`;
}

const sparsityText = (s: number | null | undefined): string | undefined => (s === undefined ? undefined : s === null ? '—' : formatPercent(s));

function rowsOf(before: NodeMetricsReport, after: NodeMetricsReport | null, index: number | null): Row[] {
  if (index === null) {
    const b = before.totals;
    const a = after?.totals;
    const unknown = before.macsUnknown.length > 0 ? ` (≥: ${before.macsUnknown.length} node(s) of unknown shape)` : '';
    return [
      ['Parameters', pair(formatCount(b.params), a && formatCount(a.params))],
      ['MACs (batch 1)', pair(formatCount(b.macs), a && formatCount(a.macs)) + unknown, MACS_HINT],
      ['Sparsity', pair(formatPercent(b.sparsity), a && formatPercent(a.sparsity))],
      ['Weight bytes', pair(formatBytes(b.bytes), a && formatBytes(a.bytes))],
    ];
  }
  const b = before.nodes[index];
  const a = after?.nodes[index];
  if (!b) return [];
  const macsHint = b.macs === 0 ? `${MACS_HINT} ${b.opType} multiplies nothing.` : MACS_HINT;
  return [
    ['Parameters', pair(formatCount(b.params), a && formatCount(a.params))],
    ['MACs (batch 1)', pair(macsText(b, before.totals.macs) ?? '—', macsText(a, after?.totals.macs ?? 0)), macsHint],
    ['Sparsity', pair(sparsityText(b.sparsity) ?? '—', sparsityText(a?.sparsity))],
    ['Weight bytes', pair(b.bytes > 0 ? formatBytes(b.bytes) : '—', a && (a.bytes > 0 ? formatBytes(a.bytes) : '—'))],
  ];
}

/**
 * The section for node `index` of the main graph (null: the model's totals); null when the metrics
 * are not there yet. `after`: of the pruned model, when a prune is applied.
 */
export function metricsSection(before: NodeMetricsReport | null, after: NodeMetricsReport | null, index: number | null): HTMLElement | null {
  if (!before) return null;
  const rows = rowsOf(before, after, index);
  if (rows.length === 0) return null;
  return h(
    'div',
    { class: 'section', 'data-testid': 'node-metrics' },
    h('div', { class: 'section-title' }, index === null ? 'Model metrics' : 'Metrics', after ? h('span', { class: 'muted' }, ' · before → after the prune') : null),
    h(
      'div',
      { class: 'kv' },
      rows.flatMap(([k, v, title]) => [h('div', { class: 'k', ...(title ? { title } : {}) }, k), h('div', { class: 'v', 'data-metric': k, ...(title ? { title } : {}) }, v)]),
    ),
  );
}
