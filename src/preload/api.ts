// The preload's API object, built from injected Electron pieces so it can be tested without
// Electron: ipcRenderer-like messaging, webUtils.getPathForFile, and MessagePorts from main.

import type { DesktopApi, EngineStatus, MenuCommand, ReadyMessage, Request, Response, SaveKind } from '../shared/api';
import { IPC, TO_RENDERER } from '../shared/channels';
import { MENU_COMMANDS as ALL_MENU_COMMANDS } from '../shared/api';

type Listener<T> = (value: T) => void;

/** The parts of a DOM MessagePort the API uses (the renderer-side end of the engine channel). */
export interface PortLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** The parts of ipcRenderer the API uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: { ports: readonly PortLike[] }, ...args: unknown[]) => void): unknown;
}

export interface PreloadDeps {
  ipc: IpcRendererLike;
  getPathForFile(file: File): string;
}

/** Requests posted while no engine port is connected wait here (bounded). */
const MAX_QUEUED = 1000;

const MENU_COMMANDS: ReadonlySet<string> = new Set<string>(ALL_MENU_COMMANDS);

function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

function emit<T>(set: Set<Listener<T>>, value: T): void {
  for (const l of [...set]) {
    try {
      l(value);
    } catch (err) {
      console.error(err);
    }
  }
}

export function createDesktopApi(deps: PreloadDeps): DesktopApi {
  const { ipc } = deps;
  let port: PortLike | null = null;
  const queue: Request[] = [];
  const engineListeners = new Set<Listener<Response | ReadyMessage>>();
  const statusListeners = new Set<Listener<EngineStatus>>();
  const openListeners = new Set<Listener<string>>();
  const menuListeners = new Set<Listener<MenuCommand>>();

  const setPort = (next: PortLike | undefined): void => {
    if (!next) return;
    if (port) {
      port.onmessage = null;
      port.close();
    }
    port = next;
    // Assigning onmessage starts the port.
    port.onmessage = (event) => emit(engineListeners, event.data as Response | ReadyMessage);
    for (const request of queue.splice(0)) port.postMessage(request);
  };

  ipc.on(TO_RENDERER.enginePort, (event) => setPort(event.ports[0]));
  ipc.on(TO_RENDERER.engineStatus, (_event, status) => {
    const s = status as EngineStatus;
    if (s.type === 'engine-died' && port) {
      // The old port leads nowhere now; requests wait for the next engine.
      port.onmessage = null;
      port.close();
      port = null;
    }
    emit(statusListeners, s);
  });
  ipc.on(TO_RENDERER.openPath, (_event, path) => {
    if (typeof path === 'string') emit(openListeners, path);
  });
  ipc.on(TO_RENDERER.menu, (_event, command) => {
    if (typeof command === 'string' && MENU_COMMANDS.has(command)) emit(menuListeners, command as MenuCommand);
  });

  const api: DesktopApi = {
    platform: 'desktop',
    engine: Object.freeze({
      post(request: Request): void {
        if (port) port.postMessage(request);
        else if (queue.length < MAX_QUEUED) queue.push(request);
        else throw new Error('The engine is not connected');
      },
      onMessage: (listener: Listener<Response | ReadyMessage>) => subscribe(engineListeners, listener),
    }),
    onEngineStatus: (listener) => subscribe(statusListeners, listener),
    showOpenModel: () => ipc.invoke(IPC.showOpenModel) as Promise<string | null>,
    showOpenDataset: () => ipc.invoke(IPC.showOpenDataset) as Promise<string[] | null>,
    showOpenDatasetFolder: () => ipc.invoke(IPC.showOpenDatasetFolder) as Promise<string | null>,
    showSave: (kind: SaveKind, suggestedName: string) =>
      ipc.invoke(IPC.showSave, kind, suggestedName) as Promise<string | null>,
    showSaveFolder: () => ipc.invoke(IPC.showSaveFolder) as Promise<string | null>,
    saveFile: (kind: SaveKind, suggestedName: string, data: string | Uint8Array) =>
      ipc.invoke(IPC.saveFile, kind, suggestedName, data) as Promise<string | null>,
    acceptDroppedFile: async (file: File) => {
      let path = '';
      try {
        path = deps.getPathForFile(file);
      } catch {
        return null;
      }
      if (!path) return null; // not a file on disk (e.g. dragged from a web page)
      return (await ipc.invoke(IPC.acceptDrop, path)) as string | null;
    },
    onOpenPath: (listener) => subscribe(openListeners, listener),
    onMenu: (listener) => subscribe(menuListeners, listener),
    modelOpened: (path: string | null) => ipc.send(IPC.modelOpened, path),
  };
  return Object.freeze(api);
}
