// Prune panel: ratio slider + number field, per-layer / global mode, the structure (unstructured,
// channels, N:M, blocks: prune-structure.ts; N:M locks the ratio and says why), the weights to
// prune (prune-select.ts), a table of the selected layers (tensor, shape and its kept shape or
// pattern, params, kept, sparsity, threshold, per-layer override). Every change asks the
// engine for a `prunePreview` (debounced) which drives this table, the status bar and the
// histogram thresholds. The method choice (magnitude / reconstruct / fine-tune) and its Apply job
// live in prune-method.ts.

import type { PruneMode, PruneReport, PruneSpec } from '../../engine/protocol';
import type { AppContext } from '../context';
import { clearError } from '../dialogs';
import { clear, debounce, h } from '../dom';
import { formatBytes, formatCount, formatNumber, formatPercent } from '../format';
import { keptShapeText } from '../pruned-shapes';
import { fixedRatio, ratioLockReason, structureOf } from '../structure-choice';
import { createMethodControls } from './prune-method';
import { createPruneSelect } from './prune-select';
import { createStructureControls } from './prune-structure';

// issue 16: sensitivity — set by the Prune view when it is made.
let overridesSetter: ((overrides: Record<string, number>, ratio: number) => void) | null = null;

/** Per-layer mode, `ratio` on the slider and these per-tensor overrides (the Sensitivity panel's "Apply as overrides"). */
export function setPruneOverrides(overrides: Record<string, number>, ratio: number): void {
  overridesSetter?.(overrides, ratio);
}

export function createPruneView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  const slider = h('input', { type: 'range', min: 0, max: 1, step: 0.01, value: 0, 'data-testid': 'prune-slider', 'aria-label': 'Prune ratio' });
  const number = h('input', { type: 'number', class: 'field', min: 0, max: 1, step: 0.01, value: 0, 'data-testid': 'prune-ratio', 'aria-label': 'Prune ratio value' });
  const lockNote = h('div', { class: 'muted ratio-lock', id: 'prune-ratio-lock', 'data-testid': 'prune-ratio-lock', hidden: true });
  slider.setAttribute('aria-describedby', 'prune-ratio-lock');
  number.setAttribute('aria-describedby', 'prune-ratio-lock');
  /** The ratio the slider chose; N:M fixes the spec's ratio, and leaving N:M gives this one back. */
  let userRatio = 0;
  const layerBtn = h('button', { class: 'active', 'data-testid': 'mode-layer', title: 'Each weight matrix loses its own smallest-|w| fraction' }, 'Per layer');
  const globalBtn = h('button', { 'data-testid': 'mode-global', title: 'One |w| threshold across all selected layers (Reconstruct: the same total, split by each layer’s measured effect on the outputs)' }, 'Global');
  const cards = h('div', { class: 'summary-cards', 'data-testid': 'prune-summary' });
  const table = h('table', { class: 'grid', 'data-testid': 'prune-table' });
  /** What the plan left out and why (channels: layers kept whole), under the table. */
  const planNotes = h('ul', { class: 'plan-notes', 'data-testid': 'prune-notes', 'aria-label': 'Notes on the plan', hidden: true });
  const note = h('div', { class: 'muted', style: 'margin-top:8px;font-size:12px' }, 'The table lists the selected weights. An override replaces the ratio for one tensor; leave it empty to use the slider.');
  const selection = createPruneSelect((select) => {
    // Overrides follow the selection: one for a tensor no longer selected goes.
    const names = new Set(select ?? store.state.model?.defaultPrunable ?? []);
    const overrides = Object.fromEntries(Object.entries(store.state.spec.overrides ?? {}).filter(([name]) => names.has(name)));
    const next: PruneSpec = { ...store.state.spec, overrides };
    if (select === undefined) delete next.select;
    else next.select = select;
    store.set('spec', next);
    preview();
  });
  const methods = createMethodControls(ctx, (spec) => {
    store.set('spec', spec);
    preview();
  });
  const structure = createStructureControls(
    ctx,
    (spec) => {
      store.set('spec', spec);
      preview();
    },
    () => userRatio,
  );
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'prune' },
    h('div', { class: 'section-title' }, 'Prune ratio'),
    h('div', { class: 'row' }, slider, number),
    lockNote,
    h('div', { class: 'row' }, h('label', {}, 'Mode'), h('div', { class: 'segmented', role: 'group', 'aria-label': 'Prune mode' }, layerBtn, globalBtn)),
    structure.el,
    methods.el,
    selection.el,
    cards,
    table,
    planNotes,
    note,
  );

  let seq = 0;
  const preview = debounce(async () => {
    const model = store.state.model;
    if (!model) return;
    const mySeq = ++seq;
    try {
      // The preview counts the magnitude mask: the method's data (maybe megabytes of picked files) is not sent.
      const { ratio, mode, select, overrides, structure, importance, channelMultiple } = store.state.spec;
      const report = await platform.client.call({ type: 'prunePreview', modelId: model.modelId, spec: { ratio, mode, select, overrides, structure, importance, channelMultiple } });
      if (mySeq === seq && store.state.model === model) store.set('report', report);
      clearError('Prune preview failed');
    } catch (error) {
      if (mySeq === seq) ctx.fail('Prune preview failed', error);
    }
  }, 120);

  const setSpec = (patch: Partial<PruneSpec>): void => {
    store.set('spec', { ...store.state.spec, ...patch });
    preview();
  };
  const setRatio = (value: number): void => {
    if (!Number.isFinite(value)) return;
    const ratio = Math.min(1, Math.max(0, value));
    if (fixedRatio(structureOf(store.state.spec)) !== null) return;
    userRatio = ratio;
    slider.value = String(ratio);
    if (Number(number.value) !== ratio) number.value = String(ratio);
    setSpec({ ratio });
  };
  /** N:M fixes the ratio: the slider shows it, locked, with the reason in words. */
  const showLock = (spec: PruneSpec): void => {
    const s = structureOf(spec);
    const reason = ratioLockReason(s);
    const fixed = fixedRatio(s);
    slider.disabled = reason !== null;
    number.disabled = reason !== null;
    lockNote.hidden = reason === null;
    lockNote.textContent = reason ?? '';
    const shown = fixed ?? spec.ratio;
    if (Number(slider.value) !== shown) slider.value = String(shown);
    if (Number(number.value) !== shown) number.value = String(Number(shown.toFixed(4)));
  };
  store.on('spec', showLock);
  slider.addEventListener('input', () => setRatio(Number(slider.value)));
  number.addEventListener('input', () => {
    if (number.value !== '') setRatio(Number(number.value));
  });
  const setMode = (mode: PruneMode): void => {
    layerBtn.classList.toggle('active', mode === 'layer');
    globalBtn.classList.toggle('active', mode === 'global');
    setSpec({ mode });
  };
  layerBtn.addEventListener('click', () => setMode('layer'));
  globalBtn.addEventListener('click', () => setMode('global'));

  const setOverride = (tensor: string, ratio: number | null): void => {
    const next = { ...(store.state.spec.overrides ?? {}) };
    if (ratio === null) delete next[tensor];
    else next[tensor] = ratio;
    setSpec({ overrides: next });
  };

  const renderReport = (report: PruneReport | null): void => {
    const model = store.state.model;
    const notes = model ? (report?.notes ?? []) : [];
    clear(planNotes, ...notes.map((n) => h('li', {}, n)));
    planNotes.hidden = notes.length === 0;
    if (!model) {
      clear(cards);
      clear(table, h('tr', {}, h('td', { class: 'panel-empty' }, 'No model is open.')));
      return;
    }
    if (!report) {
      clear(cards);
      clear(table);
      return;
    }
    const pruned = report.prunableParams - report.keptParams;
    clear(
      cards,
      card('Weights kept', formatCount(report.keptParams), 'prune-kept-total', `of ${formatCount(report.prunableParams)} prunable`),
      card('Sparsity', report.prunableParams ? formatPercent(pruned / report.prunableParams) : '0%', 'prune-sparsity', `${formatCount(pruned)} ${report.structure === 'channels' ? 'removed' : 'zeroed'}`),
      report.layers.length === 0
        ? card('Est. size', formatBytes(model.fileBytes), 'prune-size', 'unchanged')
        : card('Est. size', formatBytes(report.denseBytes), 'prune-size', `${formatBytes(report.sparseBytes)} sparse`),
    );
    const overrides = store.state.spec.overrides ?? {};
    const nm = structureOf(store.state.spec).kind === 'nm';
    clear(
      table,
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'Tensor'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 'Kept'), h('th', { class: 'num' }, 'Sparsity'), h('th', { class: 'num' }, '|w| <'), h('th', { title: 'Per-tensor ratio that replaces the slider' }, 'Override')),
      ),
      h(
        'tbody',
        {},
        report.refused !== undefined
          ? h('tr', {}, h('td', { colspan: 6, class: 'field-error', role: 'alert', 'data-testid': 'prune-refused' }, report.refused))
          : report.layers.length === 0
          ? h('tr', {}, h('td', { colspan: 6, class: 'muted' }, model.prunable.length === 0 ? 'This model has no Conv, ConvTranspose, Gemm or MatMul weights to prune.' : 'No weights are selected: tick them under Weights to prune.'))
          : report.layers.map((layer) => {
              const override = nm ? zeroOverride(layer.tensor, overrides[layer.tensor] === 0, setOverride) : ratioOverride(layer.tensor, overrides[layer.tensor], setOverride);
              return h(
                'tr',
                { 'data-tensor': layer.tensor, title: layer.nodes.length ? `Used by ${layer.nodes.join(', ')}` : '' },
                h('td', { class: 'tensor' }, layer.tensor, h('span', { class: 'shape', 'data-col': 'shape' }, keptShapeText(layer)), layer.structure ? h('span', { class: 'chip pattern', 'data-col': 'pattern', title: patternTitle(layer.structure) }, layer.structure.replace(/^(\d+)x(\d+)$/, '$1×$2')) : null),
                h('td', { class: 'num', 'data-col': 'params' }, formatCount(layer.n)),
                h('td', { class: 'num', 'data-col': 'kept' }, formatCount(layer.kept)),
                h('td', { class: 'num', 'data-col': 'sparsity' }, formatPercent(layer.n ? 1 - layer.kept / layer.n : 0)),
                h('td', { class: 'num', 'data-col': 'threshold', title: layer.structure ? 'Structured: whole groups go by their score, not single weights by |w|' : '' }, layer.ratio > 0 && !layer.structure ? formatNumber(layer.threshold) : '—'),
                h('td', {}, override),
              );
            }),
      ),
    );
  };
  store.on('report', renderReport);
  overridesSetter = (overrides, ratio) => {
    setMode('layer');
    setRatio(ratio);
    setSpec({ overrides: { ...overrides } });
  };
  store.on('model', (model) => {
    userRatio = 0;
    structure.reset();
    slider.value = '0';
    number.value = '0';
    layerBtn.classList.add('active');
    globalBtn.classList.remove('active');
    selection.reset(model);
    methods.reset();
    renderReport(null);
    if (model) preview();
  });
  renderReport(null);
  return { el, activate: () => undefined };
}

function patternTitle(structure: string): string {
  if (structure === 'channels') return 'Whole output channels removed: the weight becomes smaller';
  if (structure.includes(':')) return `At most ${structure.split(':')[0]} of every ${structure.split(':')[1]} weights along the inputs stay`;
  return `Blocks of ${structure.replace('x', ' outputs × ')} inputs removed together`;
}

type SetOverride = (tensor: string, ratio: number | null) => void;

/** A ratio replacing the slider's for one tensor; empty = none. */
function ratioOverride(tensor: string, value: number | undefined, set: SetOverride): HTMLElement {
  const field = h('input', { type: 'number', class: 'field', min: 0, max: 1, step: 0.01, placeholder: '—', value: value ?? '', 'aria-label': `Override ratio for ${tensor}`, 'data-tensor': tensor });
  field.addEventListener('change', () => {
    const v = Number(field.value);
    set(tensor, field.value === '' || !Number.isFinite(v) ? null : Math.min(1, Math.max(0, v)));
  });
  return field;
}

/** The N:M override: only "leave this tensor dense" (an override of 0); the pattern fixes any other ratio. */
function zeroOverride(tensor: string, dense: boolean, set: SetOverride): HTMLElement {
  const box = h('input', { type: 'checkbox', checked: dense, 'data-tensor': tensor, 'aria-label': `Leave ${tensor} dense (override 0)` });
  box.addEventListener('change', () => set(tensor, box.checked ? 0 : null));
  return h('label', { class: 'zero-override', title: 'N:M fixes the ratio: an override can only leave this tensor dense (0)' }, box, ' dense');
}

function card(label: string, value: string, testid: string, sub: string): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value', 'data-testid': testid }, value), h('div', { class: 'sub' }, sub));
}
