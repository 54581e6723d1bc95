// Errors of the runtime: unsupported operators (listed all at once) and bad feeds or shapes.
import { ProblemError } from '../errors';

export interface NodeRef {
  opType: string;
  name: string;
  /** Why the node cannot run when the op type itself is supported (an attribute value, a type). */
  reason?: string;
}

function describe(n: NodeRef): string {
  const base = `${n.opType} "${n.name}"`;
  return n.reason ? `${base} (${n.reason})` : base;
}

/** Thrown by Session.create before anything runs: names every node the runtime cannot execute. */
export class UnsupportedOpError extends ProblemError {
  readonly nodes: NodeRef[];
  constructor(nodes: NodeRef[], modelLabel = 'model') {
    const types = [...new Set(nodes.map((n) => n.opType))].sort();
    super(
      'unsupported',
      `${modelLabel}: ${nodes.length} node(s) use operators the Prunescope runtime does not support ` +
        `(${types.join(', ')}): ${nodes.map(describe).join(', ')}`,
    );
    this.name = 'UnsupportedOpError';
    this.nodes = nodes;
  }
}

/** Bad input to the runtime: a missing feed, a shape that does not fit, a malformed model. */
export class RuntimeError extends ProblemError {
  constructor(message: string) {
    super('bad-model', message);
    this.name = 'RuntimeError';
  }
}
