// The toolbar: open, sample, export menu, find box, zoom buttons, theme toggle, help.

import type { NodeSummary } from '../engine/protocol';
import type { AppContext, Command } from './context';
import { h } from './dom';

export function createToolbar(ctx: AppContext): HTMLElement {
  const { store } = ctx;
  const exportSelect = h(
    'select',
    { class: 'btn', 'data-testid': 'export-menu', title: 'Export (Ctrl+Shift+E exports the pruned model)', disabled: true },
    h('option', { value: '' }, 'Export…'),
    h('option', { value: 'export-model' }, 'Pruned model (.onnx)'),
    h('option', { value: 'export-model-sparse' }, 'Pruned model, sparse initializers (.onnx)'),
    h('option', { value: 'export-json' }, 'Model as JSON'),
    h('option', { value: 'export-matrices' }, 'Weights as text matrices'),
    h('option', { value: 'export-histograms' }, 'Histograms as PNG'),
    h('option', { value: 'export-graph-svg' }, 'Graph as SVG'),
    h('option', { value: 'export-graph-png' }, 'Graph as PNG'),
    h('option', { value: 'export-sweep-csv' }, 'Evaluation results as CSV'),
  );
  exportSelect.addEventListener('change', () => {
    const command = exportSelect.value as Command;
    exportSelect.value = '';
    if (command) ctx.run(command);
  });

  // Find: Enter goes to the next match; matches select the node.
  const findInput = h('input', { type: 'search', placeholder: 'Find node, op or tensor', 'data-testid': 'find', disabled: true, 'aria-label': 'Find' });
  const findCount = h('span', { class: 'find-count', 'data-testid': 'find-count' });
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
      matches = graph.find(query);
      matchIndex = -1;
      lastQuery = query;
    }
    if (matches.length === 0) {
      findCount.textContent = 'no match';
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
    }
  });
  findInput.addEventListener('input', () => {
    const graph = ctx.graph();
    const query = findInput.value.trim();
    lastQuery = '';
    if (!graph || !query) {
      findCount.textContent = '';
      if (graph && !query) graph.find('');
      return;
    }
    matches = graph.find(query);
    lastQuery = query;
    matchIndex = -1;
    findCount.textContent = matches.length === 0 ? 'no match' : `${matches.length} found`;
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

  store.on('model', (model) => {
    const off = !model;
    for (const el of [exportSelect, findInput, zoomOut, zoomFit, zoomIn]) el.disabled = off;
    findInput.value = '';
    findCount.textContent = '';
  });

  return h(
    'header',
    { class: 'toolbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }), 'Prunescope'),
    button('Open…', 'open', { title: 'Open a model (Ctrl+O)', 'data-testid': 'open' }),
    button('Sample', 'open-sample', { title: 'Open the bundled MNIST MLP', 'data-testid': 'sample' }),
    exportSelect,
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
