// Sensitivity panel (issue 16): for each weight of the Prune panel's selection and each ratio of a
// list, the accuracy and loss with only that tensor pruned (the engine's `sensitivity` request; its
// points arrive as progress and fill the chart and the table live), with progress and Cancel.
// Allocate: per-layer ratios that reach a target overall sparsity with the least predicted loss
// (the engine's `allocate` request from the curves of the last analysis when its settings are
// unchanged: at once, no curve measured again), compared with uniform per-layer and global pruning
// on the same samples; "Apply as overrides" puts
// them into the Prune panel. The graph overlay "Sensitivity" shows the accuracy drop per node.

import { SENSITIVITY_RATIOS, type Allocation, type AllocationComparison, type ModelSummary, type Request, type SensitivityReport, type SensitivityResult } from '../../engine/protocol';
import type { AppContext } from '../context';
import { clearError } from '../dialogs';
import { clear, h } from '../dom';
import { formatCount, formatPercent, formatRatio } from '../format';
import { overlaysChanged } from '../overlays';
import { structureOf } from '../structure-choice';
import { setPruneOverrides } from './prune';
import { parseRatios } from './evaluate-data';
import { createSensitivityChart, type SensitivityMeasure } from './sensitivity-chart';
import { curveRatios, defaultOverlayRatio, liveCurves, mergeSensitivityPoint, parseTarget, type LiveCurve } from './sensitivity-data';
import { createSensitivityDataset, type Picked } from './sensitivity-dataset';
import { provideSensitivityOverlay } from './sensitivity-overlay';
import { renderAllocation, renderCurveTable } from './sensitivity-table';

type SensitivityRequest = Extract<Request, { type: 'sensitivity' }>;
const DEFAULT_LIMIT = 1000;

export function createSensitivityView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  let curves: LiveCurve[] = [];
  let baseline: { accuracy: number; loss: number } | null = null;
  let asked: number[] = [];
  let allocation: (Allocation & { comparison: AllocationComparison[] }) | null = null;
  let measure: SensitivityMeasure = 'accuracy';
  let overlayRatio: number | undefined;
  /** The overlay's ratio was picked by hand (else it follows the default as points arrive). */
  let overlayPicked = false;
  let running: number | null = null;
  /** The last finished analysis and its settings: Allocate with equal settings allocates from its curves. */
  let finished: { key: string; picked: Picked; result: SensitivityResult } | null = null;

  const data = createSensitivityDataset(ctx, () => updateRunState());
  const ratiosField = h('input', { class: 'field', style: 'flex:1;min-width:160px', value: SENSITIVITY_RATIOS.join(', '), 'data-testid': 'sens-ratios', 'aria-label': 'Ratios', 'aria-describedby': 'sens-ratio-error' });
  const ratioError = h('div', { class: 'field-error', id: 'sens-ratio-error', 'data-testid': 'sens-ratio-error', role: 'alert', hidden: true });
  const limitField = h('input', { type: 'number', class: 'field', min: 1, step: 100, value: DEFAULT_LIMIT, placeholder: 'all', 'data-testid': 'sens-limit', 'aria-label': 'Samples' });
  const selectionText = h('div', { class: 'muted', style: 'font-size:12px', 'data-testid': 'sens-selection' });
  const runBtn = h('button', { class: 'btn primary', 'data-testid': 'sens-run', disabled: true }, 'Run');
  const cancelBtn = h('button', { class: 'btn', 'data-testid': 'sens-cancel', disabled: true }, 'Cancel');
  const runNote = h('div', { class: 'warn-note', 'data-testid': 'sens-run-note', 'aria-live': 'polite', hidden: true });
  const bar = h('div', { class: 'progress-bar' });
  const progressText = h('div', { class: 'progress-text', 'data-testid': 'sens-progress' }, 'Open a model to analyse it');
  const measureButtons = new Map<SensitivityMeasure, HTMLButtonElement>();
  const measureSeg = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Plot accuracy or loss' });
  for (const [m, text] of [['accuracy', 'Accuracy'], ['loss', 'Loss']] as const) {
    const b = h('button', { 'data-testid': `sens-measure-${m}`, 'aria-pressed': String(m === measure), onclick: () => setMeasure(m) }, text);
    measureButtons.set(m, b);
    measureSeg.append(b);
  }
  const overlaySelect = h('select', { class: 'field', 'data-testid': 'sens-overlay-ratio', 'aria-label': 'Ratio the graph overlay shows' });
  const canvas = h('canvas', { 'data-testid': 'sens-chart', role: 'img', 'aria-label': 'Accuracy or loss against the ratio, one line per tensor' });
  const legend = h('ul', { class: 'legend', 'data-testid': 'sens-legend', 'aria-label': 'Curves (press to show or hide)' });
  const chartBox = h('div', { class: 'chart-box', hidden: true }, canvas);
  const table = h('table', { class: 'grid sens-table', 'data-testid': 'sens-table' });
  const chartHint = h('div', { class: 'chart-hint', 'data-testid': 'sens-empty' }, 'Run the analysis: one curve per weight tensor appears here, each pruned alone at every ratio, with the unpruned model as a dashed line.');
  const resultsBox = h(
    'div',
    { hidden: true },
    h('div', { class: 'row' }, measureSeg, h('span', { style: 'flex:1' }), h('label', { class: 'row', style: 'gap:6px;font-size:12px' }, 'Graph overlay at', overlaySelect)),
    chartBox,
    legend,
    h('div', { style: 'overflow-x:auto' }, table),
  );
  const targetField = h('input', { type: 'number', class: 'field', min: 1, max: 99, step: 1, value: 90, 'data-testid': 'sens-target', 'aria-label': 'Target overall sparsity (%)' });
  const allocateBtn = h('button', { class: 'btn', 'data-testid': 'sens-allocate', disabled: true }, 'Allocate');
  const applyBtn = h('button', { class: 'btn primary', 'data-testid': 'sens-apply', disabled: true, title: 'Per-layer mode, these ratios as the overrides of the Prune panel' }, 'Apply as overrides');
  const allocHost = h('div', { 'data-testid': 'sens-allocation' });
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'sensitivity' },
    data.el,
    h('div', { class: 'section-title' }, 'Analysis'),
    h('div', { class: 'row' }, h('label', {}, 'Ratios'), ratiosField),
    ratioError,
    selectionText,
    h('div', { class: 'row' }, h('label', {}, 'Samples'), limitField, h('span', { style: 'flex:1' }), runBtn, cancelBtn),
    runNote,
    h('div', { class: 'progress' }, h('div', { class: 'progress-track' }, bar), progressText),
    chartHint,
    resultsBox,
    h('div', { class: 'section-title' }, 'Allocate'),
    h('div', { class: 'muted', style: 'font-size:12px' }, 'Per-layer ratios that reach the target sparsity of these tensors with the least predicted loss, from their curves (those of the last analysis when its settings are unchanged, else measured first); measured beside uniform per-layer and global pruning on the same samples.'),
    h('div', { class: 'row' }, h('label', {}, 'Target'), targetField, h('span', {}, '%'), h('span', { style: 'flex:1' }), allocateBtn, applyBtn),
    allocHost,
  );

  provideSensitivityOverlay(() => ({ model: store.state.model, curves, baselineAccuracy: baseline?.accuracy ?? null, ratio: overlayRatio }));

  // ------------------------------------------------------------ settings
  const selected = (): string[] => store.state.spec.select ?? store.state.model?.defaultPrunable ?? [];
  function showSelection(): void {
    const model = store.state.model;
    if (!model) {
      selectionText.textContent = '';
      return;
    }
    const n = selected().length;
    const s = structureOf(store.state.spec);
    const structure = s.kind === 'unstructured' ? 'unstructured' : store.state.spec.structure ?? s.kind;
    selectionText.textContent = `${n} weight tensor${n === 1 ? '' : 's'}: the Prune panel's selection, pruned ${structure}, by magnitude, per layer.`;
  }
  const readRatios = (): number[] | null => {
    try {
      const r = parseRatios(ratiosField.value);
      if (r.length === 0) throw new Error('give at least one ratio');
      ratioError.hidden = true;
      return r;
    } catch (e) {
      ratioError.hidden = false;
      ratioError.textContent = `Ratios: ${e instanceof Error ? e.message : String(e)}`;
      return null;
    }
  };
  ratiosField.addEventListener('input', () => updateRunState());
  function blocker(): string | null {
    if (!store.state.model) return null;
    const d = data.blocker();
    if (d) return d;
    if (selected().length === 0) return 'No weights are selected: tick them in the Prune panel.';
    if (readRatios() === null) return 'Fix the ratio list first.';
    return null;
  }
  function updateRunState(): void {
    const why = running === null ? blocker() : null;
    const ready = running === null && store.state.model !== null && why === null;
    runBtn.disabled = !ready;
    allocateBtn.disabled = !ready;
    runNote.hidden = why === null;
    runNote.textContent = why ?? '';
    applyBtn.disabled = allocation === null;
    showSelection();
  }
  store.on('spec', updateRunState);

  // ------------------------------------------------------------ results
  let frame = 0;
  function render(): void {
    frame = 0;
    const any = curves.some((c) => c.points.length > 0);
    chartHint.hidden = any;
    resultsBox.hidden = !any;
    chartBox.hidden = !any;
    if (any) chart.draw(curves, baseline, measure);
    renderCurveTable(table, curves, baseline, measure, asked);
    const ratios = curveRatios(curves);
    if (!overlayPicked || overlayRatio === undefined || !ratios.includes(overlayRatio)) overlayRatio = defaultOverlayRatio(ratios);
    const options = ratios.map((r) => h('option', { value: r, selected: r === overlayRatio }, formatRatio(r)));
    if (overlaySelect.options.length !== options.length || [...overlaySelect.options].some((o, i) => o.value !== options[i].value)) clear(overlaySelect, options);
    overlaySelect.value = overlayRatio === undefined ? '' : String(overlayRatio);
    renderAllocation(allocHost, allocation);
  }
  const scheduleRender = (): void => {
    if (frame === 0) frame = requestAnimationFrame(render);
  };
  const chart = createSensitivityChart(canvas, legend);
  function setMeasure(m: SensitivityMeasure): void {
    measure = m;
    for (const [k, b] of measureButtons) {
      b.classList.toggle('active', k === m);
      b.setAttribute('aria-pressed', String(k === m));
    }
    render();
  }
  overlaySelect.addEventListener('change', () => {
    overlayRatio = Number(overlaySelect.value);
    overlayPicked = true;
    overlaysChanged();
  });
  store.on('theme', () => render());

  // ------------------------------------------------------------ running
  const setBar = (fraction: number): void => {
    bar.style.width = `${Math.max(0, Math.min(100, 100 * fraction))}%`;
  };
  const setRunning = (id: number | null): void => {
    running = id;
    cancelBtn.disabled = id === null;
    data.setBusy(id !== null);
    ratiosField.disabled = id !== null;
    limitField.disabled = id !== null;
    targetField.disabled = id !== null;
    updateRunState();
  };
  cancelBtn.addEventListener('click', () => {
    if (running !== null) platform.client.cancel(running);
    progressText.textContent = 'Cancelling…';
  });

  /** A job's error: Cancel says `cancelled` (what was measured stays), anything else is shown. */
  function jobFailed(error: unknown, cancelled: string): void {
    const wasCancelled = error instanceof Error && 'code' in error && error.code === 'cancelled';
    progressText.textContent = wasCancelled ? cancelled : 'Failed';
    if (!wasCancelled) ctx.fail('The sensitivity analysis failed', error);
  }

  async function run(withAllocation: boolean): Promise<void> {
    const model = store.state.model;
    const picked: Picked | null = data.usable();
    const ratios = readRatios();
    if (!model || running !== null || !picked || !ratios || blocker() !== null) return;
    let target: number | undefined;
    if (withAllocation) {
      const t = parseTarget(targetField.value);
      if (typeof t !== 'number') return ctx.fail('Cannot allocate', new Error(t.error));
      target = t;
    }
    const limit = Number(limitField.value);
    const structure = store.state.spec.structure;
    const settings = {
      ratios,
      ...(store.state.spec.select ? { select: store.state.spec.select } : {}),
      ...(structure !== undefined && structure !== 'unstructured' ? { structure } : {}),
      ...(limitField.value !== '' && limit > 0 ? { limit } : {}),
    };
    const key = JSON.stringify([model.modelId, settings]);
    if (target !== undefined && finished !== null && finished.key === key && finished.picked === picked) return allocateFromCurves(model, finished, target);
    const request: Omit<SensitivityRequest, 'id'> = { type: 'sensitivity', modelId: model.modelId, dataset: picked.source, ...settings, ...(target !== undefined ? { allocate: target } : {}) };
    finished = null;
    curves = [];
    baseline = null;
    asked = ratios;
    overlayPicked = false;
    allocation = null;
    render();
    setBar(0);
    progressText.textContent = 'Starting…';
    try {
      const req = platform.client.request(request, {
        onProgress: (p) => {
          setBar(p.total > 0 ? p.done / p.total : 0);
          progressText.textContent = p.message || `${p.done} / ${p.total}`;
          if (p.sensitivity) {
            curves = mergeSensitivityPoint(curves, p.sensitivity.curve, p.sensitivity.tensor, p.sensitivity.point);
            scheduleRender();
          }
        },
      });
      setRunning(req.id);
      const result: SensitivityReport = await req.promise;
      if (store.state.model !== model) return;
      curves = liveCurves(result.curves);
      baseline = result.baseline;
      allocation = result.allocation ?? null;
      finished = { key, picked, result };
      store.set('sensitivity', { dataset: picked.label, result });
      setBar(1);
      const notes = result.notes?.length ? ` ${result.notes.join(' ')}` : '';
      progressText.textContent = `Done: ${result.curves.length} tensor${result.curves.length === 1 ? '' : 's'} × ${ratios.length} ratio${ratios.length === 1 ? '' : 's'} on ${formatCount(result.samples)} samples of ${picked.label}; unpruned accuracy ${formatPercent(result.baseline.accuracy, 2)}.${allocation ? ` Allocated ${formatPercent(allocation.sparsity)} overall.` : ''}${notes}`;
      clearError('The sensitivity analysis failed');
    } catch (error) {
      jobFailed(error, 'Cancelled: the points measured so far stay; Run starts again.');
    } finally {
      setRunning(null);
      render();
      overlaysChanged();
    }
  }
  /** Allocate from the curves already measured (at once), then compare it on the analysis' samples. */
  async function allocateFromCurves(model: ModelSummary, from: NonNullable<typeof finished>, target: number): Promise<void> {
    const base = { type: 'allocate', modelId: model.modelId, result: from.result, target } as const;
    try {
      allocation = await platform.client.call(base);
    } catch (error) {
      return ctx.fail('Cannot allocate', error);
    }
    if (store.state.model !== model) return;
    render();
    setBar(0);
    progressText.textContent = `${formatPercent(allocation.sparsity)} allocated from the curves; measuring it beside uniform per-layer and global pruning…`;
    try {
      const req = platform.client.request({ ...base, dataset: from.picked.source }, { onProgress: (p) => setBar(p.total > 0 ? p.done / p.total : 0) });
      setRunning(req.id);
      const compared = await req.promise;
      if (store.state.model !== model) return;
      allocation = compared;
      // the report exported from the app carries the allocation, as after Allocate with a new analysis
      store.set('sensitivity', { dataset: from.picked.label, result: { ...from.result, allocation: compared } });
      setBar(1);
      progressText.textContent = `Allocated ${formatPercent(compared.sparsity)} overall from the curves of the last analysis (not measured again); compared on ${formatCount(from.result.samples)} samples of ${from.picked.label}.`;
      clearError('The sensitivity analysis failed');
    } catch (error) {
      jobFailed(error, 'Cancelled: the allocation stays, not compared.');
    } finally {
      setRunning(null);
      render();
    }
  }
  runBtn.addEventListener('click', () => void run(false));
  allocateBtn.addEventListener('click', () => void run(true));
  applyBtn.addEventListener('click', () => {
    if (!allocation) return;
    setPruneOverrides(allocation.overrides, allocation.target);
    ctx.showTab('prune');
  });

  store.on('model', (model) => {
    if (running !== null) platform.client.cancel(running);
    if (store.state.sensitivity) store.set('sensitivity', null);
    curves = [];
    baseline = null;
    asked = [];
    allocation = null;
    finished = null;
    overlayRatio = undefined;
    setRunning(null);
    data.reset();
    setBar(0);
    progressText.textContent = model ? 'Idle' : 'Open a model to analyse it';
    render();
    overlaysChanged();
  });
  setMeasure('accuracy');
  updateRunState();
  return { el, activate: () => chart.resize() };
}
