// Electron main: app life cycle and wiring only. Menu, argv, recent files, IPC checks, the
// engine supervisor and the security policy are plain modules beside this file.

import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { join, resolve } from 'node:path';
import { PathPolicy } from '../engine/path-policy';
import type { MenuCommand } from '../shared/api';
import { parseOpenArgv } from './argv';
import { TO_RENDERER } from '../shared/channels';
import { createEngineSupervisor } from './engine';
import { createIpcHandlers } from './ipc';
import { buildMenuTemplate } from './menu';
import { RecentFiles } from './recent';
import { checkSender } from './validate';
import { appLocations, createMainWindow, secureContents, secureSession } from './window';

const loc = appLocations(__dirname, process.env.ELECTRON_RENDERER_URL);

let win: BrowserWindow | null = null;
let rendererLoaded = false;
const pendingOpens: string[] = [];
let hasModel = false;
let currentModelPath: string | null = null;
let theme: 'light' | 'dark' = 'dark';
let recent: RecentFiles | null = null;

const contents = () => (win && !win.isDestroyed() ? win.webContents : null);
/** The paths the user chose: forwarded to the engine as they are granted, and after each restart. */
const grants = new PathPolicy({ restricted: true, normalize: resolve, onGrant: (paths, write) => supervisor.allow(paths, write) });
const supervisor = createEngineSupervisor(contents, grants);

function sendToRenderer(channel: string, ...args: unknown[]): void {
  const wc = contents();
  if (wc) wc.send(channel, ...args);
}

function showError(message: string, detail?: string): void {
  const options = { type: 'warning' as const, title: 'Prunescope', message, ...(detail ? { detail } : {}) };
  if (win && !win.isDestroyed()) void dialog.showMessageBox(win, options);
  else void dialog.showMessageBox(options);
}

/** Opens a path that comes from main (command line, second instance, Open Recent, macOS open-file). */
function openPath(path: string): void {
  grants.grant([path]);
  if (rendererLoaded) sendToRenderer(TO_RENDERER.openPath, path);
  else pendingOpens.push(path);
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
}

function openFromArgv(argv: readonly string[], cwd: string): void {
  const result = parseOpenArgv(argv, { cwd, defaultApp: process.defaultApp === true });
  if (result.kind === 'open') openPath(result.path);
  else if (result.kind === 'rejected') showError(`Cannot open ${result.path}`, `The file ${result.reason}.`);
}

function menuCommand(command: MenuCommand): void {
  if (command === 'theme-light' || command === 'theme-dark') {
    theme = command === 'theme-light' ? 'light' : 'dark';
    refreshMenu();
  }
  sendToRenderer(TO_RENDERER.menu, command);
}

function refreshMenu(): void {
  const template = buildMenuTemplate(
    {
      platform: process.platform,
      appName: app.getName(),
      hasModel,
      recent: recent?.list() ?? [],
      isDev: !app.isPackaged,
      theme,
    },
    {
      command: menuCommand,
      openRecent: (path) => {
        if (recent && !recent.checkEntry(path)) {
          refreshMenu();
          showError(`${path} no longer exists`, 'It has been removed from Open Recent.');
          return;
        }
        openPath(path);
      },
      clearRecent: () => {
        recent?.clear();
        refreshMenu();
      },
      closeWindow: () => win?.close(),
      toggleDevTools: () => contents()?.toggleDevTools(),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function registerIpc(): void {
  const { handle, on } = createIpcHandlers({
    checkSender: (event) => checkSender(event.senderFrame, contents()?.mainFrame, loc.appUrl),
    showOpenDialog: async (options) => {
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : r.filePaths;
    },
    showSaveDialog: async (options) => {
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    grants,
    currentModel: () => currentModelPath,
    modelOpened: (path, granted) => {
      hasModel = path !== null;
      currentModelPath = path !== null && granted ? path : null;
      if (path !== null && granted) recent?.add(path);
      refreshMenu();
    },
  });
  for (const [channel, fn] of Object.entries(handle)) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => fn(event, ...args));
  }
  for (const [channel, fn] of Object.entries(on)) {
    ipcMain.on(channel, (event: IpcMainEvent, ...args: unknown[]) => fn(event, ...args));
  }
}

function createWindow(): void {
  rendererLoaded = false;
  win = createMainWindow(loc, join(app.getPath('userData'), 'window.json'));
  const wc = win.webContents;
  wc.on('did-finish-load', () => {
    rendererLoaded = true;
    // A (re)loaded page has lost its engine port and its model.
    hasModel = false;
    currentModelPath = null;
    refreshMenu();
    supervisor.rendererLoaded();
    for (const path of pendingOpens.splice(0)) sendToRenderer(TO_RENDERER.openPath, path);
  });
  wc.on('render-process-gone', (_e, details) => {
    rendererLoaded = false;
    console.warn(`[prunescope] renderer gone: ${details.reason}`);
  });
  win.on('closed', () => {
    win = null;
    rendererLoaded = false;
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch hands its command line to us and quits.
  app.on('second-instance', (_event, argv, cwd) => {
    if (!win) createWindow();
    openFromArgv(argv, cwd);
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  // macOS: files opened from Finder / dropped on the dock icon.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openPath(path);
  });

  app.on('web-contents-created', (_event, wc) => secureContents(wc));

  app.enableSandbox();

  void app.whenReady().then(() => {
    theme = nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
    recent = new RecentFiles(join(app.getPath('userData'), 'recent.json'));
    secureSession(loc);
    registerIpc();
    refreshMenu();
    supervisor.start();
    createWindow();
    openFromArgv(process.argv, process.cwd());

    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => supervisor.stop());
}
