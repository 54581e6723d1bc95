// One weight's histogram card: its name and type, a chart.js bar chart of the counts over
// [min, max] (linear or log counts; bars inside the prune threshold ±t faded, ±t marked) and its
// statistics. Drawn by the Histograms panel and by the report viewer.

import type { ScriptableContext } from 'chart.js';
import type { TensorStatistics } from '../../engine/protocol';
import { Chart, STILL_CHART_OPTIONS, markerPlugin, themeColors } from '../charts';
import { h } from '../dom';
import { formatCount, formatDims, formatNumber, formatPercent } from '../format';
import { yAxisKind } from './histogram-axis';

/** The card and its chart (destroy the chart when the card goes). */
export function histogramCard(s: TensorStatistics, log: boolean, threshold: number | null): { card: HTMLElement; chart: Chart } {
  const canvas = h('canvas', { 'data-tensor': s.name, role: 'img', 'aria-label': `Histogram of ${s.name}` });
  const card = h(
    'div',
    { class: 'hist', 'data-testid': 'hist-card' },
    h('div', { class: 'hist-head' }, h('span', { class: 'hist-name' }, s.name), h('span', { class: 'chip' }, `${s.dtype} ⟨${formatDims(s.dims)}⟩`)),
    h('div', { class: 'hist-canvas' }, canvas),
    h(
      'div',
      { class: 'hist-stats', 'data-testid': 'hist-stats' },
      stat('count', formatCount(s.count)),
      s.count === 0 ? stat('values', 'empty: no elements') : null,
      s.count === 0 ? null : stat('min', formatNumber(s.min)),
      s.count === 0 ? null : stat('max', formatNumber(s.max)),
      s.count === 0 ? null : stat('mean', formatNumber(s.mean)),
      s.count === 0 ? null : stat('std', formatNumber(s.std)),
      s.count === 0 ? null : stat('zeros', `${formatCount(s.zeros)} (${formatPercent(s.count ? s.zeros / s.count : 0)})`),
      s.count === 0 ? null : stat('|w| p50', formatNumber(s.absP50)),
      s.count === 0 ? null : stat('|w| p99', formatNumber(s.absP99)),
    ),
  );
  const { min, max, counts } = s.histogram;
  const width = counts.length > 0 ? (max - min) / counts.length : 1;
  const colors = themeColors();
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      datasets: [
        {
          data: counts.map((c, i) => ({ x: min + (i + 0.5) * width, y: c })),
          // Bars whose weights the current threshold removes are drawn faded.
          backgroundColor: (c: ScriptableContext<'bar'>) => {
            const markers = (c.chart.options.plugins as { markers?: { values: number[] } }).markers;
            const t = markers && markers.values.length > 0 ? Math.max(...markers.values) : 0;
            const raw = c.raw as { x: number } | undefined;
            return raw && t > 0 && Math.abs(raw.x) < t ? colors.faded : colors.accent;
          },
          barPercentage: 1,
          categoryPercentage: 1,
          borderWidth: 0,
        },
      ],
    },
    options: {
      ...STILL_CHART_OPTIONS,
      scales: {
        x: {
          type: 'linear',
          min,
          max,
          ticks: { color: colors.fg2, maxTicksLimit: 7, callback: (v) => formatNumber(Number(v)) },
          grid: { color: colors.grid },
        },
        y: {
          ...yAxisKind(log),
          ticks: { color: colors.fg2, maxTicksLimit: 6, callback: (v) => compact(Number(v)) },
          grid: { color: colors.grid },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const x = items[0]?.parsed.x ?? 0;
              return `${formatNumber(x - width / 2)} … ${formatNumber(x + width / 2)}`;
            },
            label: (item) => `${formatCount(item.parsed.y ?? 0)} weights`,
          },
        },
        markers: { values: threshold === null ? [] : [-threshold, threshold], color: colors.danger, label: threshold === null ? undefined : `±${formatNumber(threshold)}` },
      },
    },
    // The count axis's real range on the canvas (data-y-min), for tests and tools that read the page.
    plugins: [markerPlugin, { id: 'axisRange', afterUpdate: (c: Chart) => void (c.canvas.dataset.yMin = String(c.scales.y?.min)) }],
  });
  return { card, chart };
}

function stat(k: string, v: string): HTMLElement {
  return h('div', {}, h('div', { class: 's-k' }, k), h('div', { class: 's-v' }, v));
}

function compact(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toFixed(1))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toFixed(1))}k`;
  return String(n);
}

