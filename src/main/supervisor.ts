// Keeps one engine process alive and connected to the renderer. Everything platform-specific is
// injected: Electron passes utilityProcess.fork and MessageChannelMain; tests pass a real
// child_process.fork. On an unexpected exit the supervisor tells the renderer, starts a fresh
// engine, re-sends the granted paths and hands the renderer a new port. Too many crashes in a
// short time stop the restarts (the renderer is told restarting: false).

import type { ControlMessage } from '../engine/protocol';
import type { EngineStatus } from '../shared/api';

export interface ExitInfo {
  code: number | null;
  signal?: string | null;
}

/** One running engine process. */
export interface EngineProcess<Port> {
  /** Sends a ControlMessage, transferring the given ports with it. */
  control(message: ControlMessage, transfer?: Port[]): void;
  kill(): void;
  onExit(listener: (info: ExitInfo) => void): void;
}

export interface SupervisorDeps<Port> {
  spawn(): EngineProcess<Port>;
  /** A new channel: the first port goes to the engine, the second to the renderer. */
  createChannel(): [enginePort: Port, rendererPort: Port];
  sendPortToRenderer(port: Port): void;
  sendStatus(status: EngineStatus): void;
  /** Granted paths to re-send to a new engine. */
  grants(): { read: string[]; write: string[] };
  /** Restart limit: at most `maxRestarts` within `windowMs` (defaults 5 in 60 s). */
  maxRestarts?: number;
  windowMs?: number;
  /** Delay before the n-th consecutive restart (default 0, 250, 1000… ms). */
  restartDelay?: (attempt: number) => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => void;
  log?: (message: string) => void;
}

export function describeExit(info: ExitInfo): string {
  if (info.signal) return `the engine process was killed (${info.signal})`;
  if (info.code === null) return 'the engine process ended';
  return `the engine process exited with code ${info.code}`;
}

export class EngineSupervisor<Port> {
  private current: EngineProcess<Port> | null = null;
  private stopped = true;
  private rendererReady = false;
  private restarts: number[] = [];
  private generationCount = 0;
  private pendingRestart = false;

  constructor(private readonly deps: SupervisorDeps<Port>) {}

  /** Number of engines started so far. */
  get generation(): number {
    return this.generationCount;
  }

  get running(): boolean {
    return this.current !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.launch();
  }

  /** Stops the engine for good (app quit): no restart follows. */
  stop(): void {
    this.stopped = true;
    const proc = this.current;
    this.current = null;
    proc?.kill();
  }

  /** The renderer (re)loaded its page: give it a port to the current engine. */
  rendererLoaded(): void {
    this.rendererReady = true;
    if (this.current) this.connect(this.current);
  }

  /** Sends a grant to the running engine (grants are also re-sent after each restart). */
  allow(paths: string[], write: boolean): void {
    if (this.current && paths.length > 0) this.current.control({ type: 'allow', paths, write });
  }

  /** Restarts the engine on purpose (e.g. the user asks for a fresh one). */
  restart(): void {
    if (this.stopped) return;
    const proc = this.current;
    this.current = null;
    proc?.kill();
    this.launch();
  }

  private launch(): void {
    const proc = this.deps.spawn();
    this.current = proc;
    this.generationCount++;
    proc.onExit((info) => this.exited(proc, info));
    const { read, write } = this.deps.grants();
    if (read.length > 0) proc.control({ type: 'allow', paths: read, write: false });
    if (write.length > 0) proc.control({ type: 'allow', paths: write, write: true });
    if (this.rendererReady) this.connect(proc);
  }

  private connect(proc: EngineProcess<Port>): void {
    const [enginePort, rendererPort] = this.deps.createChannel();
    proc.control({ type: 'port' }, [enginePort]);
    this.deps.sendPortToRenderer(rendererPort);
    this.deps.sendStatus({ type: 'engine-ready' });
  }

  private exited(proc: EngineProcess<Port>, info: ExitInfo): void {
    if (proc !== this.current) return; // an engine we already replaced or stopped
    this.current = null;
    if (this.stopped) return;
    const reason = describeExit(info);
    const now = (this.deps.now ?? Date.now)();
    const windowMs = this.deps.windowMs ?? 60_000;
    this.restarts = this.restarts.filter((t) => now - t < windowMs);
    const restarting = this.restarts.length < (this.deps.maxRestarts ?? 5);
    this.deps.log?.(`${reason}; ${restarting ? 'restarting' : 'not restarting (too many crashes)'}`);
    this.deps.sendStatus({ type: 'engine-died', reason, restarting });
    if (!restarting) {
      this.stopped = true;
      return;
    }
    this.restarts.push(now);
    const attempt = this.restarts.length;
    const delay = (this.deps.restartDelay ?? ((n: number) => (n <= 1 ? 0 : Math.min(250 * 4 ** (n - 2), 5000))))(attempt);
    if (this.pendingRestart) return;
    this.pendingRestart = true;
    const go = (): void => {
      this.pendingRestart = false;
      if (!this.stopped && !this.current) this.launch();
    };
    if (delay <= 0) go();
    else (this.deps.setTimer ?? ((fn, ms) => void setTimeout(fn, ms)))(go, delay);
  }
}
