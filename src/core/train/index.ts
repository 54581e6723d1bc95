// The MLP trainer (reusable for fine-tuning after pruning) and its ONNX export.
export { initMlp, cloneLayers, forwardAll, predict, lossAndGradients, type DenseLayer, type LayerGradients } from './mlp';
export { trainMlp, trainSteps, evaluateMlp, applyMasks, masksFromZeros, type TrainData, type TrainOptions, type TrainResult, type EpochReport } from './trainer';
export { mlpToModel, mlpFromModel, updateModelWeights, type MlpExportOptions } from './export';
export { mulberry32, permutation, shuffleInPlace, gaussian } from './random';
export { randomShift, type Augment } from './augment';
export { finetuneProblem, trainableTensors, compileGraph, trainGraphSteps, evaluateGraph, withTrainedParams, GraphTrainError, type GraphNet, type GraphTrainOptions } from './graph';
