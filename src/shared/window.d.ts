// The global the desktop preload adds: `window.prunescope` (absent in the browser build).

import type { DesktopApi } from './api';

declare global {
  interface Window {
    prunescope?: DesktopApi;
  }
}

export {};
