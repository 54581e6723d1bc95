// The comparison with a second model (core/diff): the summary line and counts, the nodes that
// changed (added, removed, attributes, shapes, inputs), and every weight that differs with its
// before and after histograms drawn over each other on one range.

import type { ReportData, TensorDiff } from '../../engine/protocol';
import { h } from '../dom';
import { formatCount, formatNumber, formatPercent } from '../format';

type Diff = NonNullable<ReportData['diff']>;
type Histogram = NonNullable<TensorDiff['histogramA']>;

const SVG = 'http://www.w3.org/2000/svg';

/** Both histograms as step outlines on one x range, each scaled to its own largest bin. */
function overlaid(a: Histogram | undefined, b: Histogram | undefined): Element {
  const w = 160;
  const hgt = 40;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('class', 'rp-overlaid');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'histogram before (blue) and after (orange)');
  for (const [hist, cls] of [[a, 'rp-before'], [b, 'rp-after']] as const) {
    if (!hist || hist.counts.length === 0) continue;
    // A log scale of counts: a pruned tensor's spike at zero would otherwise flatten the rest.
    const top = Math.log1p(Math.max(...hist.counts));
    const step = w / hist.counts.length;
    let d = `M0 ${hgt}`;
    hist.counts.forEach((c, i) => {
      const y = top > 0 ? hgt - 1 - ((hgt - 2) * Math.log1p(c)) / top : hgt;
      d += ` L${(i * step).toFixed(1)} ${y.toFixed(1)} L${((i + 1) * step).toFixed(1)} ${y.toFixed(1)}`;
    });
    d += ` L${w} ${hgt}`;
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    path.setAttribute('class', cls);
    svg.append(path);
  }
  return svg;
}

function nodeName(n: { index: number; name: string; opType: string }): string {
  return n.name || `${n.opType}_${n.index}`;
}

function changedNodes(body: HTMLElement, d: Diff): void {
  const rows: [string, string, string][] = [];
  for (const n of d.diff.removed) rows.push([nodeName(n), n.opType, 'removed']);
  for (const n of d.diff.added) rows.push([nodeName(n), n.opType, 'added']);
  for (const n of d.diff.nodes) {
    if (!n.changed) continue;
    const what: string[] = [];
    if (n.name) what.push(`renamed to ${n.name.after}`);
    if (n.opType) what.push(`op ${n.opType.before} → ${n.opType.after}`);
    for (const a of n.attributes) what.push(`${a.name}: ${a.before ?? '—'} → ${a.after ?? '—'}`);
    for (const s of n.shapes) what.push(`${s.kind} ${s.position}: ${s.before} → ${s.after}`);
    if (n.changedInputs.length > 0) what.push(`input${n.changedInputs.length === 1 ? '' : 's'} ${n.changedInputs.join(', ')} changed`);
    rows.push([nodeName(n.a), n.a.opType, what.join('; ')]);
  }
  body.append(h('h3', {}, `Changed nodes (${rows.length})`));
  if (rows.length === 0) {
    body.append(h('p', { class: 'rp-note' }, 'No node was added, removed or changed.'));
    return;
  }
  body.append(h('div', { class: 'rp-scroll' }, h('table', { class: 'grid', 'data-testid': 'report-diff-nodes' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Node (in A)'), h('th', {}, 'Op'), h('th', {}, 'What changed'))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { class: 'mono' }, r[0]), h('td', {}, r[1]), h('td', {}, r[2])))))));
}

function sparsityText(a: number | undefined, b: number | undefined): string {
  if (a === undefined && b === undefined) return '—';
  return `${a === undefined ? '—' : formatPercent(a)} → ${b === undefined ? '—' : formatPercent(b)}`;
}

function tensors(body: HTMLElement, d: Diff): void {
  const changed = d.diff.tensors.filter((t) => t.status !== 'unchanged');
  body.append(h('h3', {}, `Weights that differ (${changed.length} of ${d.diff.tensors.length})`));
  if (changed.length === 0) {
    body.append(h('p', { class: 'rp-note' }, 'Every weight holds the same values in both models.'));
    return;
  }
  body.append(
    h('p', { class: 'rp-note' }, h('span', { class: 'rp-key rp-before' }, 'A (this model)'), ' and ', h('span', { class: 'rp-key rp-after' }, `B (${d.other})`), ': histograms on one range, log counts.'),
    h('div', { class: 'rp-scroll' }, h('table', { class: 'grid', 'data-testid': 'report-diff-tensors' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Weight'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Elements'), h('th', { class: 'num' }, 'Changed'), h('th', { class: 'num' }, 'Sparsity A → B'), h('th', { class: 'num' }, 'Max |B − A|'), h('th', {}, 'Histograms'))),
      h('tbody', {}, changed.map((t) => h('tr', {},
        h('td', { class: 'mono' }, t.nameA && t.nameB && t.nameA !== t.nameB ? `${t.nameA} → ${t.nameB}` : (t.nameA ?? t.nameB ?? '')),
        h('td', {}, t.status + (t.note ? ` (${t.note})` : '')),
        h('td', { class: 'num' }, formatCount(t.count)),
        h('td', { class: 'num' }, t.changed === undefined ? '—' : formatCount(t.changed)),
        h('td', { class: 'num' }, sparsityText(t.sparsityA, t.sparsityB)),
        h('td', { class: 'num' }, t.maxAbsDelta === undefined ? '—' : formatNumber(t.maxAbsDelta)),
        h('td', {}, t.histogramA || t.histogramB ? overlaid(t.histogramA, t.histogramB) : '—'),
      ))))),
  );
}

export function diffSection(body: HTMLElement, data: ReportData): void {
  const d = data.diff;
  if (!d) return;
  const s = d.diff.summary;
  body.append(
    h('p', { class: 'rp-note', 'data-testid': 'report-diff-summary' }, `A: ${data.model.fileName}, B: ${d.other}. ${s.text}.`),
    h('dl', { class: 'rp-facts' },
      h('dt', {}, 'Nodes'), h('dd', {}, `${formatCount(s.nodesA)} → ${formatCount(s.nodesB)}: ${s.changed} changed, ${s.added} added, ${s.removed} removed, ${s.unchanged} unchanged`),
      h('dt', {}, 'Parameters'), h('dd', {}, `${formatCount(s.paramsA)} → ${formatCount(s.paramsB)}`),
      h('dt', {}, 'Non-zero'), h('dd', {}, `${formatCount(s.nonzerosA)} → ${formatCount(s.nonzerosB)}`),
      h('dt', {}, 'Weights'), h('dd', {}, `${s.tensorsChanged} changed, ${s.tensorsAdded} added, ${s.tensorsRemoved} removed, ${s.tensorsRenamed} renamed (of ${s.tensorsCompared} compared)`),
    ),
  );
  changedNodes(body, d);
  tensors(body, d);
}
