// The preload (sandboxed, bundled as one CommonJS file): exposes window.prunescope and nothing else.

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createDesktopApi } from './api';

contextBridge.exposeInMainWorld(
  'prunescope',
  createDesktopApi({
    ipc: ipcRenderer,
    getPathForFile: (file) => webUtils.getPathForFile(file),
  }),
);
