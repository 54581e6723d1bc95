// The "Weights to prune" part of the Prune panel: every prunable tensor of the model (the engine's
// ModelSummary.prunable) with a checkbox, grouped by op type, each group collapsible with a
// select-all checkbox (indeterminate when partly selected); the depthwise / first / last marks with
// the reason in a tooltip and in a legend; a filter box for models with many weights; Default and
// None buttons. The choice is the spec's `select` (undefined = the engine's default selection).

import type { ModelSummary, PrunableTensor } from '../../engine/protocol';
import { PRUNABLE_OP_TYPES } from '../../engine/protocol';
import { clear, h } from '../dom';
import { formatCount, formatDims } from '../format';

export interface PruneSelect {
  el: HTMLElement;
  /** A model was opened (or closed): its list, with the default selection. */
  reset(model: ModelSummary | null): void;
}

/** Groups with more tensors than this start collapsed. */
const OPEN_GROUP_MAX = 16;

export const MARK_REASONS: Record<'depthwise' | 'first' | 'last', string> = {
  depthwise: 'Depthwise kernel: one input channel per filter, few weights that each carry a whole channel, so pruning it usually costs the most accuracy.',
  first: 'First prunable layer: it sees the raw input, and its errors travel through the whole network.',
  last: 'Last prunable layer: it writes the output directly, so its errors are not absorbed by later layers.',
};

function marksOf(p: PrunableTensor): ('depthwise' | 'first' | 'last')[] {
  return (['depthwise', 'first', 'last'] as const).filter((m) => p[m]);
}

/** The group a tensor is listed in: its first consumer's op type. */
function groupOf(p: PrunableTensor): string {
  return p.opTypes[0] ?? 'Other';
}

export function createPruneSelect(onChange: (select: string[] | undefined) => void): PruneSelect {
  let list: PrunableTensor[] = [];
  let selected = new Set<string>();
  const collapsed = new Set<string>();
  const filter = h('input', { type: 'search', class: 'field', placeholder: 'Filter by name, op or mark', 'aria-label': 'Filter the prunable tensors', 'data-testid': 'prune-select-filter' });
  const defaultBtn = h('button', { class: 'btn small', 'data-testid': 'prune-select-default', title: 'Conv, Gemm and MatMul weights' }, 'Default');
  const noneBtn = h('button', { class: 'btn small', 'data-testid': 'prune-select-none' }, 'None');
  const count = h('span', { class: 'muted', 'data-testid': 'prune-select-count', 'aria-live': 'polite' });
  const groups = h('div', { class: 'prune-select-groups', 'data-testid': 'prune-select-groups' });
  const notes = h('div', { class: 'muted prune-select-notes', 'data-testid': 'prune-select-notes' });
  const el = h(
    'div',
    { class: 'prune-select', 'data-testid': 'prune-select' },
    h('div', { class: 'section-title', id: 'prune-select-title' }, 'Weights to prune'),
    h('div', { class: 'row' }, filter, defaultBtn, noneBtn, count),
    groups,
    notes,
  );

  const isDefault = (): boolean => list.every((p) => p.byDefault === selected.has(p.name));

  const emit = (): void => {
    onChange(isDefault() ? undefined : list.filter((p) => selected.has(p.name)).map((p) => p.name));
    render();
  };

  const matches = (p: PrunableTensor, q: string): boolean =>
    q === '' || [p.name, ...p.opTypes, ...marksOf(p), p.source === 'constant' ? 'constant' : ''].some((s) => s.toLowerCase().includes(q));

  function item(p: PrunableTensor): HTMLElement {
    const box = h('input', { type: 'checkbox', checked: selected.has(p.name), 'data-tensor': p.name, 'aria-label': `Prune ${p.name}` });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(p.name);
      else selected.delete(p.name);
      emit();
    });
    const marks = marksOf(p).map((m) => h('span', { class: `chip mark mark-${m}`, title: MARK_REASONS[m], 'data-mark': m }, m));
    return h(
      'label',
      { class: 'prune-select-item', 'data-testid': 'prune-select-item', 'data-tensor': p.name, title: `Used by ${p.nodes.join(', ')}` },
      box,
      h('span', { class: 'mono name' }, p.name),
      h('span', { class: 'shape' }, formatDims(p.dims)),
      h('span', { class: 'num' }, formatCount(p.count)),
      p.source === 'constant' ? h('span', { class: 'chip', title: 'Stored as a Constant node: pruning rewrites the node’s value' }, 'const') : null,
      ...marks,
    );
  }

  function group(op: string, members: PrunableTensor[], shown: PrunableTensor[], q: string): HTMLElement {
    const n = members.filter((p) => selected.has(p.name)).length;
    const box = h('input', { type: 'checkbox', checked: n === members.length, 'aria-label': `Prune every ${op} weight`, 'data-testid': `prune-group-${op}` });
    box.indeterminate = n > 0 && n < members.length;
    box.addEventListener('change', () => {
      for (const p of members) {
        if (box.checked) selected.add(p.name);
        else selected.delete(p.name);
      }
      emit();
    });
    const open = q !== '' || !collapsed.has(op);
    const toggle = h(
      'button',
      { class: 'prune-group-toggle', 'aria-expanded': String(open), 'data-testid': `prune-group-toggle-${op}`, title: open ? 'Collapse' : 'Expand' },
      h('span', { 'aria-hidden': 'true' }, open ? '▾' : '▸'),
      ` ${op}`,
    );
    toggle.addEventListener('click', () => {
      if (collapsed.has(op)) collapsed.delete(op);
      else collapsed.add(op);
      render();
    });
    const params = members.reduce((s, p) => s + p.count, 0);
    const head = h(
      'div',
      { class: 'prune-group-head' },
      box,
      toggle,
      h('span', { class: 'muted', 'data-testid': `prune-group-count-${op}` }, `${n} of ${members.length} selected · ${formatCount(params)} weights`),
    );
    return h(
      'div',
      { class: 'prune-group', role: 'group', 'aria-label': `${op} weights`, 'data-op': op },
      head,
      open ? h('div', { class: 'prune-group-items' }, shown.length > 0 ? shown.map(item) : h('div', { class: 'muted' }, 'No tensor matches the filter.')) : null,
    );
  }

  /** Re-renders, keeping the keyboard focus on the same checkbox or toggle. */
  function render(): void {
    const active = document.activeElement;
    const key = active instanceof HTMLElement && groups.contains(active) ? (active.dataset.tensor !== undefined ? `[data-tensor="${CSS.escape(active.dataset.tensor)}"]` : active.dataset.testid ? `[data-testid="${CSS.escape(active.dataset.testid)}"]` : null) : null;
    draw();
    if (key !== null) groups.querySelector<HTMLElement>(`input${key}, button${key}`)?.focus();
  }

  function draw(): void {
    if (list.length === 0) {
      clear(groups, h('div', { class: 'muted' }, 'This model has no prunable weights (Conv, ConvTranspose, Gemm or MatMul weights).'));
      clear(count);
      clear(notes);
      filter.disabled = defaultBtn.disabled = noneBtn.disabled = true;
      return;
    }
    filter.disabled = defaultBtn.disabled = noneBtn.disabled = false;
    const q = filter.value.trim().toLowerCase();
    const ops = [...PRUNABLE_OP_TYPES, ...new Set(list.map(groupOf).filter((o) => !PRUNABLE_OP_TYPES.includes(o)))];
    clear(
      groups,
      ops.flatMap((op) => {
        const members = list.filter((p) => groupOf(p) === op);
        if (members.length === 0) return [];
        const shown = members.filter((p) => matches(p, q));
        return q !== '' && shown.length === 0 ? [] : [group(op, members, shown, q)];
      }),
    );
    const chosen = list.filter((p) => selected.has(p.name));
    count.textContent = `${chosen.length} of ${list.length} tensors · ${formatCount(chosen.reduce((s, p) => s + p.count, 0))} weights${isDefault() ? ' (default)' : ''}`;
    const lines: string[] = [];
    if (list.some((p) => !p.byDefault)) {
      lines.push('ConvTranspose weights are listed but not selected by default: they are usually the upsampling head that draws the output map, few weights whose errors land on the output.');
    }
    const marked = (['depthwise', 'first', 'last'] as const).filter((m) => list.some((p) => p[m]));
    if (marked.length > 0) lines.push(`Marked ${marked.join(' / ')}: the layers where pruning usually costs the most accuracy (hover a mark for why).`);
    lines.push('Biases and normalisation parameters are never pruned.');
    clear(notes, lines.map((l) => h('div', {}, l)));
  }

  filter.addEventListener('input', render);
  defaultBtn.addEventListener('click', () => {
    selected = new Set(list.filter((p) => p.byDefault).map((p) => p.name));
    emit();
  });
  noneBtn.addEventListener('click', () => {
    selected = new Set();
    emit();
  });

  return {
    el,
    reset(model) {
      el.hidden = model === null;
      list = model?.prunable ?? [];
      selected = new Set(list.filter((p) => p.byDefault).map((p) => p.name));
      collapsed.clear();
      for (const op of new Set(list.map(groupOf))) if (list.filter((p) => groupOf(p) === op).length > OPEN_GROUP_MAX) collapsed.add(op);
      filter.value = '';
      render();
    },
  };
}
