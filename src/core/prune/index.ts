// Pruning: magnitude plans (per layer, global, overrides) and applying them; the sparse export form;
// the methods (magnitude, reconstruct, finetune) behind one dispatcher.
export { PruneError, type PruneMode, type PruneOptions, type PrunePlan, type LayerPlan, type ShapeChange } from './types';
export { planPrune } from './plan';
export { defaultPrunable, nodeLabel, prunableTensors, prunableSources, resolveSelection, splitNames, PRUNABLE_OP_TYPES, DEFAULT_PRUNE_OP_TYPES, type PrunableTensor } from './prunable';
export { methodAvailability, type MethodAvailability } from './applicability';
export { applyPrune, pruneMask, pruneTensor } from './apply';
export { toSparseInitializers, toSparseTensor, estimateExportBytes } from './sparse';
export { pruneSummary, type PruneSummary } from './report';
export { isPrunableType, halfToNumber, bfloat16ToNumber } from './magnitude';
export { pruneWithMethod, methodSpecOf, type MethodSpec, type MethodData, type MethodHooks, type MethodResult } from './method';
export { METHOD_REGISTRY, PRUNE_METHODS, DATA_NOUN, isPruneMethod, methodNames, resolveSpec, type PruneMethod, type PruneSpec, type MethodInfo, type MethodDataNeed, FINETUNE_STARTS, FINETUNE_LEARNING_RATE, type FinetuneStart } from './method-registry';
export { finetuneSteps, checkTrainingData, type FinetuneOptions, type FinetuneResult } from './finetune';
export { wandaPrune, wandaProblem, wandaSteps, type WandaOptions, type WandaReport } from './wanda';
export { reconstructPrune, reconstructProblem, reconstructSteps, type ReconstructOptions, type ReconstructReport, type ReconstructLayerReport, type ReconstructProgress } from './reconstruct';
export { parseStructure, formatStructure, canonicalStructure, isChannelImportance, isChannelMultiple, DEFAULT_STRUCTURE, DEFAULT_IMPORTANCE, CHANNEL_IMPORTANCES, DEFAULT_CHANNEL_MULTIPLE, CHANNEL_MULTIPLES, MAX_CHANNEL_MULTIPLE, STRUCTURE_FORMS, type PruneStructure, type ChannelImportance } from './structure';
export { weightLayout, layoutIndex, type WeightLayout } from './layout';
export { channelConsumers, sliceTensor, type ChannelConsumer } from './channels';
