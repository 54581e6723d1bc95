// The desktop client over the real preload API and real MessageChannels: when main reports the
// engine died, the request in flight fails with a clear message, and the next request reaches the
// new engine through the port main hands over.
import { describe, expect, it } from 'vitest';
import { createDesktopApi, type IpcRendererLike, type PortLike } from '../../../src/preload/api';
import { desktopClient } from '../../../src/renderer/desktop-client';
import { TO_RENDERER } from '../../../src/shared/channels';
import type { Request } from '../../../src/engine/protocol';

type OnListener = Parameters<IpcRendererLike['on']>[1];

function fakeMain() {
  const listeners = new Map<string, OnListener[]>();
  const ipc: IpcRendererLike = {
    invoke: async () => null,
    send: () => undefined,
    on: (channel, l) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
  };
  const emit = (channel: string, ports: PortLike[], ...args: unknown[]) => {
    for (const l of listeners.get(channel) ?? []) l({ ports }, ...args);
  };
  /** A new engine: hands the renderer its port; returns the engine's end and what it received. */
  const newEngine = () => {
    const { port1, port2 } = new MessageChannel();
    const received: Request[] = [];
    (port1 as unknown as PortLike).onmessage = (e) => received.push(e.data as Request);
    emit(TO_RENDERER.enginePort, [port2 as unknown as PortLike]);
    return { port: port1, received };
  };
  return { ipc, emit, newEngine };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('desktopClient', () => {
  it('survives an engine restart', async () => {
    const main = fakeMain();
    const api = createDesktopApi({ ipc: main.ipc, getPathForFile: () => '' });
    const client = desktopClient(api);
    const first = main.newEngine();
    first.port.postMessage({ type: 'ready', id: -1 });
    await client.ready;

    const inFlight = client.request({ type: 'close', modelId: 1 });
    await Promise.race([until(() => first.received.length === 1), inFlight.promise]);
    main.emit(TO_RENDERER.engineStatus, [], { type: 'engine-died', reason: 'the engine process was killed (SIGKILL)', restarting: true });
    await expect(inFlight.promise).rejects.toThrow('The engine stopped: the engine process was killed (SIGKILL)');
    expect(client.isReady).toBe(false);

    const second = main.newEngine();
    const next = client.request({ type: 'close', modelId: 2 });
    await Promise.race([until(() => second.received.length === 1), next.promise]);
    expect(second.received[0]).toEqual({ type: 'close', modelId: 2, id: next.id });
    second.port.postMessage({ type: 'ready', id: -1 });
    second.port.postMessage({ type: 'result', id: next.id, value: {} });
    await expect(next.promise).resolves.toEqual({});
    expect(client.isReady).toBe(true);
    expect(first.received).toHaveLength(1);
    first.port.close();
    second.port.close();
  });
});
