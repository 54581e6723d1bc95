// The graph trainer: backpropagation through an ONNX model's own nodes (Conv, pools, BN, residuals…).
export { compileGraph, forward, backward, logitsOf, type GraphNet, type Forward } from './graph-net';
export { trainGraphSteps, evaluateGraph, applyGraphMasks, type GraphTrainOptions, type GraphDistill } from './trainer';
export { softmaxCrossEntropy, distillationLoss, type DistillWeights } from './loss';
export { trainableTensors, finetuneProblem, withTrainedParams } from './params';
export { GRAPH_OPS, GRAPH_OP_TYPES } from './ops';
export { GraphTrainError, type Value } from './value';
export { recalibrateBatchNorm, recalibrateBatchNormSteps } from './recalibrate';
