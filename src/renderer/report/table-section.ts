// A section given as a plain table (ReportTable): the optional sections other requests fill in.

import type { ReportTable } from '../../engine/protocol';
import { h } from '../dom';

function cell(v: string | number | null): HTMLElement {
  if (v === null) return h('td', { class: 'muted' }, '—');
  if (typeof v === 'number') return h('td', { class: 'num' }, Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4));
  return h('td', {}, v);
}

export function tableSection(body: HTMLElement, t: ReportTable): void {
  if (t.title) body.append(h('h3', {}, t.title));
  if (t.note) body.append(h('p', { class: 'rp-note' }, t.note));
  body.append(
    h(
      'table',
      { class: 'grid' },
      h('thead', {}, h('tr', {}, t.columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, t.rows.map((r) => h('tr', {}, r.map(cell)))),
    ),
  );
}
