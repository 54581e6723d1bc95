import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, type MenuActions, type MenuState } from '../../../src/main/menu';
import type { MenuCommand } from '../../../src/shared/api';

type Item = MenuItemConstructorOptions;

function flatten(items: Item[]): Item[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu as Item[]) : [])]);
}

function setup(state: Partial<MenuState> = {}) {
  const commands: MenuCommand[] = [];
  const log: string[] = [];
  const actions: MenuActions = {
    command: (c) => commands.push(c),
    openRecent: (p) => log.push(`recent ${p}`),
    clearRecent: () => log.push('clear'),
    closeWindow: () => log.push('close-window'),
    toggleDevTools: () => log.push('devtools'),
  };
  const full: MenuState = {
    platform: 'linux',
    appName: 'Prunescope',
    hasModel: false,
    recent: [],
    isDev: false,
    theme: 'dark',
    ...state,
  };
  const template = buildMenuTemplate(full, actions);
  const items = flatten(template);
  const byId = (id: string): Item => {
    const found = items.find((i) => i.id === id);
    if (!found) throw new Error(`no menu item ${id}`);
    return found;
  };
  const click = (id: string) => (byId(id).click as unknown as () => void)();
  return { template, items, byId, click, commands, log };
}

describe('buildMenuTemplate', () => {
  it('has File, Edit, View, Help on Linux/Windows and an app menu first on macOS', () => {
    expect(setup().template.map((i) => i.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const mac = setup({ platform: 'darwin' }).template;
    expect(mac[0].label).toBe('Prunescope');
    expect(mac.map((i) => i.label ?? i.role)).toEqual(['Prunescope', '&File', '&Edit', '&View', 'windowMenu', '&Help']);
  });

  it('gives the issue\'s accelerators', () => {
    const { byId } = setup({ hasModel: true });
    const expected: Record<string, string> = {
      open: 'CmdOrCtrl+O',
      'export-model': 'CmdOrCtrl+Shift+E',
      close: 'CmdOrCtrl+W',
      'zoom-in': 'CmdOrCtrl+=',
      'zoom-out': 'CmdOrCtrl+-',
      'zoom-fit': 'CmdOrCtrl+0',
      find: 'CmdOrCtrl+F',
      'toggle-sidebar': 'CmdOrCtrl+B',
    };
    for (const [id, acc] of Object.entries(expected)) expect(byId(id).accelerator, id).toBe(acc);
  });

  it('lists every File item of the issue in order', () => {
    const { template } = setup();
    const labels = (template[0].submenu as Item[]).filter((i) => i.type !== 'separator').map((i) => i.label ?? i.role);
    expect(labels).toEqual([
      'Open…',
      'Open Recent',
      'Open Sample',
      'Compare With…',
      'Export Pruned Model…',
      'Export Pruned Model (sparse)…',
      'Export JSON…',
      'Export Matrices…',
      'Export Histograms as PNG…',
      'Export Graph as SVG…',
      'Export Graph as PNG…',
      'Export Sweep CSV…',
      'Export Report…',
      'Close',
      'quit',
    ]);
  });

  it('disables model items without a model and enables them with one', () => {
    const needModel = [
      'export-model', 'export-model-sparse', 'export-json', 'export-matrices', 'export-histograms',
      'export-graph-svg', 'export-graph-png', 'export-sweep-csv', 'zoom-in', 'zoom-out', 'zoom-fit', 'find',
      'compare-with',
    ];
    const without = setup({ hasModel: false });
    const withModel = setup({ hasModel: true });
    for (const id of needModel) {
      expect(without.byId(id).enabled, id).toBe(false);
      expect(withModel.byId(id).enabled, id).toBe(true);
    }
    for (const id of ['open', 'open-sample', 'toggle-sidebar', 'theme-light', 'theme-dark', 'shortcuts', 'about']) {
      expect(without.byId(id).enabled, id).toBe(true);
    }
  });

  it('sends menu commands, and Close closes the model or else the window', () => {
    const a = setup({ hasModel: true });
    a.click('open-sample');
    a.click('export-model-sparse');
    a.click('close');
    expect(a.commands).toEqual(['open-sample', 'export-model-sparse', 'close']);
    const b = setup({ hasModel: false });
    b.click('close');
    expect(b.commands).toEqual([]);
    expect(b.log).toEqual(['close-window']);
  });

  it('fills Open Recent, names duplicates by full path, and clears', () => {
    const recent = ['/data/a/model.onnx', '/data/b/model.onnx', '/data/mnist.onnx'];
    const s = setup({ recent });
    expect(s.byId('recent-0').label).toBe('/data/a/model.onnx');
    expect(s.byId('recent-2').label).toBe('mnist.onnx');
    s.click('recent-1');
    s.click('clear-recent');
    expect(s.log).toEqual(['recent /data/b/model.onnx', 'clear']);
    const empty = setup({ recent: [] });
    expect(empty.byId('recent-empty').enabled).toBe(false);
    expect(empty.byId('clear-recent').enabled).toBe(false);
  });

  it('has the standard Edit roles, a theme radio, and DevTools only in dev', () => {
    const s = setup({ theme: 'light' });
    const roles = (s.template[1].submenu as Item[]).map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']));
    expect(s.byId('theme-light').checked).toBe(true);
    expect(s.byId('theme-dark').checked).toBe(false);
    expect(s.items.some((i) => i.id === 'toggle-devtools')).toBe(false);
    const dev = setup({ isDev: true });
    dev.click('toggle-devtools');
    expect(dev.log).toEqual(['devtools']);
  });

  it('Compare With… (issue 16): CmdOrCtrl+Shift+O, unique among the accelerators, sends compare-with', () => {
    const { items, byId, click, commands } = setup({ hasModel: true });
    expect(byId('compare-with').accelerator).toBe('CmdOrCtrl+Shift+O');
    const accelerators = items.map((i) => i.accelerator).filter((a): a is string => typeof a === 'string');
    expect(accelerators.filter((a) => a === 'CmdOrCtrl+Shift+O')).toHaveLength(1);
    click('compare-with');
    expect(commands).toEqual(['compare-with']);
  });
});
