// The utility entry on its Electron path (process.parentPort), with a stand-in for Electron's
// parent port: ready on the parent port and on the renderer's port, requests served on the port,
// paths refused until main allows them ('allow' control messages), writes only where allowed.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, UTILITY } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

interface Envelope {
  via: 'parent' | 'port';
  m: { id?: number; type: string; value?: unknown; error?: { code: string; message: string } };
}

let child: ChildProcess;
const inbox: Envelope[] = [];
const waiters: (() => void)[] = [];
const tmp = fileTempDir('prunescope-util-');

function next(pred: (e: Envelope) => boolean): Promise<Envelope> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const i = inbox.findIndex(pred);
      if (i < 0) return false;
      resolve(inbox.splice(i, 1)[0]);
      return true;
    };
    if (!check()) waiters.push(() => void check());
  });
}

function request(m: Record<string, unknown> & { id: number }): Promise<Envelope> {
  child.send({ via: 'port', m });
  return next((e) => e.via === 'port' && e.m.id === m.id && e.m.type !== 'progress');
}

beforeAll(() => {
  child = fork(join(__dirname, 'fixtures/parent-port-stand-in.cjs'), [UTILITY], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (e) => {
    inbox.push(e as Envelope);
    for (const w of waiters.splice(0)) w();
  });
});

afterAll(() => {
  child?.kill();
});

describe('utility entry under Electron (parentPort)', () => {
  it('serves the renderer port and enforces the allowed paths', async () => {
    expect((await next((e) => e.via === 'parent')).m).toEqual({ type: 'ready', id: -1 });
    child.send({ via: 'parent', m: { type: 'port' }, withPort: true });
    expect((await next((e) => e.via === 'port')).m).toEqual({ type: 'ready', id: -1 });

    const refused = await request({ id: 1, type: 'open', source: { kind: 'path', path: SAMPLE } });
    expect(refused.m.error?.code).toBe('bad-request');
    expect(refused.m.error?.message).toContain('sample-mlp.onnx');

    child.send({ via: 'parent', m: { type: 'allow', paths: [SAMPLE] } });
    const opened = await request({ id: 2, type: 'open', source: { kind: 'path', path: SAMPLE } });
    expect(opened.m.type).toBe('result');
    const modelId = (opened.m.value as { modelId: number }).modelId;

    const out = join(tmp, 'out.onnx');
    const spec = { ratio: 0.5, mode: 'layer' };
    const noWrite = await request({ id: 3, type: 'export', modelId, spec, format: 'dense', path: out });
    expect(noWrite.m.error?.code).toBe('bad-request');
    // Allowed for reading is not allowed for writing; the model's own path never is.
    const own = await request({ id: 4, type: 'export', modelId, spec, format: 'dense', path: SAMPLE });
    expect(own.m.error?.code).toBe('bad-request');
    child.send({ via: 'parent', m: { type: 'allow', paths: [out], write: true } });
    const written = await request({ id: 5, type: 'export', modelId, spec, format: 'dense', path: out });
    expect(written.m).toMatchObject({ type: 'result', value: { path: out } });
  });
});
