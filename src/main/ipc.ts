// The IPC handlers behind the preload API, with their dependencies injected (dialogs, grants,
// file writes), so they are tested without Electron. Each handler first checks that the sender
// is the main window's top frame on the app's page, then validates its arguments.

import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { basename, dirname, join } from 'node:path';
import { IPC } from '../shared/channels';
import type { SaveKind } from '../shared/api';
import {
  ensureSaveExtension,
  openDatasetDialogOptions,
  openDatasetFolderDialogOptions,
  openModelDialogOptions,
  saveDialogOptions,
  saveFolderDialogOptions,
} from './dialogs';
import { checkDroppedPath } from './drop';
import { sameFile } from '../engine/node/atomic-write';
import type { PathPolicy } from '../engine/path-policy';
import { saveUserFile } from './save';
import {
  IpcError,
  checkArgCount,
  validatePath,
  validateSaveData,
  validateSaveKind,
  validateSuggestedName,
  type FrameLike,
} from './validate';

export interface IpcEventLike {
  readonly senderFrame: FrameLike | null;
}

export interface IpcContext {
  /** Throws unless the event comes from the main window's top frame on the app's page. */
  checkSender(event: IpcEventLike): void;
  /** Shows an open dialog; the chosen paths, or null when cancelled. */
  showOpenDialog(options: OpenDialogOptions): Promise<string[] | null>;
  /** Shows a save dialog; the chosen path, or null when cancelled. */
  showSaveDialog(options: SaveDialogOptions): Promise<string | null>;
  grants: PathPolicy;
  /** The model file open in the renderer, if any (never overwritten by a save). */
  currentModel(): string | null;
  /** The renderer opened (a string: a path or a display name) or closed (null) a model. */
  modelOpened(path: string | null, granted: boolean): void;
  /** Override for tests: whether a path is a regular file. */
  isFile?: (path: string) => boolean;
}

type Handler = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;
type Listener = (event: IpcEventLike, ...args: unknown[]) => void;

const IDX_IMAGES = /^(.*)-images[-.]idx3-ubyte(\.gz)?$/i;

/** For an IDX images file, the labels file that conventionally sits beside it. */
export function labelsBeside(path: string): string | null {
  const m = IDX_IMAGES.exec(basename(path));
  return m ? join(dirname(path), `${m[1]}-labels-idx1-ubyte${m[2] ?? ''}`) : null;
}

export function createIpcHandlers(ctx: IpcContext): { handle: Record<string, Handler>; on: Record<string, Listener> } {
  let lastDir: string | undefined;
  const remember = (path: string): void => {
    lastDir = dirname(path);
  };
  /** Dataset files the user opened this session: never a save's target, like the open model. */
  const datasets = new Set<string>();
  /** Refuses a save over the open model or an opened dataset (by identity: aliases, hard links). */
  const checkNotInput = (path: string): void => {
    const model = ctx.currentModel();
    if (model && sameFile(path, model)) throw new IpcError(`${path}: refusing to overwrite the open model`);
    for (const d of datasets) if (sameFile(path, d)) throw new IpcError(`${path}: refusing to overwrite the dataset ${d}`);
  };
  /** The save dialog's choice with the kind's extension, never an input; null when cancelled. */
  const askSavePath = async (kind: SaveKind, name: string): Promise<string | null> => {
    const chosen = await ctx.showSaveDialog(saveDialogOptions(kind, name, lastDir));
    if (!chosen) return null;
    const path = ensureSaveExtension(chosen, kind);
    checkNotInput(path);
    return path;
  };

  const handle: Record<string, Handler> = {
    [IPC.showOpenModel]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 0, 'showOpenModel');
      const paths = await ctx.showOpenDialog(openModelDialogOptions(lastDir));
      if (!paths || paths.length === 0) return null;
      const [path] = ctx.grants.grant([paths[0]]);
      remember(path);
      return path;
    },

    [IPC.showOpenDataset]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 0, 'showOpenDataset');
      const paths = await ctx.showOpenDialog(openDatasetDialogOptions(lastDir));
      if (!paths || paths.length === 0) return null;
      const extra = paths.map(labelsBeside).filter((p): p is string => p !== null && !paths.includes(p));
      const granted = ctx.grants.grant(paths);
      if (extra.length > 0) ctx.grants.grant(extra);
      for (const p of [...paths, ...extra]) datasets.add(p);
      remember(granted[0]);
      return granted;
    },

    [IPC.showOpenDatasetFolder]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 0, 'showOpenDatasetFolder');
      const paths = await ctx.showOpenDialog(openDatasetFolderDialogOptions(lastDir));
      if (!paths || paths.length === 0) return null;
      const [granted] = ctx.grants.grant([paths[0]]);
      datasets.add(paths[0]);
      remember(granted);
      return granted;
    },

    [IPC.showSave]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 2, 'showSave');
      const kind = validateSaveKind(args[0]);
      const name = validateSuggestedName(args[1]);
      const path = await askSavePath(kind, name);
      if (!path) return null;
      const [granted] = ctx.grants.grant([path], true);
      remember(granted);
      return granted;
    },

    [IPC.showSaveFolder]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 0, 'showSaveFolder');
      const paths = await ctx.showOpenDialog(saveFolderDialogOptions(lastDir));
      if (!paths || paths.length === 0) return null;
      const [dir] = ctx.grants.grant([paths[0]], true);
      lastDir = dir;
      return dir;
    },

    [IPC.saveFile]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 3, 'saveFile');
      const kind = validateSaveKind(args[0]);
      const name = validateSuggestedName(args[1]);
      const data = validateSaveData(args[2]);
      const path = await askSavePath(kind, name);
      if (!path) return null;
      const model = ctx.currentModel();
      const written = saveUserFile(path, data, [...(model ? [model] : []), ...datasets]);
      remember(written);
      return written;
    },

    [IPC.acceptDrop]: async (event, ...args) => {
      ctx.checkSender(event);
      checkArgCount(args, 1, 'acceptDroppedFile');
      const verdict = checkDroppedPath(args[0], ctx.isFile);
      if (!verdict.ok) return null;
      const [path] = ctx.grants.grant([verdict.path]);
      remember(path);
      return path;
    },
  };

  const on: Record<string, Listener> = {
    [IPC.modelOpened]: (event, ...args) => {
      try {
        ctx.checkSender(event);
        checkArgCount(args, 1, 'modelOpened');
        const value = args[0];
        if (value === null) {
          ctx.modelOpened(null, false);
          return;
        }
        if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || value.includes('\0')) {
          throw new IpcError('modelOpened expects a path string or null');
        }
        let granted = false;
        try {
          granted = ctx.grants.allows(validatePath(value), false);
        } catch {
          granted = false; // a display name such as the sample's: open, but not a recent file
        }
        ctx.modelOpened(value, granted);
      } catch (err) {
        // A fire-and-forget message: refuse silently (logged), never throw into Electron.
        console.warn(`[prunescope] ${(err as Error).message}`);
      }
    },
  };

  return { handle, on };
}
