// The model's facts: file, producer, opsets, inputs and outputs, parameters, MACs, op counts.

import type { ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { formatBytes, formatCompact, formatCount } from '../format';

function fact(k: string, v: string | Node): HTMLElement[] {
  return [h('dt', {}, k), h('dd', {}, v)];
}

export function modelSection(body: HTMLElement, data: ReportData): void {
  const m = data.model;
  const g = m.graph;
  const opsets = m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const producer = [m.producerName, m.producerVersion].filter((x) => x !== '').join(' ') || 'not recorded';
  const unknown = data.metrics.macsUnknown.map((i) => { const n = data.metrics.nodes[i]; return n?.name || `${n?.opType ?? 'node'}_${i}`; });
  const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
  const total = data.metrics.totals.macs;
  const macs = `${formatCompact(total)} (${formatCount(total)}) at batch 1${unknown.length > 0 ? `, not counting ${unknown.length} node${unknown.length === 1 ? '' : 's'} whose shapes are unknown (${shown})` : ''}`;
  const ops = Object.entries(m.opCounts).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`).join(', ');
  body.append(
    h(
      'dl',
      { class: 'rp-facts', 'data-testid': 'report-facts' },
      fact('File', `${m.fileName} (${formatBytes(m.fileBytes)})`),
      fact('Graph', g.name || '(unnamed)'),
      fact('Producer', producer),
      fact('IR / opsets', `IR ${m.irVersion}; ${opsets}`),
      fact('Inputs', g.inputs.map((v) => `${v.name}: ${v.type}`).join(', ') || '—'),
      fact('Outputs', g.outputs.map((v) => `${v.name}: ${v.type}`).join(', ') || '—'),
      fact('Parameters', formatCount(m.paramCount)),
      fact('MACs', macs),
      fact('Nodes', `${formatCount(m.nodeCount)}: ${ops}`),
      m.unsupportedOps.length > 0 ? fact("Not runnable by Prunescope's runtime", m.unsupportedOps.join(', ')) : [],
    ),
  );
}
