// Model analysis: pure functions of a decoded Model (op counts, parameter counts, the weights it
// stores and their zeros, the default prune selection). No weights are copied.
export { opKey, nodeSubgraphs, walkGraphs } from './graphs';
export { opCounts, unsupportedOps } from './ops';
export { constantTensor, constantParams } from './constants';
export { paramCount } from './params';
export { countZeros } from './zeros';
export {
  tensorFacts,
  sparseTensorFacts,
  weightEntries,
  weightRow,
  weightTable,
  namedWeights,
  isRealNumeric,
  type TensorFacts,
  type FactsOptions,
  type WeightSource,
  type WeightEntry,
  type WeightSelection,
  type WeightRow,
} from './weights';
export { defaultPrunable } from '../prune/plan';
export { inferShapes, type InferredType } from './shapes';
export { modelMacs, shapesAtBatch, MAC_OPS, type MacsReport, type NodeMacs } from './macs';
export { nodeMetrics, type NodeMetrics, type NodeMetricsReport, type MetricsTotals } from './node-metrics';
export { parseNodeQuery, matchesQuery, needsMetrics, QUERY_METRICS, type QueryTerm, type ParsedQuery, type QueryNode, type MetricName, type Comparison } from './node-query';
