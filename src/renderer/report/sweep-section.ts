// The sweep: the Evaluate panel's chart and table of the points the report carries, or why there
// are none.

import type { ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { formatCount } from '../format';
import { createEvalChart } from '../views/evaluate-chart';
import { renderEvalTable } from '../views/evaluate-table';

export function sweepSection(body: HTMLElement, data: ReportData): void {
  const sweep = data.sweep;
  if (!sweep || sweep.points.length === 0) {
    body.append(h('p', { class: 'rp-note', 'data-testid': 'report-no-sweep' }, 'The sweep has no points.'));
    return;
  }
  const canvas = h('canvas', { 'data-testid': 'report-sweep-chart', role: 'img', 'aria-label': 'Accuracy and time against prune ratio' });
  const legend = h('ul', { class: 'legend' });
  const caption = h('div', { class: 'subheading' });
  const table = h('table', { class: 'grid', 'data-testid': 'report-sweep-table' });
  body.append(
    h('p', { class: 'rp-note' }, `${formatCount(sweep.samples)} samples of ${sweep.dataset}, ${sweep.points.length} points.`),
    caption,
    h('div', { class: 'chart-box rp-chart' }, canvas),
    legend,
    h('div', { class: 'rp-scroll' }, table),
  );
  const chart = createEvalChart(canvas, legend, caption);
  body.prepend(h('div', { class: 'row rp-picker' }, chart.picker));
  chart.draw(sweep.points);
  renderEvalTable(table, sweep.points, (r) => r);
}
