// The per-node error table of the Evaluate panel (evaluate-node-errors.ts): one row per measured
// output value in graph order (a node with several outputs: its first row names it, the others
// are indented), or sorted by relative L2, worst first; the largest errors highlighted (worstCount).
// The rows, texts and highlight count come from evaluate-node-errors-data.ts.

import type { NodeErrorReport } from '../../engine/protocol';
import { h } from '../dom';
import { cosineText, relText, rowsOf, worstCount, type ErrorOrder } from './evaluate-node-errors-data';

/** A node name that may wrap after its '/' and '.' (a narrow panel), not inside a word. */
function wrappable(text: string): (string | HTMLElement)[] {
  return text.split(/(?<=[/.])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}

const nodeLabel = (name: string, opType: string, index: number): string => (name !== '' ? name : `(${opType} #${index})`);

/**
 * Fills `table` with the report's rows in `order`; `onSort` is called by the rel L2 header, `onPick`
 * with a node index when a row is clicked (or chosen with Enter). `selected`: the node to mark.
 */
export function renderErrorTable(
  table: HTMLTableElement,
  r: NodeErrorReport,
  order: ErrorOrder,
  selected: number | null,
  onSort: (next: ErrorOrder) => void,
  onPick: (index: number) => void,
): void {
  const rows = rowsOf(r);
  const hurt = rows.filter((x) => (x.v.relL2 ?? 0) > 0).sort((a, b) => b.v.relL2! - a.v.relL2! || a.index - b.index);
  const worst = new Set(hurt.slice(0, worstCount(hurt.length)));
  const shown = order === 'graph' ? rows : [...rows].sort((a, b) => (b.v.relL2 ?? -1) - (a.v.relL2 ?? -1) || a.index - b.index || a.k - b.k);
  const sortBtn = h(
    'button',
    {
      class: 'ne-sort',
      'data-testid': 'node-errors-sort',
      title: order === 'graph' ? 'Sort by relative L2, worst first' : 'Back to graph order',
      onclick: () => onSort(order === 'graph' ? 'worst' : 'graph'),
    },
    order === 'graph' ? 'rel L2' : 'rel L2 ▼',
  );
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { class: 'num' }, '#'),
      h('th', {}, 'Node'),
      h('th', {}, 'Op'),
      h('th', { class: 'num', 'aria-sort': order === 'worst' ? 'descending' : 'none', title: '‖a − b‖ / ‖a‖ over the samples: a the original value, b the pruned one' }, sortBtn),
      h('th', { class: 'num', title: 'a·b / (‖a‖ ‖b‖): 1 when the pruned value points the same way' }, 'cosine'),
    ),
  );
  const body = h(
    'tbody',
    {},
    shown.map((x) => {
      const first = x.k === 0 || order === 'worst';
      const note = x.v.missing || x.v.shapeChanged;
      const tr = h(
        'tr',
        {
          class: [worst.has(x) ? 'worst' : '', selected === x.index ? 'selected' : '', 'clickable'].filter(Boolean).join(' '),
          tabindex: 0,
          'data-index': x.index,
          'data-value': x.v.value,
          'data-op': x.opType,
          ...(x.v.relL2 !== undefined ? { 'data-rel-l2': String(x.v.relL2) } : {}),
          title: `${x.v.value}${x.v.zeroReference ? ' (the original value is 0 on these samples)' : ''} — click to select the node in the graph`,
          onclick: () => onPick(x.index),
          onkeydown: (e: Event) => {
            if ((e as KeyboardEvent).key === 'Enter') onPick(x.index);
          },
        },
        h('td', { class: 'num' }, first ? String(x.index) : ''),
        h('td', { class: 'ne-node' }, wrappable(first ? nodeLabel(x.name, x.opType, x.index) + (x.k > 0 ? ` · ${x.v.value}` : '') : `└ ${x.v.value}`)),
        h('td', {}, first ? x.opType : ''),
        note
          ? h('td', { class: 'shape-changed ne-note', colspan: 2, title: x.v.shapeChanged ? 'Channels were removed: the values cannot be compared element by element' : undefined }, relText(x.v))
          : h('td', { class: 'num' }, relText(x.v)),
        note ? null : h('td', { class: 'num' }, cosineText(x.v)),
      );
      return tr;
    }),
  );
  table.replaceChildren(head, body);
}
