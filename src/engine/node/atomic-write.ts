// The one Node atomic writer (main, the Node engine platform and the CLI): the data goes to a
// temporary file beside the target, is fsynced, then renamed over the target, so a reader sees the
// old file or the complete new one. On any failure the temporary file is removed, the target is
// left as it was, and the file system's error (with its errno code) is thrown.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, promises as fsp, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A whole buffer, or pieces written one after the other (for outputs too big for one string). */
export type AtomicData = string | Uint8Array | Iterable<string | Uint8Array>;

/** Text pieces are gathered up to this many characters before each write. */
const TEXT_BATCH = 1 << 22;

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function pieces(data: AtomicData): Iterable<string | Uint8Array> {
  return typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
}

/** Writes `data` to `target` atomically. */
export async function writeAtomic(target: string, data: AtomicData): Promise<void> {
  const full = resolve(target);
  const temp = tempPathFor(full);
  const handle = await fsp.open(temp, 'wx', 0o644);
  let closed = false;
  try {
    let text: string[] = [];
    let size = 0;
    const flushText = async (): Promise<void> => {
      if (text.length > 0) await handle.writeFile(text.join(''));
      text = [];
      size = 0;
    };
    for (const piece of pieces(data)) {
      if (typeof piece === 'string') {
        text.push(piece);
        size += piece.length;
        if (size >= TEXT_BATCH) await flushText();
      } else {
        await flushText();
        await handle.writeFile(piece);
      }
    }
    await flushText();
    await handle.sync();
    await handle.close();
    closed = true;
    await fsp.rename(temp, full);
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** The same, blocking (main's small settings files and renderer-made saves). */
export function writeAtomicSync(target: string, data: string | Uint8Array): void {
  const full = resolve(target);
  const temp = tempPathFor(full);
  let fd = -1;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, full);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      rmSync(temp, { force: true });
    } catch {
      // the original error matters more
    }
    throw e;
  }
}

/** True when both paths name the same file (the same path, or the same inode through a link). */
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
