// Atomic file writes for main: a temporary file beside the target, then a rename, so a reader
// never sees half a file and a failure leaves the old file (or nothing) in place.

import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const temp = tempPathFor(target);
  let fd = -1;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, target);
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw err;
  }
}

/** True when both paths name the same file (same path, or the same inode through a link). */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

export class SaveError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SaveError';
  }
}

/**
 * Writes renderer-made bytes (PNG, SVG, CSV…) to a path the user chose, atomically, and never
 * over a model that is open (`protectedPaths`).
 */
export function saveUserFile(target: string, data: string | Uint8Array, protectedPaths: readonly string[]): string {
  const full = resolve(target);
  for (const p of protectedPaths) {
    if (sameFile(full, p)) throw new SaveError(full, 'refusing to overwrite the open model');
  }
  try {
    writeFileAtomicSync(full, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SaveError(full, `could not be written (${code ?? (err as Error).message})`);
  }
  return full;
}
