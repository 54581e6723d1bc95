// Whether a path the renderer got from a dropped file (webUtils.getPathForFile) may be opened:
// an absolute path to an existing regular file named *.onnx.

import { statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';

export type DropVerdict = { ok: true; path: string } | { ok: false; reason: string };

export function checkDroppedPath(
  path: unknown,
  isFile: (path: string) => boolean = (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
): DropVerdict {
  if (typeof path !== 'string' || path.length === 0) return { ok: false, reason: 'not a file on disk' };
  if (path.includes('\0') || !isAbsolute(path)) return { ok: false, reason: `${path}: not an absolute path` };
  const full = resolve(path);
  if (extname(full).toLowerCase() !== '.onnx') return { ok: false, reason: `${full}: not an .onnx file` };
  if (!isFile(full)) return { ok: false, reason: `${full}: no such file` };
  return { ok: true, path: full };
}
