// IPC channel names shared by main and the preload (a plain constant module: the preload bundles
// it into its single CommonJS file).

export const IPC = {
  /** invoke: () => string | null */
  showOpenModel: 'prunescope:show-open-model',
  /** invoke: () => string[] | null */
  showOpenDataset: 'prunescope:show-open-dataset',
  /** invoke: () => string | null (a folder of images, one subfolder per class) */
  showOpenDatasetFolder: 'prunescope:show-open-dataset-folder',
  /** invoke: (kind: SaveKind, suggestedName: string) => string | null */
  showSave: 'prunescope:show-save',
  /** invoke: () => string | null */
  showSaveFolder: 'prunescope:show-save-folder',
  /** invoke: (kind: SaveKind, suggestedName: string, data: string | Uint8Array) => string | null */
  saveFile: 'prunescope:save-file',
  /** invoke: (path: string) => string | null */
  acceptDrop: 'prunescope:accept-drop',
  /** send: (path: string | null) */
  modelOpened: 'prunescope:model-opened',
} as const;

/** main → renderer messages. */
export const TO_RENDERER = {
  /** webContents.postMessage with one transferred MessagePort. */
  enginePort: 'engine-port',
  engineStatus: 'prunescope:engine-status',
  openPath: 'prunescope:open-path',
  menu: 'prunescope:menu',
} as const;
