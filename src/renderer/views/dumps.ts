// Dumps view: the model's JSON rendering and each initializer's text matrix, shown in a
// VIRTUALIZED viewer (only the visible lines are in the DOM), fetched on demand with `dumpJson` /
// `dumpMatrix`, with export buttons.

import type { AppContext } from '../context';
import { clearError } from '../dialogs';
import { clear, h } from '../dom';
import { safeName } from '../engine-link';
import { formatCount, formatDims } from '../format';
import { ensurePruned, withPrunedCopy } from '../job';
import { VirtualText } from './virtual-text';

const JSON_ITEM = '__json__';

export function createDumpsView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  const select = h('select', { class: 'field', 'data-testid': 'dump-select', 'aria-label': 'What to show' });
  const prunedBox = h('input', { type: 'checkbox', 'data-testid': 'dump-pruned' });
  const showBtn = h('button', { class: 'btn small', 'data-testid': 'dump-show' }, 'Show');
  const saveBtn = h('button', { class: 'btn small', 'data-testid': 'dump-save', disabled: true }, 'Save this…');
  const allJson = h('button', { class: 'btn small', onclick: () => ctx.run('export-json') }, 'Export JSON…');
  const allMatrices = h('button', { class: 'btn small', onclick: () => ctx.run('export-matrices') }, 'Export all matrices…');
  const viewerEl = h('div', { class: 'viewer', 'data-testid': 'dump-viewer', tabindex: 0 });
  const info = h('div', { class: 'viewer-info', 'data-testid': 'dump-info' }, 'Pick the JSON or a weight matrix and press Show.');
  const viewer = new VirtualText(viewerEl);
  const el = h(
    'section',
    { class: 'panel fill', 'data-testid': 'dumps' },
    h(
      'div',
      { class: 'dumps' },
      h('div', { class: 'row' }, select, showBtn),
      h('div', { class: 'row' }, h('label', { title: 'Show and export the model as it is after pruning at the current ratio (the JSON and every matrix alike)' }, prunedBox, ' pruned at the current ratio'), h('span', { style: 'flex:1' }), saveBtn),
      viewerEl,
      info,
      h('div', { class: 'row', style: 'margin-top:8px' }, allJson, allMatrices),
    ),
  );

  let current: { name: string; text: string } | null = null;
  let seq = 0;

  const fillSelect = (): void => {
    const model = store.state.model;
    clear(select);
    if (!model) return;
    select.append(h('option', { value: JSON_ITEM }, 'Model as JSON (protobuf JSON mapping)'));
    for (const init of model.graph.initializers) {
      if (init.dims.length === 0) continue;
      select.append(h('option', { value: init.name }, `${init.name} ⟨${formatDims(init.dims)}⟩`));
    }
    const first = model.defaultPrunable[0];
    if (first) select.value = first;
  };

  async function show(): Promise<void> {
    const model = store.state.model;
    if (!model) return;
    const mySeq = ++seq;
    const item = select.value;
    info.textContent = 'Loading…';
    try {
      if (item === JSON_ITEM) {
        const pruned = prunedBox.checked;
        const stem = model.fileName.replace(/\.onnx$/i, '');
        const result = pruned
          ? await withPrunedCopy(ctx, model.modelId, store.state.spec, `${stem}-pruned.onnx`, (copyId) => platform.client.call({ type: 'dumpJson', modelId: copyId }))
          : await platform.client.call({ type: 'dumpJson', modelId: model.modelId });
        if (mySeq !== seq) return;
        const text = result.text ?? '';
        current = { name: pruned ? `${stem}-pruned.onnx.json` : `${model.fileName}.json`, text };
        viewer.setText(text);
        info.textContent = `${formatCount(viewer.lineCount)} lines · ${formatCount(text.length)} characters`;
      } else {
        const pruned = prunedBox.checked;
        if (pruned) await ensurePruned(ctx, model.modelId, store.state.spec, 'the dump');
        if (mySeq !== seq) return;
        const result = await platform.client.call({ type: 'dumpMatrix', modelId: model.modelId, tensor: item, ...(pruned ? { spec: store.state.spec } : {}) });
        if (mySeq !== seq) return;
        current = { name: `${safeName(item)}${pruned ? '_pruned' : ''}_matrix.txt`, text: result.text };
        viewer.setText(result.text);
        info.textContent = `${item}: ${formatCount(result.rows)} rows × ${formatCount(result.cols)} columns${pruned ? ` · pruned at ${store.state.spec.ratio}` : ''}`;
      }
      saveBtn.disabled = false;
      clearError('The dump failed');
    } catch (error) {
      if (mySeq !== seq) return;
      info.textContent = 'Failed.';
      ctx.fail('The dump failed', error);
    }
  }
  showBtn.addEventListener('click', () => void show());
  // One choice for Show, Save this, Export JSON and Export all matrices.
  prunedBox.addEventListener('change', () => {
    store.set('dumpPruned', prunedBox.checked);
    void show();
  });
  store.on('dumpPruned', (on) => {
    prunedBox.checked = on;
    allJson.textContent = on ? 'Export pruned JSON…' : 'Export JSON…';
    allMatrices.textContent = on ? 'Export all pruned matrices…' : 'Export all matrices…';
  });
  select.addEventListener('change', () => void show());
  saveBtn.addEventListener('click', () => {
    if (!current) return;
    const kind = current.name.endsWith('.json') ? 'json' : 'txt';
    void platform.saveFile(kind, current.name, current.text).catch((e: unknown) => ctx.fail('Saving failed', e));
  });

  store.on('model', () => {
    current = null;
    seq++;
    viewer.setText('');
    saveBtn.disabled = true;
    info.textContent = store.state.model ? 'Pick the JSON or a weight matrix and press Show.' : 'No model is open.';
    fillSelect();
  });
  return { el, activate: () => viewer.refresh() };
}
