// `prunescope info MODEL [--json] [--all]`: what a model is made of.
import { loadModelFile } from '../../engine/node/files';
import {
  nodeSubgraphs,
  summarizeModel,
  walkGraphs,
  weightEntries,
  weightRow,
  type WeightRow,
} from '../../engine/summary';
import type { ModelSummary, ValueSummary } from '../../engine/protocol';
import type { Model } from '../../core/onnx/model';
import { CliError, type CliCommand } from '../command';
import { bytesText, countText, dimsText, pctText, textTable } from '../format';

/** Constants smaller than this are left out of the weight table unless --all is given. */
export const SMALL_CONSTANT = 16;

export function oneModelArg(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw new CliError(`${command}: expected exactly one MODEL argument, got ${positionals.length} (see prunescope ${command} --help)`);
  }
  return positionals[0];
}

export interface InfoReport {
  file: string;
  fileBytes: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  metadata: { key: string; value: string }[];
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodeCount: number;
  mainGraphNodes: number;
  subgraphs: number;
  opCounts: Record<string, number>;
  paramCount: number;
  defaultPrunable: string[];
  weights: WeightRow[];
}

function subgraphCount(model: Model): number {
  let n = -1;
  walkGraphs(model.graph, () => n++);
  return n;
}

export function infoReport(model: Model, fileName: string, fileBytes: number, all: boolean): InfoReport {
  const s: ModelSummary = summarizeModel(model, { modelId: 0, fileName, fileBytes });
  const weights = weightEntries(model, { minConstantParams: all ? 1 : SMALL_CONSTANT }).map(weightRow);
  return {
    file: fileName,
    fileBytes,
    irVersion: s.irVersion,
    producerName: s.producerName,
    producerVersion: s.producerVersion,
    domain: s.domain,
    modelVersion: s.modelVersion,
    docString: s.docString,
    opsets: s.opsets,
    metadata: s.metadata,
    inputs: s.graph.inputs.filter((v) => !model.graph.initializers.some((t) => t.name === v.name)),
    outputs: s.graph.outputs,
    nodeCount: s.nodeCount,
    mainGraphNodes: model.graph.nodes.length,
    subgraphs: subgraphCount(model),
    opCounts: s.opCounts,
    paramCount: s.paramCount,
    defaultPrunable: s.defaultPrunable,
    weights,
  };
}

function opsetText(o: { domain: string; version: number }): string {
  return `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`;
}

export function infoText(r: InfoReport, all: boolean, model: Model): string {
  let out = `${r.file}  (${bytesText(r.fileBytes)})\n`;
  const producer = [r.producerName, r.producerVersion].filter((x) => x !== '').join(' ') || '(not set)';
  out += `  producer     ${producer}\n`;
  out += `  IR version   ${r.irVersion}\n`;
  out += `  opsets       ${r.opsets.map(opsetText).join(', ') || '(none)'}\n`;
  if (r.domain !== '') out += `  domain       ${r.domain}\n`;
  if (r.modelVersion !== 0) out += `  version      ${r.modelVersion}\n`;
  if (r.docString !== '') out += `  doc          ${r.docString.split('\n')[0].slice(0, 100)}\n`;
  for (const m of r.metadata) out += `  meta         ${m.key} = ${m.value.slice(0, 80)}\n`;
  out += '\nInputs\n';
  out += r.inputs.length ? textTable(['name', 'type'], r.inputs.map((v) => [v.name, v.type]), ['left', 'left'], '  ') : '  (none)\n';
  out += '\nOutputs\n';
  out += r.outputs.length ? textTable(['name', 'type'], r.outputs.map((v) => [v.name, v.type]), ['left', 'left'], '  ') : '  (none)\n';
  const inSub = r.nodeCount - r.mainGraphNodes;
  out += `\nNodes: ${countText(r.nodeCount)}`;
  out += r.subgraphs > 0 ? ` (subgraphs included: ${countText(r.mainGraphNodes)} in the main graph, ${countText(inSub)} in ${r.subgraphs} subgraph${r.subgraphs === 1 ? '' : 's'})\n` : '\n';
  const ops = Object.entries(r.opCounts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  out += textTable(['op', 'count'], ops.map(([op, n]) => [op, countText(n)]), undefined, '  ');
  const holders = model.graph.nodes.filter((n) => nodeSubgraphs(n).length > 0).length;
  if (holders > 0) out += `  (${holders} node${holders === 1 ? '' : 's'} of the main graph hold subgraphs)\n`;
  out += `\nParameters: ${countText(r.paramCount)} (initializers and Constant tensors, subgraphs included)\n`;
  if (r.defaultPrunable.length > 0) out += `Prunable by default (Gemm / MatMul weights): ${r.defaultPrunable.join(', ')}\n`;
  out += `\nWeights (${countText(r.weights.length)})${all ? '' : ` — Constant tensors under ${SMALL_CONSTANT} elements not listed (--all lists them)`}\n`;
  if (r.weights.length === 0) out += '  (none)\n';
  else {
    const anySub = r.weights.some((w) => w.graph !== '');
    const header = ['name', 'shape', 'dtype', 'params', 'zeros', 'sparsity', 'source', ...(anySub ? ['graph'] : [])];
    const rows = r.weights.map((w) => [
      w.name,
      dimsText(w.dims),
      w.dtype,
      countText(w.params),
      w.external ? 'n/a' : countText(w.zeros),
      w.external ? 'n/a' : pctText(w.sparsity, 1),
      w.source,
      ...(anySub ? [w.graph === '' ? 'main' : w.graph] : []),
    ]);
    out += textTable(header, rows, ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'left'], '  ');
  }
  return out;
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'producer, opsets, inputs/outputs, op counts, parameters and a table of the weights',
  usage:
    'prunescope info MODEL [--json] [--all]\n' +
    '  Node counts include the nodes of every subgraph (If / Loop / Scan bodies). The weight table\n' +
    '  lists initializers, sparse initializers and Constant-node tensors (those with fewer than 16\n' +
    '  elements only with --all). --json prints the same facts as one JSON object.',
  options: {
    json: { type: 'boolean', description: 'print JSON instead of text' },
    all: { type: 'boolean', description: 'list small Constant tensors too' },
  },
  async run(args, io) {
    const file = oneModelArg(args.positionals, 'info');
    const all = args.values.all === true;
    const { model, bytes, fileName } = await loadModelFile(file);
    const report = infoReport(model, fileName, bytes.byteLength, all);
    io.out(args.values.json === true ? `${JSON.stringify(report, null, 2)}\n` : infoText(report, all, model));
    return 0;
  },
};
