// An engine in the same process: an EngineHost behind an EngineClient, for the CLI and tests.
// Messages are delivered asynchronously (as across a real link), never re-entrantly.

import { EngineClient } from './client';
import { EngineHost, type Send } from './host';
import type { EnginePlatform } from './platform';
import type { ReadyMessage, Response } from './protocol';

export function inProcessEngine(platform: EnginePlatform): { client: EngineClient; host: EngineHost } {
  const host = new EngineHost(platform);
  const listeners = new Set<(m: Response | ReadyMessage) => void>();
  const send: Send = (m) => {
    for (const l of listeners) l(m);
  };
  const client = new EngineClient({
    post: (request) => {
      queueMicrotask(() => host.handle(request, send));
    },
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  client.receive({ type: 'ready', id: -1 });
  return { client, host };
}
