// What an operator implementation receives: its node, attributes, opset and an output allocator.
import type { Attribute, Node, Tensor } from '../../onnx/model';
import { RuntimeError } from '../errors';
import type { RtCtor, RtData, RtTensor } from '../tensor';

export interface OpContext {
  node: Node;
  /** Version of the default ONNX domain the model imports. */
  opset: number;
  /** `OpType "name"`, for error messages. */
  label: string;
  /**
   * A buffer for output `slot`: the same array as on the previous run when type and length match
   * (so runs at the same batch size allocate nothing), otherwise a new one.
   */
  out(slot: number, ctor: RtCtor, length: number): RtData;
}

export type OpImpl = (inputs: (RtTensor | undefined)[], ctx: OpContext) => (RtTensor | undefined)[];

export function attr(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function intAttr(node: Node, name: string, dflt: number): number {
  const a = attr(node, name);
  if (!a) return dflt;
  if (a.type !== 'int') throw new RuntimeError(`${node.opType} "${node.name}": attribute ${name} is not an int`);
  return Number(a.value);
}

export function floatAttr(node: Node, name: string, dflt: number): number {
  const a = attr(node, name);
  if (!a) return dflt;
  if (a.type === 'float') return a.value;
  if (a.type === 'int') return Number(a.value);
  throw new RuntimeError(`${node.opType} "${node.name}": attribute ${name} is not a float`);
}

export function intsAttr(node: Node, name: string): number[] | undefined {
  const a = attr(node, name);
  if (!a) return undefined;
  if (a.type !== 'ints') throw new RuntimeError(`${node.opType} "${node.name}": attribute ${name} is not a list of ints`);
  return a.value.map(Number);
}

export function tensorAttr(node: Node, name: string): Tensor | undefined {
  const a = attr(node, name);
  return a && a.type === 'tensor' ? a.value : undefined;
}

export function stringAttr(node: Node, name: string, dflt: string): string {
  const a = attr(node, name);
  if (!a) return dflt;
  if (a.type !== 'string') throw new RuntimeError(`${node.opType} "${node.name}": attribute ${name} is not a string`);
  return a.value;
}

export function floatsAttr(node: Node, name: string): number[] | undefined {
  const a = attr(node, name);
  if (!a) return undefined;
  if (a.type !== 'floats') throw new RuntimeError(`${node.opType} "${node.name}": attribute ${name} is not a list of floats`);
  return a.value;
}

export function need(inputs: (RtTensor | undefined)[], i: number, ctx: OpContext): RtTensor {
  const t = inputs[i];
  if (!t) throw new RuntimeError(`${ctx.label}: input ${i} is missing`);
  return t;
}

/** Normalizes a possibly negative axis against a rank, with a clear error when out of range. */
export function normAxis(axis: number, rank: number, ctx: Pick<OpContext, 'label'>): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new RuntimeError(`${ctx.label}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}
