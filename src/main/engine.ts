// Electron side of the engine supervisor: the engine bundle runs in a utility process, its
// renderer link is a MessageChannelMain. Thin wiring; the logic is in supervisor.ts.

import { app, MessageChannelMain, utilityProcess, type MessagePortMain, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import enginePath from '../engine/node/utility?modulePath';
import { TO_RENDERER } from '../shared/channels';
import type { PathPolicy } from '../engine/path-policy';
import { EngineSupervisor, type EngineProcess } from './supervisor';

/** The bundled sample model and test set: <app>/resources (the engine also searches on its own). */
function resourcesEnv(): Record<string, string> {
  const dir = join(app.getAppPath(), 'resources');
  return existsSync(join(dir, 'sample-mlp.onnx')) ? { PRUNESCOPE_RESOURCES: dir } : {};
}

function spawnUtility(): EngineProcess<MessagePortMain> {
  const child = utilityProcess.fork(enginePath, [], {
    serviceName: 'Prunescope Engine',
    stdio: 'inherit',
    env: { ...process.env, ...resourcesEnv() },
  });
  return {
    control: (message, transfer) => child.postMessage(message, transfer),
    kill: () => {
      child.kill();
    },
    onExit: (listener) => {
      child.once('exit', (code) => listener({ code }));
    },
  };
}

export function createEngineSupervisor(
  getContents: () => WebContents | null,
  grants: PathPolicy,
): EngineSupervisor<MessagePortMain> {
  const send = (channel: string, ...args: unknown[]): void => {
    const wc = getContents();
    if (wc && !wc.isDestroyed()) wc.send(channel, ...args);
  };
  return new EngineSupervisor<MessagePortMain>({
    spawn: spawnUtility,
    createChannel: () => {
      const { port1, port2 } = new MessageChannelMain();
      return [port1, port2];
    },
    sendPortToRenderer: (port) => {
      const wc = getContents();
      if (wc && !wc.isDestroyed()) wc.postMessage(TO_RENDERER.enginePort, null, [port]);
      else port.close();
    },
    sendStatus: (status) => send(TO_RENDERER.engineStatus, status),
    grants: () => grants.snapshot(),
    log: (message) => console.warn(`[prunescope] ${message}`),
  });
}
