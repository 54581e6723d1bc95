// Picks the engine and the platform services for the UI. Desktop: the preload API
// (`window.prunescope`): engine over a MessagePort, native dialogs, files written by main.
// Browser: the engine in a module Web Worker, <input type=file> to pick files, downloads to save.
// The rest of the UI talks only to the `Platform` interface below.

import type { DatasetSource, Progress, PruneSpec, Request, Source } from '../engine/protocol';

/** A report request as the UI builds it (the platform adds the id and, on the desktop, the path). */
export type ReportBody = Omit<Extract<Request, { type: 'report' }>, 'id' | 'path'>;
import type { DesktopApi, EngineStatus, MenuCommand, SaveKind } from '../shared/api';
import { EngineClient } from '../engine/client';
import { desktopClient } from './desktop-client';

export interface Platform {
  readonly kind: 'desktop' | 'browser';
  readonly client: EngineClient;
  /** Asks the user for a model; the choice arrives through onOpenSource. */
  requestOpenModel(): void;
  /** Asks the user for a folder holding a model and its external data files (browser build only). */
  requestOpenModelFolder?(): void;
  /** Models to open that arrive from outside the UI: the picker, main's command line / recent list. */
  onOpenSource(listener: (source: Source, label: string) => void): void;
  /** A file dropped on the window, as a Source the engine can open (null if refused). */
  sourceForDroppedFile(file: File): Promise<Source | null>;
  /** Dataset files picked by the user (IDX pair, a text file, an .npy pair or an .npz); null when cancelled. */
  pickDataset(): Promise<{ source: DatasetSource; label: string } | null>;
  /**
   * A folder of images (one subfolder per class) picked by the user: a path the engine reads
   * (desktop) or the folder's files (browser); no normalisation set yet. null when cancelled.
   */
  pickDatasetFolder(): Promise<{ source: Extract<DatasetSource, { kind: 'folder' | 'folderFiles' }>; label: string } | null>;
  /** Exports the pruned model; resolves to where it went (a path or a file name), null if cancelled. */
  exportModel(modelId: number, spec: PruneSpec, format: 'dense' | 'sparse', name: string): Promise<string | null>;
  exportJson(modelId: number, name: string): Promise<string | null>;
  /** Every initializer as a text matrix (desktop: into a folder; browser: one download per tensor). */
  exportMatrices(modelId: number, tensors: string[], spec: PruneSpec | undefined): Promise<string | null>;
  /** Writes a report of `body.modelId` (desktop: where the user picks; browser: a download); `started` gets the request id (for Cancel). */
  exportReport(body: ReportBody, name: string, onProgress: (p: Progress) => void, started: (id: number) => void): Promise<string | null>;
  /** Saves bytes the renderer made (CSV, PNG, SVG, a dump). */
  saveFile(kind: SaveKind, name: string, data: string | Uint8Array | Blob): Promise<string | null>;
  onMenu(listener: (command: MenuCommand) => void): void;
  onEngineStatus(listener: (status: EngineStatus) => void): void;
  /** Tells main a model is (or is no longer) open. */
  modelOpened(path: string | null): void;
  // issue 16: compare
  /** A second model to compare with the open one (desktop: File › Open's dialog and grant); null when cancelled. */
  pickCompareModel(): Promise<{ source: Source; label: string } | null>;
}

declare global {
  interface Window {
    prunescope?: DesktopApi;
  }
}

export function createPlatform(): Platform {
  const api = window.prunescope;
  return api ? desktopPlatform(api) : browserPlatform();
}

function desktopPlatform(api: DesktopApi): Platform {
  const client = desktopClient(api);
  const openListeners: ((source: Source, label: string) => void)[] = [];
  const emitOpen = (path: string): void => {
    for (const listener of openListeners) listener({ kind: 'path', path }, baseName(path));
  };
  api.onOpenPath(emitOpen);
  return {
    kind: 'desktop',
    client,
    requestOpenModel: () => {
      void api.showOpenModel().then((path) => {
        if (path) emitOpen(path);
      });
    },
    onOpenSource: (listener) => {
      openListeners.push(listener);
    },
    sourceForDroppedFile: async (file) => {
      const path = await api.acceptDroppedFile(file);
      return path ? { kind: 'path', path } : null;
    },
    pickDataset: async () => {
      const paths = await api.showOpenDataset();
      if (!paths || paths.length === 0) return null;
      return { source: { kind: 'paths', paths }, label: paths.map(baseName).join(', ') };
    },
    pickDatasetFolder: async () => {
      const path = await api.showOpenDatasetFolder();
      return path ? { source: { kind: 'folder', path }, label: baseName(path) } : null;
    },
    exportModel: async (modelId, spec, format, name) => {
      const path = await api.showSave('onnx', name);
      if (!path) return null;
      await client.call({ type: 'export', modelId, spec, format, path });
      return path;
    },
    exportJson: async (modelId, name) => {
      const path = await api.showSave('json', name);
      if (!path) return null;
      await client.call({ type: 'dumpJson', modelId, path });
      return path;
    },
    exportMatrices: async (modelId, _tensors, spec) => {
      const dir = await api.showSaveFolder();
      if (!dir) return null;
      const result = await client.call({ type: 'dumpMatrices', modelId, dir, spec });
      return `${result.files.length} files in ${result.dir}`;
    },
    exportReport: async (body, name, onProgress, started) => {
      const path = await api.showSave('html', name);
      if (!path) return null;
      const pending = client.request({ ...body, path }, { onProgress });
      started(pending.id);
      await pending.promise;
      return path;
    },
    saveFile: async (kind, name, data) => {
      const payload = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
      return api.saveFile(kind, name, payload);
    },
    onMenu: (listener) => {
      api.onMenu(listener);
    },
    onEngineStatus: (listener) => {
      api.onEngineStatus(listener);
    },
    modelOpened: (path) => api.modelOpened(path),
    pickCompareModel: async () => {
      const path = await api.showOpenModel();
      return path ? { source: { kind: 'path', path }, label: baseName(path) } : null;
    },
  };
}

function browserPlatform(): Platform {
  const worker = new Worker(new URL('../engine/browser/worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  const client = new EngineClient({
    post: (request) => worker.postMessage(request, transferables(request)),
    onMessage: (listener) => {
      worker.addEventListener('message', (event: MessageEvent) => listener(event.data));
    },
  });
  const statusListeners: ((status: EngineStatus) => void)[] = [];
  worker.addEventListener('error', (event) => {
    const reason = event.message || 'the engine worker failed to start';
    client.linkClosed(`The engine stopped: ${reason}`);
    for (const listener of statusListeners) listener({ type: 'engine-died', reason, restarting: false });
  });
  client.onReady(() => {
    for (const listener of statusListeners) listener({ type: 'engine-ready' });
  });

  const openListeners: ((source: Source, label: string) => void)[] = [];
  // The .onnx alone, or with its external data files (several files, or a folder: pickedModel).
  const modelInput = fileInput('open-model-input', '.onnx,.data,.bin,.onnx_data,application/octet-stream', true);
  const modelFolderInput = fileInput('open-model-folder-input', '', true);
  modelFolderInput.webkitdirectory = true;
  for (const input of [modelInput, modelFolderInput]) {
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      input.value = '';
      const picked = pickedModel(files);
      if (!picked) return;
      void picked.source.then((source) => {
        for (const listener of openListeners) listener(source, picked.label);
      });
    });
  }
  const datasetInput = fileInput('open-dataset-input', '', true);
  const folderInput = fileInput('open-dataset-folder-input', '', true);
  folderInput.webkitdirectory = true;
  const compareInput = fileInput('compare-model-input', '.onnx,application/octet-stream', false);

  return {
    kind: 'browser',
    client,
    requestOpenModel: () => modelInput.click(),
    requestOpenModelFolder: () => modelFolderInput.click(),
    onOpenSource: (listener) => {
      openListeners.push(listener);
    },
    sourceForDroppedFile: (file) => fileSource(file),
    pickDataset: () =>
      new Promise((resolve) => {
        const done = (): void => {
          datasetInput.removeEventListener('change', done);
          datasetInput.removeEventListener('cancel', cancel);
          const files = [...(datasetInput.files ?? [])];
          datasetInput.value = '';
          if (files.length === 0) return resolve(null);
          void Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() }))).then((list) =>
            resolve({ source: { kind: 'bytes', files: list }, label: files.map((f) => f.name).join(', ') }),
          );
        };
        const cancel = (): void => {
          datasetInput.removeEventListener('change', done);
          datasetInput.removeEventListener('cancel', cancel);
          resolve(null);
        };
        datasetInput.addEventListener('change', done);
        datasetInput.addEventListener('cancel', cancel);
        datasetInput.click();
      }),
    pickDatasetFolder: () =>
      new Promise((resolve) => {
        const finish = (): void => {
          folderInput.removeEventListener('change', finish);
          folderInput.removeEventListener('cancel', finish);
          const files = [...(folderInput.files ?? [])];
          folderInput.value = '';
          if (files.length === 0) return resolve(null);
          const root = (files[0].webkitRelativePath || files[0].name).split('/')[0];
          void Promise.all(files.map(async (f) => ({ name: f.webkitRelativePath || f.name, bytes: await f.arrayBuffer() }))).then((list) =>
            resolve({ source: { kind: 'folderFiles', root, files: list }, label: root }),
          );
        };
        folderInput.addEventListener('change', finish);
        folderInput.addEventListener('cancel', finish);
        folderInput.click();
      }),
    exportModel: async (modelId, spec, format, name) => {
      const result = await client.call({ type: 'export', modelId, spec, format });
      if (!result.bytes) throw new Error('The engine returned no bytes for the export.');
      download(name, new Blob([result.bytes], { type: 'application/octet-stream' }));
      return name;
    },
    exportJson: async (modelId, name) => {
      const result = await client.call({ type: 'dumpJson', modelId });
      download(name, new Blob([result.text ?? ''], { type: 'application/json' }));
      return name;
    },
    exportMatrices: async (modelId, tensors, spec) => {
      for (const tensor of tensors) {
        const result = await client.call({ type: 'dumpMatrix', modelId, tensor, spec });
        download(`${safeName(tensor)}_matrix.txt`, new Blob([result.text], { type: 'text/plain' }));
      }
      return `${tensors.length} files`;
    },
    exportReport: async (body, name, onProgress, started) => {
      const pending = client.request(body, { onProgress });
      started(pending.id);
      const result = await pending.promise;
      download(name, new Blob([result.html ?? ''], { type: 'text/html' }));
      return name;
    },
    saveFile: async (_kind, name, data) => {
      const blob = data instanceof Blob ? data : new Blob([typeof data === 'string' ? data : new Uint8Array(data)]);
      download(name, blob);
      return name;
    },
    onMenu: () => undefined,
    onEngineStatus: (listener) => {
      statusListeners.push(listener);
    },
    modelOpened: () => undefined,
    pickCompareModel: () =>
      new Promise((resolve) => {
        const finish = (): void => {
          compareInput.removeEventListener('change', finish);
          compareInput.removeEventListener('cancel', finish);
          const file = compareInput.files?.[0];
          compareInput.value = '';
          if (!file) return resolve(null);
          void fileSource(file).then((source) => resolve({ source, label: file.name }));
        };
        compareInput.addEventListener('change', finish);
        compareInput.addEventListener('cancel', finish);
        compareInput.click();
      }),
  };
}

/** Within one process an ArrayBuffer can move to the worker without a copy. */
function transferables(request: Request): Transferable[] {
  if (request.type === 'open' && request.source.kind === 'bytes') return [request.source.bytes];
  // A dataset picked once is sent with every evaluation: it is copied, never transferred.
  return [];
}

function fileInput(id: string, accept: string, multiple: boolean): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'file';
  input.id = id;
  input.accept = accept;
  input.multiple = multiple;
  input.hidden = true;
  document.body.append(input);
  return input;
}

async function fileSource(file: File): Promise<Source> {
  return { kind: 'bytes', name: file.name, bytes: await file.arrayBuffer() };
}

/**
 * The model among picked files (the first .onnx; else the only file) with the others as its
 * external data, each named by its path within a picked folder; they stay File objects (the engine
 * slices what it needs). null when nothing was picked.
 */
export function pickedModel(files: readonly File[]): { source: Promise<Source>; label: string } | null {
  const pathOf = (f: File): string => f.webkitRelativePath || f.name;
  const model = files.find((f) => /\.onnx$/i.test(f.name)) ?? files[0];
  if (!model) return null;
  const dataFiles = files.filter((f) => f !== model).map((f) => ({ name: pathOf(f), file: f as Blob }));
  const source = model.arrayBuffer().then((bytes): Source => ({ kind: 'bytes', name: pathOf(model), bytes, ...(dataFiles.length > 0 ? { dataFiles } : {}) }));
  return { source, label: model.name };
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'tensor';
}
