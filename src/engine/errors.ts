// Maps anything a handler throws to the protocol's EngineError {code, message, file}: core's
// problem kinds to error codes in one table, the engine's own failures, Node system errors.

import { problemKind, type ProblemKind } from '../core/errors';
import type { EngineError, ErrorCode } from './protocol';

/** The protocol code of each kind of core problem. */
export const CODE_OF_KIND: Readonly<Record<ProblemKind, ErrorCode>> = Object.freeze({
  'bad-model': 'bad-model',
  'bad-dataset': 'bad-dataset',
  unsupported: 'unsupported',
  invalid: 'bad-request',
  'not-found': 'not-found',
  io: 'io',
  cancelled: 'cancelled',
});

/** An error a handler throws on purpose, with its protocol code. */
export class EngineFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  file?: unknown;
  path?: unknown;
}

function fileOf(e: ErrorLike): string | undefined {
  if (typeof e.file === 'string') return e.file;
  return undefined;
}

/** Converts a thrown value; `file` is the file the request was about, when known. */
export function toEngineError(thrown: unknown, file?: string): EngineError {
  const e = (typeof thrown === 'object' && thrown !== null ? thrown : { message: String(thrown) }) as ErrorLike;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(thrown);
  const withFile = (code: ErrorCode, f = fileOf(e) ?? file): EngineError => (f === undefined ? { code, message } : { code, message, file: f });
  if (e.name === 'EngineFailure') return withFile(e.code as ErrorCode);
  if (e.name === 'BadRequest') return { code: 'bad-request', message };
  const kind = problemKind(thrown);
  if (kind === 'cancelled') return { code: 'cancelled', message: 'cancelled' };
  if (kind === 'invalid') return { code: 'bad-request', message };
  if (kind !== undefined) return withFile(CODE_OF_KIND[kind]);
  // Node system errors.
  if (e.code === 'ENOENT') {
    const p = typeof e.path === 'string' ? e.path : file;
    const name = p ?? 'file';
    return { code: 'not-found', message: `${name}: no such file`, ...(p !== undefined ? { file: p } : {}) };
  }
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const p = typeof e.path === 'string' ? e.path : file;
    return { code: 'io', message, ...(p !== undefined ? { file: p } : {}) };
  }
  if (e.name === 'RangeError' && /allocation|Array buffer|memory/i.test(message)) {
    return withFile('io');
  }
  return { code: 'internal', message };
}
