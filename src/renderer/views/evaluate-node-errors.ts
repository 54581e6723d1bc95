// The Evaluate panel's "Per-node error" section (issue 16, where pruning hurts): runs the engine's
// `nodeErrors` on the test set chosen above, the open model against itself pruned as the Prune
// panel says (the spec Evaluate's "Current ratio" takes), on the first N samples, with progress and
// Cancel. Shows the model outputs' error and the top-1 agreement, then the table
// (evaluate-node-errors-table.ts); a row selects its node in the graph. Provides the graph overlay
// "Output error (rel L2)" and switches the "Colour by" control to it after a run.

import { DEFAULT_NODE_ERROR_SAMPLES, formatStructure, type DatasetSource, type NodeErrorReport, type PruneSpec } from '../../engine/protocol';
import type { AppContext } from '../context';
import { clearError } from '../dialogs';
import { h } from '../dom';
import { formatCount, formatNumber, formatRatio } from '../format';
import { METHOD_REGISTRY, methodLacksData, methodOf } from '../method-spec';
import { structureOf } from '../structure-choice';
import { chooseOverlay, overlaysChanged, provideOverlay, type MeasureOverlay } from '../overlays';
import { errorValues, outputsText, type ErrorOrder } from './evaluate-node-errors-data';
import { renderErrorTable } from './evaluate-node-errors-table';

export const NODE_ERROR_OVERLAY = 'node-error';
const OVERLAY_LABEL = 'Output error (rel L2)';

/** The Evaluate panel's test set as it stands: the chosen one (null: none yet), and whether the engine refused it. */
export interface TestSetState {
  dataset: { source: DatasetSource; label: string } | null;
  refused: boolean;
}

export interface NodeErrorsSection {
  el: HTMLElement;
  /** Evaluate calls this when its test set changes (the section reads it through `testSet`). */
  refresh(): void;
}

/** "ratio 0.8 (per layer, magnitude)", "… channels, …": the spec as the Prune panel set it. */
function specText(spec: PruneSpec): string {
  const s = structureOf(spec);
  const structure = s.kind === 'unstructured' ? '' : `${s.kind === 'channels' ? 'channels' : formatStructure(s)}, `;
  return `ratio ${formatRatio(spec.ratio)} (${structure}${spec.mode === 'global' ? 'global' : 'per layer'}, ${METHOD_REGISTRY[methodOf(spec)].name})`;
}

export function createNodeErrorsSection(ctx: AppContext, testSet: () => TestSetState): NodeErrorsSection {
  const { store, platform } = ctx;
  let running: number | null = null;
  /** The shown result, what it measured (for the captions and the stale note) and its model. */
  let shown: { report: NodeErrorReport; spec: PruneSpec; specJson: string; modelId: number; label: string } | null = null;
  let order: ErrorOrder = 'graph';

  const samplesField = h('input', {
    type: 'number',
    class: 'field',
    min: 1,
    step: 1,
    value: DEFAULT_NODE_ERROR_SAMPLES,
    'data-testid': 'node-errors-samples',
    'aria-label': 'Samples for per-node error',
  });
  const runBtn = h('button', { class: 'btn primary', 'data-testid': 'node-errors-run', disabled: true, 'aria-describedby': 'node-errors-note' }, 'Run');
  const cancelBtn = h('button', { class: 'btn', 'data-testid': 'node-errors-cancel', disabled: true }, 'Cancel');
  const hint = h('div', { class: 'muted', style: 'font-size:12px;margin:-2px 0 8px', 'data-testid': 'node-errors-hint' });
  const note = h('div', { class: 'warn-note', id: 'node-errors-note', 'data-testid': 'node-errors-note', 'aria-live': 'polite', hidden: true });
  const bar = h('div', { class: 'progress-bar' });
  const progressText = h('div', { class: 'progress-text', 'data-testid': 'node-errors-progress' }, 'Idle');
  const caption = h('div', { class: 'results-caption', 'data-testid': 'node-errors-caption', hidden: true });
  const stale = h('div', { class: 'warn-note', 'data-testid': 'node-errors-stale', hidden: true });
  const summary = h('div', { class: 'ne-summary', 'data-testid': 'node-errors-summary', hidden: true });
  const table = h('table', { class: 'grid', 'data-testid': 'node-errors-table' });
  const empty = h('div', { class: 'chart-hint', 'data-testid': 'node-errors-empty' }, 'Run it to see how far each node’s output moves when the model is pruned: the nodes where pruning hurts come first when sorted by error, and the graph can be coloured by it.');
  const el = h(
    'div',
    { class: 'node-errors', 'data-testid': 'node-errors' },
    h('div', { class: 'section-title' }, 'Per-node error'),
    hint,
    h('div', { class: 'row' }, h('label', {}, 'Samples'), samplesField, h('span', { style: 'flex:1' }), runBtn, cancelBtn),
    note,
    h('div', { class: 'progress' }, h('div', { class: 'progress-track' }, bar), progressText),
    caption,
    stale,
    summary,
    empty,
    h('div', { class: 'ne-table-box' }, table),
  );

  const samples = (): number | null => {
    const n = Number(samplesField.value);
    return samplesField.value.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : null;
  };

  /** Why Run cannot start now, or null. */
  function blocker(): string | null {
    if (!store.state.model) return null;
    const { dataset, refused } = testSet();
    if (!dataset) return 'Per-node error waits for a test set: choose its files under Dataset above.';
    if (refused) return `The test set ${dataset.label} does not fit this model: choose another under Dataset above.`;
    const method = methodOf(store.state.spec);
    if (methodLacksData(method, store.state.methodSettings)) return `${METHOD_REGISTRY[method].name} needs calibration or training data: choose it in the Prune panel.`;
    if (samples() === null) return 'Samples: a whole number of at least 1.';
    return null;
  }

  function refresh(): void {
    const model = store.state.model;
    const { dataset } = testSet();
    hint.textContent = model
      ? `${model.fileName} against itself pruned at the Prune panel’s ${specText(store.state.spec)}, on the first samples of ${dataset ? dataset.label : 'the test set'}: each node’s output compared by relative L2 (‖a − b‖ / ‖a‖) and cosine.`
      : 'Open a model to measure where pruning hurts.';
    const why = running === null ? blocker() : null;
    const report = store.state.report;
    const nothingPruned = report !== null && !report.layers.some((l) => l.kept < l.n || (l.keptDims !== undefined && l.keptDims.join() !== l.dims.join()));
    const text = why ?? (model && nothingPruned && running === null ? 'The current prune removes nothing: every error will be 0. Set a ratio in the Prune panel first.' : null);
    note.hidden = text === null;
    note.textContent = text ?? '';
    runBtn.disabled = running !== null || !model || why !== null;
    cancelBtn.disabled = running === null;
    samplesField.disabled = running !== null;
    stale.hidden = !shown || running !== null || (shown.specJson === JSON.stringify(store.state.spec) && shown.label === (dataset?.label ?? ''));
    stale.textContent = shown ? `Measured at ${specText(shown.spec)} on ${shown.label}; the settings have changed since: Run again to update.` : '';
  }

  const setBar = (fraction: number): void => {
    bar.style.width = `${Math.max(0, Math.min(100, 100 * fraction))}%`;
  };

  const pick = (index: number): void => {
    const node = store.state.model?.graph.nodes.find((n) => n.index === index);
    if (node) store.set('selection', { node, graphPath: [] });
  };

  function render(): void {
    const has = shown !== null;
    caption.hidden = !has;
    summary.hidden = !has;
    empty.hidden = has;
    if (!shown) {
      table.replaceChildren();
      summary.replaceChildren();
      return;
    }
    const { report, label } = shown;
    const fewer = report.samples < report.requested ? ` (${formatCount(report.requested)} asked; the set holds fewer)` : '';
    caption.textContent = `${store.state.model?.fileName ?? 'model'} at ${specText(shown.spec)} on ${formatCount(report.samples)} samples of ${label}${fewer}`;
    summary.replaceChildren(...outputsText(report).map((line) => h('div', {}, line)));
    const node = store.state.selection.node;
    renderErrorTable(
      table,
      report,
      order,
      node && store.state.selection.graphPath.length === 0 ? node.index : null,
      (next) => {
        order = next;
        render();
      },
      pick,
    );
  }

  provideOverlay(
    NODE_ERROR_OVERLAY,
    OVERLAY_LABEL,
    (): MeasureOverlay | null => {
      if (!shown || shown.modelId !== store.state.model?.modelId) return null;
      const values = errorValues(shown.report);
      const hi = Math.max(0, ...values.values());
      return { kind: 'measure', id: NODE_ERROR_OVERLAY, title: `Output error (rel L2) · ${specText(shown.spec)}`, values, format: formatNumber, domain: [0, hi > 0 ? hi : 1], higherIsWorse: true };
    },
    'Relative L2 error of each node’s output against the original (Evaluate › Per-node error); nodes whose shape changed stay neutral. Run it first.',
  );

  async function run(): Promise<void> {
    const model = store.state.model;
    const { dataset } = testSet();
    const n = samples();
    if (!model || !dataset || n === null || running !== null || blocker() !== null) return;
    const spec = store.state.spec;
    setBar(0);
    progressText.textContent = 'Starting…';
    const request = platform.client.request(
      { type: 'nodeErrors', modelId: model.modelId, spec, dataset: dataset.source, samples: n },
      {
        onProgress: (p) => {
          setBar(p.total > 0 ? p.done / p.total : 0);
          progressText.textContent = p.message || `${p.done} / ${p.total}`;
        },
      },
    );
    running = request.id;
    refresh();
    try {
      const report = await request.promise;
      if (store.state.model !== model) return;
      shown = { report, spec, specJson: JSON.stringify(spec), modelId: model.modelId, label: dataset.label };
      setBar(1);
      progressText.textContent = `Done: ${report.nodes.length} nodes on ${formatCount(report.samples)} samples`;
      clearError('Per-node error failed');
      render();
      overlaysChanged();
      chooseOverlay(NODE_ERROR_OVERLAY);
    } catch (error) {
      const cancelled = error instanceof Error && 'code' in error && error.code === 'cancelled';
      progressText.textContent = cancelled ? 'Cancelled' : 'Failed';
      if (!cancelled) ctx.fail('Per-node error failed', error);
    } finally {
      running = null;
      refresh();
    }
  }

  runBtn.addEventListener('click', () => void run());
  cancelBtn.addEventListener('click', () => {
    if (running === null) return;
    platform.client.cancel(running);
    progressText.textContent = 'Cancelling…';
  });
  samplesField.addEventListener('input', refresh);
  store.on('spec', refresh);
  store.on('methodSettings', refresh);
  store.on('report', refresh);
  // A selection made anywhere marks its rows (no re-render: a big model's table has thousands).
  store.on('selection', ({ node, graphPath }) => {
    const index = node && graphPath.length === 0 ? String(node.index) : null;
    for (const tr of table.querySelectorAll<HTMLTableRowElement>('tbody tr')) tr.classList.toggle('selected', tr.dataset.index === index);
  });
  store.on('model', (model) => {
    // A new model: the old table and overlay described another one.
    shown = null;
    order = 'graph';
    running = null;
    setBar(0);
    progressText.textContent = model ? 'Idle' : 'Open a model to measure where pruning hurts';
    render();
    overlaysChanged();
    refresh();
  });
  render();
  return { el, refresh };
}
