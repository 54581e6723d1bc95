// chart.js set-up shared by the histogram and evaluation charts: registered parts, theme colours,
// and a plugin that draws vertical marker lines (prune thresholds) on a linear x axis.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { h } from './dom';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, LogarithmicScale, Tooltip, Legend);

export { Chart };

/**
 * The options every chart of the app starts from: drawn at once (no animation), sized by its box,
 * and fed {x, y} points as they are (no parsing).
 */
export const STILL_CHART_OPTIONS = { animation: false, responsive: true, maintainAspectRatio: false, parsing: false } as const;

export interface MarkerOptions {
  /** x values where a vertical line is drawn. */
  values: number[];
  color?: string;
  label?: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    markers?: MarkerOptions;
  }
}

export const markerPlugin: Plugin = {
  id: 'markers',
  afterDatasetsDraw(chart, _args, options) {
    const opts = options as MarkerOptions | undefined;
    const x = chart.scales.x;
    if (!opts || !x || opts.values.length === 0) return;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.color ?? '#d33';
    ctx.fillStyle = opts.color ?? '#d33';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 3]);
    ctx.font = '11px system-ui, sans-serif';
    for (const value of opts.values) {
      const px = x.getPixelForValue(value);
      if (px < chart.chartArea.left - 1 || px > chart.chartArea.right + 1) continue;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
    }
    if (opts.label && opts.values.length > 0) {
      const px = x.getPixelForValue(Math.max(...opts.values));
      ctx.setLineDash([]);
      const text = opts.label;
      const w = ctx.measureText(text).width;
      const left = Math.min(px + 4, chart.chartArea.right - w - 2);
      ctx.fillText(text, left, top + 11);
    }
    ctx.restore();
  },
};

/** Theme colours read from the CSS variables, for chart.js (which cannot use var()). */
export function themeColors(): { fg: string; fg2: string; grid: string; accent: string; faded: string; danger: string; series: string[] } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string): string => css.getPropertyValue(name).trim();
  const dark = document.documentElement.dataset.theme === 'dark';
  return {
    fg: v('--fg'),
    fg2: v('--fg-2'),
    grid: v('--bg-3'),
    accent: v('--accent'),
    faded: dark ? '#3d4a60' : '#c5d3ee',
    danger: v('--danger'),
    series: dark ? ['#5b94f0', '#e3b04b', '#5cc98a', '#d27bd9'] : ['#2f6fde', '#d08a11', '#1f8a4c', '#a23bb0'],
  };
}

/**
 * A legend entry (a button with `swatch` and `label`) that shows or hides dataset `index` of
 * `chart`; `hidden` holds the hidden labels, so the choice outlives a redraw.
 */
export function legendToggle(chart: Chart, index: number, label: string, swatch: HTMLElement, hidden: Set<string>): HTMLElement {
  const button = h('button', { type: 'button', 'aria-pressed': String(!hidden.has(label)), 'data-series': label, title: `Show or hide ${label}` }, swatch, label);
  button.addEventListener('click', () => {
    const show = hidden.has(label);
    if (show) hidden.delete(label);
    else hidden.add(label);
    button.setAttribute('aria-pressed', String(show));
    chart.setDatasetVisibility(index, show);
    chart.update();
  });
  return h('li', {}, button);
}
