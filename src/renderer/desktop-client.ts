// The desktop app's engine client: the preload's link, which main reconnects to each new engine
// after a crash. A death notice rejects the requests in flight; the client itself lives on.

import { EngineClient } from '../engine/client';
import type { DesktopApi } from '../shared/api';

export function desktopClient(api: Pick<DesktopApi, 'engine' | 'onEngineStatus'>): EngineClient {
  const client = new EngineClient(
    { post: (request) => api.engine.post(request), onMessage: (listener) => api.engine.onMessage(listener) },
    { survivesRestart: true },
  );
  api.onEngineStatus((status) => {
    if (status.type === 'engine-died') client.linkClosed(`The engine stopped: ${status.reason}`);
  });
  return client;
}
