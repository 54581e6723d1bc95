// The Evaluate panel's chart: accuracy (left axis) and a chosen measure (right axis, dashed) against
// the prune ratio: batch-1 time per runtime (the default), or the exported file's time in
// onnxruntime as a multiple of the unpruned model's (batch 1 or the large batch), its MACs or its
// file size. With one pruning method: one colour per runtime. With several: one colour per method
// (the accuracy and time of the first runtime that ran), so methods compare at a glance.
// The legend is HTML (buttons that show / hide a series): readable by screen readers and by Tab.

import { EXPORTED_ORT_LABEL, ortTimeRatio, RUNNER_NAMES, type EvalPoint, type PruneMethod, type RuntimeName } from '../../engine/protocol';
import { Chart, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { clear, h } from '../dom';
import { METHOD_REGISTRY, METHODS, methodOf, sortPoints } from '../method-spec';

const RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

interface Series {
  label: string;
  color: string;
  /** accuracy: the left axis; measure: the right axis (dashed). */
  kind: 'accuracy' | 'measure';
  data: { x: number; y: number }[];
}

/** What the right axis plots. */
export type RightMeasure = 'time' | 'ort-b1' | 'ort-batch' | 'macs' | 'file';

const MEASURES: Record<RightMeasure, { option: string; axis: string; series: string; value?: (p: EvalPoint) => number | undefined }> = {
  time: { option: 'batch-1 time', axis: 'batch-1 time (s)', series: 'time' },
  'ort-b1': { option: `${EXPORTED_ORT_LABEL}: time ×original, batch 1`, axis: 'ort time ×original, b1', series: 'onnxruntime ×original b1', value: (p) => ortTimeRatio(p).batch1 },
  'ort-batch': {
    option: `${EXPORTED_ORT_LABEL}: time ×original, large batch`,
    axis: 'ort time ×original, large',
    series: 'onnxruntime ×original large batch',
    value: (p) => ortTimeRatio(p).batch,
  },
  macs: { option: 'exported file: MACs at batch 1', axis: 'MACs at b1 (M)', series: 'MACs', value: (p) => (p.exported ? p.exported.macs / 1e6 : undefined) },
  file: { option: 'exported file: size (dense)', axis: 'file (MB)', series: 'file size', value: (p) => (p.exported ? p.exported.denseBytes / (1024 * 1024) : undefined) },
};

export interface EvalChart {
  draw(points: EvalPoint[]): void;
  resize(): void;
  /** The right axis's choice (a labelled select). */
  picker: HTMLElement;
}

function methodColor(method: PruneMethod, series: string[]): string {
  // Blue, orange, green: distinct in both themes and for the common colour-vision deficiencies.
  return series[[0, 1, 2][METHODS.indexOf(method)] % series.length];
}

/** The series to draw for these points (pure apart from the theme colours passed in). */
export function chartSeries(points: EvalPoint[], palette: string[], right: RightMeasure = 'time'): { series: Series[]; byMethod: boolean; runtime: RuntimeName | null } {
  const sorted = sortPoints(points);
  const methods = METHODS.filter((m) => sorted.some((p) => methodOf(p) === m));
  const ran = (r: RuntimeName): boolean => sorted.some((p) => p.results.some((m) => m.runtime === r && !m.unavailable));
  const runtimes = RUNTIMES.filter(ran);
  const series: Series[] = [];
  const push = (label: string, color: string, pts: EvalPoint[], runtime: RuntimeName): void => {
    const ms = pts.map((p) => ({ x: p.ratio, m: p.results.find((r) => r.runtime === runtime) }));
    series.push({ label: `${label} accuracy`, color, kind: 'accuracy', data: ms.filter((x) => x.m && !x.m.unavailable).map((x) => ({ x: x.x, y: x.m?.accuracy ?? 0 })) });
    if (right === 'time') {
      series.push({ label: `${label} time`, color, kind: 'measure', data: ms.filter((x) => x.m?.batch1Seconds !== undefined).map((x) => ({ x: x.x, y: x.m?.batch1Seconds ?? 0 })) });
    }
  };
  /** The exported file's measure of these points (one series: it does not depend on the runtime). */
  const measure = (label: string, color: string, pts: EvalPoint[]): void => {
    const value = MEASURES[right].value;
    if (!value) return;
    const data = pts.flatMap((p) => {
      const y = value(p);
      return y === undefined || !Number.isFinite(y) ? [] : [{ x: p.ratio, y }];
    });
    series.push({ label, color, kind: 'measure', data });
  };
  if (methods.length > 1) {
    const runtime = runtimes[0] ?? null;
    for (const m of methods) {
      const pts = sorted.filter((p) => methodOf(p) === m);
      if (runtime) push(METHOD_REGISTRY[m].name, methodColor(m, palette), pts, runtime);
      measure(`${METHOD_REGISTRY[m].name} ${MEASURES[right].series}`, methodColor(m, palette), pts);
    }
    return { series, byMethod: true, runtime };
  }
  runtimes.forEach((r, i) => push(r, palette[i % palette.length], sorted, r));
  measure(MEASURES[right].series, palette[3 % palette.length], sorted);
  return { series, byMethod: false, runtime: null };
}

export function createEvalChart(canvas: HTMLCanvasElement, legend: HTMLElement, caption: HTMLElement): EvalChart {
  let chart: Chart | null = null;
  const hidden = new Set<string>();
  let right: RightMeasure = 'time';
  let last: EvalPoint[] = [];
  const select = h(
    'select',
    { class: 'field', 'data-testid': 'eval-right-axis', 'aria-label': 'Right axis' },
    (Object.keys(MEASURES) as RightMeasure[]).map((k) => h('option', { value: k }, MEASURES[k].option)),
  );
  select.addEventListener('change', () => {
    right = select.value as RightMeasure;
    draw(last);
  });
  const picker = h('label', { class: 'row', style: 'gap:6px;font-size:12px' }, 'Right axis', select);

  const draw = (points: EvalPoint[]): void => {
    last = points;
    const colors = themeColors();
    const { series, byMethod, runtime } = chartSeries(points, colors.series, right);
    const dashed = right === 'time' ? 'batch-1 time' : MEASURES[right].option;
    const colours = right === 'time' ? (byMethod && runtime ? `One colour per method (${runtime} runtime)` : 'One colour per runtime') : byMethod && runtime ? `One colour per method (accuracy: ${runtime} runtime)` : 'Accuracy: one colour per runtime';
    caption.textContent = `${colours}; solid: accuracy, dashed: ${dashed}.`;
    const datasets = series.map((s) => ({
      label: s.label,
      data: s.data,
      borderColor: s.color,
      backgroundColor: s.color,
      yAxisID: s.kind === 'accuracy' ? 'acc' : 'time',
      borderWidth: s.kind === 'accuracy' ? 2 : 1.5,
      pointRadius: s.kind === 'accuracy' ? 3 : 2,
      hidden: hidden.has(s.label),
      ...(s.kind === 'measure' ? { borderDash: [5, 4], pointStyle: 'rect' as const } : {}),
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
          time: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: MEASURES[right].axis, color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { drawOnChartArea: false } },
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
          h('span', { class: `swatch${s.kind === 'measure' ? ' dashed' : ''}`, style: `color:${s.color}`, 'aria-hidden': 'true' }),
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
  return { draw, resize: () => chart?.resize(), picker };
}
