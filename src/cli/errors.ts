// One line for any failure: user-facing ones (bad files, bad options, any core problem of a known
// kind) exit 2, a cancel exits 130, bugs exit 1.
import { problemKind } from '../core/errors';
import { CliError } from './command';

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The message and exit code for a thrown value. */
export function errorLine(e: unknown): { line: string; code: number } {
  if (e instanceof CliError) return { line: oneLine(e.message), code: e.exitCode };
  const kind = problemKind(e);
  if (kind === 'cancelled') return { line: 'cancelled', code: 130 };
  if (kind !== undefined && e instanceof Error) return { line: oneLine(e.message), code: 2 };
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && typeof err === 'object' && typeof err.code === 'string' && ERRNO[err.code]) {
    return { line: `${err.path ?? 'file'}: ${ERRNO[err.code]}`, code: 2 };
  }
  // Errors carrying an engine error code (see engine/client.ts) are user-facing too.
  const engineCode = (e as { code?: unknown } | undefined)?.code;
  if (e instanceof Error && typeof engineCode === 'string' && engineCode !== 'internal') return { line: oneLine(e.message), code: 2 };
  return { line: `internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`, code: 1 };
}
