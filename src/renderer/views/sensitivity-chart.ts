// The Sensitivity panel's chart: one line per analysed tensor (accuracy or loss against the ratio,
// only that tensor pruned) and the unpruned model's value as a dashed line across. The legend is
// HTML (buttons that show / hide a curve), readable by screen readers and by Tab.

import { Chart, legendToggle, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { clear, h } from '../dom';
import type { LiveCurve } from './sensitivity-data';

export type SensitivityMeasure = 'accuracy' | 'loss';

export interface SensitivityChart {
  draw(curves: readonly LiveCurve[], baseline: { accuracy: number; loss: number } | null, measure: SensitivityMeasure): void;
  resize(): void;
}

/** Colour of curve `i`: the theme's series first, then hues spread by the golden angle. */
export function curveColour(i: number, series: readonly string[]): string {
  if (i < series.length) return series[i];
  return `hsl(${Math.round((i * 137.508) % 360)}, 60%, 45%)`;
}

export function createSensitivityChart(canvas: HTMLCanvasElement, legend: HTMLElement): SensitivityChart {
  let chart: Chart | null = null;
  const hidden = new Set<string>();

  const draw: SensitivityChart['draw'] = (curves, baseline, measure) => {
    const colors = themeColors();
    const base = baseline ? (measure === 'accuracy' ? baseline.accuracy : baseline.loss) : null;
    // Ratio 0 prunes nothing: each curve starts at the unpruned value (drawn without a marker).
    const start = base !== null ? [{ x: 0, y: base }] : [];
    const datasets = curves.map((c, i) => ({
      label: c.tensor,
      data: [...start, ...c.points.filter((p) => p.ratio > 0).map((p) => ({ x: p.ratio, y: measure === 'accuracy' ? p.accuracy : p.loss }))],
      borderColor: curveColour(i, colors.series),
      backgroundColor: curveColour(i, colors.series),
      borderWidth: 2,
      pointRadius: [...start.map(() => 0), ...c.points.filter((p) => p.ratio > 0).map(() => 3)] as number | number[],
      hidden: hidden.has(c.tensor),
    }));
    if (base !== null) {
      datasets.push({ label: 'unpruned', data: [{ x: 0, y: base }, { x: 1, y: base }], borderColor: colors.fg2, backgroundColor: colors.fg2, borderWidth: 1.5, pointRadius: 0 as number | number[], hidden: false, borderDash: [6, 4] } as (typeof datasets)[number]);
    }
    chart?.destroy();
    chart = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        ...STILL_CHART_OPTIONS,
        scales: {
          x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'prune ratio of the one tensor', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          y: {
            type: 'linear',
            ...(measure === 'accuracy' ? { max: 1 } : { beginAtZero: true }),
            title: { display: true, text: measure === 'accuracy' ? 'accuracy' : 'loss (mean cross-entropy)', color: colors.fg2 },
            ticks: { color: colors.fg2 },
            grid: { color: colors.grid },
          },
        },
        plugins: { legend: { display: false } },
      },
    });
    const current = chart;
    clear(
      legend,
      curves.map((c, i) => legendToggle(current, i, c.tensor, h('span', { class: 'swatch', style: `color:${curveColour(i, colors.series)}`, 'aria-hidden': 'true' }), hidden)),
      base !== null ? h('li', {}, h('span', { class: 'legend-static' }, h('span', { class: 'swatch dashed', style: `color:${colors.fg2}`, 'aria-hidden': 'true' }), 'unpruned')) : null,
    );
  };
  return { draw, resize: () => chart?.resize() };
}
