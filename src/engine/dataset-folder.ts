// Reading a folder of images (one subfolder per class) for a model: the layout is checked first,
// then the images are decoded one by one with progress (at least every 250 ms) and Cancel checked
// between them. Node lists and reads the folder (platform.listFolder); a browser sends the files.

import { decodeImage, ImageFolderBuilder, imageTarget, imageTargetFrom, planImageFolder, type Dataset, type FolderEntry } from '../core/data';
import { CancelledError } from '../core/errors';
import type { JobContext } from './context';
import { EngineFailure } from './errors';
import type { DatasetSource, ImageNormalization } from './protocol';

type FolderSource = Extract<DatasetSource, { kind: 'folder' | 'folderFiles' }>;

const ZERO_ONE: ImageNormalization = { kind: '0-1' };

/** The cache key of a folder source (without the model's input size, which the caller adds). */
export function folderKey(source: FolderSource, fingerprint: (b: ArrayBuffer) => string): string {
  const norm = JSON.stringify(source.normalize ?? ZERO_ONE);
  if (source.kind === 'folder') return `folder:${source.path}\n${norm}`;
  return `folderFiles:${source.root}\n${norm}\n${source.files.map((f) => `${f.name}=${fingerprint(f.bytes)}`).join('\n')}`;
}

/** Files picked in a browser: "root/class/a.png" (webkitRelativePath) or "class/a.png", as folder entries below the root. */
function pickedEntries(source: Extract<FolderSource, { kind: 'folderFiles' }>): { entries: FolderEntry[]; bytes: Map<string, ArrayBuffer> } {
  const prefix = `${source.root}/`;
  const bytes = new Map<string, ArrayBuffer>();
  const dirs = new Set<string>();
  const entries: FolderEntry[] = [];
  for (const f of source.files) {
    const path = f.name.startsWith(prefix) ? f.name.slice(prefix.length) : f.name;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) {
        dirs.add(dir);
        entries.push({ path: dir, kind: 'dir' });
      }
    }
    entries.push({ path, kind: 'file' });
    bytes.set(path, f.bytes);
  }
  return { entries, bytes };
}

export async function loadImageFolder(ctx: JobContext, source: FolderSource, input: { dims: (number | string | null)[]; name?: string }): Promise<Dataset> {
  const root = source.kind === 'folder' ? source.path : source.root;
  let target = imageTarget(input, root);
  let entries: FolderEntry[];
  let read: (path: string) => Promise<Uint8Array>;
  if (source.kind === 'folder') {
    const list = ctx.platform.listFolder;
    if (!list) throw new EngineFailure('bad-request', `${root}: this engine cannot read folders; pick the folder's files`, root);
    entries = await list(root);
    const join = (p: string): string => ctx.platform.joinPath?.(root, p) ?? `${root}/${p}`;
    read = (p) => ctx.platform.readFile(join(p));
  } else {
    const picked = pickedEntries(source);
    entries = picked.entries;
    read = async (p) => new Uint8Array(picked.bytes.get(p) as ArrayBuffer);
  }
  const plan = planImageFolder(root, entries);
  let sizeNote: string | undefined;
  if (target.height === 0 || target.width === 0) {
    // The model takes any size: the first image's, every image brought to it.
    const first = plan.items[0].path;
    target = imageTargetFrom(target, decodeImage(`${root}/${first}`, await read(first)));
    sizeNote = `the size of ${first}: the model input takes any`;
  }
  const builder = new ImageFolderBuilder(plan, target, source.normalize ?? ZERO_ONE, sizeNote);
  const total = plan.items.length;
  let last = ctx.platform.now();
  ctx.progress({ done: 0, total, message: `reading ${total} images from ${root}` });
  for (let i = 0; i < total; i++) {
    if (ctx.cancel.cancelled) throw new CancelledError();
    builder.add(i, await read(plan.items[i].path));
    const now = ctx.platform.now();
    if (now - last >= 100) {
      last = now;
      ctx.progress({ done: i + 1, total, message: `read ${i + 1} of ${total} images` });
      await ctx.yieldNow();
    }
  }
  ctx.progress({ done: total, total, message: `read ${total} images` });
  return builder.dataset();
}
