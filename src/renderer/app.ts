// The app shell: toolbar, graph in the centre, sidebar tabs, status bar; opening models, drag and
// drop, keyboard shortcuts and menu commands.

import type { Source } from '../engine/protocol';
import type { AppContext, Command, TabName } from './context';
import { clearError, closeModal, errorText, hideBanner, setBannerHost, showAbout, showBanner, showError, showShortcuts } from './dialogs';
import { h } from './dom';
import type { Platform } from './engine-link';
import { baseName } from './engine-link';
import { createGraphHost, type GraphView } from './graph-host';
import { ensurePruned, JobCancelled, setJobHost, withPrunedCopy } from './job';
import { BUNDLED_TRAIN, defaultMethodSettings } from './method-spec';
import { Store } from './state';
import { createStatusBar } from './statusbar';
import { createToolbar } from './toolbar';
import { createDumpsView } from './views/dumps';
import { createEvaluateView } from './views/evaluate';
import { createHistogramsView } from './views/histograms';
import { createPropertiesView } from './views/properties';
import { createPruneView } from './views/prune';

const TABS: { name: TabName; label: string }[] = [
  { name: 'properties', label: 'Properties' },
  { name: 'histograms', label: 'Histograms' },
  { name: 'prune', label: 'Prune' },
  { name: 'evaluate', label: 'Evaluate' },
  { name: 'dumps', label: 'Dumps' },
];

export function startApp(root: HTMLElement, platform: Platform): void {
  const store = new Store();
  const commands = new Map<Command, () => void | Promise<void>>();
  const ctx: AppContext = {
    store,
    platform,
    commands,
    run(command) {
      const fn = commands.get(command);
      if (!fn) return;
      Promise.resolve()
        .then(fn)
        .then(() => clearError('The command failed'))
        .catch((error: unknown) => ctx.fail('The command failed', error));
    },
    fail(title, error) {
      if (error instanceof JobCancelled) return showBanner('Cancelled', error.message, 'info');
      if (error instanceof Error && 'code' in error && error.code === 'cancelled') return;
      showError(title, error);
    },
    showTab: (tab) => selectTab(tab),
    graph: () => null,
  };

  // Theme: remembered, else the system's.
  const savedTheme = localStorage.getItem('prunescope.theme');
  const theme = savedTheme === 'dark' || savedTheme === 'light' ? savedTheme : matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const applyTheme = (t: 'light' | 'dark'): void => {
    document.documentElement.dataset.theme = t;
    localStorage.setItem('prunescope.theme', t);
    store.set('theme', t);
  };
  applyTheme(theme);

  // ------------------------------------------------------------ layout
  const center = h('main', { class: 'center', 'data-testid': 'center' });
  const graphEl = h('div', { class: 'graph-host', 'data-testid': 'graph', hidden: true });
  const empty = emptyState(ctx);
  const loading = h('div', { class: 'loading', hidden: true, 'data-testid': 'loading' }, h('span', { class: 'spinner' }), h('span', {}, 'Opening…'));
  center.append(graphEl, empty, loading);
  setBannerHost(center);
  setJobHost(center);

  const tabBar = h('nav', { class: 'tabs', role: 'tablist' });
  const panelHost = h('div', { class: 'panel-host', style: 'display:contents' });
  const resizer = createSidebarResizer(store);
  const sidebar = h('aside', { class: 'sidebar', 'data-testid': 'sidebar' }, resizer, tabBar, panelHost);
  const shell = h(
    'div',
    { class: 'shell' },
    createToolbar(ctx),
    h('div', { class: 'shell-body' }, center, sidebar),
    createStatusBar(store),
  );
  root.append(shell);
  store.on('sidebarWidth', (width) => shell.style.setProperty('--sidebar-width', `${width}px`));
  store.set('sidebarWidth', clampSidebar(Number(localStorage.getItem('prunescope.sidebarWidth') ?? SIDEBAR_DEFAULT) || SIDEBAR_DEFAULT));

  const panels: Record<TabName, { el: HTMLElement; activate?(): void }> = {
    properties: createPropertiesView(ctx),
    histograms: createHistogramsView(ctx),
    prune: createPruneView(ctx),
    evaluate: createEvaluateView(ctx),
    dumps: createDumpsView(ctx),
  };
  const tabButtons = new Map<TabName, HTMLButtonElement>();
  let activeTab: TabName = 'properties';
  for (const tab of TABS) {
    const button = h('button', { class: 'tab', role: 'tab', 'data-tab': tab.name, onclick: () => selectTab(tab.name) }, tab.label);
    tabButtons.set(tab.name, button);
    tabBar.append(button);
    panels[tab.name].el.hidden = true;
    panels[tab.name].el.dataset.panel = tab.name;
    panelHost.append(panels[tab.name].el);
  }
  function selectTab(tab: TabName): void {
    activeTab = tab;
    for (const t of TABS) {
      tabButtons.get(t.name)?.classList.toggle('active', t.name === tab);
      tabButtons.get(t.name)?.setAttribute('aria-selected', String(t.name === tab));
      panels[t.name].el.hidden = t.name !== tab;
    }
    panels[tab].activate?.();
  }
  selectTab(activeTab);

  // ------------------------------------------------------------ graph
  let graph: GraphView | null = null;
  /** Set while a selection made in the graph propagates, so it is not echoed back to the graph. */
  let fromGraph = false;
  const ensureGraph = (): GraphView => {
    graph ??= createGraphHost(graphEl, (node, graphPath) => {
      const current = store.state.selection;
      if (current.node?.index === node?.index && current.graphPath.join('/') === graphPath.join('/')) return;
      fromGraph = true;
      try {
        store.set('selection', { node, graphPath });
      } finally {
        fromGraph = false;
      }
    });
    return graph;
  };

  // ------------------------------------------------------------ engine state
  const client = platform.client;
  client.onReady(() => store.set('engine', client.pendingCount > 0 ? 'busy' : 'ready'));
  client.onActivity((busy) => {
    if (store.state.engine !== 'stopped' && (client.isReady || busy > 0)) store.set('engine', busy > 0 ? 'busy' : 'ready');
  });
  platform.onEngineStatus((status) => {
    if (status.type === 'engine-ready') {
      store.set('engine', 'ready');
    } else {
      store.set('engine', 'stopped');
      const model = store.state.model;
      const reopen = lastOpened;
      store.set('model', null);
      if (model) showEmpty(true);
      showBanner(
        'The engine stopped',
        `${status.reason}.${status.restarting ? ' A new engine is starting.' : ''}`,
        'error',
        model && reopen && status.restarting ? { label: `Reopen ${model.fileName}`, run: () => void openSource(reopen.source, reopen.label) } : undefined,
      );
    }
  });

  // ------------------------------------------------------------ opening models
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
  function showEmpty(on: boolean): void {
    empty.hidden = !on;
    graphEl.hidden = on;
  }
  platform.onOpenSource((source, label) => void openSource(source, label));

  // ------------------------------------------------------------ commands
  const needModel = (fn: (modelId: number) => void | Promise<void>) => async () => {
    const model = store.state.model;
    if (!model) return showBanner('No model is open', 'Open a model first (Ctrl+O), or open the sample.', 'info');
    await fn(model.modelId);
  };
  const stem = (): string => (store.state.model?.fileName ?? 'model').replace(/\.onnx$/i, '');
  const exportModel = (format: 'dense' | 'sparse') =>
    needModel(async (modelId) => {
      const name = `${stem()}-pruned${format === 'sparse' ? '-sparse' : ''}.onnx`;
      const spec = store.state.spec;
      await ensurePruned(ctx, modelId, spec, 'the export');
      const where = await platform.exportModel(modelId, spec, format, name);
      if (where) showBanner('Exported', `The pruned model went to ${where}.`, 'info');
    });
  commands.set('open', () => platform.requestOpenModel());
  commands.set('open-sample', () => openSource({ kind: 'sample' }, 'sample-mlp.onnx'));
  commands.set('close', () => {
    const model = store.state.model;
    if (model) void client.call({ type: 'close', modelId: model.modelId }).catch(() => undefined);
    store.set('selection', { node: null, graphPath: [] });
    store.set('report', null);
    store.set('modelIsSample', false);
    store.set('model', null);
    platform.modelOpened(null);
    document.title = 'Prunescope';
    showEmpty(true);
  });
  commands.set('export-model', exportModel('dense'));
  commands.set('export-model-sparse', exportModel('sparse'));
  commands.set(
    'export-json',
    needModel(async (modelId) => {
      if (!store.state.dumpPruned) {
        const where = await platform.exportJson(modelId, `${stem()}.onnx.json`);
        if (where) showBanner('Exported', `The JSON rendering went to ${where}.`, 'info');
        return;
      }
      // The pruned model's JSON: the engine encodes the pruned model, opens it as a second model
      // for the JSON rendering, and closes it again.
      const spec = store.state.spec;
      const name = `${stem()}-pruned.onnx`;
      const where = await withPrunedCopy(ctx, modelId, spec, name, (copyId) => platform.exportJson(copyId, `${name}.json`));
      if (where) showBanner('Exported', `The JSON rendering of the model pruned at ${spec.ratio} went to ${where}.`, 'info');
    }),
  );
  commands.set(
    'export-matrices',
    needModel(async (modelId) => {
      const tensors = store.state.model?.graph.initializers.map((i) => i.name) ?? [];
      // The Dumps panel's choice: pruned at the current spec, or the original weights.
      const spec = store.state.dumpPruned ? store.state.spec : undefined;
      if (spec) await ensurePruned(ctx, modelId, spec, 'the matrices');
      const where = await platform.exportMatrices(modelId, tensors, spec);
      if (where) showBanner('Exported', `The ${spec ? `pruned (at ${spec.ratio})` : 'original'} text matrices went to ${where}.`, 'info');
    }),
  );
  commands.set(
    'export-graph-svg',
    needModel(async () => {
      if (graph) await platform.saveFile('svg', `${stem()}.svg`, graph.toSvg());
    }),
  );
  commands.set(
    'export-graph-png',
    needModel(async () => {
      if (graph) await platform.saveFile('png', `${stem()}.png`, await graph.toPng());
    }),
  );
  commands.set('zoom-in', () => graph?.zoomIn());
  commands.set('zoom-out', () => graph?.zoomOut());
  commands.set('zoom-fit', () => graph?.fit());
  commands.set('toggle-sidebar', () => {
    shell.classList.toggle('no-sidebar');
  });
  commands.set('theme-light', () => applyTheme('light'));
  commands.set('theme-dark', () => applyTheme('dark'));
  commands.set('shortcuts', () => showShortcuts());
  commands.set('about', () => showAbout(platform.kind));
  platform.onMenu((command) => ctx.run(command));

  // Find results select the node in the graph and in the properties.
  store.on('selection', (selection) => {
    if (!graph || fromGraph) return;
    if (!selection.node) graph.select(null);
    else if (selection.graphPath.length === 0) graph.select(selection.node.index);
  });
  ctx.graph = () => graph;

  installShortcuts(ctx, store);
  installDrop(center, ctx, openSource);
  showEmpty(true);
}

function emptyState(ctx: AppContext): HTMLElement {
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
    ),
    h('div', { class: 'hint' }, 'or drop an .onnx file anywhere in the window · press ? for shortcuts'),
  );
}

function installShortcuts(ctx: AppContext, store: Store): void {
  window.addEventListener('keydown', (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const target = event.target as HTMLElement | null;
    const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
    const key = event.key.toLowerCase();
    if (mod && !event.shiftKey && key === 'o') return done(event, () => ctx.run('open'));
    if (mod && !event.shiftKey && key === 'f') return done(event, () => ctx.run('find'));
    if (mod && event.shiftKey && key === 'e') return done(event, () => ctx.run('export-model'));
    if (event.key === 'Escape') {
      if (closeModal() || hideBanner()) return done(event, () => undefined);
      if (typing) return target?.blur();
      if (store.state.selection.node) store.set('selection', { node: null, graphPath: store.state.selection.graphPath });
      return;
    }
    if (typing || mod || event.altKey) return;
    if (event.key === '+' || event.key === '=') return done(event, () => ctx.run('zoom-in'));
    if (event.key === '-' || event.key === '−') return done(event, () => ctx.run('zoom-out'));
    if (event.key === '0') return done(event, () => ctx.run('zoom-fit'));
    if (event.key === '?') return done(event, () => ctx.run('shortcuts'));
  });
}

function done(event: KeyboardEvent, fn: () => void): void {
  event.preventDefault();
  fn();
}

function installDrop(center: HTMLElement, ctx: AppContext, open: (source: Source, label: string) => Promise<void>): void {
  const overlay = h('div', { class: 'drop-overlay', hidden: true }, 'Drop the .onnx file to open it');
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
    if (hasFiles(e)) e.preventDefault();
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    void ctx.platform
      .sourceForDroppedFile(file)
      .then((source) => (source ? open(source, file.name) : showBanner(`Could not open ${file.name}`, 'Only .onnx model files can be opened.')))
      .catch((error: unknown) => ctx.fail(`Could not open ${file.name}`, error));
  });
}

const SIDEBAR_DEFAULT = 470;
const SIDEBAR_MIN = 320;

/** The side panel's width stays between 320 px and 70% of the window. */
function clampSidebar(width: number): number {
  const max = Math.max(SIDEBAR_MIN, Math.floor(window.innerWidth * 0.7));
  return Math.round(Math.min(max, Math.max(SIDEBAR_MIN, width)));
}

/**
 * The handle on the side panel's left edge: drag it, or focus it and press ←/→ (Shift for larger
 * steps), Home/End for the narrowest/widest; the width is remembered.
 */
function createSidebarResizer(store: Store): HTMLElement {
  const handle = h('div', {
    class: 'sidebar-resizer',
    role: 'separator',
    tabindex: 0,
    'aria-orientation': 'vertical',
    'aria-label': 'Resize the side panel',
    'aria-valuemin': SIDEBAR_MIN,
    'data-testid': 'sidebar-resizer',
    title: 'Drag, or use ← → to resize the side panel',
  });
  const set = (width: number): void => {
    const w = clampSidebar(width);
    store.set('sidebarWidth', w);
    localStorage.setItem('prunescope.sidebarWidth', String(w));
  };
  store.on('sidebarWidth', (w) => {
    handle.setAttribute('aria-valuenow', String(w));
    handle.setAttribute('aria-valuemax', String(clampSidebar(Infinity)));
  });
  handle.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startW = store.state.sidebarWidth;
    handle.classList.add('dragging');
    const move = (ev: PointerEvent): void => set(startW + (startX - ev.clientX));
    const up = (): void => {
      handle.classList.remove('dragging');
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  });
  handle.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 80 : 16;
    const w = store.state.sidebarWidth;
    const next = e.key === 'ArrowLeft' ? w + step : e.key === 'ArrowRight' ? w - step : e.key === 'Home' ? SIDEBAR_MIN : e.key === 'End' ? Infinity : null;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    set(next);
  });
  return handle;
}
