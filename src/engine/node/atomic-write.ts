// The one Node atomic writer (main, the Node engine platform and the CLI): the data goes to a
// temporary file beside the target, is fsynced, then renamed over the target, so a reader sees the
// old file or the complete new one. Before anything is written, the target is checked: it must not
// be one of the protected inputs (compared by identity: device and inode, whatever the spelling,
// symlink alias or hard link), nor a folder, device, FIFO or socket. A cancel signal is checked
// between pieces and just before the rename: once cancelled, the temporary file is removed and
// nothing is written. On any failure the temporary file is removed, the target is left as it was,
// and a WriteError naming the target is thrown. Temporary files that earlier processes of ours
// left behind (killed mid-write) are removed on the next write into the same folder.

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  promises as fsp,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** A whole buffer, or pieces written one after the other (for outputs too big for one string). */
export type AtomicData = string | Uint8Array | Iterable<string | Uint8Array>;

/** An input that an output must never replace: a path, or a path with what it is ("the dataset"). */
export type ProtectedFile = string | { path: string; what: string };

export interface AtomicOptions {
  /** Inputs never to write over (the model, its external data, datasets); default "the model". */
  protect?: readonly ProtectedFile[];
  /** When it reads cancelled before the rename, nothing is written (a WriteError of kind cancelled). */
  cancel?: { readonly cancelled: boolean };
}

/** Words for the file system's error codes. */
const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  EXDEV: 'cannot rename across file systems',
  EBUSY: 'file is busy',
};

/**
 * A failed or cancelled write: the message is "TARGET: what happened"; `code` is the errno code
 * when there is one. `kind` is core's problem kind ('io', or 'cancelled' when nothing was written
 * because of a cancel), read structurally (core/errors.ts problemKind): main bundles this file and
 * must stay a single file, so core's classes are not imported here.
 */
export class WriteError extends Error {
  readonly kind: 'io' | 'cancelled';
  readonly file: string;
  readonly code?: string;
  constructor(
    file: string,
    readonly detail: string,
    code?: string,
    kind: 'io' | 'cancelled' = 'io',
  ) {
    super(`${file}: ${detail}`);
    this.name = 'WriteError';
    this.file = file;
    this.kind = kind;
    if (code !== undefined) this.code = code;
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The file system's error as a WriteError naming `file` (other errors pass through). */
function asWriteError(e: unknown, file: string): unknown {
  if (e instanceof WriteError) return e;
  const code = errnoCode(e);
  if (code === undefined) return e;
  return new WriteError(file, ERRNO_WORDS[code] ?? (e as Error).message, code);
}

/** Names of our temporary files: `.NAME.PID.HEX8.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Paths are used as given, never normalized (path.join / resolve would drop `alias/..` where the
 * kernel follows the link): the temporary file goes in dirname(target), spelled as the user did.
 */
function beside(target: string, name: string): string {
  const dir = dirname(target);
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

export function tempPathFor(target: string): string {
  return beside(target, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True unless the process certainly does not exist (ESRCH); EPERM means it exists. */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) !== 'ESRCH';
  }
}

/** Folders already cleaned by this process (once per folder: a matrix dump writes thousands of files). */
const cleaned = new Set<string>();

/**
 * Removes temporary files of our naming in `dir` whose writer process is gone (killed mid-write):
 * regular files only, never one of a live process (this one included). Best effort, silent.
 */
export function removeStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    const full = join(dir, name);
    try {
      if (!lstatSync(full).isFile()) continue;
      rmSync(full, { force: true });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function cleanOnce(dir: string): void {
  let key = dir;
  try {
    key = realpathSync.native(dir);
  } catch {
    return; // a missing folder: the write fails anyway
  }
  if (cleaned.has(key)) return;
  cleaned.add(key);
  removeStaleTemps(key);
}

/** Forgets which folders were cleaned (tests). */
export function resetStaleTempCleaning(): void {
  cleaned.clear();
}

function statOrUndefined(path: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Where `target` is written: a symlink to an existing file is written through (the link stays). */
function destinationOf(target: string): string {
  const l = statOrUndefined(target, false);
  if (l?.isSymbolicLink()) {
    try {
      return realpathSync.native(target);
    } catch {
      return target; // a dangling link: the new file replaces the link
    }
  }
  return target;
}

function protectedPath(p: ProtectedFile): { path: string; what: string } {
  return typeof p === 'string' ? { path: p, what: 'the model' } : p;
}

/**
 * Throws a WriteError (naming `target`) unless `target` may be written: not a folder, device,
 * FIFO or socket, and not the same file (device + inode) as any protected input. Writes nothing.
 * Returns the path the data goes to (the target, or the file a symlink target points to).
 */
export function checkTarget(target: string, protect: readonly ProtectedFile[] = []): string {
  const dest = destinationOf(target);
  const st = statOrUndefined(dest);
  if (st === undefined) return dest; // a new file replaces nothing
  if (st.isDirectory()) throw new WriteError(target, 'is a directory', 'EISDIR');
  if (!st.isFile()) throw new WriteError(target, 'not a regular file (a device, FIFO or socket); choose a file');
  for (const p of protect.map(protectedPath)) {
    const ps = statOrUndefined(p.path);
    if (ps !== undefined && ps.dev === st.dev && ps.ino === st.ino) {
      throw new WriteError(target, `refusing to write over ${p.what} ${p.path}; choose another file`);
    }
  }
  return dest;
}

function pieces(data: AtomicData): Iterable<string | Uint8Array> {
  return typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
}

/** Text pieces are gathered up to this many characters before each write. */
const TEXT_BATCH = 1 << 22;

function throwIfCancelled(options: AtomicOptions, target: string): void {
  if (options.cancel?.cancelled) throw new WriteError(target, 'cancelled; nothing was written', undefined, 'cancelled');
}

/** Writes `data` to `target` atomically (see the top of this file). */
export async function writeAtomic(target: string, data: AtomicData, options: AtomicOptions = {}): Promise<void> {
  const dest = checkTarget(target, options.protect);
  throwIfCancelled(options, target);
  cleanOnce(dirname(dest));
  const temp = tempPathFor(dest);
  let handle: FileHandle;
  try {
    handle = await fsp.open(temp, 'wx', 0o644);
  } catch (e) {
    throw asWriteError(e, target);
  }
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
      throwIfCancelled(options, target);
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
    throwIfCancelled(options, target);
    await fsp.rename(temp, dest);
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw asWriteError(e, target);
  }
}

/** The same, blocking (main's small settings files and renderer-made saves). */
export function writeAtomicSync(target: string, data: string | Uint8Array, options: Pick<AtomicOptions, 'protect'> = {}): void {
  const dest = checkTarget(target, options.protect);
  cleanOnce(dirname(dest));
  const temp = tempPathFor(dest);
  let fd = -1;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, dest);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      rmSync(temp, { force: true });
    } catch {
      // the original error matters more
    }
    throw asWriteError(e, target);
  }
}

/**
 * True when both paths name the same file: the same device and inode when both exist (any
 * spelling, a symlinked folder alias, /proc/self/cwd, a hard link); when one does not exist yet,
 * the same place once the folders are resolved.
 */
export function sameFile(a: string, b: string): boolean {
  const sa = statOrUndefined(a);
  const sb = statOrUndefined(b);
  if (sa !== undefined && sb !== undefined) return sa.dev === sb.dev && sa.ino === sb.ino;
  return canonical(a) === canonical(b);
}

/** The path with its folder resolved by the file system (a missing folder: resolved as text). */
function canonical(p: string): string {
  try {
    return join(realpathSync.native(dirname(p)), basename(p));
  } catch {
    return resolve(p);
  }
}
