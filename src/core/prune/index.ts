// Magnitude pruning: per layer, global, overrides; applying plans; the sparse export form.
export { PruneError, type PruneMode, type PruneOptions, type PrunePlan, type LayerPlan } from './types';
export { defaultPrunable, planPrune, nodeLabel } from './plan';
export { applyPrune, pruneMask, pruneTensor } from './apply';
export { toSparseInitializers, toSparseTensor, estimateExportBytes } from './sparse';
export { pruneSummary, type PruneSummary } from './report';
export { isPrunableType, halfToNumber, bfloat16ToNumber } from './magnitude';
