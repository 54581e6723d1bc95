// Listing an image folder for the engine: its entries and those of its subfolders, one level down
// (deeper ones are reported as folders, for the layout check to name). Symbolic links are followed.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineFailure } from '../errors';

export interface ListedEntry {
  path: string;
  kind: 'file' | 'dir';
}

async function kindOf(full: string, dirent: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }): Promise<'file' | 'dir' | undefined> {
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isFile()) return 'file';
  if (dirent.isSymbolicLink()) {
    const s = await stat(full).catch(() => undefined);
    return s?.isDirectory() ? 'dir' : s?.isFile() ? 'file' : undefined;
  }
  return undefined;
}

/** Entries of `root` ("cat") and of each subfolder ("cat/1.png"); a path that is not a folder is refused naming it. */
export async function listFolder(root: string): Promise<ListedEntry[]> {
  const s = await stat(root);
  if (!s.isDirectory()) throw new EngineFailure('bad-dataset', `${root}: is a file, not a folder of images`, root);
  const out: ListedEntry[] = [];
  for (const d of await readdir(root, { withFileTypes: true })) {
    const kind = await kindOf(join(root, d.name), d);
    if (!kind) continue;
    out.push({ path: d.name, kind });
    if (kind !== 'dir' || d.name.startsWith('.')) continue;
    for (const e of await readdir(join(root, d.name), { withFileTypes: true })) {
      const k = await kindOf(join(root, d.name, e.name), e);
      if (k) out.push({ path: `${d.name}/${e.name}`, kind: k });
    }
  }
  return out;
}
