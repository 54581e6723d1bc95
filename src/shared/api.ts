// The typed API the preload exposes to the renderer as `window.prunescope` (desktop only).
// The browser build has no such object: its renderer talks to a Web Worker engine instead.
// Types only.

import type { Request, Response, ReadyMessage } from '../engine/protocol';

/** The engine messages the preload passes through (the preload imports only electron and src/shared). */
export type { Request, Response, ReadyMessage };

/**
 * Commands the native menu (or a keyboard accelerator handled by main) sends to the renderer: the one
 * list, which the preload also passes through (a command missing here is a type error in the menu).
 */
export const MENU_COMMANDS = [
  'open',
  'open-sample',
  'close',
  'export-model',
  'export-model-sparse',
  'export-json',
  'export-matrices',
  'export-histograms',
  'export-graph-svg',
  'export-graph-png',
  'export-sweep-csv',
  'zoom-in',
  'zoom-out',
  'zoom-fit',
  'find',
  'toggle-sidebar',
  'theme-light',
  'theme-dark',
  'shortcuts',
  'about',
  'export-report',
  'compare-with',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** Engine life-cycle notices from main. */
export type EngineStatus =
  | { type: 'engine-ready' }
  | { type: 'engine-died'; reason: string; restarting: boolean };

/** Kinds of file a save dialog is for (main picks the filters and default extension). */
export type SaveKind = 'onnx' | 'json' | 'csv' | 'png' | 'svg' | 'txt' | 'html';

export interface DesktopApi {
  readonly platform: 'desktop';
  /** Messages to and from the engine utility process, over a direct MessagePort. */
  readonly engine: {
    post(request: Request): void;
    onMessage(listener: (message: Response | ReadyMessage) => void): () => void;
  };
  onEngineStatus(listener: (status: EngineStatus) => void): () => void;
  /** Shows File › Open; the chosen path is allowed on the engine. null when cancelled. */
  showOpenModel(): Promise<string | null>;
  /** Shows an open dialog for dataset files (IDX pair, a text file, an .npy pair or an .npz). */
  showOpenDataset(): Promise<string[] | null>;
  /** Shows a folder picker for a folder of images (one subfolder per class); the folder is allowed on the engine. */
  showOpenDatasetFolder(): Promise<string | null>;
  /** Shows a save dialog; the path is allowed on the engine for writing. */
  showSave(kind: SaveKind, suggestedName: string): Promise<string | null>;
  /** Shows a folder picker for matrix dumps. */
  showSaveFolder(): Promise<string | null>;
  /** Saves bytes the renderer made (PNG, SVG, CSV) through a save dialog; main writes atomically. */
  saveFile(kind: SaveKind, suggestedName: string, data: string | Uint8Array): Promise<string | null>;
  /** For a file dropped on the window: its path, allowed on the engine, or null if not acceptable. */
  acceptDroppedFile(file: File): Promise<string | null>;
  /** Paths to open that come from main: the command line, a second instance, Open Recent. */
  onOpenPath(listener: (path: string) => void): () => void;
  onMenu(listener: (command: MenuCommand) => void): () => void;
  /**
   * Tells main whether a model is open (menu items that need one), and records it as recent.
   * Pass the model's path, or for a model without one (the sample, bytes) its file name; null
   * only when no model is open. Only paths main granted (dialog, drop, command line) become recent.
   */
  modelOpened(path: string | null): void;
}
