// The toolbar: open, sample, export menu, find box, zoom buttons, theme toggle, help.

import { matchesQuery, needsMetrics, parseNodeQuery, type NodeSummary } from '../engine/protocol';
import type { GraphView } from './graph-host';
import { currentMetrics } from './metrics';
import type { AppContext, Command } from './context';
import { h } from './dom';

export function createToolbar(ctx: AppContext): HTMLElement {
  const { store } = ctx;
  const exportMenu = createExportMenu(ctx);
  const exportSelect = exportMenu.button;

  // Find: Enter goes to the next match; matches select the node. Queries: core's node-query grammar.
  const findInput = h('input', {
    type: 'search',
    placeholder: 'Find: name, op:Conv, macs>1M',
    title: 'Terms separated by spaces, all must hold: a word (name, op or tensor), op:Conv, name:block, sparsity<0.8, sparsity>=50%, macs>1M, params>10k, bytes>1MB',
    'data-testid': 'find',
    disabled: true,
    'aria-label': 'Find',
  });
  const findCount = h('span', { class: 'find-count', 'data-testid': 'find-count', 'aria-live': 'polite' });
  /** The nodes `query` matches, or a message (a bad term, metrics not there yet) shown beside the box. */
  const findNodes = (graph: GraphView, query: string): NodeSummary[] | string => {
    const q = parseNodeQuery(query);
    if (!q.ok) {
      graph.find('');
      return q.error;
    }
    const metrics = currentMetrics(store.state);
    if (needsMetrics(q.terms) && !metrics) {
      graph.find('');
      return 'metrics not ready';
    }
    return graph.find(query, (n, inMain) => matchesQuery(q.terms, n, inMain ? metrics?.nodes[n.index] : undefined));
  };
  const showFound = (found: NodeSummary[] | string, text: (n: NodeSummary[]) => string): NodeSummary[] => {
    findCount.classList.toggle('find-error', typeof found === 'string');
    findCount.textContent = typeof found === 'string' ? found : found.length === 0 ? 'no match' : text(found);
    return typeof found === 'string' ? [] : found;
  };
  let matches: NodeSummary[] = [];
  let matchIndex = -1;
  let lastQuery = '';
  const runFind = (): void => {
    const graph = ctx.graph();
    const query = findInput.value.trim();
    if (!graph || !query) {
      findCount.textContent = '';
      matches = [];
      return;
    }
    if (query !== lastQuery) {
      const found = findNodes(graph, query);
      matches = showFound(found, () => '');
      matchIndex = -1;
      lastQuery = query;
      if (typeof found === 'string') return;
    }
    if (matches.length === 0) {
      if (!findCount.classList.contains('find-error')) findCount.textContent = 'no match';
      return;
    }
    matchIndex = (matchIndex + 1) % matches.length;
    const node = matches[matchIndex];
    findCount.textContent = `${matchIndex + 1} of ${matches.length}`;
    store.set('selection', { node, graphPath: [] });
  };
  findInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      runFind();
    } else if (e.key === 'Escape') {
      // Esc leaves Find: the query, its count and the highlights go with it.
      findInput.value = '';
      findCount.textContent = '';
      findCount.classList.remove('find-error');
      matches = [];
      matchIndex = -1;
      lastQuery = '';
      ctx.graph()?.find('');
    }
  });
  findInput.addEventListener('input', () => {
    const graph = ctx.graph();
    const query = findInput.value.trim();
    lastQuery = '';
    if (!graph || !query) {
      findCount.textContent = '';
      findCount.classList.remove('find-error');
      if (graph && !query) graph.find('');
      return;
    }
    matches = showFound(findNodes(graph, query), (found) => `${found.length} found`);
    lastQuery = query;
    matchIndex = -1;
  });
  ctx.commands.set('find', () => {
    if (findInput.disabled) return;
    findInput.focus();
    findInput.select();
  });

  const button = (label: string, command: Command, attrs: Record<string, string | boolean> = {}): HTMLButtonElement =>
    h('button', { class: 'btn', onclick: () => ctx.run(command), ...attrs }, label);
  const zoomOut = button('−', 'zoom-out', { class: 'btn icon', title: 'Zoom out (−)', 'aria-label': 'Zoom out', disabled: true });
  const zoomFit = button('Fit', 'zoom-fit', { title: 'Fit to window (0)', disabled: true, 'data-testid': 'zoom-fit' });
  const zoomIn = button('+', 'zoom-in', { class: 'btn icon', title: 'Zoom in (+)', 'aria-label': 'Zoom in', disabled: true });
  const theme = h('button', {
    class: 'btn icon',
    title: 'Light / dark theme',
    'aria-label': 'Toggle theme',
    'data-testid': 'theme',
    onclick: () => ctx.run(store.state.theme === 'dark' ? 'theme-light' : 'theme-dark'),
  });
  store.on('theme', (t) => (theme.textContent = t === 'dark' ? '☀' : '☾'));
  theme.textContent = store.state.theme === 'dark' ? '☀' : '☾';

  const compareButton = button('Compare…', 'compare-with', { title: 'Compare the open model with another (Ctrl+Shift+O)', 'data-testid': 'compare-with', disabled: true });
  store.on('model', (model) => {
    const off = !model;
    for (const el of [exportSelect, findInput, zoomOut, zoomFit, zoomIn, compareButton]) el.disabled = off;
    findInput.value = '';
    findCount.textContent = '';
  });

  return h(
    'header',
    { class: 'toolbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }), 'Prunescope'),
    button('Open…', 'open', { title: 'Open a model (Ctrl+O)', 'data-testid': 'open' }),
    button('Sample', 'open-sample', { title: 'Open the bundled MNIST MLP', 'data-testid': 'sample' }),
    compareButton,
    exportMenu.el,
    h('span', { class: 'sep' }),
    h('div', { class: 'find' }, findInput, findCount),
    h('span', { class: 'sep' }),
    zoomOut,
    zoomFit,
    zoomIn,
    h('span', { class: 'spacer' }),
    theme,
    h('button', { class: 'btn icon', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts', onclick: () => ctx.run('shortcuts') }, '?'),
  );
}

const EXPORTS: [Command, string][] = [
  ['export-model', 'Pruned model (.onnx)'],
  ['export-model-sparse', 'Pruned model, sparse initializers (.onnx)'],
  ['export-json', 'Model as JSON'],
  ['export-matrices', 'Weights as text matrices'],
  ['export-histograms', 'Histograms as PNG'],
  ['export-graph-svg', 'Graph as SVG'],
  ['export-graph-png', 'Graph as PNG'],
  ['export-sweep-csv', 'Evaluation results as CSV'],
  ['export-report', 'Report (.html)'],
];

/**
 * The Export menu: a button that opens a list of actions. Arrow keys only move between them; an
 * export starts on click, Enter or Space (a <select> fired one per arrow key).
 */
function createExportMenu(ctx: AppContext): { el: HTMLElement; button: HTMLButtonElement } {
  const button = h('button', {
    class: 'btn',
    'data-testid': 'export-menu',
    title: 'Export (Ctrl+Shift+E exports the pruned model)',
    'aria-haspopup': 'menu',
    'aria-expanded': 'false',
    'aria-controls': 'export-menu-list',
    disabled: true,
  }, 'Export… ▾');
  const items = EXPORTS.map(([command, label]) =>
    h('button', { class: 'menu-item', role: 'menuitem', tabindex: -1, 'data-command': command, onclick: () => (close(true), ctx.run(command)) }, label),
  );
  const list = h('div', { class: 'menu', role: 'menu', id: 'export-menu-list', 'aria-label': 'Export', hidden: true }, items);
  const el = h('div', { class: 'menu-wrap' }, button, list);
  const open = (focus: number): void => {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    items[(focus + items.length) % items.length]?.focus();
  };
  function close(refocus: boolean): void {
    if (list.hidden) return;
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }
  button.addEventListener('click', () => (list.hidden ? open(0) : close(false)));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      open(e.key === 'ArrowDown' ? 0 : -1);
    }
  });
  list.addEventListener('keydown', (e) => {
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number): void => {
      e.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(i + 1);
    else if (e.key === 'ArrowUp') move(i - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(-1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === 'Tab') close(false);
  });
  document.addEventListener('pointerdown', (e) => {
    if (!el.contains(e.target as Node)) close(false);
  });
  return { el, button };
}
