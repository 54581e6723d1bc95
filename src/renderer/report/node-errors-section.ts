// Per-node error: how far each node's output of the pruned model is from the original's on the
// same samples (relative L2 and cosine), worst first, with the model outputs and top-1 agreement.

import type { ReportData, ValueError } from '../../engine/protocol';
import { h } from '../dom';
import { formatCount, formatNumber, formatPercent } from '../format';

function errText(v: ValueError | undefined): [string, string] {
  if (!v) return ['—', '—'];
  if (v.missing) return ['missing', '—'];
  if (v.shapeChanged) return [`shape ${v.shapeChanged.original.join('×')} → ${v.shapeChanged.pruned.join('×')}`, '—'];
  return [v.relL2 === undefined ? '—' : formatNumber(v.relL2), v.cosine === undefined ? '—' : formatNumber(v.cosine)];
}

/** A node's worst output error (relative L2), for sorting; −1 when it has none. */
function worst(outputs: ValueError[]): number {
  return Math.max(-1, ...outputs.map((o) => o.relL2 ?? -1));
}

export function nodeErrorsSection(body: HTMLElement, data: ReportData): void {
  const e = data.nodeErrors;
  if (!e) return;
  const r = e.report;
  const agree = r.top1Agreement === undefined ? '' : ` Top-1 class agreement: ${formatPercent(r.top1Agreement)}.`;
  const outs = r.outputs.map((o) => `${o.value}: relative L2 ${errText(o)[0]}`).join('; ');
  body.append(h('p', { class: 'rp-note', 'data-testid': 'report-errors-summary' }, `${e.pruned} against ${e.original} on the first ${formatCount(r.samples)} samples of ${e.dataset}: relative L2 error ‖a − b‖/‖a‖ and cosine similarity of each node's output. Model outputs: ${outs || '—'}.${agree}`));
  const rows = [...r.nodes].sort((a, b) => worst(b.outputs) - worst(a.outputs) || a.index - b.index);
  body.append(h('div', { class: 'rp-scroll rp-tall' }, h('table', { class: 'grid', 'data-testid': 'report-errors' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Op'), h('th', {}, 'Output'), h('th', { class: 'num' }, 'Relative L2'), h('th', { class: 'num' }, 'Cosine'))),
    h('tbody', {}, rows.map((n) => {
      const o = n.outputs[0];
      const [l2, cos] = errText(o);
      return h('tr', { 'data-node': n.index }, h('td', { class: 'mono' }, n.name || `${n.opType}_${n.index}`), h('td', {}, n.opType), h('td', { class: 'mono' }, o?.value ?? '—'), h('td', { class: 'num' }, l2), h('td', { class: 'num' }, cos));
    })))));
}
