// Pruning: magnitude plans (per layer, global, overrides) and applying them; the sparse export form;
// the methods (magnitude, reconstruct, finetune) behind one dispatcher.
export { PruneError, type PruneMode, type PruneOptions, type PrunePlan, type LayerPlan } from './types';
export { defaultPrunable, planPrune, nodeLabel } from './plan';
export { applyPrune, pruneMask, pruneTensor } from './apply';
export { toSparseInitializers, toSparseTensor, estimateExportBytes } from './sparse';
export { pruneSummary, type PruneSummary } from './report';
export { isPrunableType, halfToNumber, bfloat16ToNumber } from './magnitude';
export { pruneWithMethod, PruneCancelled, PRUNE_METHODS, type PruneMethod, type MethodSpec, type MethodData, type MethodHooks, type MethodResult } from './method';
export { finetuneSteps, checkTrainingData, type FinetuneOptions, type FinetuneResult } from './finetune';
export { reconstructPrune, reconstructSteps, ReconstructCancelled, type ReconstructOptions, type ReconstructReport, type ReconstructLayerReport, type ReconstructProgress } from './reconstruct';
