// `prunescope info MODEL [--json] [--all]`: what a model is made of.
import type { EngineClient } from '../../engine/client';
import type { GraphSummary, ModelSummary, PrunableTensor, ValueSummary, WeightSummary, WeightTableOptions } from '../../engine/protocol';
import { CliError, type CliCommand } from '../command';
import { bytesText, countText, dimsText, pctText, textTable } from '../format';
import { call, startEngine } from './prune';
import { nodesReport, nodesText } from './info-nodes';

/** Constants smaller than this are left out of the weight table unless --all is given. */
export const SMALL_CONSTANT = 16;

export function oneModelArg(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw new CliError(`${command}: expected exactly one MODEL argument, got ${positionals.length} (see prunescope ${command} --help)`);
  }
  return positionals[0];
}

/** MODEL opened in an engine, with its weight table. */
export interface OpenedWithWeights {
  engine: EngineClient;
  summary: ModelSummary;
  weights: WeightSummary[];
}

/** Opens MODEL in an in-process engine (as every command does) and asks for its weight table too. */
export async function openWithWeights(file: string, weights: WeightTableOptions): Promise<OpenedWithWeights> {
  const engine = startEngine({ ort: false });
  const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: file }, weights }).promise);
  return { engine, summary, weights: summary.weights ?? [] };
}

/** A weight as `info` lists it: zeros counted. */
export interface InfoWeight {
  name: string;
  dims: number[];
  dataType: number;
  dtype: string;
  params: number;
  zeros: number;
  external: boolean;
  source: WeightSummary['source'];
  graph: string;
  sparsity: number;
}

/** What `info` prints (as JSON with --json): the model's header facts from the open summary, and more. */
export interface InfoReport
  extends Pick<
    ModelSummary,
    'fileBytes' | 'irVersion' | 'producerName' | 'producerVersion' | 'domain' | 'modelVersion' | 'docString' | 'opsets' | 'metadata' | 'nodeCount' | 'opCounts' | 'paramCount' | 'defaultPrunable' | 'prunable'
  > {
  file: string;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  mainGraphNodes: number;
  subgraphs: number;
  weights: InfoWeight[];
}

/** The subgraphs below a graph, at any depth. */
function subgraphCount(g: GraphSummary): number {
  let n = 0;
  for (const node of g.nodes) for (const s of node.subgraphs) n += 1 + subgraphCount(s.graph);
  return n;
}

function infoWeight(w: WeightSummary): InfoWeight {
  const { name, dims, dataType, dtype, params, external, source, graph } = w;
  return { name, dims, dataType, dtype, params, zeros: w.zeros ?? 0, external, source, graph, sparsity: w.sparsity ?? 0 };
}

/** The facts `info` prints, from the engine's summary with its weight table (zeros counted). */
export function infoReport(s: ModelSummary, weights: WeightSummary[]): InfoReport {
  const initializers = new Set(weights.filter((w) => w.source === 'initializer' && w.graph === '').map((w) => w.name));
  return {
    file: s.fileName,
    fileBytes: s.fileBytes,
    irVersion: s.irVersion,
    producerName: s.producerName,
    producerVersion: s.producerVersion,
    domain: s.domain,
    modelVersion: s.modelVersion,
    docString: s.docString,
    opsets: s.opsets,
    metadata: s.metadata,
    inputs: s.graph.inputs.filter((v) => !initializers.has(v.name)),
    outputs: s.graph.outputs,
    nodeCount: s.nodeCount,
    mainGraphNodes: s.graph.nodes.length,
    subgraphs: subgraphCount(s.graph),
    opCounts: s.opCounts,
    paramCount: s.paramCount,
    defaultPrunable: s.defaultPrunable,
    prunable: s.prunable,
    weights: weights.map(infoWeight),
  };
}

function opsetText(o: { domain: string; version: number }): string {
  return `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`;
}

export function infoText(r: InfoReport, all: boolean, s: ModelSummary): string {
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
  const holders = s.graph.nodes.filter((n) => n.subgraphs.length > 0).length;
  if (holders > 0) out += `  (${holders} node${holders === 1 ? '' : 's'} of the main graph hold subgraphs)\n`;
  out += `\nParameters: ${countText(r.paramCount)} (initializers and Constant tensors, subgraphs included)\n`;
  out += prunableText(r.prunable);
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

/** The marks of a prunable tensor, as `info` prints them. */
export function prunableMarks(p: PrunableTensor): string {
  return [p.depthwise ? 'depthwise' : '', p.first ? 'first' : '', p.last ? 'last' : ''].filter((m) => m !== '').join(',');
}

function prunableText(list: PrunableTensor[]): string {
  if (list.length === 0) return '\nPrunable weights: none (no Conv, ConvTranspose, Gemm or MatMul weights)\n';
  const n = list.filter((p) => p.byDefault).length;
  let out = `\nPrunable weights (${countText(list.length)}; ${countText(n)} selected by default: Conv, Gemm and MatMul weights, * below)\n`;
  const rows = list.map((p) => [`${p.byDefault ? '*' : ' '} ${p.name}`, p.opTypes.join('+'), dimsText(p.dims), countText(p.count), p.source, prunableMarks(p)]);
  out += textTable(['  name', 'op', 'shape', 'params', 'source', 'marks'], rows, ['left', 'left', 'left', 'right', 'left', 'left'], '  ');
  if (list.some((p) => p.depthwise || p.first || p.last)) {
    out += '  marks: depthwise kernels and the first and last layers usually cost the most accuracy when pruned\n';
  }
  return out;
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'producer, opsets, inputs/outputs, op counts, parameters and a table of the weights',
  usage:
    'prunescope info MODEL [--json] [--all]\n' +
    '       prunescope info MODEL --nodes [--where QUERY] [--json]\n' +
    '  Node counts include the nodes of every subgraph (If / Loop / Scan bodies). The weight table\n' +
    '  lists initializers, sparse initializers and Constant-node tensors (those with fewer than 16\n' +
    '  elements only with --all). Prunable weights: the Conv, ConvTranspose, Gemm and MatMul weights\n' +
    '  (initializers or Constant-node values), * for the default selection, with their marks\n' +
    '  (depthwise, first, last). --json prints the same facts as one JSON object.\n' +
    '  --nodes: one row per node of the main graph: params, MACs at batch 1 (Gemm, MatMul, Conv,\n' +
    '  ConvTranspose; pools count 0), sparsity and bytes of its weights. --where keeps the nodes a\n' +
    '  query matches, every term must hold: op:Conv  name:block1  relu (name/op/tensor substring)\n' +
    '  sparsity<0.8  sparsity>=50%  macs>1M  params>10k  bytes>1MB (k/M/G; KB/MB/GB = 1024-based).',
  options: {
    json: { type: 'boolean', description: 'print JSON instead of text' },
    all: { type: 'boolean', description: 'list small Constant tensors too' },
    nodes: { type: 'boolean', description: 'print the per-node table (params, MACs, sparsity, bytes)' },
    where: { type: 'string', description: 'with --nodes: only the nodes this query matches (implies --nodes)' },
  },
  async run(args, io) {
    const file = oneModelArg(args.positionals, 'info');
    const all = args.values.all === true;
    const where = typeof args.values.where === 'string' ? args.values.where : undefined;
    if (args.values.nodes === true || where !== undefined) {
      const engine = startEngine({ ort: false });
      const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: file } }).promise);
      const metrics = await call(engine.request({ type: 'nodeMetrics', modelId: summary.modelId }).promise);
      if (!metrics) throw new CliError(`${file}: no node metrics`);
      const r = nodesReport(summary.fileName, summary.graph.nodes, metrics, where);
      io.out(args.values.json === true ? `${JSON.stringify(r, null, 2)}\n` : nodesText(r, summary.graph.nodes.length));
      return 0;
    }
    const { summary, weights } = await openWithWeights(file, { minConstantParams: all ? 1 : SMALL_CONSTANT, zeros: true });
    const report = infoReport(summary, weights);
    io.out(args.values.json === true ? `${JSON.stringify(report, null, 2)}\n` : infoText(report, all, summary));
    return 0;
  },
};
