// The values the graph trainer passes between nodes: float32 tensors in row-major (NCHW) order,
// and the error it throws when a model cannot be trained through.
import type { Attribute, Node } from '../../onnx/model';
import { ProblemError } from '../../errors';

export interface Value {
  dims: number[];
  data: Float32Array;
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function value(dims: number[], data?: Float32Array): Value {
  return { dims, data: data ?? new Float32Array(sizeOf(dims)) };
}

/** A model (or one node of it) the trainer cannot differentiate; kind 'unsupported'. */
export class GraphTrainError extends ProblemError {
  constructor(message: string) {
    super('unsupported', message);
    this.name = 'GraphTrainError';
  }
}

/** "node "/c1/Conv" (Conv)", or "Conv node #3" when it has no name. */
export function nodeName(node: Node, index: number): string {
  return node.name !== '' ? `node "${node.name}" (${node.opType})` : `${node.opType} node #${index}`;
}

function find(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function attrInt(node: Node, name: string, dflt: number): number {
  const a = find(node, name);
  return a !== undefined && a.type === 'int' ? Number(a.value) : dflt;
}

export function attrFloat(node: Node, name: string, dflt: number): number {
  const a = find(node, name);
  if (a === undefined) return dflt;
  if (a.type === 'float') return a.value;
  if (a.type === 'int') return Number(a.value);
  return dflt;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = find(node, name);
  return a !== undefined && a.type === 'ints' ? a.value.map(Number) : undefined;
}

export function attrString(node: Node, name: string, dflt: string): string {
  const a = find(node, name);
  return a !== undefined && a.type === 'string' ? a.value : dflt;
}

/** An axis in 0..rank-1 from a possibly negative one. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new GraphTrainError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}
