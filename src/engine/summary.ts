// What the UI and the CLI show of a model, in the protocol's shapes: its structure (graphs, nodes,
// attributes, value types, subgraphs recursively), op counts, parameter counts, initializer and
// weight tables. The analysis itself is core's (src/core/analysis); no weights are copied here.
import { inferShapes, nodeSubgraphs, opCounts, paramCount, constantTensor, sparseTensorFacts, tensorFacts, unsupportedOps, weightTable } from '../core/analysis';
import { attributeText, tensorTypeText, typeText } from '../core/dump/describe';
import type { Graph, Model, Node, Tensor } from '../core/onnx/model';
import { methodAvailability } from '../core/prune/applicability';
import { prunableTensors } from '../core/prune/prunable';
import type { GraphSummary, ModelSummary, NodeSummary, ValueSummary, WeightTableOptions } from './protocol';

/** What a summary computes beyond the structure. */
export interface SummaryOptions {
  /** Count the zeros of every initializer (default true; false leaves `zeros` null). */
  zeros?: boolean;
  /** Add the weight table (ModelSummary.weights) with these options. */
  weights?: WeightTableOptions;
}

function summarizeNode(node: Node, index: number, opts: SummaryOptions, opset: number): NodeSummary {
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
    subgraphs: nodeSubgraphs(node).map((s) => ({ attribute: s.attribute, graph: summarizeGraph(s.graph, opts, opset) })),
  };
}

/**
 * The structure of a graph and (recursively) of its subgraphs. `values` holds every tensor whose type
 * is recorded, then those core's shape inference derives (opset: the default domain's version).
 */
export function summarizeGraph(g: Graph, opts: SummaryOptions = {}, opset = 1): GraphSummary {
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
  for (const [name, t] of inferShapes(g, opset)) {
    if (values.get(name)?.shape) continue;
    values.set(name, { name, elemType: t.elemType, shape: t.shape, type: typeText({ kind: 'tensor', ...t }) });
  }
  return {
    name: g.name,
    inputs,
    outputs,
    values: [...values.values()],
    nodes: g.nodes.map((n, i) => summarizeNode(n, i, opts, opset)),
    initializers: [...g.initializers.map((t) => tensorFacts(t, opts)), ...g.sparseInitializers.map((t) => sparseTensorFacts(t, opts))],
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
  const prunable = prunableTensors(model);
  const summary: ModelSummary = {
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
    graph: summarizeGraph(model.graph, opts, model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1),
    opCounts: counts,
    nodeCount: Object.values(counts).reduce((a, b) => a + b, 0),
    paramCount: paramCount(model.graph),
    defaultPrunable: prunable.filter((p) => p.byDefault).map((p) => p.name),
    prunable,
    methods: methodAvailability(model, prunable.filter((p) => p.byDefault).map((p) => p.name), undefined, true),
    unsupportedOps: supported ? unsupportedOps(counts, supported) : [],
  };
  if (opts.weights) summary.weights = weightTable(model, opts.weights);
  return summary;
}
