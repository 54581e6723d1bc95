// The native menu as a pure function of the app state: buildMenuTemplate(state, actions) returns
// Electron's MenuItemConstructorOptions (type-only import, so tests never load electron).

import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../shared/api';
import { basename } from 'node:path';

export interface MenuState {
  platform: NodeJS.Platform;
  appName: string;
  /** A model is open in the renderer (items that need one are disabled otherwise). */
  hasModel: boolean;
  /** Recent model paths, most recent first. */
  recent: readonly string[];
  /** Development build: adds Toggle DevTools. */
  isDev: boolean;
  theme: 'light' | 'dark';
}

export interface MenuActions {
  command(command: MenuCommand): void;
  openRecent(path: string): void;
  clearRecent(): void;
  /** Close with no model open: closes the window. */
  closeWindow(): void;
  toggleDevTools(): void;
}

type Item = MenuItemConstructorOptions;

/** Commands whose menu items are disabled while no model is open. */
export const NEEDS_MODEL: ReadonlySet<MenuCommand> = new Set<MenuCommand>([
  'export-model',
  'export-model-sparse',
  'export-json',
  'export-matrices',
  'export-histograms',
  'export-graph-svg',
  'export-graph-png',
  'export-sweep-csv',
  'export-report',
  'zoom-in',
  'zoom-out',
  'zoom-fit',
  'find',
  'compare-with',
]);

function recentLabel(path: string, all: readonly string[]): string {
  const name = basename(path);
  // Show the full path when two entries share a file name.
  return all.filter((p) => basename(p) === name).length > 1 ? path : name;
}

export function buildMenuTemplate(state: MenuState, actions: MenuActions): Item[] {
  const mac = state.platform === 'darwin';
  const cmd = (id: MenuCommand, label: string, accelerator?: string, extra: Partial<Item> = {}): Item => ({
    id,
    label,
    ...(accelerator ? { accelerator } : {}),
    enabled: !NEEDS_MODEL.has(id) || state.hasModel,
    click: () => actions.command(id),
    ...extra,
  });

  const recentItems: Item[] =
    state.recent.length === 0
      ? [{ id: 'recent-empty', label: 'No Recent Models', enabled: false }]
      : state.recent.map((path, i) => ({
          id: `recent-${i}`,
          label: recentLabel(path, state.recent),
          toolTip: path,
          click: () => actions.openRecent(path),
        }));

  const file: Item = {
    id: 'file',
    label: '&File',
    submenu: [
      cmd('open', 'Open…', 'CmdOrCtrl+O'),
      {
        id: 'open-recent',
        label: 'Open Recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          {
            id: 'clear-recent',
            label: 'Clear Recent',
            enabled: state.recent.length > 0,
            click: () => actions.clearRecent(),
          },
        ],
      },
      cmd('open-sample', 'Open Sample'),
      cmd('compare-with', 'Compare With…', 'CmdOrCtrl+Shift+O'),
      { type: 'separator' },
      cmd('export-model', 'Export Pruned Model…', 'CmdOrCtrl+Shift+E'),
      cmd('export-model-sparse', 'Export Pruned Model (sparse)…'),
      cmd('export-json', 'Export JSON…'),
      cmd('export-matrices', 'Export Matrices…'),
      cmd('export-histograms', 'Export Histograms as PNG…'),
      cmd('export-graph-svg', 'Export Graph as SVG…'),
      cmd('export-graph-png', 'Export Graph as PNG…'),
      cmd('export-sweep-csv', 'Export Sweep CSV…'),
      cmd('export-report', 'Export Report…', 'CmdOrCtrl+Shift+R'),
      { type: 'separator' },
      {
        id: 'close',
        label: 'Close',
        accelerator: 'CmdOrCtrl+W',
        click: () => (state.hasModel ? actions.command('close') : actions.closeWindow()),
      },
      ...(mac ? [] : [{ type: 'separator' } as Item, { role: 'quit' } as Item]),
    ],
  };

  const edit: Item = {
    id: 'edit',
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };

  const view: Item = {
    id: 'view',
    label: '&View',
    submenu: [
      cmd('zoom-in', 'Zoom In', 'CmdOrCtrl+='),
      cmd('zoom-out', 'Zoom Out', 'CmdOrCtrl+-'),
      cmd('zoom-fit', 'Fit', 'CmdOrCtrl+0'),
      { type: 'separator' },
      cmd('find', 'Find…', 'CmdOrCtrl+F'),
      cmd('toggle-sidebar', 'Toggle Sidebar', 'CmdOrCtrl+B'),
      { type: 'separator' },
      cmd('theme-light', 'Light', undefined, { type: 'radio', checked: state.theme === 'light' }),
      cmd('theme-dark', 'Dark', undefined, { type: 'radio', checked: state.theme === 'dark' }),
      ...(state.isDev
        ? [
            { type: 'separator' } as Item,
            {
              id: 'toggle-devtools',
              label: 'Toggle DevTools',
              accelerator: mac ? 'Alt+Command+I' : 'Ctrl+Shift+I',
              click: () => actions.toggleDevTools(),
            } as Item,
          ]
        : []),
    ],
  };

  const windowMenu: Item = { role: 'windowMenu' };

  const help: Item = {
    id: 'help',
    label: '&Help',
    role: 'help',
    submenu: [cmd('shortcuts', 'Keyboard Shortcuts', 'CmdOrCtrl+/'), cmd('about', `About ${state.appName}`)],
  };

  const appMenu: Item = {
    id: 'app',
    label: state.appName,
    submenu: [
      cmd('about', `About ${state.appName}`, undefined, { id: 'app-about' }),
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };

  return mac ? [appMenu, file, edit, view, windowMenu, help] : [file, edit, view, help];
}
