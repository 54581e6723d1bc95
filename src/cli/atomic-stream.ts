// Atomic file writes from a sequence of text pieces (for outputs too big for one string): a
// temporary file beside the target, fsync, rename; the temporary file is removed on any failure.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** Writes the concatenation of `pieces` to `target` atomically. */
export async function writeTextAtomic(target: string, pieces: Iterable<string>): Promise<void> {
  const full = path.resolve(target);
  const tmp = path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(tmp, 'wx', 0o644);
  let closed = false;
  try {
    let buffered: string[] = [];
    let size = 0;
    for (const piece of pieces) {
      buffered.push(piece);
      size += piece.length;
      if (size >= 1 << 22) {
        await handle.write(buffered.join(''));
        buffered = [];
        size = 0;
      }
    }
    if (buffered.length > 0) await handle.write(buffered.join(''));
    await handle.sync();
    await handle.close();
    closed = true;
    await fsp.rename(tmp, full);
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
