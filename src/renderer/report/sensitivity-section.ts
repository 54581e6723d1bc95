// Sensitivity: accuracy against the ratio with only one tensor pruned, one curve per tensor (the
// unpruned model's accuracy as a dashed line), a table of the same points, and the allocation with
// its comparison against uniform per-layer and global pruning when one was asked for.

import type { ReportData } from '../../engine/protocol';
import * as d3 from 'd3';
import { Chart, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { h } from '../dom';
import { formatCount, formatNumber, formatPercent, formatRatio } from '../format';

type Sensitivity = NonNullable<ReportData['sensitivity']>;

function chart(body: HTMLElement, s: Sensitivity): void {
  const r = s.result;
  const canvas = h('canvas', { 'data-testid': 'report-sensitivity-chart', role: 'img', 'aria-label': 'Accuracy against prune ratio, one layer pruned at a time' });
  body.append(h('div', { class: 'chart-box rp-chart' }, canvas));
  const c = themeColors();
  const ratios = r.curves.flatMap((k) => k.points.map((p) => p.ratio));
  const xs = ratios.length > 0 ? [Math.min(0, ...ratios), Math.max(...ratios)] : [0, 1];
  const datasets = r.curves.map((k, i) => ({
    label: k.tensor,
    data: k.points.map((p) => ({ x: p.ratio, y: 100 * p.accuracy })),
    borderColor: d3.schemeTableau10[i % 10],
    backgroundColor: d3.schemeTableau10[i % 10],
    pointRadius: 2,
    borderWidth: 1.5,
  }));
  datasets.push({ label: 'unpruned', data: xs.map((x) => ({ x, y: 100 * r.baseline.accuracy })), borderColor: c.fg2, backgroundColor: c.fg2, pointRadius: 0, borderWidth: 1, borderDash: [4, 4] } as (typeof datasets)[number]);
  new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      ...STILL_CHART_OPTIONS,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'ratio pruned (this layer only)', color: c.fg2 }, ticks: { color: c.fg2 }, grid: { color: c.grid } },
        y: { title: { display: true, text: 'accuracy (%)', color: c.fg2 }, ticks: { color: c.fg2 }, grid: { color: c.grid } },
      },
      plugins: { legend: { position: 'right', labels: { color: c.fg, boxWidth: 12, font: { size: 11 } } } },
    },
  });
}

function table(body: HTMLElement, s: Sensitivity): void {
  const r = s.result;
  const ratios = [...new Set(r.curves.flatMap((k) => k.points.map((p) => p.ratio)))].sort((a, b) => a - b);
  body.append(
    h(
      'div',
      { class: 'rp-scroll' },
      h(
        'table',
        { class: 'grid', 'data-testid': 'report-sensitivity-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Tensor'), h('th', { class: 'num' }, 'Parameters'), ratios.map((x) => h('th', { class: 'num' }, `acc. at ${formatRatio(x)}`)))),
        h(
          'tbody',
          {},
          r.curves.map((k) => {
            const at = new Map(k.points.map((p) => [p.ratio, p]));
            return h('tr', {}, h('td', { class: 'mono' }, k.tensor), h('td', { class: 'num' }, formatCount(k.params)), ratios.map((x) => {
              const p = at.get(x);
              return h('td', { class: 'num' }, p ? formatPercent(p.accuracy) : '—');
            }));
          }),
        ),
      ),
    ),
  );
}

function allocation(body: HTMLElement, s: Sensitivity): void {
  const a = s.result.allocation;
  if (!a) return;
  body.append(
    h('h3', {}, `Allocation for overall sparsity ${formatPercent(a.target)}`),
    h('p', { class: 'rp-note' }, `Per-layer ratios that reach ${formatPercent(a.sparsity)} of the analysed weights with the least predicted loss increase (${formatNumber(a.predictedLossIncrease)}, each layer alone; interactions not modelled), measured on the same samples against uniform per-layer and global magnitude pruning.`),
    h(
      'div',
      { class: 'row rp-alloc' },
      h('table', { class: 'grid', 'data-testid': 'report-allocation' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Tensor'), h('th', { class: 'num' }, 'Parameters'), h('th', { class: 'num' }, 'Ratio'), h('th', { class: 'num' }, 'Predicted loss increase'))),
        h('tbody', {}, a.rows.map((row) => h('tr', {}, h('td', { class: 'mono' }, row.tensor), h('td', { class: 'num' }, formatCount(row.params)), h('td', { class: 'num' }, formatRatio(row.ratio)), h('td', { class: 'num' }, formatNumber(row.predictedLossIncrease)))))),
      h('table', { class: 'grid', 'data-testid': 'report-allocation-comparison' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Pruning'), h('th', { class: 'num' }, 'Sparsity'), h('th', { class: 'num' }, 'Accuracy'), h('th', { class: 'num' }, 'Loss'))),
        h('tbody', {}, a.comparison.map((c) => h('tr', {}, h('td', {}, c.name), h('td', { class: 'num' }, formatPercent(c.sparsity)), h('td', { class: 'num' }, formatPercent(c.accuracy)), h('td', { class: 'num' }, formatNumber(c.loss)))))),
    ),
  );
}

export function sensitivitySection(body: HTMLElement, data: ReportData): void {
  const s = data.sensitivity;
  if (!s) return;
  const r = s.result;
  body.append(h('p', { class: 'rp-note' }, `${formatCount(r.samples)} samples of ${s.dataset}; each tensor pruned alone (structure ${r.structure}), the rest of the model as it is. Unpruned: accuracy ${formatPercent(r.baseline.accuracy)}, loss ${formatNumber(r.baseline.loss)}.${r.notes?.length ? ' ' + r.notes.join(' ') : ''}`));
  if (r.curves.length === 0) {
    body.append(h('p', { class: 'rp-note' }, 'No tensor was analysed (nothing prunable was selected).'));
    return;
  }
  chart(body, s);
  table(body, s);
  allocation(body, s);
}
