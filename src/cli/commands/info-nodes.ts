// `prunescope info MODEL --nodes [--where QUERY]` (issue 16): the per-node table of the main graph
// (name, op, params, MACs at batch 1 and their share, sparsity, bytes), filtered by the Find grammar.
import type { NodeMetrics, NodeMetricsReport, NodeSummary } from '../../engine/protocol';
import { matchesQuery, parseNodeQuery } from '../../engine/protocol';
import { CliError } from '../command';
import { bytesText, countText, pctText, textTable } from '../format';

export interface NodesReport {
  file: string;
  where: string | null;
  totals: NodeMetricsReport['totals'];
  /** MAC-counted nodes whose shapes could not be derived (their MACs are null). */
  macsUnknown: number[];
  nodes: NodeMetrics[];
}

/** The rows `--where` keeps (all without it); a bad query is a CliError naming the term. */
export function nodesReport(file: string, graph: readonly NodeSummary[], metrics: NodeMetricsReport, where: string | undefined): NodesReport {
  let nodes = metrics.nodes;
  if (where !== undefined && where.trim() !== '') {
    const q = parseNodeQuery(where);
    if (!q.ok) throw new CliError(`--where ${where}: ${q.error}`);
    nodes = nodes.filter((m) => {
      const n = graph[m.index];
      return n !== undefined && matchesQuery(q.terms, n, m);
    });
  }
  return { file, where: where ?? null, totals: metrics.totals, macsUnknown: metrics.macsUnknown, nodes };
}

export function nodesText(r: NodesReport, allNodes: number): string {
  const t = r.totals;
  const share = (m: number | null): string => (m === null ? '?' : t.macs > 0 ? pctText(m / t.macs, 1) : '–');
  let out = `${r.file}: ${countText(r.nodes.length)} of ${countText(allNodes)} nodes${r.where ? ` where ${r.where}` : ''}\n`;
  out += `  totals: ${countText(t.params)} params, ${countText(t.macs)} MACs at batch 1, sparsity ${pctText(t.sparsity, 1)}, ${bytesText(t.bytes)}\n`;
  if (r.macsUnknown.length > 0) out += `  (${r.macsUnknown.length} node(s) with unknown shapes: MACs shown as ?, the total is a lower bound)\n`;
  out += '  MACs: products of Gemm, MatMul, Conv and ConvTranspose; pools and elementwise ops count 0\n';
  if (r.nodes.length === 0) return `${out}  (no node matches)\n`;
  const rows = r.nodes.map((m) => [
    m.name || `#${m.index}`,
    m.opType,
    countText(m.params),
    m.macs === null ? '?' : countText(m.macs),
    share(m.macs),
    m.sparsity === null ? '–' : pctText(m.sparsity, 1),
    m.bytes === 0 ? '–' : bytesText(m.bytes),
  ]);
  return out + textTable(['name', 'op', 'params', 'MACs', 'MAC share', 'sparsity', 'bytes'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right'], '  ');
}
