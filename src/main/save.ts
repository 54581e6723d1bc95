// Saving renderer-made bytes (PNG, SVG, CSV…) where the user chose, with the one Node atomic
// writer (engine/node/atomic-write.ts), never over a model that is open.

import { resolve } from 'node:path';
import { sameFile, WriteError, writeAtomicSync } from '../engine/node/atomic-write';

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
 * Writes `data` to `target` atomically, and never over a model that is open (`protectedPaths`,
 * compared by identity: any spelling, a symlinked folder alias, a hard link), a folder or a device.
 * Returns the full path written.
 */
export function saveUserFile(target: string, data: string | Uint8Array, protectedPaths: readonly string[]): string {
  const full = resolve(target);
  for (const p of protectedPaths) {
    if (sameFile(full, p)) throw new SaveError(full, 'refusing to overwrite the open model');
  }
  try {
    writeAtomicSync(full, data, { protect: protectedPaths.map((path) => ({ path, what: 'the open model' })) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof WriteError && code === undefined) throw new SaveError(full, err.detail);
    throw new SaveError(full, `could not be written (${code ?? (err as Error).message})`);
  }
  return full;
}
