// The Sensitivity panel's tables: the curves (tensor × ratio: accuracy or loss, filled in as points
// arrive), the allocation (tensor, params, ratio, predicted loss increase) and the comparison of the
// allocated, uniform per-layer and global prunings on the same samples.

import type { Allocation, AllocationComparison } from '../../engine/protocol';
import { clear, h } from '../dom';
import { formatCount, formatNumber, formatPercent, formatRatio } from '../format';
import { curveRatios, type LiveCurve } from './sensitivity-data';
import type { SensitivityMeasure } from './sensitivity-chart';

/** A cell: accuracy in percent without the sign (the caption says %), loss in 4 digits. */
const cellText = (v: number, measure: SensitivityMeasure): string => (measure === 'accuracy' ? (v * 100).toFixed(1) : formatNumber(v));

/** Tensor × ratio; an empty cell until its point arrives; the unpruned value on the first row. */
export function renderCurveTable(table: HTMLTableElement, curves: readonly LiveCurve[], baseline: { accuracy: number; loss: number } | null, measure: SensitivityMeasure, ratios: readonly number[]): void {
  const cols = [...new Set([...ratios, ...curveRatios(curves)])].sort((a, b) => a - b);
  const base = baseline ? (measure === 'accuracy' ? baseline.accuracy : baseline.loss) : null;
  clear(
    table,
    h(
      'caption',
      { class: 'table-caption' },
      measure === 'accuracy' ? 'Accuracy (%) with only that tensor pruned' : 'Loss (mean cross-entropy) with only that tensor pruned',
      h('span', { class: 'muted', 'data-testid': 'sens-baseline' }, base === null ? '' : ` · unpruned ${measure === 'accuracy' ? formatPercent(base, 2) : formatNumber(base)}`),
    ),
    h('thead', {}, h('tr', {}, h('th', { class: 'sticky' }, 'Tensor · params'), cols.map((r) => h('th', { class: 'num', 'data-ratio': r }, formatRatio(r))))),
    h(
      'tbody',
      {},
      curves.map((c) =>
        h(
          'tr',
          { 'data-tensor': c.tensor, title: c.notes?.join(' ') ?? (c.nodes.length > 0 ? `Read by ${c.nodes.join(', ')}` : '') },
          h('td', { class: 'tensor sticky' }, c.tensor, h('span', { class: 'shape' }, c.params > 0 ? `${formatCount(c.params)} params` : '')),
          cols.map((r) => {
            const p = c.points.find((q) => q.ratio === r);
            const worse = p && base !== null && (measure === 'accuracy' ? p.accuracy < base - 0.01 : p.loss > base * 1.1);
            return h(
              'td',
              { class: `num${worse ? ' worse' : ''}`, 'data-ratio': r, 'data-value': p ? (measure === 'accuracy' ? p.accuracy : p.loss) : undefined, title: p && Math.abs(p.pruned - p.ratio) > 1e-6 ? `${formatPercent(p.pruned)} of the tensor actually pruned` : '' },
              p ? cellText(measure === 'accuracy' ? p.accuracy : p.loss, measure) : '',
            );
          }),
        ),
      ),
    ),
  );
}

/** The allocated ratios and the three prunings compared (while not yet measured, a note); empty without an allocation. */
export function renderAllocation(host: HTMLElement, allocation: (Allocation & { comparison: AllocationComparison[] }) | null): void {
  if (!allocation) {
    clear(host);
    return;
  }
  const rows = h(
    'table',
    { class: 'grid', 'data-testid': 'alloc-table' },
    h('caption', { class: 'table-caption' }, `Allocated ratios: ${formatPercent(allocation.sparsity)} overall (target ${formatPercent(allocation.target)})`),
    h('thead', {}, h('tr', {}, h('th', {}, 'Tensor'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 'Ratio'), h('th', { class: 'num', title: 'Loss increase of this tensor alone at its ratio, read off its curve' }, 'Δloss (pred.)'))),
    h(
      'tbody',
      {},
      allocation.rows.map((r) =>
        h(
          'tr',
          { 'data-tensor': r.tensor },
          h('td', { class: 'tensor' }, r.tensor),
          h('td', { class: 'num' }, formatCount(r.params)),
          h('td', { class: 'num', 'data-col': 'ratio' }, formatRatio(Number(r.ratio.toFixed(4)))),
          h('td', { class: 'num' }, formatNumber(r.predictedLossIncrease)),
        ),
      ),
    ),
  );
  const best = Math.max(...allocation.comparison.map((c) => c.accuracy));
  const compare = h(
    'table',
    { class: 'grid', 'data-testid': 'alloc-compare' },
    h('caption', { class: 'table-caption' }, 'The same sparsity three ways, on the same samples'),
    h('thead', {}, h('tr', {}, h('th', {}, 'Pruning'), h('th', { class: 'num' }, 'Sparsity'), h('th', { class: 'num' }, 'Accuracy'), h('th', { class: 'num' }, 'Loss'))),
    h(
      'tbody',
      {},
      allocation.comparison.map((c) =>
        h(
          'tr',
          { 'data-name': c.name },
          h('td', {}, c.name),
          h('td', { class: 'num' }, formatPercent(c.sparsity)),
          h('td', { class: 'num', 'data-col': 'accuracy', 'data-value': c.accuracy }, h('span', { class: c.accuracy === best ? 'acc' : '' }, formatPercent(c.accuracy, 2))),
          h('td', { class: 'num', 'data-col': 'loss' }, formatNumber(c.loss)),
        ),
      ),
    ),
  );
  // No ratio above the target was measured: every tensor must take the target, as uniform pruning does.
  const pinned = allocation.rows.every((r) => Math.abs(r.ratio - allocation.target) < 1e-6);
  const pinnedNote = pinned
    ? h('div', { class: 'warn-note', 'data-testid': 'alloc-pinned' }, `Every tensor got ${formatPercent(allocation.target)}: no ratio above the target was measured, so the allocation cannot differ from uniform. Add ratios above it (e.g. 0.95) and allocate again.`)
    : null;
  const measured = allocation.comparison.length > 0 ? compare : h('div', { class: 'muted', 'data-testid': 'alloc-compare-pending' }, 'Not yet measured beside uniform per-layer and global pruning.');
  clear(host, rows, measured, pinnedNote, h('div', { class: 'muted', style: 'font-size:12px' }, `Predicted loss increase ${formatNumber(allocation.predictedLossIncrease)} (each tensor pruned alone, added up; interactions are not modelled).`));
}
