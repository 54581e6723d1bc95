// Errors for ONNX input a user can act on: each names the file and the problem.

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

export class OnnxError extends Error {
  readonly code: OnnxErrorCode;
  readonly file?: string;

  /** `detail` is the problem; the message becomes "file: detail" when a file is given. */
  constructor(code: OnnxErrorCode, detail: string, file?: string) {
    super(file ? `${file}: ${detail}` : detail);
    this.name = 'OnnxError';
    this.code = code;
    this.file = file;
  }
}

export function isOnnxError(e: unknown): e is OnnxError {
  return e instanceof OnnxError;
}
