// What the UI and the CLI show of a model: its structure (graphs, nodes, attributes, value types,
// subgraphs recursively), op counts, parameter counts, initializer tables and tensor statistics.
// Pure functions of a decoded Model; no weights are copied into the summary.
import { attributeText, tensorTypeText, typeText } from '../core/dump/describe';
import { DataType, elementCount, type Graph, type Model, type Node, type SparseTensor, type Tensor } from '../core/onnx/model';
import { dtypeName, tensorToFloat32 } from '../core/onnx/tensor';
import { defaultPrunable } from '../core/prune/plan';
import { tensorStats, type Stats } from '../core/stats/tensor-stats';
import type { EnginePlatform } from './platform';
import type {
  GraphSummary,
  InitializerSummary,
  ModelSummary,
  NodeSummary,
  TensorStatistics,
  ValueSummary,
} from './protocol';

/** Default-domain ops by name; ops of other domains as `domain:OpType`. */
export function opKey(node: Pick<Node, 'domain' | 'opType'>): string {
  return node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}:${node.opType}`;
}

/** The graphs held by a node's attributes (If branches, Loop / Scan bodies), with their attribute names. */
export function nodeSubgraphs(node: Node): { attribute: string; graph: Graph }[] {
  const out: { attribute: string; graph: Graph }[] = [];
  for (const a of node.attributes) {
    if (a.type === 'graph') out.push({ attribute: a.name, graph: a.value });
    else if (a.type === 'graphs') a.value.forEach((g, i) => out.push({ attribute: `${a.name}[${i}]`, graph: g }));
  }
  return out;
}

/** Calls `visit` for the graph and every subgraph below it, depth first, with its nesting depth. */
export function walkGraphs(graph: Graph, visit: (g: Graph, depth: number) => void, depth = 0): void {
  visit(graph, depth);
  for (const node of graph.nodes) for (const s of nodeSubgraphs(node)) walkGraphs(s.graph, visit, depth + 1);
}

/** Node count per op (see opKey) over the graph and all its subgraphs. */
export function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  walkGraphs(graph, (g) => {
    for (const n of g.nodes) {
      const k = opKey(n);
      counts[k] = (counts[k] ?? 0) + 1;
    }
  });
  return counts;
}

/** Elements equal to zero (+0 or −0); 0 for tensors without loaded numeric data. */
export function countZeros(t: Tensor): number {
  const d = t.data;
  if (d === undefined || Array.isArray(d)) return 0;
  let z = 0;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) if (d[i] === 0n) z++;
    return z;
  }
  if (t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) {
    const bits = d as Uint16Array;
    for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7fff) === 0) z++;
    return z;
  }
  let values: ArrayLike<number>;
  if (d instanceof Float32Array || d instanceof Float64Array || PLAIN_INTEGERS.has(t.dataType)) values = d;
  else {
    try {
      values = tensorToFloat32(t); // 8-bit / 4-bit floats and packed integers
    } catch {
      return 0;
    }
  }
  for (let i = 0; i < values.length; i++) if (values[i] === 0) z++;
  return z;
}

/** Types whose stored array holds the element values themselves (not bits or packed nibbles). */
const PLAIN_INTEGERS: ReadonlySet<number> = new Set([
  DataType.INT8,
  DataType.UINT8,
  DataType.INT16,
  DataType.UINT16,
  DataType.INT32,
  DataType.UINT32,
  DataType.BOOL,
]);

/** What a summary computes beyond the structure. */
export interface SummaryOptions {
  /** Count the zeros of every initializer (default true; false leaves `zeros` null). */
  zeros?: boolean;
}

/** One row of an initializer table. */
export function initializerSummary(t: Tensor, opts: SummaryOptions = {}): InitializerSummary {
  return {
    name: t.name,
    dims: t.dims,
    dataType: t.dataType,
    dtype: dtypeName(t.dataType),
    params: elementCount(t.dims),
    zeros: opts.zeros === false ? null : countZeros(t),
    external: t.data === undefined && t.external !== undefined,
  };
}

/** A sparse initializer as a table row: params = dense element count, zeros = the entries not stored plus stored zeros. */
export function sparseInitializerSummary(s: SparseTensor, opts: SummaryOptions = {}): InitializerSummary {
  const params = elementCount(s.dims);
  const stored = elementCount(s.values.dims);
  return {
    name: s.values.name,
    dims: s.dims,
    dataType: s.values.dataType,
    dtype: dtypeName(s.values.dataType),
    params,
    zeros: opts.zeros === false ? null : params - stored + countZeros(s.values),
    external: s.values.data === undefined && s.values.external !== undefined,
  };
}

/** The tensor of a Constant node (value / value_float(s) / value_int(s) / sparse_value), if any. */
export function constantTensor(node: Node): Tensor | undefined {
  if (node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const name = node.outputs[0] ?? '';
  for (const a of node.attributes) {
    if (a.type === 'tensor' && a.name === 'value') return { ...a.value, name };
    if (a.type === 'float' && a.name === 'value_float') return { name, dataType: DataType.FLOAT, dims: [], data: Float32Array.of(a.value) };
    if (a.type === 'floats' && a.name === 'value_floats') {
      return { name, dataType: DataType.FLOAT, dims: [a.value.length], data: Float32Array.from(a.value) };
    }
    if (a.type === 'int' && a.name === 'value_int') return { name, dataType: DataType.INT64, dims: [], data: BigInt64Array.of(BigInt(a.value)) };
    if (a.type === 'ints' && a.name === 'value_ints') {
      return { name, dataType: DataType.INT64, dims: [a.value.length], data: BigInt64Array.from(a.value, (v) => BigInt(v)) };
    }
  }
  return undefined;
}

/** Parameters stored by a Constant node (elements of its value; sparse values count what is stored). */
function constantParams(node: Node): number {
  const t = constantTensor(node);
  if (t) return elementCount(t.dims);
  const sparse = node.attributes.find((a) => a.type === 'sparse_tensor' && a.name === 'sparse_value');
  return sparse && sparse.type === 'sparse_tensor' ? elementCount(sparse.value.values.dims) : 0;
}

/** Initializer elements (sparse: stored values) plus Constant-node elements, over all graphs. */
export function paramCount(graph: Graph): number {
  let n = 0;
  walkGraphs(graph, (g) => {
    for (const t of g.initializers) n += elementCount(t.dims);
    for (const s of g.sparseInitializers) n += elementCount(s.values.dims);
    for (const node of g.nodes) n += constantParams(node);
  });
  return n;
}

export type WeightSource = 'initializer' | 'sparse initializer' | 'constant';

export interface WeightEntry {
  /** The dense tensor, or for a sparse initializer its stored values (named after it). */
  tensor: Tensor;
  sparse?: SparseTensor;
  source: WeightSource;
  /** '' for the main graph; for a subgraph the path of node/attribute names leading to it. */
  graph: string;
}

export interface WeightRow extends Omit<InitializerSummary, 'zeros'> {
  zeros: number;
  source: WeightSource;
  graph: string;
  /** zeros / params (0 for an empty tensor). */
  sparsity: number;
}

/**
 * Every stored weight of the model: initializers, sparse initializers and (unless `constants` is
 * false) Constant-node tensors with at least `minConstantParams` elements (default 1), of the
 * main graph and every subgraph, in graph order.
 */
export function weightEntries(model: Model, opts: { constants?: boolean; minConstantParams?: number } = {}): WeightEntry[] {
  const out: WeightEntry[] = [];
  const minConst = opts.minConstantParams ?? 1;
  const visit = (g: Graph, path: string): void => {
    for (const t of g.initializers) out.push({ tensor: t, source: 'initializer', graph: path });
    for (const s of g.sparseInitializers) out.push({ tensor: s.values, sparse: s, source: 'sparse initializer', graph: path });
    g.nodes.forEach((node, i) => {
      if (opts.constants !== false) {
        const t = constantTensor(node);
        if (t && elementCount(t.dims) >= minConst) out.push({ tensor: t, source: 'constant', graph: path });
      }
      for (const s of nodeSubgraphs(node)) {
        const label = node.name !== '' ? node.name : `${node.opType}#${i}`;
        visit(s.graph, `${path === '' ? '' : `${path}/`}${label}.${s.attribute}`);
      }
    });
  };
  visit(model.graph, '');
  return out;
}

/** A weight as a table row (shape, dtype, params, zeros, sparsity, where it lives). */
export function weightRow(w: WeightEntry): WeightRow {
  const s = w.sparse ? sparseInitializerSummary(w.sparse) : initializerSummary(w.tensor);
  const zeros = s.zeros ?? 0; // counted: the default options
  return { ...s, zeros, source: w.source, graph: w.graph, sparsity: s.params > 0 ? zeros / s.params : 0 };
}

/** weightEntries() as table rows. */
export function weightTable(model: Model, opts: { constants?: boolean; minConstantParams?: number } = {}): WeightRow[] {
  return weightEntries(model, opts).map(weightRow);
}

/** Tensors of the main graph by name: initializers and Constant-node outputs (initializers win). */
export function namedWeights(model: Model): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const t of model.graph.initializers) out.set(t.name, t);
  for (const node of model.graph.nodes) {
    const t = constantTensor(node);
    if (t && !out.has(t.name)) out.set(t.name, t);
  }
  return out;
}

/** Statistics and histogram of one numeric tensor (converted to float32 when it is not). */
export function tensorStatistics(t: Tensor, bins?: number): TensorStatistics {
  return statisticsOf(t, tensorStats(tensorToFloat32(t), bins !== undefined ? { bins } : {}));
}

/**
 * A tensor's statistics on the platform's worker threads, when it offers them for this tensor;
 * resolves to undefined when the workers fail (the platform then stops offering them), and never
 * rejects (a cancelled request may leave some unread).
 */
function statisticsOnWorkers(platform: EnginePlatform, t: Tensor, bins: number | undefined): Promise<Stats | undefined> | undefined {
  const parallel = t.dataType === DataType.FLOAT && t.data instanceof Float32Array ? platform.parallelStats?.(t.data, bins) : undefined;
  return parallel?.catch(() => undefined);
}

/**
 * The statistics of `tensors`, to be taken in order: every large float32 one goes to the
 * platform's workers at once (they queue there, so the workers never wait for this thread between
 * tensors); the others, and any the workers fail on, are counted on this thread when taken.
 */
export function statisticsInOrder(platform: EnginePlatform, tensors: readonly Tensor[], bins: number | undefined): (i: number) => Promise<TensorStatistics> {
  const parallel = tensors.map((t) => statisticsOnWorkers(platform, t, bins));
  return async (i) => {
    const done = parallel[i] && (await parallel[i]);
    return done ? statisticsOf(tensors[i], done) : tensorStatistics(tensors[i], bins);
  };
}

/** The protocol's statistics of a tensor from its Stats. */
function statisticsOf(t: Tensor, s: Stats): TensorStatistics {
  return {
    name: t.name,
    dims: t.dims,
    dtype: dtypeName(t.dataType),
    count: s.count,
    min: s.min,
    max: s.max,
    mean: s.mean,
    std: s.std,
    zeros: s.zeros,
    nonFinite: s.nonFinite,
    absP50: s.absP50,
    absP90: s.absP90,
    absP99: s.absP99,
    histogram: { min: s.histogram.min, max: s.histogram.max, counts: s.histogram.counts },
  };
}

function summarizeNode(node: Node, index: number, opts: SummaryOptions): NodeSummary {
  return {
    index,
    name: node.name,
    opType: node.opType,
    domain: node.domain,
    inputs: node.inputs,
    outputs: node.outputs,
    attributes: node.attributes.map((a) => ({
      name: a.name,
      type: a.type === 'undefined' && a.refType ? a.refType : a.type,
      value: attributeText(a),
    })),
    subgraphs: nodeSubgraphs(node).map((s) => ({ attribute: s.attribute, graph: summarizeGraph(s.graph, opts) })),
  };
}

/** The structure of a graph and (recursively) of its subgraphs. */
export function summarizeGraph(g: Graph, opts: SummaryOptions = {}): GraphSummary {
  const values = new Map<string, ValueSummary>();
  const put = (v: ValueSummary): void => {
    if (v.name !== '' && !values.has(v.name)) values.set(v.name, v);
  };
  const fromInfo = (vi: Graph['inputs'][number]): ValueSummary => {
    const t = vi.type;
    const v: ValueSummary = { name: vi.name, type: typeText(t) };
    if (t && (t.kind === 'tensor' || t.kind === 'sparse_tensor')) {
      v.elemType = t.elemType;
      if (t.shape) v.shape = t.shape;
    }
    return v;
  };
  const fromTensor = (t: Tensor): ValueSummary => ({ name: t.name, elemType: t.dataType, shape: t.dims, type: tensorTypeText(t) });
  const inputs = g.inputs.map(fromInfo);
  const outputs = g.outputs.map(fromInfo);
  inputs.forEach(put);
  outputs.forEach(put);
  g.valueInfo.map(fromInfo).forEach(put);
  g.initializers.forEach((t) => put(fromTensor(t)));
  g.sparseInitializers.forEach((s) => put({ ...fromTensor({ ...s.values, dims: s.dims }), type: `sparse ${tensorTypeText({ dataType: s.values.dataType, dims: s.dims })}` }));
  for (const node of g.nodes) {
    const t = constantTensor(node);
    if (t) put(fromTensor(t));
  }
  return {
    name: g.name,
    inputs,
    outputs,
    values: [...values.values()],
    nodes: g.nodes.map((n, i) => summarizeNode(n, i, opts)),
    initializers: [...g.initializers.map((t) => initializerSummary(t, opts)), ...g.sparseInitializers.map((t) => sparseInitializerSummary(t, opts))],
  };
}

/**
 * The model summary the engine answers `open` with. `supported`: the op types Prunescope's runtime
 * executes (keys as opKey gives them); when given, the others are listed in `unsupportedOps`.
 */
export function summarizeModel(
  model: Model,
  info: { modelId: number; fileName: string; fileBytes: number },
  supported?: ReadonlySet<string>,
  opts: SummaryOptions = {},
): ModelSummary {
  const counts = opCounts(model.graph);
  const ops = Object.keys(counts).sort();
  return {
    modelId: info.modelId,
    fileName: info.fileName,
    fileBytes: info.fileBytes,
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    metadata: model.metadataProps.map((p) => ({ key: p.key, value: p.value })),
    graph: summarizeGraph(model.graph, opts),
    opCounts: counts,
    nodeCount: Object.values(counts).reduce((a, b) => a + b, 0),
    paramCount: paramCount(model.graph),
    defaultPrunable: defaultPrunable(model),
    unsupportedOps: supported ? ops.filter((op) => !supported.has(op)) : [],
  };
}
