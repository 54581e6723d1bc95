// The operator table: which ONNX ops the runtime executes, and which nodes of a model it cannot.
import type { Model, Node } from '../onnx/model';
import type { NodeRef } from './errors';
import { Conv } from './ops/conv';
import { ConvTranspose } from './ops/conv-transpose';
import { BINARY, Clip, UNARY } from './ops/elementwise';
import { Einsum, einsumProblem } from './ops/einsum';
import { LOGIC } from './ops/logic';
import { BatchNormalization, Gemm, Hardmax, LogSoftmax, MatMul, Softmax } from './ops/nn';
import { Pad } from './ops/pad';
import { POOL } from './ops/pool';
import { ArgMax, ArgMin, REDUCE } from './ops/reduce';
import { Resize, Upsample, modeProblem } from './ops/resize';
import { Slice, Split, Tile } from './ops/slice';
import {
  Concat, Dropout, Expand, Flatten, Gather, Identity, Reshape, Shape, Size, Squeeze, Transpose, Unsqueeze,
} from './ops/shape';
import type { OpImpl } from './ops/types';
import { intAttr } from './ops/types';
import { TRANSFORMER, geluProblem } from './ops/transformer';
import { Cast, CastLike, Constant, ConstantOfShape, valueNodeProblem } from './ops/values';

export const OPS: Readonly<Record<string, OpImpl>> = {
  ...UNARY,
  ...BINARY,
  ...REDUCE,
  ...POOL,
  ...LOGIC,
  ...TRANSFORMER,
  Einsum,
  Pad,
  ConvTranspose,
  Resize,
  Upsample,
  Clip,
  Conv,
  Gemm,
  MatMul,
  Softmax,
  LogSoftmax,
  BatchNormalization,
  Reshape,
  Flatten,
  Squeeze,
  Unsqueeze,
  Shape,
  Size,
  Identity,
  Dropout,
  Concat,
  Transpose,
  Gather,
  Expand,
  Constant,
  ConstantOfShape,
  Cast,
  CastLike,
  Slice,
  Split,
  Tile,
  Hardmax,
  ArgMax,
  ArgMin,
};

/** Op types (default ONNX domain) the runtime executes. */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set(Object.keys(OPS));

export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** Why a node of a supported op type still cannot run, or undefined. */
function nodeProblem(node: Node): string | undefined {
  if (node.opType === 'BatchNormalization') {
    if (intAttr(node, 'training_mode', 0) === 1) return 'training_mode=1';
    if (node.outputs.filter((o) => o !== '').length > 1) return 'training outputs requested';
  }
  if (node.opType === 'Resize' || node.opType === 'Upsample' || node.opType === 'Pad') return modeProblem(node);
  if (node.opType === 'Einsum') return einsumProblem(node);
  if (node.opType === 'Gelu') return geluProblem(node);
  return valueNodeProblem(node);
}

/** Every node of the main graph the runtime cannot execute (op type + node name, with a reason where the op type is known). */
export function unsupportedNodes(model: Model): NodeRef[] {
  const out: NodeRef[] = [];
  for (const node of model.graph.nodes) {
    const name = node.name;
    if (!isDefaultDomain(node.domain)) {
      out.push({ opType: node.domain ? `${node.domain}.${node.opType}` : node.opType, name, reason: `domain ${node.domain}` });
      continue;
    }
    if (!SUPPORTED_OPS.has(node.opType)) {
      out.push({ opType: node.opType, name });
      continue;
    }
    const reason = nodeProblem(node);
    if (reason) out.push({ opType: node.opType, name, reason });
  }
  return out;
}
