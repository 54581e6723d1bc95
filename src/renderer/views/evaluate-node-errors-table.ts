// The per-node error table of the Evaluate panel (evaluate-node-errors.ts): one row per measured
// output value in graph order (a node with several outputs: its first row names it, the others
// are indented), or sorted by relative L2, worst first; the largest errors highlighted (worstCount).
// No engine calls here: rows, formats and the overlay's values from a NodeErrorReport.

import type { NodeErrorReport, ValueError } from '../../engine/protocol';
import { h } from '../dom';
import { formatNumber, formatPercent } from '../format';

/** Rows highlighted as the worst (largest rel L2, above 0): at most this many, and at most a quarter of the measured rows (at least one). */
export const WORST = 5;

export function worstCount(measured: number): number {
  return measured === 0 ? 0 : Math.max(1, Math.min(WORST, Math.ceil(measured / 4)));
}

export type ErrorOrder = 'graph' | 'worst';

interface Row {
  index: number;
  name: string;
  opType: string;
  /** 0: the node's first output (the row that names it). */
  k: number;
  v: ValueError;
}

/** "1000" or "16×28×28": the dims without the batch (the first) when there are more. */
function dimsText(dims: number[]): string {
  return (dims.length > 1 ? dims.slice(1) : dims).join('×');
}

/** The rel L2 cell: a number, or why there is none. */
export function relText(v: ValueError): string {
  if (v.missing) return 'not in the pruned model';
  if (v.shapeChanged) return `shape ${dimsText(v.shapeChanged.original)} → ${dimsText(v.shapeChanged.pruned)}`;
  return v.relL2 === undefined ? '–' : formatNumber(v.relL2);
}

/** A node name that may wrap after its '/' and '.' (a narrow panel), not inside a word. */
function wrappable(text: string): (string | HTMLElement)[] {
  return text.split(/(?<=[/.])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}

/** Cosine to 4 decimals (its interesting digits sit near 1), '–' without one. */
export function cosineText(v: ValueError): string {
  return v.cosine === undefined ? '–' : v.cosine.toFixed(4);
}

const nodeLabel = (name: string, opType: string, index: number): string => (name !== '' ? name : `(${opType} #${index})`);

function rowsOf(r: NodeErrorReport): Row[] {
  return r.nodes.flatMap((n) => n.outputs.map((v, k) => ({ index: n.index, name: n.name, opType: n.opType, k, v })));
}

/** The node's error for the overlay: the largest rel L2 of its outputs (none measured: absent). */
export function errorValues(r: NodeErrorReport): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of r.nodes) {
    const measured = n.outputs.map((v) => v.relL2).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (measured.length > 0) out.set(n.index, Math.max(...measured));
  }
  return out;
}

/** The one-line summary of the model outputs and the top-1 agreement. */
export function outputsText(r: NodeErrorReport): string[] {
  const lines = r.outputs.map((o) => `Model output ${o.value}: ${o.relL2 !== undefined ? `rel L2 ${formatNumber(o.relL2)}, cosine ${cosineText(o)}` : relText(o)}`);
  if (r.top1Agreement !== undefined) {
    lines.push(`Top-1 agreement: ${formatPercent(r.top1Agreement)} (${Math.round(r.top1Agreement * r.samples)} of ${r.samples} samples)`);
  }
  return lines;
}

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
