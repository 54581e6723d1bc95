// Errors for ONNX input a user can act on: each names the file and the problem.
import { ProblemError, type ProblemKind } from '../errors';

export type OnnxErrorCode =
  | 'not-found'
  | 'io'
  | 'not-onnx'
  | 'truncated'
  | 'bad-model'
  | 'external-missing'
  | 'external-range'
  | 'unsupported-type'
  | 'too-large';

function kindOf(code: OnnxErrorCode): ProblemKind {
  return code === 'not-found' ? 'not-found' : code === 'io' ? 'io' : 'bad-model';
}

export class OnnxError extends ProblemError {
  readonly code: OnnxErrorCode;

  /** `detail` is the problem; the message becomes "file: detail" when a file is given. */
  constructor(code: OnnxErrorCode, detail: string, file?: string) {
    super(kindOf(code), file ? `${file}: ${detail}` : detail, file);
    this.name = 'OnnxError';
    this.code = code;
  }
}

export function isOnnxError(e: unknown): e is OnnxError {
  return e instanceof OnnxError;
}
