// Pure checks for everything that arrives over IPC from the renderer: who sent it, and whether
// its arguments have the right types and sizes. A failed check throws IpcError; handlers never
// act on unchecked input.

import type { SaveKind } from '../shared/api';

export class IpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpcError';
  }
}

export const SAVE_KINDS: readonly SaveKind[] = ['onnx', 'json', 'csv', 'png', 'svg', 'txt', 'html'];

/** Largest renderer-made file main accepts through saveFile (PNG of a big graph, CSV…). */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024;
const MAX_NAME = 255;
const MAX_PATH = 4096;

/** The part of Electron's WebFrameMain the sender check needs. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** A file URL's path with escapes decoded (Electron's loadFile and pathToFileURL escape differently). */
function decodedPath(u: URL): string | null {
  try {
    return decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
}

/**
 * True when `url` is the app's own page: the same file (file://, query and hash ignored) or the
 * same origin as the dev server (http://localhost:5173/…).
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') {
    return u.protocol === 'file:' && u.host === app.host && decodedPath(u) === decodedPath(app);
  }
  if (app.protocol === 'http:' || app.protocol === 'https:') return u.origin === app.origin;
  return false;
}

/** The sender of an IPC message must be the main window's top frame showing the app's page. */
export function checkSender(
  frame: FrameLike | null | undefined,
  mainFrame: FrameLike | null | undefined,
  appUrl: string,
): void {
  if (!frame || !mainFrame) throw new IpcError('IPC from an unknown frame refused');
  if (frame !== mainFrame || frame.parent !== null) throw new IpcError('IPC from a frame other than the main window refused');
  if (!isAppUrl(frame.url, appUrl)) throw new IpcError(`IPC from ${frame.url || 'an unknown page'} refused`);
}

export function validateSaveKind(value: unknown): SaveKind {
  if (typeof value !== 'string' || !(SAVE_KINDS as readonly string[]).includes(value)) {
    throw new IpcError(`save kind must be one of ${SAVE_KINDS.join(', ')}`);
  }
  return value as SaveKind;
}

/**
 * A suggested file name for a save dialog: a string; only its last path component is kept,
 * control characters and characters that are invalid on Windows become '_'. Empty → 'untitled'.
 */
export function validateSuggestedName(value: unknown): string {
  if (typeof value !== 'string') throw new IpcError('suggested name must be a string');
  if (value.length > 4 * MAX_NAME) throw new IpcError('suggested name is too long');
  const last = value.split(/[\\/]/).pop() ?? '';
  let name = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  if (name === '.' || name === '..') name = '';
  name = name.replace(/^\.+/, '');
  if (name.length > MAX_NAME) name = name.slice(0, MAX_NAME);
  return name.length > 0 ? name : 'untitled';
}

export function validateSaveData(value: unknown): string | Uint8Array {
  if (typeof value === 'string') {
    if (value.length > MAX_SAVE_BYTES) throw new IpcError('data to save is too large');
    return value;
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength > MAX_SAVE_BYTES) throw new IpcError('data to save is too large');
    return value;
  }
  throw new IpcError('data to save must be a string or a Uint8Array');
}

/** An absolute path string (the renderer only ever passes paths main gave it). */
export function validatePath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new IpcError('path must be a non-empty string');
  if (value.length > MAX_PATH) throw new IpcError('path is too long');
  if (value.includes('\0')) throw new IpcError('path contains a NUL character');
  if (!(value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\\\'))) {
    throw new IpcError('path must be absolute');
  }
  return value;
}

export function validateOptionalPath(value: unknown): string | null {
  return value === null ? null : validatePath(value);
}

/** Checks that a handler got exactly `count` arguments. */
export function checkArgCount(args: readonly unknown[], count: number, channel: string): void {
  if (args.length !== count) throw new IpcError(`${channel} expects ${count} argument(s), got ${args.length}`);
}
