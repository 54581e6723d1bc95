// `prunescope diff A B [--json] [--all] [--bins N]`: what differs between two models — a summary
// table, the changed / added / removed nodes, then the weight tensors that differ.
import type { ModelDiff, NodeDiff, TensorDiff } from '../../engine/protocol';
import { DEFAULT_DIFF_BINS, MAX_DIFF_BINS } from '../../engine/protocol';
import { CliError, type CliCommand, type ParsedArgs } from '../command';
import { countText, dimsText, numText, pctText, textTable } from '../format';
import { cancellable } from './method-options';
import { call, startEngine } from './prune';

function binsOption(args: ParsedArgs): number {
  const v = args.values.bins;
  if (v === undefined) return DEFAULT_DIFF_BINS;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < 1 || n > MAX_DIFF_BINS) {
    throw new CliError(`--bins ${String(v)}: expected a whole number from 1 to ${MAX_DIFF_BINS}`);
  }
  return n;
}

const arrow = (a: string, b: string): string => (a === b ? a : `${a} → ${b}`);

function summaryTable(d: ModelDiff): string {
  const s = d.summary;
  const sp = (params: number, nonzeros: number): string => pctText(params > 0 ? 1 - nonzeros / params : 0);
  const rows = [
    ['nodes', countText(s.nodesA), countText(s.nodesB)],
    ['parameters', countText(s.paramsA), countText(s.paramsB)],
    ['nonzeros', countText(s.nonzerosA), countText(s.nonzerosB)],
    ['sparsity', sp(s.paramsA, s.nonzerosA), sp(s.paramsB, s.nonzerosB)],
  ];
  const counts = [
    ['nodes matched by name', s.matchedByName],
    ['nodes matched by neighbours', s.matchedByNeighbours],
    ['nodes matched by position', s.matchedByPosition],
    ['nodes changed', s.changed],
    ['nodes added (B only)', s.added],
    ['nodes removed (A only)', s.removed],
    ['tensors compared', s.tensorsCompared],
    ['tensors changed', s.tensorsChanged],
    ['tensors added', s.tensorsAdded],
    ['tensors removed', s.tensorsRemoved],
    ['tensors renamed (equal values)', s.tensorsRenamed],
    ['graph inputs / outputs that differ', s.inputsChanged + s.outputsChanged],
  ] as const;
  return textTable(['', 'A', 'B'], rows) + '\n' + textTable(['', 'count'], counts.map(([k, n]) => [k, countText(n)]));
}

function nodeLabel(n: { name: string; opType: string; index: number }): string {
  return `${n.name === '' ? `#${n.index}` : n.name} (${n.opType})`;
}

function nodeText(n: NodeDiff): string {
  const head = n.name ? `${nodeLabel(n.a)} → ${nodeLabel(n.b)}` : nodeLabel(n.a);
  const lines = [`${head}  [matched by ${n.how}]`];
  if (n.opType) lines.push(`  op type: ${n.opType.before} → ${n.opType.after}`);
  for (const a of n.attributes) lines.push(`  attribute ${a.name}: ${a.before ?? '(none)'} → ${a.after ?? '(none)'}`);
  for (const s of n.shapes) lines.push(`  ${s.kind} ${s.position} ${arrow(s.tensorA, s.tensorB)}: ${s.before} → ${s.after}`);
  if (n.changedInputs.length > 0) lines.push(`  inputs from elsewhere or changed: ${n.changedInputs.join(', ')}`);
  return lines.join('\n');
}

function tensorRow(t: TensorDiff): string[] {
  const name = t.nameA !== undefined && t.nameB !== undefined ? arrow(t.nameA, t.nameB) : (t.nameA ?? t.nameB ?? '');
  const dims = arrow(t.dimsA ? dimsText(t.dimsA) : '-', t.dimsB ? dimsText(t.dimsB) : '-');
  const status = t.status === 'shape' && t.shrank ? 'shape (shrank)' : t.status === 'not-compared' ? `not compared (${t.note ?? ''})` : t.status;
  const sparsity = `${t.sparsityA !== undefined ? pctText(t.sparsityA) : '-'} → ${t.sparsityB !== undefined ? pctText(t.sparsityB) : '-'}`;
  const changed = t.changed !== undefined ? `${countText(t.changed)} of ${countText(t.count)}` : '-';
  const max = t.maxAbsDelta !== undefined ? `${numText(t.maxAbsDelta)} at ${dimsText(t.maxAt ?? [])}` : '-';
  return [name, dims, status, changed, sparsity, max];
}

/** The text report: summary, changed nodes, added / removed nodes, tensors (all with `all`). */
export function diffText(d: ModelDiff, fileA: string, fileB: string, all: boolean): string {
  let out = `A: ${fileA}\nB: ${fileB}\n${d.summary.identical ? 'no differences' : `differences: ${d.summary.text}`}\n\n`;
  out += summaryTable(d);
  const changed = d.nodes.filter((n) => n.changed);
  if (changed.length > 0) out += `\nChanged nodes (${changed.length}):\n${changed.map(nodeText).join('\n')}\n`;
  if (d.added.length > 0) out += `\nAdded nodes (B only, ${d.added.length}): ${d.added.map(nodeLabel).join(', ')}\n`;
  if (d.removed.length > 0) out += `\nRemoved nodes (A only, ${d.removed.length}): ${d.removed.map(nodeLabel).join(', ')}\n`;
  for (const [label, values] of [['inputs', d.inputs], ['outputs', d.outputs]] as const) {
    const differ = values.filter((v) => v.status !== 'unchanged');
    if (differ.length > 0) out += `\nGraph ${label} that differ: ${differ.map((v) => `${v.name} ${v.status} (${v.before ?? '-'} → ${v.after ?? '-'})`).join(', ')}\n`;
  }
  const rows = d.tensors.filter((t) => all || t.status !== 'unchanged' || t.nameA !== t.nameB);
  if (rows.length > 0) {
    out += `\nTensors${all ? '' : ' that differ'} (${rows.length} of ${d.tensors.length}):\n`;
    out += textTable(['tensor', 'shape', 'status', 'changed values', 'sparsity A → B', 'max |Δ|'], rows.map(tensorRow), ['left', 'left', 'left', 'right', 'right', 'right']);
  }
  return out;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'what differs between two models: nodes, attributes, shapes and weights',
  usage:
    'prunescope diff A B [--json] [--all] [--bins N]\n' +
    '  Nodes of the main graphs are paired by name, then by their paired neighbours, then by position\n' +
    '  among nodes of the same op type; weights by name, then by the input they feed. Per weight: the\n' +
    '  values that differ (exactly; NaN equals NaN), sparsity A → B and the largest |B − A|; a changed\n' +
    '  shape is reported and nothing else compared. With --json, also histograms of A and B on one range.\n' +
    '  Exit code 0 whether the models are equal or not (see "no differences" / summary.identical);\n' +
    '  2 for a missing or unreadable model.',
  options: {
    json: { type: 'boolean', description: 'print JSON instead of text' },
    all: { type: 'boolean', description: 'list unchanged tensors too' },
    bins: { type: 'string', short: 'b', description: `histogram bins with --json (1 to ${MAX_DIFF_BINS}, default ${DEFAULT_DIFF_BINS})` },
  },
  async run(args, io) {
    if (args.positionals.length !== 2) {
      throw new CliError(`diff: expected two MODEL arguments, A and B, got ${args.positionals.length} (see prunescope diff --help)`);
    }
    const [fileA, fileB] = args.positionals;
    const bins = binsOption(args);
    const engine = startEngine({ ort: false });
    const a = await call(engine.request({ type: 'open', source: { kind: 'path', path: fileA } }).promise);
    const b = await call(engine.request({ type: 'open', source: { kind: 'path', path: fileB } }).promise);
    // The text report shows no histograms: it asks for none (a pass over every changed weight less).
    const json = args.values.json === true;
    const d = await call(cancellable(engine, engine.request({ type: 'diff', modelA: a.modelId, modelB: b.modelId, bins: json ? bins : 0 })));
    if (json) io.out(`${JSON.stringify({ fileA: a.fileName, fileB: b.fileName, ...d }, null, 2)}\n`);
    else io.out(diffText(d, a.fileName, b.fileName, args.values.all === true));
    return 0;
  },
};
