// The Compare tab's tables (issue 16): the summary of a model diff, the nodes that differ, and the
// weight tensors (sortable by any column). DOM only; compare.ts owns the comparison and the engine.

import type { ModelDiff, TensorDiff } from '../../engine/protocol';
import { nodeChanges } from './compare-marks';
import { h } from '../dom';
import { formatCount, formatDims, formatNumber, formatPercent } from '../format';

/** The counts on top: nodes, tensors, parameters and nonzeros A → B; "No differences" when identical. */
export function summaryTable(diff: ModelDiff): HTMLElement {
  const s = diff.summary;
  const row = (k: string, v: string, id?: string): HTMLElement => h('tr', id ? { 'data-row': id } : {}, h('th', {}, k), h('td', {}, v));
  const arrow = (a: number, b: number): string => (a === b ? formatCount(a) : `${formatCount(a)} → ${formatCount(b)}`);
  const matched = s.matchedByName + s.matchedByNeighbours + s.matchedByPosition;
  const how = [
    s.matchedByName ? `${formatCount(s.matchedByName)} by name` : '',
    s.matchedByNeighbours ? `${formatCount(s.matchedByNeighbours)} by neighbours` : '',
    s.matchedByPosition ? `${formatCount(s.matchedByPosition)} by position` : '',
  ].filter(Boolean);
  return h(
    'div',
    { class: 'compare-summary', 'data-testid': 'compare-summary' },
    h('div', { class: `compare-verdict${s.identical ? ' same' : ''}`, 'data-testid': 'compare-verdict' }, s.identical ? 'No differences' : s.text),
    h(
      'table',
      { class: 'compare-kv' },
      row('Nodes A → B', arrow(s.nodesA, s.nodesB)),
      row('Matched', `${formatCount(matched)}${how.length > 0 ? ` (${how.join(', ')})` : ''}`),
      row('Changed nodes', formatCount(s.changed), 'changed'),
      row('Added (only in B)', formatCount(s.added), 'added'),
      row('Removed (only in A)', formatCount(s.removed), 'removed'),
      row('Tensors compared', formatCount(s.tensorsCompared)),
      row('Tensors changed', formatCount(s.tensorsChanged), 'tensors-changed'),
      s.tensorsAdded + s.tensorsRemoved > 0 ? row('Tensors added / removed', `${formatCount(s.tensorsAdded)} / ${formatCount(s.tensorsRemoved)}`) : null,
      row('Parameters A → B', arrow(s.paramsA, s.paramsB), 'params'),
      row('Nonzeros A → B', arrow(s.nonzerosA, s.nonzerosB), 'nonzeros'),
    ),
  );
}

/** Changed and removed nodes (a row selects its node in the graph), then the added ones (only in B). */
export function nodesTable(diff: ModelDiff, select: (indexA: number) => void, inputName: (indexA: number, position: number) => string | undefined = () => undefined): HTMLElement {
  const changed = diff.nodes.filter((n) => n.changed);
  if (changed.length + diff.added.length + diff.removed.length === 0) return h('p', { class: 'muted', 'data-testid': 'compare-nodes-none' }, 'Every node has its counterpart, unchanged.');
  const rows: HTMLElement[] = [];
  for (const n of changed) {
    const tr = h(
      'tr',
      { class: 'clickable', 'data-index': n.a.index, 'data-status': 'changed', title: 'Select it in the graph', onclick: () => select(n.a.index) },
      nodeCell(n.a),
      h('td', {}, h('span', { class: 'diff-mark changed' }, 'changed')),
      h('td', {}, nodeChanges(n, (pos) => inputName(n.a.index, pos)).map((line) => h('div', {}, line))),
    );
    rows.push(tr);
  }
  for (const r of diff.removed) {
    rows.push(
      h(
        'tr',
        { class: 'clickable', 'data-index': r.index, 'data-status': 'removed', title: 'Select it in the graph', onclick: () => select(r.index) },
        nodeCell(r),
        h('td', {}, h('span', { class: 'diff-mark removed' }, 'removed')),
        h('td', {}, 'only in A'),
      ),
    );
  }
  for (const r of diff.added) {
    rows.push(
      h(
        'tr',
        { 'data-status': 'added' },
        nodeCell(r),
        h('td', {}, h('span', { class: 'diff-mark added' }, 'added')),
        h('td', {}, 'only in B: not on this graph'),
      ),
    );
  }
  const table = h(
    'table',
    { class: 'grid compare-nodes', 'data-testid': 'compare-nodes' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Status'), h('th', {}, 'What changed'))),
    h('tbody', {}, rows),
  );
  if (rows.length <= NODE_ROWS) return table;
  // A long list would push the weights far down: the first rows, and a button for the rest.
  for (const row of rows.slice(NODE_ROWS)) row.hidden = true;
  const more: HTMLButtonElement = h(
    'button',
    {
      class: 'btn small',
      'data-testid': 'compare-nodes-more',
      onclick: () => {
        for (const row of rows) row.hidden = false;
        more.remove();
      },
    },
    `Show all ${formatCount(rows.length)} nodes`,
  );
  return h('div', {}, table, more);
}

/** Rows of the nodes table shown before "Show all". */
const NODE_ROWS = 12;

function nodeCell(r: { index: number; name: string; opType: string }): HTMLElement {
  return h('td', { class: 'node-cell' }, h('div', { class: 'mono' }, nameCell(r.name || `#${r.index}`)), h('div', { class: 'muted' }, r.opType));
}

export type TensorSortKey = 'name' | 'shape' | 'changed' | 'sparsity' | 'delta';

export interface TensorTableState {
  key: TensorSortKey;
  descending: boolean;
  /** Include the unchanged tensors. */
  all: boolean;
  /** The row whose histograms are open (its index in diff.tensors), or null. */
  open: number | null;
}

const COLUMNS: [TensorSortKey, string][] = [
  ['name', 'Tensor'],
  ['shape', 'Shape'],
  ['changed', 'Changed'],
  ['sparsity', 'Sparsity'],
  ['delta', 'max |Δ|'],
];

function sortValue(t: TensorDiff, key: TensorSortKey): number | string {
  switch (key) {
    case 'name':
      return t.nameA ?? t.nameB ?? '';
    case 'shape':
      return t.count;
    case 'changed':
      return t.changed ?? (t.status === 'unchanged' ? 0 : t.count);
    case 'sparsity':
      return (t.sparsityB ?? 0) - (t.sparsityA ?? 0);
    case 'delta':
      return t.maxAbsDelta ?? -1;
  }
}

/** Dims A → B (one when equal; each side kept on one line); the element type only where A's and B's differ. */
function shapeCell(t: TensorDiff): (HTMLElement | string)[] {
  const typed = t.dtypeA !== undefined && t.dtypeB !== undefined && t.dtypeA !== t.dtypeB;
  const one = (dtype: string | undefined, dims: number[] | undefined): string => (dims ? `${typed ? `${dtype ?? ''} ` : ''}${formatDims(dims)}` : '—');
  const a = one(t.dtypeA, t.dimsA);
  const b = one(t.dtypeB, t.dimsB);
  return a === b ? [h('span', { class: 'nowrap' }, a)] : [h('span', { class: 'nowrap' }, a), ' → ', h('span', { class: 'nowrap' }, b)];
}

/** A tensor name that may break after its dots and slashes only. */
function nameCell(name: string): (HTMLElement | string)[] {
  return name.split(/(?<=[./])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}

const STATUS_TEXT: Partial<Record<TensorDiff['status'], string>> = { shape: 'shape differs', dtype: 'type differs', added: 'only in B', removed: 'only in A' };

function changedText(t: TensorDiff): string {
  if (t.status === 'unchanged') return '0';
  if (t.changed !== undefined) return `${formatCount(t.changed)} / ${formatCount(t.count)}`;
  if (t.status === 'not-compared') return t.note ? `not compared: ${t.note}` : 'not compared';
  return STATUS_TEXT[t.status] ?? t.status;
}

function sparsityText(t: TensorDiff): string {
  const a = t.sparsityA === undefined ? '—' : formatPercent(t.sparsityA);
  const b = t.sparsityB === undefined ? '—' : formatPercent(t.sparsityB);
  return a === b ? a : `${a} → ${b}`;
}

/**
 * The tensors table: a header click sorts by that column (again: the other way); a row click opens
 * `detail(t)` (the overlaid histograms) below it. `changed` re-renders with the new state.
 */
export function tensorsTable(diff: ModelDiff, state: TensorTableState, changed: (s: TensorTableState) => void, detail: (t: TensorDiff) => HTMLElement): HTMLElement {
  const indexed = diff.tensors.map((t, i) => ({ t, i })).filter(({ t }) => state.all || t.status !== 'unchanged');
  indexed.sort((x, y) => {
    const a = sortValue(x.t, state.key);
    const b = sortValue(y.t, state.key);
    const c = typeof a === 'string' && typeof b === 'string' ? a.localeCompare(b) : (a as number) - (b as number);
    return (state.descending ? -c : c) || x.i - y.i;
  });
  const head = h(
    'tr',
    {},
    COLUMNS.map(([key, label]) =>
      h(
        'th',
        {
          class: 'sortable',
          'data-sort': key,
          'aria-sort': state.key === key ? (state.descending ? 'descending' : 'ascending') : 'none',
          title: `Sort by ${label}`,
          onclick: () => changed({ ...state, key, descending: state.key === key ? !state.descending : key !== 'name' }),
        },
        label,
        state.key === key ? (state.descending ? ' ▼' : ' ▲') : '',
      ),
    ),
  );
  const body: HTMLElement[] = [];
  for (const { t, i } of indexed) {
    const open = state.open === i;
    body.push(
      h(
        'tr',
        { class: `clickable${open ? ' open' : ''}`, 'data-tensor': t.nameA ?? t.nameB ?? '', 'data-status': t.status, onclick: () => changed({ ...state, open: open ? null : i }) },
        h('td', { class: 'mono' }, nameCell(t.nameA ?? t.nameB ?? ''), t.nameA && t.nameB && t.nameA !== t.nameB ? [' (B: ', ...nameCell(t.nameB), ')'] : ''),
        h('td', { title: `${t.dtypeA ?? '—'} → ${t.dtypeB ?? '—'}` }, shapeCell(t)),
        h('td', { 'data-col': 'changed' }, changedText(t)),
        h('td', { class: 'nowrap' }, sparsityText(t)),
        h('td', {}, t.maxAbsDelta === undefined ? '—' : formatNumber(t.maxAbsDelta)),
      ),
    );
    if (open) body.push(h('tr', { class: 'compare-detail' }, h('td', { colspan: COLUMNS.length }, detail(t))));
  }
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', 'data-testid': 'compare-all-tensors', checked: state.all, onchange: () => changed({ ...state, all: !state.all, open: null }) }), ' include unchanged tensors');
  return h(
    'div',
    { class: 'compare-tensors' },
    toggle,
    body.length === 0
      ? h('p', { class: 'muted' }, 'No weight differs.')
      : h('table', { class: 'grid', 'data-testid': 'compare-tensors' }, h('thead', {}, head), h('tbody', {}, body)),
  );
}
