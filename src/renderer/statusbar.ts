// The status bar: open file, parameter count, kept weights, sparsity, MACs at batch 1 (before → after
// a prune that changes them), estimated export size, engine state.

import { h } from './dom';
import { formatBytes, formatCompact, formatCount, formatPercent } from './format';
import { MACS_HINT } from './metrics';
import type { Store } from './state';

export function createStatusBar(store: Store): HTMLElement {
  const file = h('span', { class: 'item file', 'data-testid': 'status-file' }, 'No model');
  const params = h('b', { 'data-testid': 'status-params' }, '–');
  const kept = h('b', { 'data-testid': 'status-kept' }, '–');
  const sparsity = h('b', { 'data-testid': 'status-sparsity' }, '–');
  /** Which weights the sparsity is of: the selection, which can be a small part of the model (e.g. only Conv weights). */
  const ofWhat = h('span', { class: 'muted', 'data-testid': 'status-sparsity-of' }, '');
  const size = h('b', { 'data-testid': 'status-size' }, '–');
  const macs = h('b', { 'data-testid': 'status-macs' }, '–');
  const engineText = h('span', {}, 'starting');
  const engine = h('span', { class: 'item engine engine-starting', 'data-testid': 'status-engine' }, h('span', { class: 'engine-dot' }), 'Engine: ', engineText);
  const bar = h(
    'footer',
    { class: 'statusbar' },
    file,
    h('span', { class: 'item' }, 'Parameters ', params),
    h('span', { class: 'item' }, 'Kept ', kept),
    h('span', { class: 'item' }, 'Sparsity ', sparsity, ofWhat),
    h('span', { class: 'item', title: MACS_HINT }, 'MACs ', macs),
    h('span', { class: 'item', title: 'Estimated size of the exported model (zeroed in place / as sparse initializers)' }, 'Est. size ', size),
    h('span', { class: 'spacer' }),
    engine,
  );

  const update = (): void => {
    const { model, report, modelLabel } = store.state;
    file.textContent = model ? modelLabel || model.fileName : 'No model';
    file.title = model ? modelLabel : '';
    params.textContent = model ? formatCount(model.paramCount) : '–';
    if (model && report) {
      const pruned = report.prunableParams - report.keptParams;
      kept.textContent = formatCount(model.paramCount - pruned);
      sparsity.textContent = report.prunableParams > 0 ? formatPercent(pruned / report.prunableParams) : '0%';
      sparsity.title = 'Zeroed fraction of the weights selected for pruning';
      ofWhat.textContent = report.prunableParams > 0 ? ` of ${formatCompact(report.prunableParams)} selected` : '';
      // With nothing to prune the export is the model as it is.
      size.textContent =
        report.layers.length === 0 ? formatBytes(model.fileBytes) : `${formatBytes(report.denseBytes)} / ${formatBytes(report.sparseBytes)} sparse`;
    } else {
      kept.textContent = model ? formatCount(model.paramCount) : '–';
      sparsity.textContent = model ? '0%' : '–';
      ofWhat.textContent = '';
      size.textContent = model ? formatBytes(model.fileBytes) : '–';
    }
  };
  const updateMacs = (): void => {
    const { metrics, metricsAfter } = store.state;
    const before = metrics?.totals.macs;
    const after = metricsAfter?.totals.macs;
    const unknown = (metricsAfter ?? metrics)?.macsUnknown.length ?? 0;
    const lowerBound = unknown > 0 ? '≥ ' : '';
    macs.title = unknown > 0 ? `${unknown} nodes have shapes that depend on the input (e.g. a sequence length): left out; the Evaluate panel counts them at the test set's shape` : '';
    if (before === 0 && unknown > 0) macs.textContent = 'depend on input shape';
    else macs.textContent = before === undefined ? '–' : after !== undefined && after !== before ? `${lowerBound}${formatCompact(before)} → ${formatCompact(after)}` : `${lowerBound}${formatCompact(before)}`;
  };
  store.on('model', update);
  store.on('report', update);
  store.on('metrics', updateMacs);
  store.on('metricsAfter', updateMacs);
  store.on('engine', (state) => {
    engine.className = `item engine engine-${state}`;
    engineText.textContent = state;
  });
  return bar;
}
