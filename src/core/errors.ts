// The errors core throws on purpose. Each carries a kind saying whose problem it is, so that the
// engine maps kinds to protocol error codes in one place and the CLI picks its exit code and hint
// without reading messages. Messages name concepts ("calibration samples"), never CLI flags.

export type ProblemKind =
  /** The model file cannot be read as a model (not ONNX, truncated, inconsistent). */
  | 'bad-model'
  /** A dataset cannot be read, or does not fit the model or the method. */
  | 'bad-dataset'
  /** The model is valid, but this operation does not handle it (an operator, a graph shape). */
  | 'unsupported'
  /** The options asked for cannot be carried out (a ratio out of range, an unknown tensor). */
  | 'invalid'
  /** A file named by the request does not exist. */
  | 'not-found'
  /** Reading or writing failed. */
  | 'io'
  /** The job was cancelled. */
  | 'cancelled';

export const PROBLEM_KINDS: readonly ProblemKind[] = ['bad-model', 'bad-dataset', 'unsupported', 'invalid', 'not-found', 'io', 'cancelled'];

/** An error of a known kind; `file` names the file at fault, when there is one. */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly file?: string;
  constructor(kind: ProblemKind, message: string, file?: string) {
    super(message);
    this.name = 'ProblemError';
    this.kind = kind;
    if (file !== undefined) this.file = file;
  }
}

/** The one "the job was cancelled" error of core (evaluation, sweeps and the pruning methods). */
export class CancelledError extends ProblemError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}

/**
 * The kind of a thrown value, or undefined for anything else. Read structurally, so that it also
 * works on an error that crossed a worker boundary as a plain object.
 */
export function problemKind(e: unknown): ProblemKind | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const kind = (e as { kind?: unknown }).kind;
  return typeof kind === 'string' && (PROBLEM_KINDS as readonly string[]).includes(kind) ? (kind as ProblemKind) : undefined;
}

export function isCancelled(e: unknown): boolean {
  return problemKind(e) === 'cancelled';
}
