// The app shell: toolbar, graph in the centre, sidebar tabs, status bar, and the engine's state.
// Opening models is in opening.ts, the commands in commands.ts, the keys in shortcuts.ts and the
// side panel in sidebar.ts.

import type { AppContext, Command } from './context';
import { clearError, setBannerHost, showBanner, showError } from './dialogs';
import { h } from './dom';
import type { Platform } from './engine-link';
import { createGraphHost, type GraphView } from './graph-host';
import { JobCancelled, setJobHost } from './job';
import { createModelOpener, emptyState, installDrop } from './opening';
import { prunedShapes } from './pruned-shapes';
import { installCommands } from './commands';
import { installShortcuts } from './shortcuts';
import { clampSidebar, createSidebarResizer, installTabs, SIDEBAR_DEFAULT } from './sidebar';
import { Store } from './state';
import { createStatusBar } from './statusbar';
import { createToolbar } from './toolbar';
import { installMetrics } from './metrics';
import { installOverlays } from './overlays';
import { createOverlayControl } from './overlay-control';
import { compareWith } from './views/compare';

export function startApp(root: HTMLElement, platform: Platform): void {
  const store = new Store();
  let graph: GraphView | null = null;
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
    graph: () => graph,
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
  center.append(graphEl, empty, loading, createOverlayControl(ctx));
  installOverlays(store);
  installMetrics(ctx);
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

  const selectTab = installTabs(ctx, tabBar, panelHost);

  // ------------------------------------------------------------ graph
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
      const reopen = opener.lastOpened();
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
  const opener = createModelOpener(ctx, loading, showEmpty, ensureGraph);
  const openSource = opener.open;
  function showEmpty(on: boolean): void {
    empty.hidden = !on;
    graphEl.hidden = on;
  }
  platform.onOpenSource((source, label) => void openSource(source, label));

  installCommands(ctx, {
    openSource,
    showEmpty,
    applyTheme,
    toggleSidebar: () => {
      shell.classList.toggle('no-sidebar');
    },
  });
  platform.onMenu((command) => ctx.run(command));

  // Find results select the node in the graph and in the properties.
  store.on('selection', (selection) => {
    if (!graph || fromGraph) return;
    if (!selection.node) graph.select(null);
    else if (selection.graphPath.length === 0) graph.select(selection.node.index);
  });

  // A channel prune's new widths on the graph (`B ⟨1000×784⟩ → ⟨400×784⟩`); none once the report has none.
  store.on('report', (report) => graph?.showShapeChanges(prunedShapes(report)));

  installShortcuts(ctx, store);
  installDrop(center, ctx, openSource, (source, label) => compareWith(ctx, source, label));
  showEmpty(true);
}
