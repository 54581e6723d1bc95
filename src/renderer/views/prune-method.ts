// The method part of the Prune panel: Magnitude / Reconstruct (calibration) / Fine-tune (training
// data) as a radio group with one line of help each; for the data-aware methods, the data (the
// bundled training split or files the user picks, through the platform: the renderer never touches
// the filesystem), calibration size / training samples / epochs, and an Apply action that runs the
// engine's 'prune' job with progress and Cancel and shows its report. Errors stay in the panel.

import type { MethodAvailability, PruneMethod, PruneReport, PruneSpec } from '../../engine/protocol';
import type { AppContext } from '../context';
import { errorText } from '../dialogs';
import { h } from '../dom';
import { baseName } from '../engine-link';
import { formatCount, formatRatio, formatSeconds } from '../format';
import { BUNDLED_TRAIN, describeMethod, METHOD_REGISTRY, methodLacksData, METHODS, methodOf, NO_DATA_LABEL, specForMethod, specKey, type MethodSettings } from '../method-spec';

export interface MethodControls {
  el: HTMLElement;
  /** Back to Magnitude, idle (a new model was opened). */
  reset(): void;
}

/** Text of an engine error that names its file, as the panel shows it. */
export function errorNamingFile(error: unknown): string {
  const message = errorText(error);
  const file = error instanceof Error && 'file' in error && typeof error.file === 'string' ? baseName(error.file) : '';
  return file && !message.includes(file) ? `${file}: ${message}` : message;
}

export function createMethodControls(ctx: AppContext, setSpec: (spec: PruneSpec) => void): MethodControls {
  const { store, platform } = ctx;
  let running: number | null = null;
  let applied: { key: string; text: string } | null = null;

  // ------------------------------------------------------------ method radios
  const radios = new Map<PruneMethod, HTMLInputElement>();
  const reasons = new Map<PruneMethod, HTMLElement>();
  /** Why each method cannot prune the current selection (engine: summary, then every preview). */
  let availability: MethodAvailability | null = null;
  const group = h('div', { class: 'methods', role: 'radiogroup', 'aria-labelledby': 'prune-method-title', 'data-testid': 'prune-methods' });
  for (const method of METHODS) {
    const info = METHOD_REGISTRY[method];
    const helpId = `prune-method-help-${method}`;
    const nameId = `prune-method-name-${method}`;
    const radio = h('input', {
      type: 'radio',
      name: 'prune-method',
      value: method,
      checked: method === 'magnitude',
      'aria-labelledby': nameId,
      'aria-describedby': helpId,
      'data-testid': `prune-method-${method}`,
    });
    radio.addEventListener('change', () => {
      if (radio.checked) chooseMethod(method);
    });
    radios.set(method, radio);
    const reasonId = `prune-method-reason-${method}`;
    const reason = h('span', { class: 'method-reason warn-note', id: reasonId, 'data-testid': reasonId, hidden: true });
    reasons.set(method, reason);
    radio.setAttribute('aria-describedby', `${helpId} ${reasonId}`);
    group.append(
      h(
        'label',
        { class: 'method-option' },
        radio,
        h('span', { class: 'method-text' }, h('span', { class: 'method-name', id: nameId }, info.label), h('span', { class: 'method-help', id: helpId }, info.description), reason),
      ),
    );
  }

  // ------------------------------------------------------------ data and sizes
  const dataLabel = h('span', { class: 'mono', 'data-testid': 'prune-data' }, store.state.methodSettings.data?.label ?? NO_DATA_LABEL);
  const dataInfo = h('span', { class: 'muted', 'data-testid': 'prune-data-info' });
  const dataNote = h('div', { class: 'warn-note', 'data-testid': 'prune-data-note', role: 'note', hidden: true });
  const bundledBtn = h('button', { class: 'btn small', 'data-testid': 'prune-data-bundled' }, 'Use bundled train split');
  const pickBtn = h('button', { class: 'btn small', 'data-testid': 'prune-data-pick', 'aria-label': 'Choose calibration or training files' }, 'Choose files…');
  const calibField = h('input', { type: 'number', class: 'field', id: 'prune-calibration', min: 1, step: 100, value: store.state.methodSettings.calibration, 'data-testid': 'prune-calibration' });
  const trainField = h('input', { type: 'number', class: 'field', id: 'prune-train-limit', min: 1, step: 500, placeholder: 'all', 'data-testid': 'prune-train-limit' });
  const epochsField = h('input', { type: 'number', class: 'field', id: 'prune-epochs', min: 1, max: 100, step: 1, value: store.state.methodSettings.epochs, 'data-testid': 'prune-epochs' });
  const startField = h(
    'select',
    { class: 'field', id: 'prune-start', 'data-testid': 'prune-start', title: "Reconstruct's result first (on up to 1,000 of the training samples), then one step of training: usually better at high ratios, and slower" },
    h('option', { value: 'magnitude' }, 'magnitude mask, gradual'),
    h('option', { value: 'reconstruct' }, "reconstruct's result"),
  ) as HTMLSelectElement;
  startField.value = store.state.methodSettings.start;
  const calibRow = h('div', { class: 'row' }, h('label', { for: 'prune-calibration' }, 'Calibration samples'), calibField, h('span', { class: 'muted' }, 'unlabelled; a few hundred to a few thousand'));
  const trainRow = h(
    'div',
    { class: 'row' },
    h('label', { for: 'prune-train-limit' }, 'Training samples'),
    trainField,
    h('label', { for: 'prune-epochs' }, 'Epochs'),
    epochsField,
    h('span', { class: 'muted' }, 'stops early when validation stops improving'),
    h('label', { for: 'prune-start' }, 'Start from'),
    startField,
  );

  // ------------------------------------------------------------ apply, progress, report
  const applyBtn = h('button', { class: 'btn primary', 'data-testid': 'prune-apply' }, 'Apply');
  const cancelBtn = h('button', { class: 'btn', 'data-testid': 'prune-cancel', disabled: true }, 'Cancel');
  const stateText = h('span', { class: 'method-state', 'data-testid': 'prune-method-state', 'aria-live': 'polite' });
  const bar = h('div', { class: 'progress-bar' });
  const track = h('div', { class: 'progress-track', role: 'progressbar', 'aria-label': 'Pruning progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, bar);
  const progressText = h('div', { class: 'progress-text', 'data-testid': 'prune-progress' }, 'Idle');
  const errorBox = h('div', { class: 'panel-error', role: 'alert', 'data-testid': 'prune-error', hidden: true });
  const box = h(
    'div',
    { class: 'method-box', 'data-testid': 'prune-method-box', hidden: true },
    h('div', { class: 'row' }, h('label', {}, 'Data'), dataLabel, dataInfo),
    dataNote,
    h('div', { class: 'row' }, bundledBtn, pickBtn),
    calibRow,
    trainRow,
    h('div', { class: 'row' }, applyBtn, cancelBtn, stateText),
    h('div', { class: 'progress' }, track, progressText),
    errorBox,
  );
  const el = h('div', { class: 'method-section' }, h('div', { class: 'section-title', id: 'prune-method-title' }, 'Method'), group, box);

  const settings = (): MethodSettings => store.state.methodSettings;
  const method = (): PruneMethod => methodOf(store.state.spec);

  function showError(text: string | null): void {
    errorBox.hidden = text === null;
    errorBox.textContent = text ?? '';
  }

  function setProgress(fraction: number, text: string): void {
    const pct = Math.max(0, Math.min(100, fraction * 100));
    bar.style.width = `${pct}%`;
    track.setAttribute('aria-valuenow', String(Math.round(pct)));
    progressText.textContent = text;
  }

  function refresh(): void {
    const m = method();
    box.hidden = m === 'magnitude';
    calibRow.hidden = METHOD_REGISTRY[m].data !== 'calibration';
    trainRow.hidden = METHOD_REGISTRY[m].data !== 'training';
    const busy = running !== null;
    const lacksData = methodLacksData(m, settings());
    const cannot = availability?.[m];
    for (const [method, reason] of reasons) {
      const why = availability?.[method];
      reason.hidden = why === undefined;
      reason.textContent = why === undefined ? '' : `Not available: ${why}`;
    }
    dataLabel.textContent = settings().data?.label ?? NO_DATA_LABEL;
    dataNote.hidden = !lacksData;
    dataNote.textContent = lacksData
      ? `${METHOD_REGISTRY[m].name} needs ${METHOD_REGISTRY[m].data === 'calibration' ? 'calibration samples' : 'labelled training data'} of the kind this model was made for: choose its files. ` +
        "The bundled data are MNIST digits, the default only for the bundled sample model."
      : '';
    applyBtn.disabled = busy || !store.state.model || lacksData || cannot !== undefined;
    applyBtn.title = cannot !== undefined ? cannot : lacksData ? 'Choose the data first' : '';
    cancelBtn.disabled = !busy;
    // A method that cannot apply is disabled, unless it is the current choice (then Apply is).
    for (const [method, r] of radios) r.disabled = busy || (availability?.[method] !== undefined && method !== m);
    for (const c of [bundledBtn, pickBtn, calibField, trainField, epochsField, startField]) c.disabled = busy;
    if (busy) stateText.textContent = 'Running…';
    else if (cannot !== undefined) stateText.textContent = `${METHOD_REGISTRY[m].label} cannot prune this selection: ${cannot}`;
    else if (lacksData) stateText.textContent = 'Apply waits for data: choose the files above.';
    else if (applied && applied.key === specKey(store.state.spec)) stateText.textContent = applied.text;
    else if (m !== 'magnitude') {
      const what = describeMethod(m, settings());
      stateText.textContent = `Not applied yet: the table shows the magnitude mask's counts. Apply uses ${what}.`;
    }
    else stateText.textContent = '';
  }

  function chooseMethod(m: PruneMethod): void {
    showError(null);
    setSpec(specForMethod(store.state.spec, m, settings()));
    if (m !== 'magnitude' && !described && settings().data) void describeData();
  }

  function updateSettings(patch: Partial<MethodSettings>): void {
    store.set('methodSettings', { ...settings(), ...patch });
    if (method() !== 'magnitude') setSpec(specForMethod(store.state.spec, method(), settings()));
    else refresh();
  }

  let described = false;
  let describeSeq = 0;
  async function describeData(): Promise<void> {
    described = true;
    const seq = ++describeSeq;
    const data = settings().data;
    dataInfo.textContent = '';
    if (!data) return;
    try {
      const summary = await platform.client.call({ type: 'dataset', source: data.source });
      if (seq === describeSeq) dataInfo.textContent = `${formatCount(summary.samples)} samples · ${summary.sampleShape.join('×')} · ${summary.classes} classes`;
    } catch (error) {
      if (seq === describeSeq) showError(`The data ${data.label} cannot be used: ${errorNamingFile(error)}`);
    }
  }

  bundledBtn.addEventListener('click', () => {
    showError(null);
    updateSettings({ data: BUNDLED_TRAIN });
    void describeData();
  });
  pickBtn.addEventListener('click', () => {
    void platform.pickDataset().then((picked) => {
      if (!picked) return;
      showError(null);
      updateSettings({ data: picked });
      void describeData();
    });
  });
  const positive = (field: HTMLInputElement): number | null => {
    const v = Math.floor(Number(field.value));
    return field.value !== '' && Number.isFinite(v) && v >= 1 ? v : null;
  };
  calibField.addEventListener('change', () => {
    const v = positive(calibField);
    if (v === null) calibField.value = String(settings().calibration);
    else updateSettings({ calibration: v });
  });
  trainField.addEventListener('change', () => {
    const v = positive(trainField);
    if (v === null) trainField.value = '';
    updateSettings({ trainLimit: v });
  });
  epochsField.addEventListener('change', () => {
    const v = positive(epochsField);
    if (v === null) epochsField.value = String(settings().epochs);
    else updateSettings({ epochs: Math.min(100, v) });
  });
  startField.addEventListener('change', () => updateSettings({ start: startField.value === 'reconstruct' ? 'reconstruct' : 'magnitude' }));

  async function apply(): Promise<void> {
    const model = store.state.model;
    if (!model || running !== null) return;
    const spec = store.state.spec;
    const m = methodOf(spec);
    if (methodLacksData(m, settings())) return;
    showError(null);
    setProgress(0, 'Starting…');
    const started = performance.now();
    const request = platform.client.request(
      { type: 'prune', modelId: model.modelId, spec },
      { onProgress: (p) => setProgress(p.total > 0 ? p.done / p.total : 0, p.message || `${p.done} / ${p.total}`) },
    );
    running = request.id;
    refresh();
    try {
      const report: PruneReport = await request.promise;
      if (store.state.model !== model) return;
      const seconds = (performance.now() - started) / 1000;
      const on = METHOD_REGISTRY[m].data === 'none' ? '' : ` on ${settings().data?.label ?? NO_DATA_LABEL}`;
      const structure = report.structure ? ` (${report.structure})` : '';
      const text = `Applied ${METHOD_REGISTRY[m].name} at ${formatRatio(spec.ratio)}${structure}${on} in ${formatSeconds(seconds)}: ${formatCount(report.keptParams)} of ${formatCount(report.prunableParams)} weights kept.`;
      applied = { key: specKey(spec), text };
      store.set('report', report);
      setProgress(1, `Done: ${describeMethod(m, settings())}`);
    } catch (error) {
      const cancelled = error instanceof Error && 'code' in error && error.code === 'cancelled';
      setProgress(0, cancelled ? 'Cancelled: the model is as it was before Apply' : 'Failed');
      if (!cancelled) showError(`${METHOD_REGISTRY[m].label} failed: ${errorNamingFile(error)}`);
    } finally {
      if (running === request.id) running = null;
      refresh();
    }
  }
  applyBtn.addEventListener('click', () => void apply());
  cancelBtn.addEventListener('click', () => {
    if (running === null) return;
    platform.client.cancel(running);
    progressText.textContent = 'Cancelling…';
  });

  store.on('spec', (spec) => {
    const r = radios.get(methodOf(spec));
    if (r && !r.checked) r.checked = true;
    refresh();
  });
  store.on('model', (model) => {
    availability = model?.methods ?? null;
    refresh();
  });
  store.on('report', (report) => {
    if (report?.methods) availability = report.methods;
    refresh();
  });
  refresh();

  return {
    el,
    reset() {
      if (running !== null) platform.client.cancel(running);
      applied = null;
      running = null;
      described = false;
      describeSeq++;
      dataInfo.textContent = '';
      calibField.value = String(settings().calibration);
      trainField.value = settings().trainLimit === null ? '' : String(settings().trainLimit);
      epochsField.value = String(settings().epochs);
      startField.value = settings().start;
      showError(null);
      setProgress(0, 'Idle');
      const r = radios.get('magnitude');
      if (r) r.checked = true;
      refresh();
    },
  };
}
