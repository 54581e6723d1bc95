// Node-only file access for the engine: loading a model (with its external data) and writing outputs.
import { closeSync, constants as fsConstants, fstatSync, openSync, promises as fsp, read, readSync, realpathSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import * as path from 'node:path';
import type { Model, Tensor } from '../../core/onnx/model';
import { OnnxError } from '../../core/onnx/errors';
import { decodeModel } from '../../core/onnx/decode';
import { checkExternalData, externalTensors, resolveExternalData, type ExternalFiles, type TensorBytes } from '../../core/onnx/external';
import { CancelledError, isCancelled } from '../../core/errors';
import { WriteError, writeAtomic, type AtomicData, type ProtectedFile } from './atomic-write';

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function ioError(e: unknown, fileName: string): OnnxError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new OnnxError('not-found', 'no such file', fileName);
  if (code === 'EISDIR') return new OnnxError('io', 'is a directory, not a model file', fileName);
  if (code === 'EACCES' || code === 'EPERM') return new OnnxError('io', 'permission denied', fileName);
  if (code === 'ENOTREG') return new OnnxError('io', `is ${(e as Error).message}`, fileName);
  return new OnnxError('io', `cannot read (${e instanceof Error ? e.message : String(e)})`, fileName);
}

/** Reads chunks of this many bytes (one system call each, off the event loop). */
const READ_CHUNK = 8 * 1024 * 1024;
const PAGE = 4096;

/** Reads one byte of every page in [from, to): maps the pages into this process. */
function touchPages(buf: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += PAGE) sum += buf[i];
  return sum;
}

/**
 * The whole file in one buffer of its size, read chunk by chunk on libuv's thread pool. While a
 * chunk is being read, the event loop touches one byte per page of the chunk before it: on the
 * test machines (a microVM) the first touch of pages a read() filled still costs 0.7–0.9 s per
 * 500 MB, which the statistics then paid; overlapped with the reads it costs 0.1–0.3 s (measured
 * with a 500 MB file: read 1.65–1.99 s, then a touch of every page 0.70–0.90 s; read in 8 MB chunks
 * with the touch overlapped 1.68–2.15 s, a touch after it 7–17 ms). Elsewhere the touch is just
 * cheap reads of memory that is already mapped. The buffer is a SharedArrayBuffer (see
 * parallel/stats-pool.ts).
 */
async function readWhole(filePath: string): Promise<Buffer> {
  // O_NONBLOCK: a FIFO given as the model must not wait for a writer (it is refused just below).
  const handle = await fsp.open(filePath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const e = new Error(`${fileKind(st)}, not a model file`) as NodeJS.ErrnoException;
      e.code = st.isDirectory() ? 'EISDIR' : 'ENOTREG';
      throw e;
    }
    const size = st.size;
    // Shared memory, so that worker threads can read the tensors where they are (statistics).
    const buf = Buffer.from(new SharedArrayBuffer(size));
    let at = 0;
    let touched = 0;
    while (at < size) {
      const reading = handle.read(buf, at, Math.min(READ_CHUNK, size - at), at);
      touchPages(buf, touched, at);
      touched = at;
      const { bytesRead } = await reading;
      if (bytesRead === 0) break; // the file shrank while being read
      at += bytesRead;
    }
    touchPages(buf, touched, at);
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    await handle.close();
  }
}

async function readModelBytes(filePath: string): Promise<{ model: Model; bytes: Uint8Array; fileName: string }> {
  const fileName = path.basename(filePath);
  let bytes: Uint8Array;
  try {
    bytes = asBytes(await readWhole(filePath));
  } catch (e) {
    throw ioError(e, fileName);
  }
  const model = decodeModel(bytes, fileName, { realignInPlace: true });
  rememberExternalFiles(filePath, model);
  return { model, bytes, fileName };
}

/**
 * Reads and decodes a model file, then reads its external data files (relative to its folder).
 * Tensors view the returned `bytes` (or the external files' bytes): nothing is copied, even raw
 * data a writer left unaligned, which is moved a few bytes down within `bytes` (so `bytes` holds
 * the file's size but no longer its exact content). Every failure is an OnnxError whose message
 * starts with the file's base name ("model.onnx: no such file").
 */
export async function loadModelFile(filePath: string): Promise<{ model: Model; bytes: Uint8Array; fileName: string }> {
  const loaded = await readModelBytes(filePath);
  if (externalTensors(loaded.model).length > 0) {
    const files = externalFiles(path.dirname(path.resolve(filePath)), loaded.fileName);
    try {
      resolveExternalData(loaded.model, files, loaded.fileName);
    } finally {
      files.close();
    }
  }
  return loaded;
}

/** Bytes read from external data files by this process (tests: opening reads none). */
let externalRead = 0;
export function externalBytesRead(): number {
  return externalRead;
}

const readAt = promisify(read);

/** Buffers kept for reuse by an open model's external reads. */
const POOL_BUFFERS = 4;

/**
 * The model file read and decoded, its external data left where it is: every external tensor's
 * file and range is checked (exists, a regular file inside the model's folder, long enough), and
 * `external` reads a tensor's bytes when asked (positioned reads of its range, the files kept open
 * until `external.close()`). Without external tensors, `external` is undefined.
 */
export async function openModelFile(filePath: string): Promise<{ model: Model; bytes: Uint8Array; fileName: string; external?: TensorBytes }> {
  const loaded = await readModelBytes(filePath);
  if (externalTensors(loaded.model).length === 0) return loaded;
  const { fileName } = loaded;
  const files = externalFiles(path.dirname(path.resolve(filePath)), fileName);
  try {
    checkExternalData(loaded.model, (location) => files.size(location), fileName);
  } catch (e) {
    files.close();
    throw e;
  }
  const rangeOf = (t: Tensor): { location: string; offset: number; length: number } => {
    const x = t.external;
    if (x === undefined) throw new OnnxError('external-missing', `tensor ${JSON.stringify(t.name)} is not stored externally`, fileName);
    const length = x.length ?? (files.size(x.location) ?? 0) - x.offset;
    return { location: x.location, offset: x.offset, length };
  };
  const readRange = async (location: string, offset: number, length: number): Promise<Uint8Array> => {
    const fd = files.fd(location);
    // Memory of its own: aligned, and shared so worker threads can read it (statistics).
    const out = allocate(length);
    let at = 0;
    while (at < length) {
      let n: number;
      try {
        n = (await readAt(fd, out, at, Math.min(READ_CHUNK, length - at), offset + at)).bytesRead;
      } catch (e) {
        throw new OnnxError('io', `cannot read external data file ${location} (${(e as Error).message})`, fileName);
      }
      if (n === 0) throw new OnnxError('external-range', `external data file ${location} ended at byte ${offset + at} while reading bytes ${offset}..${offset + length} (was it truncated?)`, fileName);
      at += n;
      externalRead += n;
    }
    return out;
  };
  // Buffers given back by release, reused by later reads (the smallest that fits).
  const pool: SharedArrayBuffer[] = [];
  const allocate = (length: number): Uint8Array => {
    let best = -1;
    for (let i = 0; i < pool.length; i++) if (pool[i].byteLength >= length && (best < 0 || pool[i].byteLength < pool[best].byteLength)) best = i;
    if (best < 0) return new Uint8Array(new SharedArrayBuffer(length));
    return new Uint8Array(pool.splice(best, 1)[0], 0, length);
  };
  const external: TensorBytes = {
    release: (data) => {
      const buffer = ArrayBuffer.isView(data) ? data.buffer : undefined;
      if (!(buffer instanceof SharedArrayBuffer) || pool.includes(buffer)) return;
      pool.push(buffer);
      // Keep the largest few.
      pool.sort((a, b) => b.byteLength - a.byteLength);
      pool.length = Math.min(pool.length, POOL_BUFFERS);
    },
    get totalBytes() {
      let sum = 0;
      for (const t of externalTensors(loaded.model)) sum += rangeOf(t).length;
      return sum;
    },
    storedBytes: (t) => rangeOf(t).length,
    read: (t) => {
      const r = rangeOf(t);
      return readRange(r.location, r.offset, r.length);
    },
    readChunk: (t, from, length) => {
      const r = rangeOf(t);
      if (from < 0 || from + length > r.length) throw new RangeError(`chunk ${from}..${from + length} outside tensor ${t.name} (${r.length} bytes)`);
      return readRange(r.location, r.offset + from, length);
    },
    close: async () => {
      pool.length = 0;
      files.close();
    },
  };
  return { ...loaded, external };
}

/** What kind of file a stat describes, for "is not a regular file" errors. */
function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The external data files of a model in `dir`: a location is resolved to its real path (links
 * followed) and must still be inside the real model folder; it must be a regular file (a device
 * such as /dev/zero would read without end, a FIFO would block); and only the declared byte range
 * is read, with positioned reads, so a file over 2 GiB is fine when the tensor needs a little of it.
 */
function externalFiles(dir: string, fileName: string): ExternalFiles & { close(): void; fd(location: string): number } {
  const fail = (location: string, why: string): never => {
    throw new OnnxError('bad-model', `external data file ${location} is refused (${why})`, fileName);
  };
  let realDir: string | undefined;
  const open = new Map<string, { fd: number; size: number }>();
  const get = (location: string): { fd: number; size: number } | undefined => {
    const known = open.get(location);
    if (known) return known;
    realDir ??= realpathSync(dir);
    let real: string;
    try {
      real = realpathSync(path.resolve(dir, location));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new OnnxError('io', `cannot read external data file ${location} (${(e as Error).message})`, fileName);
    }
    const rel = path.relative(realDir, real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) fail(location, "through a link, it leaves the model's folder");
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
      fd = openSync(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    } catch (e) {
      throw new OnnxError('io', `cannot read external data file ${location} (${(e as Error).message})`, fileName);
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      fail(location, `it is ${fileKind(st)}, not a regular file`);
    }
    const entry = { fd, size: st.size };
    open.set(location, entry);
    return entry;
  };
  return {
    close: () => {
      for (const { fd } of open.values()) closeSync(fd);
      open.clear();
    },
    size: (location) => get(location)?.size,
    fd: (location) => {
      const entry = get(location);
      if (entry === undefined) throw new OnnxError('external-missing', `external data file ${location} not found`, fileName);
      return entry.fd;
    },
    read: (location, offset, length) => {
      const { fd } = get(location)!;
      // Memory of its own for each tensor: aligned, and shared so worker threads can read it.
      const out = new Uint8Array(new SharedArrayBuffer(length));
      let at = 0;
      while (at < length) {
        const n = readSync(fd, out, at, Math.min(READ_CHUNK, length - at), offset + at);
        if (n === 0) throw new OnnxError('external-range', `external data file ${location} ended at byte ${offset + at} while reading bytes ${offset}..${offset + length}`, fileName);
        at += n;
      }
      return out;
    },
  };
}

export interface WriteOptions {
  /**
   * Inputs that must never be overwritten (the model that was opened, datasets). A model read by
   * loadModelFile brings its external-data files along. Compared by identity, not by spelling.
   */
  protect?: string | readonly ProtectedFile[];
  /** Checked until the rename: once cancelled, nothing is written (CancelledError). */
  cancel?: { readonly cancelled: boolean };
}

/** The external-data files of each model loadModelFile read (by the model's real path). */
const externalFilesOfModel = new Map<string, string[]>();

function realPath(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/** Remembers the external-data files of a model just read, to protect them with the model. */
function rememberExternalFiles(filePath: string, model: Model): void {
  const dir = path.dirname(path.resolve(filePath));
  const files = [...new Set(externalTensors(model).map((t) => path.resolve(dir, t.external!.location)))];
  if (files.length > 0) externalFilesOfModel.set(realPath(filePath), files);
  else externalFilesOfModel.delete(realPath(filePath));
}

/** The protected inputs, each model followed by its external-data files. */
export function withExternalFiles(protect: WriteOptions['protect']): ProtectedFile[] {
  if (protect === undefined) return [];
  const list: readonly ProtectedFile[] = typeof protect === 'string' ? [protect] : protect;
  const out: ProtectedFile[] = [];
  for (const p of list) {
    out.push(p);
    const isModel = typeof p === 'string' || p.what === 'the model';
    const modelPath = typeof p === 'string' ? p : p.path;
    if (isModel) for (const f of externalFilesOfModel.get(realPath(modelPath)) ?? []) out.push({ path: f, what: `the external data of ${modelPath}` });
  }
  return out;
}

/**
 * Writes `data` atomically (see atomic-write.ts) as an engine output: refuses, before writing
 * anything, to write over a protected input (or a folder, device or FIFO); stops without writing
 * when cancelled. Failures are OnnxError 'io' (or CancelledError) whose message starts with the
 * target as given: "out.onnx: no space left on device".
 */
export async function writeFileAtomic(target: string, data: AtomicData, options: WriteOptions = {}): Promise<void> {
  try {
    await writeAtomic(target, data, { protect: withExternalFiles(options.protect), cancel: options.cancel });
  } catch (e) {
    if (isCancelled(e)) throw new CancelledError(e instanceof Error ? e.message : 'cancelled');
    if (e instanceof WriteError) throw new OnnxError('io', e.detail, target);
    throw new OnnxError('io', `cannot write (${e instanceof Error ? e.message : String(e)})`, target);
  }
}
