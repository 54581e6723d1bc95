// What every op of the graph trainer provides: a forward pass that keeps what its backward pass
// needs, and the backward pass (gradients w.r.t. the inputs that need one).
import type { Node } from '../../onnx/model';
import type { Value } from './value';

export interface Kernel {
  /** The node's outputs (only the first is used unless the op says otherwise) and what backward needs. */
  forward(inputs: (Value | undefined)[]): { outputs: Value[]; saved?: unknown };
  /**
   * Gradients w.r.t. input i where need[i] (others may be undefined), given the gradient of the
   * first output. Fresh arrays the caller may keep; never the inputs' own data.
   */
  backward(dOut: Float32Array, inputs: (Value | undefined)[], outputs: Value[], saved: unknown, need: boolean[]): (Float32Array | undefined)[];
}

export interface CompileContext {
  node: Node;
  /** How messages name the node, e.g. node "/c1/Conv" (Conv). */
  label: string;
  /** The value of input i when it is fixed before training (an initializer or Constant output). */
  constant(i: number): Value | undefined;
  /** The opset version of the default domain. */
  opset: number;
}

/** Builds a node's kernel; throws GraphTrainError when the node's attributes are not supported. */
export type KernelFactory = (ctx: CompileContext) => Kernel;
