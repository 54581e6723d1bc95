// The Compare tab's overlaid histogram (issue 16): one weight's values in A and in B on the diff's
// common bin range, as two translucent bar series over each other (log counts by default: a prune
// piles B's values at zero and the tails would vanish on a linear axis).

import type { TensorDiff } from '../../engine/protocol';
import { Chart, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { yAxisKind } from './histogram-axis';

/** A card with the overlaid chart of `t` (null when the diff sent no histograms for it). */
export function diffHistogram(t: TensorDiff, labelA = 'A', labelB = 'B', log = true): { card: HTMLElement; chart: Chart } | null {
  const a = t.histogramA;
  const b = t.histogramB;
  if (!a || !b || a.counts.length === 0) return null;
  const name = t.nameA ?? t.nameB ?? '';
  const canvas = h('canvas', { role: 'img', 'aria-label': `Histograms of ${name} in A and B`, 'data-testid': 'compare-hist-canvas' });
  const card = h('div', { class: 'compare-hist', 'data-testid': 'compare-hist' }, h('div', { class: 'compare-hist-canvas' }, canvas));
  const width = (a.max - a.min) / a.counts.length;
  const colors = themeColors();
  const points = (counts: number[]): { x: number; y: number }[] => counts.map((c, i) => ({ x: a.min + (i + 0.5) * width, y: c }));
  // B's filled bars drawn over A's pale ones (chart.js draws a lower `order` on top): where a prune
  // emptied B's bins only A's pale bars stay.
  const series = (label: string, counts: number[], colour: string, isA: boolean) => ({
    label,
    data: points(counts),
    order: isA ? 1 : 0,
    backgroundColor: isA ? `${colour}55` : `${colour}c0`,
    borderColor: colour,
    borderWidth: 0,
    barPercentage: 1,
    categoryPercentage: 1,
    grouped: false,
  });
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { datasets: [series(`A: ${labelA}`, a.counts, colors.series[0], true), series(`B: ${labelB}`, b.counts, colors.series[1], false)] },
    options: {
      ...STILL_CHART_OPTIONS,
      scales: {
        x: { type: 'linear', min: a.min, max: a.max, ticks: { color: colors.fg2, maxTicksLimit: 6, callback: (v) => formatNumber(Number(v)) }, grid: { color: colors.grid } },
        y: { ...yAxisKind(log), ticks: { color: colors.fg2, maxTicksLimit: 5, callback: (v) => formatCount(Number(v)) }, grid: { color: colors.grid } },
      },
      plugins: {
        legend: { display: true, labels: { color: colors.fg, boxWidth: 12, sort: (x, y) => (x.datasetIndex ?? 0) - (y.datasetIndex ?? 0) } },
        tooltip: {
          callbacks: {
            title: (items) => {
              const x = items[0]?.parsed.x ?? 0;
              return `${formatNumber(x - width / 2)} … ${formatNumber(x + width / 2)}`;
            },
            label: (item) => `${item.dataset.label}: ${formatCount(item.parsed.y ?? 0)} values`,
            footer: () => (a.below + a.above + b.below + b.above > 0 ? 'values outside the range are not drawn' : ''),
          },
        },
      },
    },
  });
  return { card, chart };
}
