// The main window and the security settings of its session and web contents. Thin wiring over
// the pure policies in security.ts and window-state.ts.

import { BrowserWindow, screen, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP, devCsp, externalLinkTarget, needsCsp, withCspHeader } from './security';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state';

export interface AppLocations {
  preload: string;
  rendererIndex: string;
  /** The dev server (electron-vite dev), when running under it. */
  devServerUrl?: string;
  /** The page the window shows: the dev server URL or the renderer's index.html as file:// URL. */
  appUrl: string;
}

/** Where the built preload and renderer sit relative to the built main (out/main/index.js). */
export function appLocations(mainDir: string, devServerUrl: string | undefined): AppLocations {
  const rendererIndex = join(mainDir, '../renderer/index.html');
  return {
    preload: join(mainDir, '../preload/index.js'),
    rendererIndex,
    ...(devServerUrl ? { devServerUrl } : {}),
    appUrl: devServerUrl ?? pathToFileURL(rendererIndex).href,
  };
}

/** Session-wide policy: CSP header on the app's responses; every permission denied. */
export function secureSession(loc: AppLocations): void {
  const ses = session.defaultSession;
  const csp = loc.devServerUrl ? devCsp(loc.devServerUrl) : CSP;
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (needsCsp(details.url, loc.devServerUrl)) {
      callback({ responseHeaders: withCspHeader(details.responseHeaders, csp) });
    } else {
      callback({});
    }
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** Per-contents policy: no navigation, no new windows, no webviews. */
export function secureContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const target = externalLinkTarget(url);
    if (target) void shell.openExternal(target);
    return { action: 'deny' };
  });
}

export function createMainWindow(loc: AppLocations, stateFile: string): BrowserWindow {
  const saved = fitToDisplays(
    loadWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...saved.bounds,
    minWidth: 640,
    minHeight: 420,
    show: false,
    title: 'Prunescope',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: loc.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  const persist = (): void => {
    if (win.isDestroyed()) return;
    saveWindowState(stateFile, {
      bounds: win.isMaximized() || win.isMinimized() || win.isFullScreen() ? win.getNormalBounds() : win.getBounds(),
      maximized: win.isMaximized(),
    });
  };
  win.on('close', persist);

  if (loc.devServerUrl) void win.loadURL(loc.devServerUrl);
  else void win.loadFile(loc.rendererIndex);
  return win;
}
