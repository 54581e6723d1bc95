// The engine process entry. One file for two hosts:
// - an Electron utility process (`process.parentPort` exists): main sends ControlMessages there
//   ('allow' paths, and 'port' with a MessagePort to the renderer, whose requests are served on it);
//   paths are restricted to what main allowed.
// - a Node child process (`child_process.fork`, ideally with serialization 'advanced'): requests
//   arrive by process.on('message') and answers go back by process.send; paths are unrestricted
//   (unless PRUNESCOPE_RESTRICT_PATHS=1, then 'allow' messages apply as in Electron).
// It never imports 'electron': the parent port is reached through `process.parentPort`.

import { EngineHost, type Send } from '../host';
import { envStatsWorkers, nodePlatform } from './platform';
import type { ControlMessage, ReadyMessage } from '../protocol';
import { enableWasmFlags } from './wasm-flags';

interface PortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): void;
  postMessage(message: unknown): void;
}

const READY: ReadyMessage = { type: 'ready', id: -1 };

/**
 * The engine process starts its statistics workers at once; $PRUNESCOPE_STATS_WORKERS sets how
 * many (0 or 1: none, statistics are counted on the engine's own thread).
 */
function statsOptions(): { statsWorkers?: number; startStatsWorkers: boolean } {
  const n = envStatsWorkers();
  return { startStatsWorkers: true, ...(n !== undefined ? { statsWorkers: n } : {}) };
}

function isControl(m: unknown): m is ControlMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return (t === 'allow' || t === 'port') && (m as { id?: unknown }).id === undefined;
}

function serveElectron(parentPort: ParentPortLike): void {
  const { platform, policy } = nodePlatform({ restricted: true, ...statsOptions() });
  const host = new EngineHost(platform);
  const sendParent: Send = (m) => parentPort.postMessage(m);
  parentPort.on('message', (e) => {
    const m = e.data;
    if (isControl(m)) {
      if (m.type === 'allow') {
        if (Array.isArray(m.paths)) policy.grant(m.paths.filter((p): p is string => typeof p === 'string'), m.write === true);
      } else if (e.ports && e.ports[0]) {
        const port = e.ports[0];
        const send: Send = (msg) => port.postMessage(msg);
        port.on('message', (ev) => host.handle(ev.data, send));
        port.on('close', () => host.disconnect(send));
        port.start();
        port.postMessage(READY);
      }
      return;
    }
    host.handle(m, sendParent);
  });
  parentPort.postMessage(READY);
}

function serveNode(): void {
  const restricted = process.env.PRUNESCOPE_RESTRICT_PATHS === '1';
  const { platform, policy } = nodePlatform({ restricted, ...statsOptions() });
  const host = new EngineHost(platform);
  const send: Send = (m) => {
    if (process.connected) process.send?.(m);
  };
  process.on('message', (m: unknown) => {
    if (isControl(m)) {
      if (m.type === 'allow' && Array.isArray(m.paths)) policy.grant(m.paths.filter((p): p is string => typeof p === 'string'), m.write === true);
      return;
    }
    host.handle(m, send);
  });
  process.on('disconnect', () => process.exit(0));
  send(READY as never);
}

enableWasmFlags();
const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) serveElectron(parentPort);
else if (typeof process.send === 'function') serveNode();
else {
  process.stderr.write('prunescope engine: start me with child_process.fork or Electron utilityProcess.fork\n');
  process.exitCode = 2;
}
