// Evaluate panel: dataset (bundled or picked files), ratios (current / the experiment's sweep /
// a custom list), runtimes, a progress bar with Cancel, a live chart (accuracy on the left axis,
// batch-1 time on the right, one line per runtime), a results table and CSV export.

import type { DatasetSource, EvalOptions, EvalPoint, RuntimeName } from '../../engine/protocol';
import { Chart, themeColors } from '../charts';
import type { AppContext } from '../context';
import { clear, h } from '../dom';
import { formatCount, formatPercent, formatRatio, formatSeconds } from '../format';
import { evalCsv, experimentRatios, parseRatios } from './evaluate-data';

type RatioMode = 'current' | 'sweep' | 'custom';
const RUNTIMES: RuntimeName[] = ['sparse', 'dense', 'onnxruntime'];

export function createEvaluateView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  let dataset: { source: DatasetSource; label: string } = { source: { kind: 'sample' }, label: 'Bundled MNIST test set' };
  let ratioMode: RatioMode = 'current';
  let running: number | null = null;

  const datasetLabel = h('span', { class: 'mono', 'data-testid': 'eval-dataset' }, dataset.label);
  const datasetInfo = h('span', { class: 'muted', 'data-testid': 'eval-dataset-info' });
  const pickBtn = h('button', { class: 'btn small', 'data-testid': 'eval-pick' }, 'Choose files…');
  const sampleBtn = h('button', { class: 'btn small' }, 'Use bundled');
  const modeButtons = new Map<RatioMode, HTMLButtonElement>();
  const modeLabels: [RatioMode, string][] = [['current', 'Current ratio'], ['sweep', 'Experiment sweep'], ['custom', 'Custom']];
  const seg = h('div', { class: 'segmented' });
  for (const [mode, label] of modeLabels) {
    const b = h('button', { 'data-testid': `eval-mode-${mode}`, onclick: () => setMode(mode) }, label);
    modeButtons.set(mode, b);
    seg.append(b);
  }
  const customField = h('input', { class: 'field', style: 'flex:1;min-width:140px', value: '0, 0.5, 0.8, 0.9', 'data-testid': 'eval-ratios', 'aria-label': 'Ratios', hidden: true });
  const ratioHint = h('span', { class: 'muted', 'data-testid': 'eval-ratio-hint' });
  const runtimeChecks = new Map<RuntimeName, HTMLInputElement>();
  const checks = h('div', { class: 'checks' });
  for (const r of RUNTIMES) {
    const box = h('input', { type: 'checkbox', checked: !(r === 'onnxruntime' && platform.kind === 'browser'), 'data-runtime': r });
    runtimeChecks.set(r, box);
    checks.append(h('label', {}, box, r));
  }
  const limitField = h('input', { type: 'number', class: 'field', min: 1, step: 100, placeholder: 'all', 'data-testid': 'eval-limit', 'aria-label': 'Samples' });
  const runBtn = h('button', { class: 'btn primary', 'data-testid': 'eval-run', disabled: true }, 'Run');
  const cancelBtn = h('button', { class: 'btn', 'data-testid': 'eval-cancel', disabled: true }, 'Cancel');
  const csvBtn = h('button', { class: 'btn', 'data-testid': 'eval-csv', disabled: true }, 'Export CSV');
  const bar = h('div', { class: 'progress-bar' });
  const progressText = h('div', { class: 'progress-text', 'data-testid': 'eval-progress' }, 'Idle');
  const canvas = h('canvas', { 'data-testid': 'eval-chart', role: 'img', 'aria-label': 'Accuracy and time against prune ratio' });
  const table = h('table', { class: 'grid', 'data-testid': 'eval-table' });
  const chartBox = h('div', { class: 'chart-box', hidden: true }, canvas);
  const chartHint = h('div', { class: 'chart-hint' }, 'Run an evaluation: accuracy and batch-1 time against the prune ratio appear here, one line per runtime.');
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'evaluate' },
    h('div', { class: 'section-title' }, 'Dataset'),
    h('div', { class: 'row', style: 'margin-bottom:4px' }, datasetLabel, datasetInfo),
    h('div', { class: 'row' }, sampleBtn, pickBtn),
    h('div', { class: 'section-title' }, 'Ratios'),
    h('div', { class: 'row' }, seg, customField, ratioHint),
    h('div', { class: 'row' }, h('label', {}, 'Runtimes'), checks),
    h('div', { class: 'row' }, h('label', {}, 'Samples'), limitField, h('span', { style: 'flex:1' }), runBtn, cancelBtn, csvBtn),
    h('div', { class: 'progress' }, h('div', { class: 'progress-track' }, bar), progressText),
    chartHint,
    chartBox,
    table,
  );

  function setMode(mode: RatioMode): void {
    ratioMode = mode;
    for (const [m, b] of modeButtons) b.classList.toggle('active', m === mode);
    customField.hidden = mode !== 'custom';
    updateHint();
  }
  const updateHint = (): void => {
    if (ratioMode === 'current') ratioHint.textContent = `ratio ${formatRatio(store.state.spec.ratio)} (${store.state.spec.mode === 'global' ? 'global' : 'per layer'})`;
    else if (ratioMode === 'sweep') ratioHint.textContent = `${experimentRatios().length} ratios, 0 … 1`;
    else ratioHint.textContent = '';
  };
  store.on('spec', updateHint);
  setMode('current');

  const describeDataset = async (): Promise<void> => {
    datasetInfo.textContent = '';
    try {
      const summary = await platform.client.call({ type: 'dataset', source: dataset.source });
      datasetInfo.textContent = `${formatCount(summary.samples)} samples · ${summary.sampleShape.join('×')} · ${summary.classes} classes`;
    } catch (error) {
      datasetInfo.textContent = '';
      ctx.fail(`The dataset ${dataset.label} cannot be used`, error);
    }
  };
  pickBtn.addEventListener('click', () => {
    void platform.pickDataset().then((picked) => {
      if (!picked) return;
      dataset = picked;
      datasetLabel.textContent = picked.label;
      void describeDataset();
    });
  });
  sampleBtn.addEventListener('click', () => {
    dataset = { source: { kind: 'sample' }, label: 'Bundled MNIST test set' };
    datasetLabel.textContent = dataset.label;
    void describeDataset();
  });

  // ------------------------------------------------------------ chart
  let chart: Chart | null = null;
  const drawChart = (points: EvalPoint[]): void => {
    const colors = themeColors();
    const runtimes = RUNTIMES.filter((r) => points.some((p) => p.results.some((m) => m.runtime === r && !m.unavailable)));
    const datasets = runtimes.flatMap((r, i) => {
      const color = colors.series[i % colors.series.length];
      const ms = points.map((p) => ({ ratio: p.ratio, m: p.results.find((x) => x.runtime === r) }));
      return [
        {
          label: `${r} accuracy`,
          data: ms.filter((x) => x.m && !x.m.unavailable).map((x) => ({ x: x.ratio, y: x.m?.accuracy ?? 0 })),
          borderColor: color,
          backgroundColor: color,
          yAxisID: 'acc',
          borderWidth: 2,
          pointRadius: 3,
        },
        {
          label: `${r} time`,
          data: ms.filter((x) => x.m?.batch1Seconds !== undefined).map((x) => ({ x: x.ratio, y: x.m?.batch1Seconds ?? 0 })),
          borderColor: color,
          backgroundColor: color,
          borderDash: [5, 4],
          yAxisID: 'time',
          borderWidth: 1.5,
          pointRadius: 2,
          pointStyle: 'rect' as const,
        },
      ];
    });
    chart?.destroy();
    chart = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'prune ratio', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          acc: { type: 'linear', position: 'left', max: 1, title: { display: true, text: 'accuracy', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { color: colors.grid } },
          time: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'batch-1 time (s)', color: colors.fg2 }, ticks: { color: colors.fg2 }, grid: { drawOnChartArea: false } },
        },
        plugins: { legend: { position: 'bottom', labels: { color: colors.fg, boxWidth: 14, font: { size: 11 } } } },
      },
    });
  };

  const renderTable = (points: EvalPoint[]): void => {
    const runtimes = RUNTIMES.filter((r) => points.some((p) => p.results.some((m) => m.runtime === r)));
    if (points.length === 0) {
      clear(table);
      return;
    }
    clear(
      table,
      h(
        'thead',
        {},
        h('tr', {}, h('th', { class: 'num' }, 'Ratio'), h('th', { class: 'num' }, 'Sparsity'), runtimes.map((r) => h('th', { class: 'num', title: 'accuracy; time for the set at batch 1 · samples per second at the large batch' }, r))),
      ),
      h(
        'tbody',
        {},
        [...points]
          .sort((a, b) => a.ratio - b.ratio)
          .map((p) =>
            h(
              'tr',
              { 'data-ratio': p.ratio },
              h('td', { class: 'num' }, formatRatio(p.ratio)),
              h('td', { class: 'num' }, formatPercent(p.sparsity)),
              runtimes.map((r) => {
                const m = p.results.find((x) => x.runtime === r);
                if (!m || m.unavailable) return h('td', { class: 'num muted', title: m?.unavailable ?? '' }, 'unavailable');
                const time = m.batch1Seconds !== undefined ? formatSeconds(m.batch1Seconds) : '—';
                const rate = m.batchThroughput !== undefined ? `${formatCount(m.batchThroughput)}/s` : '';
                return h(
                  'td',
                  { class: 'num' },
                  h('span', { class: 'acc', 'data-col': `${r}-accuracy` }, m.accuracy.toFixed(4)),
                  h('span', { class: 'shape' }, h('span', { 'data-col': `${r}-time` }, time), rate ? ` · ${rate}` : ''),
                );
              }),
            ),
          ),
      ),
    );
  };

  const renderResults = (points: EvalPoint[]): void => {
    chartBox.hidden = points.length === 0;
    chartHint.hidden = points.length > 0;
    drawChart(points);
    renderTable(points);
    csvBtn.disabled = points.length === 0;
  };
  store.on('results', renderResults);
  store.on('theme', () => renderResults(store.state.results));

  // ------------------------------------------------------------ running
  const setRunning = (id: number | null): void => {
    running = id;
    runBtn.disabled = id !== null || !store.state.model;
    cancelBtn.disabled = id === null;
  };
  runBtn.addEventListener('click', () => void run());
  cancelBtn.addEventListener('click', () => {
    if (running !== null) platform.client.cancel(running);
    progressText.textContent = 'Cancelling…';
  });

  async function run(): Promise<void> {
    const model = store.state.model;
    if (!model || running !== null) return;
    const runtimes = RUNTIMES.filter((r) => runtimeChecks.get(r)?.checked);
    if (runtimes.length === 0) return ctx.fail('Nothing to run', new Error('Pick at least one runtime.'));
    const limit = Number(limitField.value);
    const options: EvalOptions = { runtimes, ...(limitField.value !== '' && limit > 0 ? { limit } : {}) };
    const { spec } = store.state;
    bar.style.width = '0%';
    progressText.textContent = 'Starting…';
    const onProgress = (p: { done: number; total: number; message: string; point?: EvalPoint }): void => {
      bar.style.width = `${p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0}%`;
      progressText.textContent = p.message || `${p.done} / ${p.total}`;
      if (p.point) store.set('results', [...store.state.results.filter((x) => x.ratio !== p.point?.ratio), p.point]);
    };
    try {
      if (ratioMode === 'current') {
        const request = platform.client.request({ type: 'evaluate', modelId: model.modelId, spec, dataset: dataset.source, options }, { onProgress });
        setRunning(request.id);
        const point = await request.promise;
        store.set('results', [...store.state.results.filter((x) => x.ratio !== point.ratio), point]);
        progressText.textContent = `Done: ratio ${formatRatio(point.ratio)} on ${formatCount(point.samples)} samples`;
      } else {
        const ratios = ratioMode === 'sweep' ? experimentRatios() : parseRatios(customField.value);
        store.set('results', []);
        const request = platform.client.request(
          { type: 'sweep', modelId: model.modelId, spec: { mode: spec.mode, select: spec.select, overrides: spec.overrides }, ratios, dataset: dataset.source, options },
          { onProgress },
        );
        setRunning(request.id);
        const points = await request.promise;
        store.set('results', points);
        progressText.textContent = `Done: ${points.length} ratios on ${formatCount(points[0]?.samples ?? 0)} samples`;
      }
      bar.style.width = '100%';
    } catch (error) {
      const cancelled = error instanceof Error && 'code' in error && error.code === 'cancelled';
      progressText.textContent = cancelled ? 'Cancelled' : 'Failed';
      if (!cancelled) ctx.fail('The evaluation failed', error);
    } finally {
      setRunning(null);
    }
  }

  const exportCsv = async (): Promise<void> => {
    const points = store.state.results;
    if (points.length === 0) return ctx.fail('Nothing to export', new Error('Run an evaluation first.'));
    const stem = (store.state.model?.fileName ?? 'model').replace(/\.onnx$/i, '');
    await platform.saveFile('csv', `${stem}-sweep.csv`, evalCsv(points));
  };
  csvBtn.addEventListener('click', () => void exportCsv().catch((e: unknown) => ctx.fail('Export failed', e)));
  ctx.commands.set('export-sweep-csv', exportCsv);

  let described = false;
  store.on('model', (model) => {
    setRunning(null);
    runBtn.disabled = !model;
    bar.style.width = '0%';
    progressText.textContent = model ? 'Idle' : 'Open a model to evaluate it';
    updateHint();
  });
  renderResults([]);
  return {
    el,
    activate: () => {
      if (!described && store.state.engine !== 'stopped') {
        described = true;
        void describeDataset();
      }
      chart?.resize();
    },
  };
}
