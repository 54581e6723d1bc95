// Evaluate panel: dataset (bundled or picked files), ratios (current / the experiment's sweep /
// a custom list), pruning methods to sweep (one curve each), runtimes, a progress bar with Cancel,
// a live chart (accuracy on the left axis, a chosen measure on the right; evaluate-chart.ts), a results
// table and CSV export.

import { bundledDigitsMisfit, type DatasetSource, type EvalOptions, type EvalPoint, type PruneMethod } from '../../engine/protocol';
import { clearError } from '../dialogs';
import type { AppContext } from '../context';
import { h } from '../dom';
import { formatCount, formatRatio } from '../format';
import { describeMethod, mergePoint, METHOD_REGISTRY, methodLacksData, METHODS, methodOf, specForMethod } from '../method-spec';
import { createEvalChart } from './evaluate-chart';
import { originalText } from './evaluate-exported';
import { renderEvalTable } from './evaluate-table';
import { createDatasetPreview } from './dataset-preview';
import { evalCsv, experimentRatios, parseRatios } from './evaluate-data';
import { createRuntimePicker } from './evaluate-runtimes';
import { doneText, failedText } from './evaluate-status';
import { createNodeErrorsSection, type NodeErrorsSection } from './evaluate-node-errors';

type RatioMode = 'current' | 'sweep' | 'custom';
const BUNDLED_TEST = { source: { kind: 'sample' } as DatasetSource, label: 'Bundled MNIST test set' };
const NO_DATASET = 'No test set chosen';

export function createEvaluateView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  /** The test set: the bundled digits for the bundled sample only; null until the user picks one for any other model. */
  let dataset: { source: DatasetSource; label: string } | null = null;
  /** The engine's name of `dataset` once described, and the dataset the shown results were measured on (for the CSV). */
  let datasetName: string | undefined;
  let resultsDataset = '';
  let ratioMode: RatioMode = 'current';
  let running: number | null = null;
  /** The "Per-node error" section (evaluate-node-errors.ts), made once the test set's state exists. */
  const late: { nodeErrors?: NodeErrorsSection } = {};

  const datasetLabel = h('span', { class: 'mono', 'data-testid': 'eval-dataset' }, NO_DATASET);
  const datasetInfo = h('span', { class: 'muted', 'data-testid': 'eval-dataset-info' });
  const datasetNote = h('div', { class: 'warn-note', 'data-testid': 'eval-dataset-note', role: 'note', hidden: true });
  const pickBtn = h('button', { class: 'btn small', 'data-testid': 'eval-pick' }, 'Choose files…');
  const preview = createDatasetPreview(platform, (picked) => setDataset(picked));
  const sampleBtn = h('button', { class: 'btn small', 'data-testid': 'eval-bundled', title: 'The 2,000 MNIST test digits the bundled sample was not trained on' }, 'Use bundled MNIST digits');
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
  const runtimePicker = createRuntimePicker(ctx, () => updateRunState());
  const methodChecks = new Map<PruneMethod, HTMLInputElement>();
  const methodBoxes = h('div', { class: 'checks', role: 'group', 'aria-label': 'Methods to sweep', 'data-testid': 'eval-methods' });
  for (const m of METHODS) {
    const box = h('input', { type: 'checkbox', checked: m === 'magnitude', 'data-method': m, 'data-testid': `eval-method-${m}`, 'aria-describedby': 'eval-method-note' });
    box.addEventListener('change', () => updateHint());
    methodChecks.set(m, box);
    methodBoxes.append(h('label', { title: METHOD_REGISTRY[m].description }, box, METHOD_REGISTRY[m].name));
  }
  const methodNote = h('div', { class: 'muted', id: 'eval-method-note', 'data-testid': 'eval-method-note', 'aria-live': 'polite', style: 'font-size:12px;margin:-4px 0 10px' });
  const limitField = h('input', { type: 'number', class: 'field', min: 1, step: 100, placeholder: 'all', 'data-testid': 'eval-limit', 'aria-label': 'Samples' });
  const runBtn = h('button', { class: 'btn primary', 'data-testid': 'eval-run', disabled: true, 'aria-describedby': 'eval-run-note' }, 'Run');
  const runNote = h('div', { class: 'warn-note', id: 'eval-run-note', 'data-testid': 'eval-run-note', 'aria-live': 'polite', hidden: true });
  const resultsCaption = h('div', { class: 'results-caption', 'data-testid': 'eval-results-dataset', hidden: true });
  const cancelBtn = h('button', { class: 'btn', 'data-testid': 'eval-cancel', disabled: true }, 'Cancel');
  const csvBtn = h('button', { class: 'btn', 'data-testid': 'eval-csv', disabled: true }, 'Export CSV');
  const bar = h('div', { class: 'progress-bar' });
  const progressText = h('div', { class: 'progress-text', 'data-testid': 'eval-progress' }, 'Idle');
  const canvas = h('canvas', { 'data-testid': 'eval-chart', role: 'img', 'aria-label': 'Accuracy and time against prune ratio' });
  const table = h('table', { class: 'grid', 'data-testid': 'eval-table' });
  const originalNote = h('div', { class: 'muted', style: 'font-size:12px', 'data-testid': 'eval-original-note', hidden: true });
  const chartBox = h('div', { class: 'chart-box', hidden: true }, canvas);
  const chartCaption = h('div', { class: 'muted', style: 'font-size:12px', 'data-testid': 'eval-chart-caption' });
  const legend = h('ul', { class: 'legend', 'data-testid': 'eval-legend', 'aria-label': 'Chart series (press to show or hide)' });
  const chartExtras = h('div', { hidden: true }, legend, chartCaption);
  const axisRow = h('div', { class: 'row', hidden: true });
  const chartHint = h('div', { class: 'chart-hint' }, 'Run an evaluation: accuracy and batch-1 time against the prune ratio appear here, one line per runtime.');
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'evaluate' },
    h('div', { class: 'section-title' }, 'Dataset'),
    h('div', { class: 'row', style: 'margin-bottom:4px' }, datasetLabel, datasetInfo),
    datasetNote,
    h('div', { class: 'row' }, pickBtn, preview.folderButton, sampleBtn),
    preview.el,
    h('div', { class: 'section-title' }, 'Ratios'),
    h('div', { class: 'row' }, seg, customField, ratioHint),
    h('div', { class: 'row' }, h('label', {}, 'Methods'), methodBoxes),
    methodNote,
    h('div', { class: 'row' }, h('label', {}, 'Runtimes'), runtimePicker.el),
    h('div', { class: 'row' }, h('label', {}, 'Samples'), limitField, h('span', { style: 'flex:1' }), runBtn, cancelBtn, csvBtn),
    runNote,
    h('div', { class: 'progress' }, h('div', { class: 'progress-track' }, bar), progressText),
    resultsCaption,
    chartHint,
    axisRow,
    chartBox,
    chartExtras,
    // The table scrolls sideways in a narrow panel (a column per runtime, then the exported file's).
    h('div', { style: 'overflow-x:auto' }, table),
    originalNote,
  );

  function setMode(mode: RatioMode): void {
    ratioMode = mode;
    for (const [m, b] of modeButtons) b.classList.toggle('active', m === mode);
    customField.hidden = mode !== 'custom';
    updateHint();
  }
  const checkedMethods = (): PruneMethod[] => METHODS.filter((m) => methodChecks.get(m)?.checked);
  function updateHint(): void {
    const { spec, methodSettings } = store.state;
    const method = methodOf(spec);
    if (ratioMode === 'current') ratioHint.textContent = `ratio ${formatRatio(spec.ratio)} (${spec.mode === 'global' ? 'global' : 'per layer'}, ${METHOD_REGISTRY[method].name})`;
    else if (ratioMode === 'sweep') ratioHint.textContent = `${experimentRatios().length} ratios, 0 … 1`;
    else ratioHint.textContent = '';
    for (const box of methodChecks.values()) box.disabled = ratioMode === 'current' || running !== null;
    updateRunState();
    if (ratioMode === 'current') {
      methodNote.className = 'muted';
      methodNote.textContent = `The current ratio uses the Prune panel's method: ${METHOD_REGISTRY[method].label}${method === 'magnitude' ? '' : ` (${describeMethod(method, methodSettings)})`}.`;
      return;
    }
    const slow = checkedMethods().filter((m) => m !== 'magnitude');
    methodNote.className = slow.length > 0 ? 'warn-note' : 'muted';
    methodNote.textContent =
      slow.length > 0
        ? `⚠ ${slow.map((m) => METHOD_REGISTRY[m].name).join(' and ')} prune${slow.length === 1 ? 's' : ''} once per ratio: a sweep takes minutes.` +
          `${slow.includes('finetune') ? ' Fine-tuning goes up the ratios in order, each starting from the model fine-tuned at the ratio below.' : ''}` +
          ` Data: ${slow.map((m) => describeMethod(m, methodSettings)).join('; ')} (set in the Prune panel).`
        : 'One accuracy curve per checked method. Reconstruct and fine-tune take minutes.';
  }
  store.on('spec', updateHint);
  store.on('methodSettings', updateHint);

  /** Methods this run would prune with. */
  const runMethods = (): PruneMethod[] => (ratioMode === 'current' ? [methodOf(store.state.spec)] : checkedMethods());
  /** Why Run cannot start now (shown under it), or null. */
  function blocker(): string | null {
    const model = store.state.model;
    if (!model) return null;
    if (!dataset) return 'Run waits for a test set: choose its files above.';
    const needy = runMethods().filter((m) => methodLacksData(m, store.state.methodSettings));
    if (needy.length > 0) {
      return `${needy.map((m) => METHOD_REGISTRY[m].name).join(' and ')} needs calibration or training data: choose it in the Prune panel, or sweep magnitude only.`;
    }
    const runtime = runtimePicker.blocker(model);
    if (runtime !== null) return runtime;
    if (datasetRefused === dataset) return `The test set ${dataset.label} does not fit this model (see the message above): choose another.`;
    return null;
  }
  function updateRunState(): void {
    const model = store.state.model;
    const why = running === null ? blocker() : null;
    runBtn.disabled = running !== null || !model || why !== null;
    // Not blocking, but said before Run: only onnxruntime will run this model.
    const note = why ?? (model ? runtimePicker.note(model) : null);
    runNote.hidden = note === null;
    runNote.textContent = note ?? '';
    datasetNote.hidden = !model || dataset !== null;
    // The bundled digits are offered only to a model they fit; any other is told what data it needs.
    const misfit = model ? bundledDigitsMisfit(model.graph) : null;
    sampleBtn.hidden = misfit !== null;
    datasetNote.textContent =
      misfit !== null
        ? `Choose the test set this model was made for: ${misfit}.`
        : 'Choose the test set this model was made for (IDX image and label files, gzipped or not, a text file, an .npy pair, an .npz, or a folder of images per class). ' +
          'The bundled MNIST digits are the default only for the bundled sample model.';
    late.nodeErrors?.refresh();
  }
  setMode('current');

  /** The chosen test set, once the engine refused it for this model (Run stays disabled until another is chosen). */
  let datasetRefused: { source: DatasetSource; label: string } | null = null;
  const describeDataset = async (): Promise<void> => {
    datasetRefused = null;
    datasetInfo.textContent = '';
    datasetName = undefined;
    const asked = dataset;
    if (!asked) return;
    try {
      const summary = await preview.describe(asked.source, store.state.model?.modelId);
      // A test set chosen since (e.g. a file picked while the default was still being read) owns
      // the panel and the banner: this answer is stale and must not clear its error.
      if (asked !== dataset) return;
      datasetName = summary.name;
      preview.show(summary, asked.source);
      clearError((shown) => shown.startsWith('The dataset '));
      // A language-model test set: "N sequences × T tokens, vocabulary V from the model".
      datasetInfo.textContent = summary.tokens ?? `${formatCount(summary.samples)} samples · ${summary.sampleShape.join('×')} · ${summary.classes} classes`;
    } catch (error) {
      if (asked !== dataset) return;
      datasetInfo.textContent = '';
      datasetRefused = asked;
      updateRunState();
      preview.show(null, asked.source);
      ctx.fail(`The dataset ${asked.label} cannot be used`, error);
    }
  };
  pickBtn.addEventListener('click', () => {
    void platform.pickDataset().then((picked) => {
      if (!picked) return;
      setDataset(picked);
    });
  });
  sampleBtn.addEventListener('click', () => setDataset(BUNDLED_TEST));
  function setDataset(next: { source: DatasetSource; label: string } | null): void {
    dataset = next;
    datasetLabel.textContent = next?.label ?? NO_DATASET;
    updateRunState();
    if (next) void describeDataset();
    else {
      preview.show(null);
      datasetInfo.textContent = '';
      datasetName = undefined;
    }
  }

  // ------------------------------------------------------------ chart and table
  const evalChart = createEvalChart(canvas, legend, chartCaption);
  axisRow.append(evalChart.picker);

  const renderTable = (points: EvalPoint[]): void => {
    renderEvalTable(table, points, runtimePicker.label);
    originalNote.textContent = originalText(points) ?? '';
    originalNote.hidden = originalNote.textContent === '';
  };

  const renderResults = (points: EvalPoint[]): void => {
    chartBox.hidden = points.length === 0;
    chartHint.hidden = points.length > 0;
    chartExtras.hidden = points.length === 0;
    axisRow.hidden = points.length === 0;
    evalChart.draw(points);
    renderTable(points);
    csvBtn.disabled = points.length === 0;
  };
  store.on('results', renderResults);
  store.on('theme', () => renderResults(store.state.results));

  // ------------------------------------------------------------ running
  /** Set by Cancel: a multi-method sweep then stops after the request being cancelled. */
  let stopRequested = false;
  const setRunning = (id: number | null): void => {
    running = id;
    cancelBtn.disabled = id === null;
    runtimePicker.setBusy(id !== null);
    for (const b of [pickBtn, sampleBtn]) b.disabled = id !== null;
    updateHint();
  };
  runBtn.addEventListener('click', () => void run());
  cancelBtn.addEventListener('click', () => {
    stopRequested = true;
    if (running !== null) platform.client.cancel(running);
    progressText.textContent = 'Cancelling…';
  });

  const setBar = (fraction: number): void => {
    bar.style.width = `${Math.max(0, Math.min(100, 100 * fraction))}%`;
  };

  /** "Failed: …" when no figure was measured (remembering onnxruntime's reason), else null. */
  function noRuntimeRan(points: EvalPoint[], fileName: string): string | null {
    runtimePicker.learn(points);
    const failed = failedText(points, fileName);
    if (failed) updateRunState();
    return failed;
  }

  async function run(): Promise<void> {
    const model = store.state.model;
    if (!model || running !== null || !dataset || blocker() !== null) return;
    const data = dataset;
    const runtimes = runtimePicker.checked();
    if (runtimes.length === 0) return ctx.fail('Nothing to run', new Error('Pick at least one runtime.'));
    const limit = Number(limitField.value);
    const options: EvalOptions = { runtimes, ...(limitField.value !== '' && limit > 0 ? { limit } : {}) };
    const { spec, methodSettings } = store.state;
    resultsDataset = datasetName ?? data.label;
    resultsCaption.hidden = false;
    resultsCaption.textContent = `${model.fileName} on ${data.label}`;
    stopRequested = false;
    setBar(0);
    progressText.textContent = 'Starting…';
    const addPoint = (point: EvalPoint, method: PruneMethod): void => {
      store.set('results', mergePoint(store.state.results, { ...point, method: point.method ?? method }));
    };
    try {
      if (ratioMode === 'current') {
        const method = methodOf(spec);
        const request = platform.client.request(
          { type: 'evaluate', modelId: model.modelId, spec, dataset: data.source, options },
          {
            onProgress: (p) => {
              setBar(p.total > 0 ? p.done / p.total : 0);
              progressText.textContent = p.message || `${p.done} / ${p.total}`;
            },
          },
        );
        setRunning(request.id);
        const point = await request.promise;
        addPoint(point, method);
        resultsCaption.textContent = `${model.fileName} on ${formatCount(point.samples)} samples of ${data.label}`;
        progressText.textContent =
          noRuntimeRan([point], model.fileName) ??
          doneText(`${METHOD_REGISTRY[method].name} at ratio ${formatRatio(point.ratio)} on ${formatCount(point.samples)} samples of ${data.label}`, [point], runtimePicker.label);
      } else {
        const ratios = ratioMode === 'sweep' ? experimentRatios() : parseRatios(customField.value);
        const methods = checkedMethods();
        if (methods.length === 0) return ctx.fail('Nothing to run', new Error('Check at least one pruning method to sweep.'));
        store.set('results', []);
        let samples = 0;
        // One request per method: each carries its own data settings, and its points keep coming in.
        for (const [k, method] of methods.entries()) {
          const base = specForMethod({ mode: spec.mode, select: spec.select, overrides: spec.overrides }, method, methodSettings);
          const prefix =
            methods.length > 1 || method !== 'magnitude' ? `${METHOD_REGISTRY[method].name}${methods.length > 1 ? ` (${k + 1} of ${methods.length})` : ''}: ` : '';
          const request = platform.client.request(
            { type: 'sweep', modelId: model.modelId, spec: base, ratios, methods: [method], dataset: data.source, options },
            {
              onProgress: (p) => {
                setBar((k + (p.total > 0 ? p.done / p.total : 0)) / methods.length);
                progressText.textContent = prefix + (p.message || `${p.done} / ${p.total}`);
                if (p.point) addPoint(p.point, method);
              },
            },
          );
          setRunning(request.id);
          const points = await request.promise;
          for (const point of points) addPoint(point, method);
          samples = points[0]?.samples ?? samples;
          if (stopRequested) throw Object.assign(new Error('cancelled'), { code: 'cancelled' });
        }
        resultsCaption.textContent = `${model.fileName} on ${formatCount(samples)} samples of ${data.label}`;
        progressText.textContent =
          noRuntimeRan(store.state.results, model.fileName) ??
          doneText(
            `${ratios.length} ratio${ratios.length === 1 ? '' : 's'} × ${methods.map((m) => METHOD_REGISTRY[m].name).join(', ')} on ${formatCount(samples)} samples of ${data.label}`,
            store.state.results,
            runtimePicker.label,
          );
      }
      setBar(1);
      clearError('The evaluation failed');
      clearError('Nothing to run');
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
    await platform.saveFile('csv', `${stem}-sweep.csv`, evalCsv(points, { model: store.state.model?.fileName ?? 'model', dataset: resultsDataset }));
  };
  csvBtn.addEventListener('click', () => void exportCsv().catch((e: unknown) => ctx.fail('Export failed', e)));
  ctx.commands.set('export-sweep-csv', exportCsv);

  store.on('model', (model) => {
    resultsCaption.hidden = true;
    resultsCaption.textContent = '';
    // A new model: the bundled digits only for the bundled sample (the runtime picker checks the runtimes that can run it).
    setDataset(model && store.state.modelIsSample ? BUNDLED_TEST : null);
    setRunning(null);
    bar.style.width = '0%';
    progressText.textContent = model ? 'Idle' : 'Open a model to evaluate it';
  });
  renderResults([]);
  late.nodeErrors = createNodeErrorsSection(ctx, () => ({ dataset, refused: dataset !== null && dataset === datasetRefused }));
  el.append(late.nodeErrors.el);
  late.nodeErrors.refresh();
  return {
    el,
    activate: () => evalChart.resize(),
  };
}
