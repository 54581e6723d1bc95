// Options for the native file dialogs, per kind of file (pure; main passes them to `dialog`).

import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { SaveKind } from '../shared/api';
import { extname, join } from 'node:path';

const FILTERS: Record<SaveKind, { name: string; extensions: string[] }> = {
  onnx: { name: 'ONNX model', extensions: ['onnx'] },
  json: { name: 'JSON', extensions: ['json'] },
  csv: { name: 'CSV', extensions: ['csv'] },
  png: { name: 'PNG image', extensions: ['png'] },
  svg: { name: 'SVG image', extensions: ['svg'] },
  txt: { name: 'Text', extensions: ['txt'] },
  html: { name: 'HTML report', extensions: ['html'] },
};

export function openModelDialogOptions(defaultPath?: string): OpenDialogOptions {
  return {
    title: 'Open ONNX Model',
    properties: ['openFile'],
    filters: [FILTERS.onnx, { name: 'All files', extensions: ['*'] }],
    ...(defaultPath ? { defaultPath } : {}),
  };
}

export function openDatasetDialogOptions(defaultPath?: string): OpenDialogOptions {
  return {
    title: 'Open Test Set (IDX images + labels, a text file, .npy samples + labels, or one .npz)',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Datasets', extensions: ['gz', 'idx3-ubyte', 'idx1-ubyte', 'ubyte', 'txt', 'csv', 'npy', 'npz'] },
      { name: 'All files', extensions: ['*'] },
    ],
    ...(defaultPath ? { defaultPath } : {}),
  };
}

export function openDatasetFolderDialogOptions(defaultPath?: string): OpenDialogOptions {
  return {
    title: 'Open a Folder of Images (one subfolder per class)',
    properties: ['openDirectory'],
    ...(defaultPath ? { defaultPath } : {}),
  };
}

export function saveFolderDialogOptions(defaultPath?: string): OpenDialogOptions {
  return {
    title: 'Choose a Folder for the Matrices',
    properties: ['openDirectory', 'createDirectory'],
    ...(defaultPath ? { defaultPath } : {}),
  };
}

/** The suggested name with the kind's extension. */
export function withExtension(name: string, kind: SaveKind): string {
  const ext = '.' + FILTERS[kind].extensions[0];
  return extname(name).toLowerCase() === ext ? name : name + ext;
}

export function saveDialogOptions(kind: SaveKind, suggestedName: string, defaultDir?: string): SaveDialogOptions {
  const name = withExtension(suggestedName, kind);
  return {
    title: `Save ${FILTERS[kind].name}`,
    defaultPath: defaultDir ? join(defaultDir, name) : name,
    filters: [FILTERS[kind]],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** Linux dialogs may return a name without the chosen filter's extension: add it. */
export function ensureSaveExtension(path: string, kind: SaveKind): string {
  return extname(path) === '' ? path + '.' + FILTERS[kind].extensions[0] : path;
}
