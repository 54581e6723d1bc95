// The Evaluate panel's chart: accuracy (left axis) and batch-1 time (right axis, dashed) against
// the prune ratio. With one pruning method: one colour per runtime. With several: one colour per
// method (the accuracy and time of the first runtime that ran), so methods compare at a glance.
// The legend is HTML (buttons that show / hide a series): readable by screen readers and by Tab.

import { RUNNER_NAMES, type EvalPoint, type PruneMethod, type RuntimeName } from '../../engine/protocol';
import { Chart, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { clear, h } from '../dom';
import { METHOD_REGISTRY, METHODS, methodOf, sortPoints } from '../method-spec';

const RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

interface Series {
  label: string;
  color: string;
  kind: 'accuracy' | 'time';
  data: { x: number; y: number }[];
}

export interface EvalChart {
  draw(points: EvalPoint[]): void;
  resize(): void;
}

function methodColor(method: PruneMethod, series: string[]): string {
  // Blue, orange, green: distinct in both themes and for the common colour-vision deficiencies.
  return series[[0, 1, 2][METHODS.indexOf(method)] % series.length];
}

/** The series to draw for these points (pure apart from the theme colours passed in). */
export function chartSeries(points: EvalPoint[], palette: string[]): { series: Series[]; byMethod: boolean; runtime: RuntimeName | null } {
  const sorted = sortPoints(points);
  const methods = METHODS.filter((m) => sorted.some((p) => methodOf(p) === m));
  const ran = (r: RuntimeName): boolean => sorted.some((p) => p.results.some((m) => m.runtime === r && !m.unavailable));
  const runtimes = RUNTIMES.filter(ran);
  const series: Series[] = [];
  const push = (label: string, color: string, pts: EvalPoint[], runtime: RuntimeName): void => {
    const ms = pts.map((p) => ({ x: p.ratio, m: p.results.find((r) => r.runtime === runtime) }));
    series.push({ label: `${label} accuracy`, color, kind: 'accuracy', data: ms.filter((x) => x.m && !x.m.unavailable).map((x) => ({ x: x.x, y: x.m?.accuracy ?? 0 })) });
    series.push({ label: `${label} time`, color, kind: 'time', data: ms.filter((x) => x.m?.batch1Seconds !== undefined).map((x) => ({ x: x.x, y: x.m?.batch1Seconds ?? 0 })) });
  };
  if (methods.length > 1) {
    const runtime = runtimes[0] ?? null;
    if (runtime) for (const m of methods) push(METHOD_REGISTRY[m].name, methodColor(m, palette), sorted.filter((p) => methodOf(p) === m), runtime);
    return { series, byMethod: true, runtime };
  }
  runtimes.forEach((r, i) => push(r, palette[i % palette.length], sorted, r));
  return { series, byMethod: false, runtime: null };
}

export function createEvalChart(canvas: HTMLCanvasElement, legend: HTMLElement, caption: HTMLElement): EvalChart {
  let chart: Chart | null = null;
  const hidden = new Set<string>();

  const draw = (points: EvalPoint[]): void => {
    const colors = themeColors();
    const { series, byMethod, runtime } = chartSeries(points, colors.series);
    caption.textContent = byMethod && runtime ? `One colour per method (${runtime} runtime); solid: accuracy, dashed: batch-1 time.` : 'One colour per runtime; solid: accuracy, dashed: batch-1 time.';
    const datasets = series.map((s) => ({
      label: s.label,
      data: s.data,
      borderColor: s.color,
      backgroundColor: s.color,
      yAxisID: s.kind === 'accuracy' ? 'acc' : 'time',
      borderWidth: s.kind === 'accuracy' ? 2 : 1.5,
      pointRadius: s.kind === 'accuracy' ? 3 : 2,
      hidden: hidden.has(s.label),
      ...(s.kind === 'time' ? { borderDash: [5, 4], pointStyle: 'rect' as const } : {}),
    }));
    chart?.destroy();
    chart = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        ...STILL_CHART_OPTIONS,
        scales: {
          x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'prune ratio', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          acc: { type: 'linear', position: 'left', max: 1, title: { display: true, text: 'accuracy', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          time: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'batch-1 time (s)', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { drawOnChartArea: false } },
        },
        plugins: { legend: { display: false } },
      },
    });
    const current = chart;
    clear(
      legend,
      series.map((s, i) => {
        const button = h(
          'button',
          { type: 'button', 'aria-pressed': String(!hidden.has(s.label)), 'data-series': s.label, title: `Show or hide ${s.label}` },
          h('span', { class: `swatch${s.kind === 'time' ? ' dashed' : ''}`, style: `color:${s.color}`, 'aria-hidden': 'true' }),
          s.label,
        );
        button.addEventListener('click', () => {
          const show = hidden.has(s.label);
          if (show) hidden.delete(s.label);
          else hidden.add(s.label);
          button.setAttribute('aria-pressed', String(show));
          current.setDatasetVisibility(i, show);
          current.update();
        });
        return h('li', {}, button);
      }),
    );
  };
  return { draw, resize: () => chart?.resize() };
}
