// The Sensitivity panel's labelled data: the Evaluate panel's way of choosing it (files, a folder
// through the shared dataset preview, the bundled digits offered as the default of the bundled
// sample only, said on screen) and its description by the engine before anything runs.

import { bundledDigitsMisfit, type DatasetSource } from '../../engine/protocol';
import type { AppContext } from '../context';
import { clearError } from '../dialogs';
import { h } from '../dom';
import { formatCount } from '../format';
import { createDatasetPreview } from './dataset-preview';

export interface Picked {
  source: DatasetSource;
  label: string;
}

export const BUNDLED_TEST: Picked = { source: { kind: 'sample' }, label: 'Bundled MNIST test set' };
const NO_DATASET = 'No labelled data chosen';

export interface SensitivityDataset {
  el: HTMLElement;
  /** The chosen data, unless none was chosen or the engine refused it for this model. */
  usable(): Picked | null;
  /** Why Run cannot start for the data, or null. */
  blocker(): string | null;
  /** A new model: the bundled digits for the bundled sample, else nothing until the user picks. */
  reset(): void;
  setBusy(busy: boolean): void;
}

export function createSensitivityDataset(ctx: AppContext, onChange: () => void): SensitivityDataset {
  const { store, platform } = ctx;
  let dataset: Picked | null = null;
  let refused: Picked | null = null;
  const label = h('span', { class: 'mono', 'data-testid': 'sens-dataset' }, NO_DATASET);
  const info = h('span', { class: 'muted', 'data-testid': 'sens-dataset-info' });
  const note = h('div', { class: 'muted', style: 'font-size:12px', 'data-testid': 'sens-dataset-note' });
  const pickBtn = h('button', { class: 'btn small', 'data-testid': 'sens-pick' }, 'Choose files…');
  const sampleBtn = h('button', { class: 'btn small', 'data-testid': 'sens-bundled', title: 'The 2,000 MNIST test digits the bundled sample was not trained on' }, 'Use bundled MNIST digits');
  const shared = createDatasetPreview(platform, (picked) => set(picked));
  shared.folderButton.dataset.testid = 'sens-pick-folder';
  // The Evaluate panel holds the same component: its test ids get this panel's prefix (one match each).
  const prefixIds = (): void => {
    for (const e of shared.el.querySelectorAll<HTMLElement>('[data-testid^="ds-"]')) e.dataset.testid = `sens-${e.dataset.testid}`;
  };
  prefixIds();
  const preview = {
    folderButton: shared.folderButton,
    el: shared.el,
    describe: (source: DatasetSource, modelId: number | undefined) => shared.describe(source, modelId),
    show: (summary: Parameters<typeof shared.show>[0], source?: DatasetSource): void => {
      shared.show(summary, source);
      prefixIds();
    },
  };
  const el = h(
    'div',
    {},
    h('div', { class: 'section-title' }, 'Labelled data'),
    h('div', { class: 'row', style: 'margin-bottom:4px' }, label, info),
    note,
    h('div', { class: 'row' }, pickBtn, preview.folderButton, sampleBtn),
    preview.el,
  );

  const showNote = (): void => {
    const model = store.state.model;
    // The bundled digits are offered only to a model they fit (same decision as the Evaluate panel).
    const misfit = model ? bundledDigitsMisfit(model.graph) : null;
    sampleBtn.hidden = misfit !== null;
    if (!model) note.textContent = '';
    else if (!dataset && misfit !== null) note.textContent = 'Choose labelled data of the kind this model was made for (the files the Evaluate panel reads): the bundled MNIST digits do not fit it.';
    else if (!dataset) note.textContent = 'Choose labelled data of the kind this model was made for (the files the Evaluate panel reads). The bundled MNIST digits are the default only for the bundled sample model.';
    else if (dataset.source.kind === 'sample') note.textContent = store.state.modelIsSample ? 'The bundled MNIST test digits: the default for the bundled sample model.' : 'The bundled MNIST test digits: chosen by hand; they fit only an MNIST model.';
    else note.textContent = '';
  };

  async function describe(asked: Picked): Promise<void> {
    refused = null;
    info.textContent = '';
    try {
      const summary = await preview.describe(asked.source, store.state.model?.modelId);
      if (asked !== dataset) return;
      preview.show(summary, asked.source);
      clearError((shown) => shown.startsWith('Sensitivity: the data '));
      info.textContent = `${formatCount(summary.samples)} samples · ${summary.sampleShape.join('×')} · ${summary.classes} classes`;
    } catch (error) {
      if (asked !== dataset) return;
      refused = asked;
      preview.show(null, asked.source);
      ctx.fail(`Sensitivity: the data ${asked.label} cannot be used`, error);
    }
    onChange();
  }

  function set(next: Picked | null): void {
    dataset = next;
    refused = null;
    label.textContent = next?.label ?? NO_DATASET;
    info.textContent = '';
    showNote();
    if (next) void describe(next);
    else preview.show(null);
    onChange();
  }
  pickBtn.addEventListener('click', () => {
    void platform.pickDataset().then((picked) => {
      if (picked) set(picked);
    });
  });
  sampleBtn.addEventListener('click', () => set(BUNDLED_TEST));

  return {
    el,
    usable: () => (dataset && refused !== dataset ? dataset : null),
    blocker: () => (!dataset ? 'Run waits for labelled data: choose its files above.' : refused === dataset ? `The data ${dataset.label} does not fit this model (see the message above): choose other data.` : null),
    reset: () => set(store.state.model && store.state.modelIsSample ? BUNDLED_TEST : null),
    setBusy: (busy) => {
      pickBtn.disabled = busy;
      sampleBtn.disabled = busy;
      preview.folderButton.disabled = busy;
    },
  };
}
