// The ops the graph trainer differentiates, by ONNX op type (default domain).
import type { KernelFactory } from '../kernel';
import { GraphTrainError } from '../value';
import { clip, hardSigmoid, hardSwish, leakyRelu, relu, sigmoid, tanh } from './activation';
import { add, div, mul, sub } from './binary';
import { conv } from './conv';
import { gemm, matMul } from './linear';
import { batchNorm } from './norm';
import { averagePool, globalAveragePool, globalMaxPool, maxPool } from './pool';
import { convTranspose } from './conv-transpose';
import { reduceMax, reduceMean, reduceSum } from './reduce';
import { resizeKernel, upsampleKernel } from './resize';
import { concat, dropout, flatten, identity, reshape, squeeze, transpose, unsqueeze } from './shape';

const matMulConstant: KernelFactory = (ctx) => {
  if (ctx.constant(1) === undefined) throw new GraphTrainError(`${ctx.label}: its right-hand side is computed; fine-tuning handles MatMul by a weight tensor`);
  return matMul(ctx);
};

export const GRAPH_OPS: Readonly<Record<string, KernelFactory>> = Object.freeze({
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matMulConstant,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Concat: concat,
  Relu: relu,
  Clip: clip,
  LeakyRelu: leakyRelu,
  Sigmoid: sigmoid,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Tanh: tanh,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
  ReduceMean: reduceMean,
  ReduceSum: reduceSum,
  ReduceMax: reduceMax,
  BatchNormalization: batchNorm,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Resize: resizeKernel,
  Upsample: upsampleKernel,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Identity: identity,
  Dropout: dropout,
});

/** Op types the graph trainer differentiates (Constant nodes too: they are read once). */
export const GRAPH_OP_TYPES: readonly string[] = Object.freeze([...Object.keys(GRAPH_OPS), 'Constant'].sort());
