// The Evaluate panel's chart: accuracy (left axis; a language model's perplexity) and a chosen measure (right axis, dashed) against
// the prune ratio: batch-1 time per runtime (the default), or the exported file's time in
// onnxruntime as a multiple of the unpruned model's (batch 1 or the large batch), its MACs or its
// file size. With one pruning method: one colour per runtime. With several: one colour per method
// (the accuracy and time of the first runtime that ran), so methods compare at a glance.
// The legend is HTML (buttons that show / hide a series): readable by screen readers and by Tab.

import type { EvalPoint } from '../../engine/protocol';
import { Chart, legendToggle, STILL_CHART_OPTIONS, themeColors } from '../charts';
import { clear, h } from '../dom';
import { chartSeries, LANGUAGE_TIME, MEASURES, type RightMeasure } from './evaluate-series';

export interface EvalChart {
  draw(points: EvalPoint[]): void;
  resize(): void;
  /** The right axis's choice (a labelled select). */
  picker: HTMLElement;
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
    const { series, byMethod, runtime, language } = chartSeries(points, colors.series, right);
    const left = language ? 'perplexity' : 'accuracy';
    // A language model's time is the whole set's at the large batch (it has no batch-1 time).
    const timeOption = language ? LANGUAGE_TIME.option : MEASURES.time.option;
    const timeOptionEl = select.querySelector<HTMLOptionElement>('option[value="time"]');
    if (timeOptionEl) timeOptionEl.textContent = timeOption;
    const dashed = right === 'time' ? timeOption : MEASURES[right].option;
    const axis = right === 'time' && language ? LANGUAGE_TIME.axis : MEASURES[right].axis;
    const colours = right === 'time' ? (byMethod && runtime ? `One colour per method (${runtime} runtime)` : 'One colour per runtime') : byMethod && runtime ? `One colour per method (accuracy: ${runtime} runtime)` : 'Accuracy: one colour per runtime';
    caption.textContent = `${language ? colours.replace('accuracy', 'perplexity').replace('Accuracy', 'Perplexity') : colours}; solid: ${left}, dashed: ${dashed}.`;
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
          acc: { type: 'linear', position: 'left', ...(language ? {} : { max: 1 }), title: { display: true, text: left, color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          time: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: axis, color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { drawOnChartArea: false } },
        },
        plugins: { legend: { display: false } },
      },
    });
    const current = chart;
    clear(
      legend,
      series.map((s, i) => {
        const item = legendToggle(current, i, s.label, h('span', { class: `swatch${s.kind === 'measure' ? ' dashed' : ''}`, style: `color:${s.color}`, 'aria-hidden': 'true' }), hidden);
        // The number of points drawn, for tests reading the chart from the page.
        item.querySelector('button')?.setAttribute('data-points', String(s.data.length));
        return item;
      }),
    );
  };
  return { draw, resize: () => chart?.resize(), picker };
}
