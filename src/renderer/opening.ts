// Opening models: the empty state's buttons, drag and drop, and the open itself (the engine reads
// the model; the graph, sidebar and title follow).

import type { Source } from '../engine/protocol';
import type { AppContext } from './context';
import { errorText, hideBanner, showBanner, showError } from './dialogs';
import { h } from './dom';
import { baseName } from './engine-link';
import type { GraphView } from './graph-host';
import { BUNDLED_TRAIN, defaultMethodSettings } from './method-spec';

export interface ModelOpener {
  open(source: Source, label: string): Promise<void>;
  /** What was opened last, to reopen it after an engine restart (null for dropped bytes). */
  lastOpened(): { source: Source; label: string } | null;
}

/**
 * Opens models into the app: `loading` shows while the engine reads one; `showEmpty` switches
 * between the empty state and the graph; `ensureGraph` gives the graph view.
 */
export function createModelOpener(ctx: AppContext, loading: HTMLElement, showEmpty: (on: boolean) => void, ensureGraph: () => GraphView): ModelOpener {
  const { store, platform } = ctx;
  const client = platform.client;
  let openSeq = 0;
  let lastOpened: { source: Source; label: string } | null = null;
  async function openSource(source: Source, label: string): Promise<void> {
    const seq = ++openSeq;
    hideBanner();
    loading.hidden = false;
    (loading.lastChild as HTMLElement).textContent = `Opening ${label}…`;
    try {
      const previous = store.state.model;
      const model = await client.call({ type: 'open', source });
      if (seq !== openSeq) return;
      if (previous) void client.call({ type: 'close', modelId: previous.modelId }).catch(() => undefined);
      lastOpened = source.kind === 'bytes' ? null : { source, label };
      store.set('modelLabel', source.kind === 'path' ? source.path : label);
      store.set('selection', { node: null, graphPath: [] });
      store.set('results', []);
      store.set('spec', { ratio: 0, mode: 'layer', overrides: {} });
      store.set('report', null);
      // The bundled data fit the bundled sample only: any other model waits for the user's data.
      const isSample = source.kind === 'sample';
      store.set('modelIsSample', isSample);
      store.set('methodSettings', defaultMethodSettings(isSample ? BUNDLED_TRAIN : null));
      store.set('model', model);
      showEmpty(false);
      try {
        ensureGraph().show(model.graph);
      } catch (error) {
        showError(`The graph of ${model.fileName} could not be drawn`, error);
      }
      // A path makes it a recent file; a bare file name (the sample, dropped bytes) only enables the menu.
      platform.modelOpened(source.kind === 'path' ? source.path : model.fileName);
      document.title = `${model.fileName} — Prunescope`;
      if (model.unsupportedOps.length > 0) {
        const ops = model.unsupportedOps;
        const list = ops.length > 4 ? `${ops.slice(0, 4).join(', ')} and ${ops.length - 4} more` : ops.join(', ');
        showBanner(
          `Opened ${model.fileName}`,
          `Prunescope's runtime cannot execute ${list}: inspection and pruning work; evaluation uses onnxruntime where available.`,
          'info',
        );
      }
    } catch (error) {
      if (seq !== openSeq) return;
      const file = error instanceof Error && 'file' in error && typeof error.file === 'string' ? baseName(error.file) : label;
      const message = errorText(error);
      showBanner(`Could not open ${file}`, message.includes(file) ? message : `${file}: ${message}`);
    } finally {
      if (seq === openSeq) loading.hidden = true;
    }
  }
  return { open: openSource, lastOpened: () => lastOpened };
}

export function emptyState(ctx: AppContext): HTMLElement {
  return h(
    'div',
    { class: 'empty', 'data-testid': 'empty' },
    h('h1', {}, 'Open an ONNX model'),
    h('p', {}, 'See its graph, the distribution of every weight matrix, prune the smallest weights and measure what it costs and buys.'),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'btn primary', 'data-testid': 'empty-open', onclick: () => ctx.run('open') }, 'Open a model…'),
      h('button', { class: 'btn', 'data-testid': 'empty-sample', onclick: () => ctx.run('open-sample') }, 'Open the sample'),
      // The browser build: a model with external data files, picked as their folder.
      ctx.platform.requestOpenModelFolder
        ? h('button', { class: 'btn', 'data-testid': 'empty-open-folder', title: 'A folder holding the .onnx and its external data files', onclick: () => ctx.platform.requestOpenModelFolder?.() }, 'Open a folder…')
        : null,
    ),
    h('div', { class: 'hint' }, 'or drop an .onnx file anywhere in the window · press ? for shortcuts'),
  );
}

/** A drop opens the file; with Alt or Shift held (and a model open) it `compare`s the open model with it instead. */
export function installDrop(center: HTMLElement, ctx: AppContext, open: (source: Source, label: string) => Promise<void>, compare?: (source: Source, label: string) => Promise<void>): void {
  const overlay = h('div', { class: 'drop-overlay', hidden: true }, 'Drop the .onnx file to open it');
  const comparing = (e: DragEvent): boolean => !!compare && !!ctx.store.state.model && (e.altKey || e.shiftKey);
  center.append(overlay);
  let depth = 0;
  const hasFiles = (e: DragEvent): boolean => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    overlay.textContent = comparing(e) ? 'Drop the .onnx file to compare the open model with it' : 'Drop the .onnx file to open it (hold Alt or Shift to compare)';
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    const use = comparing(e) && compare ? compare : open;
    void ctx.platform
      .sourceForDroppedFile(file)
      .then((source) => (source ? use(source, file.name) : showBanner(`Could not open ${file.name}`, 'Only .onnx model files can be opened.')))
      .catch((error: unknown) => ctx.fail(`Could not open ${file.name}`, error));
  });
}
