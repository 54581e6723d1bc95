// Reading a file the user named as data: regular files only, and only the size they had when
// opened. A folder, a FIFO (whose open or read would block until a writer comes) or a device
// (/dev/zero never ends) is refused with an error whose `code` says which (EISDIR, ENOTREG).

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import type { Stats } from 'node:fs';

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

function failure(path: string, code: string, message: string): Error {
  return Object.assign(new Error(`${path}: ${message}`), { code, path });
}

/** The bytes of the regular file at `path` (opened without blocking, read up to its size at open). */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw failure(path, 'EISDIR', 'is a folder');
    if (!st.isFile()) throw failure(path, 'ENOTREG', `is not a regular file (${kindOf(st)})`);
    if (st.size > bufferConstants.MAX_LENGTH) throw failure(path, 'EFBIG', `is ${st.size} bytes, more than can be read at once`);
    const bytes = new Uint8Array(st.size);
    let done = 0;
    while (done < st.size) {
      const { bytesRead } = await fh.read(bytes, done, st.size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === st.size ? bytes : bytes.subarray(0, done);
  } finally {
    await fh.close();
  }
}
