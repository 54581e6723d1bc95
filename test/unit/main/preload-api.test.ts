// The preload's API object over real MessageChannels (Node's, same semantics as the DOM's) and a
// small in-test ipcRenderer stand-in that records invokes and lets the test emit main's messages.
import { describe, expect, it } from 'vitest';
import { createDesktopApi, type IpcRendererLike, type PortLike } from '../../../src/preload/api';
import { IPC, TO_RENDERER } from '../../../src/shared/channels';
import type { Request } from '../../../src/engine/protocol';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from '../../../src/main/menu';
import type { MenuCommand } from '../../../src/shared/api';

type OnListener = Parameters<IpcRendererLike['on']>[1];

function fakeIpc() {
  const listeners = new Map<string, OnListener[]>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const sent: { channel: string; args: unknown[] }[] = [];
  const answers = new Map<string, unknown>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push({ channel, args });
      return answers.get(channel) ?? null;
    },
    send: (channel, ...args) => void sent.push({ channel, args }),
    on: (channel, l) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
  };
  const emit = (channel: string, ports: PortLike[], ...args: unknown[]) => {
    for (const l of listeners.get(channel) ?? []) l({ ports }, ...args);
  };
  return { ipc, invoked, sent, answers, emit };
}

/** The next message on a (DOM-style) port. */
const next = (port: unknown) =>
  new Promise<unknown>((resolve) => {
    (port as PortLike).onmessage = (e) => resolve(e.data);
  });

describe('createDesktopApi', () => {
  it('exposes exactly the DesktopApi members, frozen', () => {
    const api = createDesktopApi({ ipc: fakeIpc().ipc, getPathForFile: () => '' });
    expect(Object.keys(api).sort()).toEqual(
      [
        'platform', 'engine', 'onEngineStatus', 'showOpenModel', 'showOpenDataset', 'showOpenDatasetFolder', 'showSave', 'showSaveFolder',
        'saveFile', 'acceptDroppedFile', 'onOpenPath', 'onMenu', 'modelOpened',
      ].sort(),
    );
    expect(api.platform).toBe('desktop');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.engine)).toBe(true);
  });

  it('queues requests until the port arrives, then talks over it; a new port replaces the old', async () => {
    const f = fakeIpc();
    const api = createDesktopApi({ ipc: f.ipc, getPathForFile: () => '' });
    const received: unknown[] = [];
    api.engine.onMessage((m) => received.push(m));

    const early: Request = { id: 1, type: 'close', modelId: 0 };
    api.engine.post(early); // no port yet

    const ch1 = new MessageChannel();
    const engine1 = ch1.port1;
    const got1 = next(engine1);
    f.emit(TO_RENDERER.enginePort, [ch1.port2 as unknown as PortLike]);
    expect(await got1).toEqual(early);

    const reply1 = new Promise((r) => api.engine.onMessage(r));
    engine1.postMessage({ type: 'ready', id: -1 });
    expect(await reply1).toEqual({ type: 'ready', id: -1 });

    // the engine died: status arrives, the old port is dropped and requests queue again
    const statuses: unknown[] = [];
    api.onEngineStatus((s) => statuses.push(s));
    f.emit(TO_RENDERER.engineStatus, [], { type: 'engine-died', reason: 'killed', restarting: true });
    expect(statuses).toEqual([{ type: 'engine-died', reason: 'killed', restarting: true }]);
    const during: Request = { id: 2, type: 'close', modelId: 3 };
    api.engine.post(during);

    const ch2 = new MessageChannel();
    const got2 = next(ch2.port1);
    f.emit(TO_RENDERER.enginePort, [ch2.port2 as unknown as PortLike]);
    expect(await got2).toEqual(during);

    const reply2 = new Promise((r) => api.engine.onMessage(r));
    ch2.port1.postMessage({ id: 2, type: 'result', value: null });
    expect(await reply2).toEqual({ id: 2, type: 'result', value: null });
    expect(received).toEqual([{ type: 'ready', id: -1 }, { id: 2, type: 'result', value: null }]);
    ch1.port1.close();
    ch2.port1.close();
    ch2.port2.close();
  });

  it('unsubscribes listeners', async () => {
    const f = fakeIpc();
    const api = createDesktopApi({ ipc: f.ipc, getPathForFile: () => '' });
    const menu: string[] = [];
    const off = api.onMenu((c) => menu.push(c));
    f.emit(TO_RENDERER.menu, [], 'zoom-in');
    f.emit(TO_RENDERER.menu, [], 'rm -rf'); // not a MenuCommand: dropped
    off();
    f.emit(TO_RENDERER.menu, [], 'zoom-out');
    expect(menu).toEqual(['zoom-in']);
    const paths: string[] = [];
    api.onOpenPath((p) => paths.push(p));
    f.emit(TO_RENDERER.openPath, [], '/m.onnx');
    f.emit(TO_RENDERER.openPath, [], 42);
    expect(paths).toEqual(['/m.onnx']);
  });

  it('forwards dialogs, saves and modelOpened to main on the right channels', async () => {
    const f = fakeIpc();
    f.answers.set(IPC.showSave, '/out/x.png');
    const api = createDesktopApi({ ipc: f.ipc, getPathForFile: () => '' });
    expect(await api.showSave('png', 'x.png')).toBe('/out/x.png');
    await api.saveFile('csv', 'sweep.csv', 'a,b\n');
    await api.showOpenModel();
    api.modelOpened('/m.onnx');
    api.modelOpened(null);
    expect(f.invoked).toEqual([
      { channel: IPC.showSave, args: ['png', 'x.png'] },
      { channel: IPC.saveFile, args: ['csv', 'sweep.csv', 'a,b\n'] },
      { channel: IPC.showOpenModel, args: [] },
    ]);
    expect(f.sent).toEqual([
      { channel: IPC.modelOpened, args: ['/m.onnx'] },
      { channel: IPC.modelOpened, args: [null] },
    ]);
  });

  it('drops: asks main about the file path; files without one are refused locally', async () => {
    const f = fakeIpc();
    f.answers.set(IPC.acceptDrop, '/data/m.onnx');
    const paths = new Map<object, string>();
    const api = createDesktopApi({ ipc: f.ipc, getPathForFile: (file) => paths.get(file) ?? '' });
    const onDisk = new File(['x'], 'm.onnx');
    const fromWeb = new File(['x'], 'web.onnx');
    paths.set(onDisk, '/data/m.onnx');
    expect(await api.acceptDroppedFile(onDisk)).toBe('/data/m.onnx');
    expect(await api.acceptDroppedFile(fromWeb)).toBeNull();
    expect(f.invoked).toEqual([{ channel: IPC.acceptDrop, args: ['/data/m.onnx'] }]);
  });
  it('passes through every command the native menu sends (File › Export Report… was once dropped here)', () => {
    // Click every item of the real menu template, with a model open, on each platform's layout.
    const sent: MenuCommand[] = [];
    type Item = MenuItemConstructorOptions;
    const flatten = (items: Item[]): Item[] => items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu as Item[]) : [])]);
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const template = buildMenuTemplate(
        { platform, appName: 'Prunescope', hasModel: true, recent: [], isDev: false, theme: 'dark' },
        { command: (c) => sent.push(c), openRecent: () => {}, clearRecent: () => {}, closeWindow: () => {}, toggleDevTools: () => {} },
      );
      for (const item of flatten(template)) if (typeof item.click === 'function' && item.role === undefined) (item.click as unknown as () => void)();
    }
    const commands = [...new Set(sent)];
    expect(commands).toContain('export-report');
    expect(commands).toContain('compare-with');
    const f = fakeIpc();
    const api = createDesktopApi({ ipc: f.ipc, getPathForFile: () => '' });
    const got: string[] = [];
    api.onMenu((c) => got.push(c));
    for (const c of commands) f.emit(TO_RENDERER.menu, [], c);
    expect(got).toEqual(commands);
  });
});
