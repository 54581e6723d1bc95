// Node only: starts the engine entry (out/cli/utility.js) as a child process and talks to it with
// an EngineClient. When the process exits, every pending request rejects with 'engine died …'.

import { fork, type ChildProcess } from 'node:child_process';
import { EngineClient } from '../client';
import type { ReadyMessage, Request, Response } from '../protocol';

export interface EngineProcess {
  client: EngineClient;
  child: ChildProcess;
  /** Resolves with the exit code / signal when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  onExit(listener: (info: { code: number | null; signal: NodeJS.Signals | null; reason: string }) => void): void;
  /** Stops the process (disconnect, then SIGTERM). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Pass the child's stderr through (default true). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
}

export function spawnEngine(entryPath: string, options: SpawnOptions = {}): EngineProcess {
  const child = fork(entryPath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', options.stderr ?? 'inherit', 'ipc'],
    env: options.env ?? process.env,
  });
  const listeners = new Set<(m: Response | ReadyMessage) => void>();
  child.on('message', (m) => {
    for (const l of listeners) l(m as Response | ReadyMessage);
  });
  const client = new EngineClient({
    post: (message: Request) => {
      if (!child.connected) throw new Error('the engine process is not running');
      child.send(message);
    },
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  const exitListeners: ((info: { code: number | null; signal: NodeJS.Signals | null; reason: string }) => void)[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, reason: string): void => {
      if (done) return;
      done = true;
      client.linkClosed(reason);
      for (const l of exitListeners) l({ code, signal, reason });
      resolve({ code, signal });
    };
    child.on('exit', (code, signal) => {
      finish(code, signal, `engine died (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
    child.on('error', (e) => finish(null, null, `engine died: ${e.message}`));
  });
  return {
    client,
    child,
    exited,
    onExit: (l) => void exitListeners.push(l),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const t = setTimeout(() => child.kill('SIGTERM'), 2000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
