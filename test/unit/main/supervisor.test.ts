// The engine supervisor against REAL engine processes: the Node build of the utility entry
// (out/cli/utility.js, built once per run by test/global-setup.ts), started with child_process.fork with paths
// restricted as in Electron (PRUNESCOPE_RESTRICT_PATHS=1: 'allow' control messages apply). The
// MessageChannel between renderer and engine is modelled by a port pair bound to the child's IPC
// when main "transfers" it, the way Electron binds a MessagePortMain to the utility process.
import { afterAll, describe, expect, it } from 'vitest';
import { fork, type ChildProcess } from 'node:child_process';
import { EngineClient } from '../../../src/engine/client';
import type { ControlMessage, ReadyMessage, Request, Response } from '../../../src/engine/protocol';
import type { EngineStatus } from '../../../src/shared/api';
import { EngineSupervisor, type EngineProcess, type ExitInfo } from '../../../src/main/supervisor';
import { join } from 'node:path';
import { ROOT, UTILITY } from '../../support/paths';

const entry = UTILITY;
const relu = '/usr/share/libonnx-testdata/data/node/test_relu/model.onnx';
const sigmoid = '/usr/share/libonnx-testdata/data/node/test_sigmoid/model.onnx';

type Msg = Response | ReadyMessage;

/** One end of a renderer⇄engine link; the engine end is bound to a child when transferred. */
class TestPort {
  private listeners: ((m: Msg) => void)[] = [];
  private child: ChildProcess | null = null;
  peer!: TestPort;
  bind(child: ChildProcess): void {
    this.peer.child = child;
    child.on('message', (m) => this.peer.listeners.forEach((l) => l(m as Msg)));
  }
  post(m: Request): void {
    if (!this.child || !this.child.connected) throw new Error('port closed');
    this.child.send(m);
  }
  onMessage(l: (m: Msg) => void): () => void {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }
}

interface Spawned {
  child: ChildProcess;
  controls: ControlMessage[];
}

function harness(options: { maxRestarts?: number } = {}) {
  const spawned: Spawned[] = [];
  const statuses: EngineStatus[] = [];
  const rendererPorts: TestPort[] = [];
  const grants = { read: [relu], write: ['/out/b.onnx'] };
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((w) => w());
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise<void>((r) => waiters.push(r));
  };
  const supervisor = new EngineSupervisor<TestPort>({
    spawn: (): EngineProcess<TestPort> => {
      const child = fork(entry, [], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'advanced',
        env: { ...process.env, PRUNESCOPE_RESTRICT_PATHS: '1', NODE_PATH: join(ROOT, 'node_modules') },
      });
      const s: Spawned = { child, controls: [] };
      spawned.push(s);
      changed();
      return {
        control: (message, transfer) => {
          s.controls.push(message);
          // A forked engine talks over process.send: binding the port to it is the handover.
          if (message.type === 'port') transfer?.forEach((p) => p.bind(child));
          else child.send(message);
        },
        kill: () => void child.kill(),
        onExit: (listener: (info: ExitInfo) => void) =>
          void child.once('exit', (code, signal) => {
            listener({ code, signal });
            changed();
          }),
      };
    },
    createChannel: () => {
      const a = new TestPort();
      const b = new TestPort();
      a.peer = b;
      b.peer = a;
      return [a, b];
    },
    sendPortToRenderer: (p) => {
      rendererPorts.push(p);
      changed();
    },
    sendStatus: (s) => {
      statuses.push(s);
      changed();
    },
    grants: () => grants,
    restartDelay: () => 0,
    maxRestarts: options.maxRestarts,
  });
  return { supervisor, spawned, statuses, rendererPorts, until };
}

async function openRelu(port: TestPort) {
  const client = new EngineClient(port);
  const summary = await client.request({ type: 'open', source: { kind: 'path', path: relu } }).promise;
  // a path nobody granted is refused by the restricted engine
  const refused = await client.request({ type: 'open', source: { kind: 'path', path: sigmoid } }).promise.then(
    () => null,
    (e: { code?: string }) => e.code,
  );
  return { client, summary, refused };
}

const alive: ChildProcess[] = [];

afterAll(() => {
  for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('EngineSupervisor with a real engine process', () => {
  it('connects, restarts a killed engine with the grants and a new port, and stops cleanly', async () => {
    const h = harness();
    h.supervisor.start();
    h.supervisor.rendererLoaded();
    alive.push(...h.spawned.map((s) => s.child));
    expect(h.spawned).toHaveLength(1);
    expect(h.rendererPorts).toHaveLength(1);
    expect(h.statuses).toEqual([{ type: 'engine-ready' }]);
    // grants go out before the port
    expect(h.spawned[0].controls).toEqual([
      { type: 'allow', paths: [relu], write: false },
      { type: 'allow', paths: ['/out/b.onnx'], write: true },
      { type: 'port' },
    ]);

    const first = await openRelu(h.rendererPorts[0]);
    expect(first.summary.opCounts).toEqual({ Relu: 1 });
    expect(first.refused).toBe('bad-request');

    // a crash in the middle of work: SIGKILL
    const firstPid = h.spawned[0].child.pid;
    h.spawned[0].child.kill('SIGKILL');
    await h.until(() => h.rendererPorts.length === 2);
    alive.push(h.spawned[1].child);
    expect(h.statuses).toEqual([
      { type: 'engine-ready' },
      { type: 'engine-died', reason: 'the engine process was killed (SIGKILL)', restarting: true },
      { type: 'engine-ready' },
    ]);
    expect(h.supervisor.generation).toBe(2);
    expect(h.spawned[1].child.pid).not.toBe(firstPid);
    expect(h.spawned[1].controls).toEqual(h.spawned[0].controls);

    // the new port reaches the new engine, which got the grants again (and only those)
    const second = await openRelu(h.rendererPorts[1]);
    expect(second.summary.nodeCount).toBe(1);
    expect(second.refused).toBe('bad-request');
    // the old link is dead: a client on it fails instead of hanging
    expect(() => h.rendererPorts[0].post({ id: 99, type: 'close', modelId: 0 })).toThrow(/port closed/);

    // an exit with an error code is reported too
    h.spawned[1].child.kill('SIGTERM');
    await h.until(() => h.rendererPorts.length === 3);
    alive.push(h.spawned[2].child);
    expect(h.statuses[3]).toEqual({ type: 'engine-died', reason: 'the engine process was killed (SIGTERM)', restarting: true });

    // stop: the engine goes away and nothing restarts it
    const last = h.spawned[2].child;
    h.supervisor.stop();
    await h.until(() => last.exitCode !== null || last.signalCode !== null);
    expect(h.spawned).toHaveLength(3);
    expect(h.statuses).toHaveLength(5);
    expect(h.supervisor.running).toBe(false);
  });

  it('gives up after too many crashes and says so', async () => {
    const h = harness({ maxRestarts: 1 });
    h.supervisor.start();
    h.supervisor.rendererLoaded();
    alive.push(h.spawned[0].child);
    h.spawned[0].child.kill('SIGKILL');
    await h.until(() => h.spawned.length === 2 && h.rendererPorts.length === 2);
    alive.push(h.spawned[1].child);
    h.spawned[1].child.kill('SIGKILL');
    await h.until(() => h.statuses.length === 4);
    expect(h.statuses.at(-1)).toEqual({ type: 'engine-died', reason: 'the engine process was killed (SIGKILL)', restarting: false });
    expect(h.spawned).toHaveLength(2);
    expect(h.supervisor.running).toBe(false);
  });

  it('a renderer reload gets a fresh port to the same engine', async () => {
    const h = harness();
    h.supervisor.start();
    alive.push(h.spawned[0].child);
    expect(h.rendererPorts).toHaveLength(0); // no page yet: no port
    h.supervisor.rendererLoaded();
    h.supervisor.rendererLoaded();
    expect(h.rendererPorts).toHaveLength(2);
    expect(h.spawned).toHaveLength(1);
    const { summary } = await openRelu(h.rendererPorts[1]);
    expect(summary.graph.nodes[0].opType).toBe('Relu');
    h.supervisor.stop();
  });
});
