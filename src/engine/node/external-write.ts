// Node only: writing a model whose tensors go into one external data file beside it (the
// platform's externalWriter, used by stream-export.ts). The data file grows in a temporary file
// tensor by tensor (positioned writes, each tensor at a 64-byte aligned offset; one file of any
// size, offsets are int64 strings in the .onnx); commit syncs it, renames it into place, then
// writes the .onnx atomically. Nothing is left behind by abort or a failure.

import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OnnxError } from '../../core/onnx/errors';
import { CancelledError } from '../../core/errors';
import type { ExternalWriter, OutputOptions } from '../platform';
import { checkTarget, tempPathFor, WriteError } from './atomic-write';
import { withExternalFiles, writeFileAtomic } from './files';

/** Tensors start at multiples of this many bytes in the data file. */
const ALIGN = 64;

function asIoError(e: unknown, target: string): Error {
  if (e instanceof OnnxError || e instanceof CancelledError) return e;
  if (e instanceof WriteError) return new OnnxError('io', e.detail, e.file);
  return new OnnxError('io', `cannot write (${e instanceof Error ? e.message : String(e)})`, target);
}

/** The data file's name for a model written to `target`: "<model file name>.data". */
export function dataFileName(target: string): string {
  return `${basename(target)}.data`;
}

export async function nodeExternalWriter(target: string, options: OutputOptions = {}): Promise<ExternalWriter> {
  const location = dataFileName(target);
  const dataTarget = join(dirname(target), location);
  const protect = withExternalFiles(options.protect);
  let dataDest: string;
  let temp: string;
  let handle: FileHandle;
  try {
    checkTarget(target, protect);
    dataDest = checkTarget(dataTarget, protect);
    temp = tempPathFor(dataDest);
    handle = await fsp.open(temp, 'wx', 0o644);
  } catch (e) {
    throw asIoError(e, dataTarget);
  }
  let size = 0;
  let open = true;
  const closeAndRemove = async (): Promise<void> => {
    if (open) await handle.close().catch(() => undefined);
    open = false;
    await fsp.rm(temp, { force: true }).catch(() => undefined);
  };
  return {
    location,
    async append(bytes) {
      const offset = Math.ceil(size / ALIGN) * ALIGN;
      size = offset + bytes.byteLength; // reserved now: appends may overlap
      try {
        let at = 0;
        while (at < bytes.byteLength) {
          const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at, offset + at);
          at += bytesWritten;
        }
      } catch (e) {
        await closeAndRemove();
        throw asIoError(e, dataTarget);
      }
      return { offset, length: bytes.byteLength };
    },
    async commit(modelBytes) {
      try {
        if (options.cancel?.cancelled) throw new CancelledError('cancelled; nothing was written');
        await handle.sync();
        await handle.close();
        open = false;
        if (options.cancel?.cancelled) throw new CancelledError('cancelled; nothing was written');
        await fsp.rename(temp, dataDest);
      } catch (e) {
        await closeAndRemove();
        throw asIoError(e, dataTarget);
      }
      try {
        // The data is in place: the model follows without looking at cancel again.
        await writeFileAtomic(target, modelBytes, { protect: options.protect });
      } catch (e) {
        await fsp.rm(dataDest, { force: true }).catch(() => undefined);
        throw e;
      }
    },
    abort: closeAndRemove,
  };
}
