// The host in-process: every malformed message gets one 'bad-request' error (never a crash), each
// request gets exactly one result or error, and ids are per connection.
import { describe, expect, it } from 'vitest';
import { EngineHost, type Send } from '../../../src/engine/host';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Response } from '../../../src/engine/protocol';
import { SAMPLE } from '../../support/engine';

function collector(): { send: Send; messages: Response[]; final(id: number): Promise<Response> } {
  const messages: Response[] = [];
  const waiters: { id: number; resolve(r: Response): void }[] = [];
  const send: Send = (m) => {
    messages.push(m);
    if (m.type !== 'progress') for (const w of waiters.filter((x) => x.id === m.id)) w.resolve(m);
  };
  return {
    send,
    messages,
    final: (id) => {
      const done = messages.find((m) => m.id === id && m.type !== 'progress');
      return done ? Promise.resolve(done) : new Promise((resolve) => waiters.push({ id, resolve }));
    },
  };
}

describe('engine host', () => {
  const host = new EngineHost(nodePlatform({ ort: false }).platform);

  it('answers malformed messages with bad-request', async () => {
    const c = collector();
    const bad: unknown[] = [
      null,
      42,
      'open',
      { type: 'open' },
      { id: 1, type: 'nope' },
      { id: 2, type: 'open' },
      { id: 3, type: 'open', source: { kind: 'path' } },
      { id: 4, type: 'open', source: { kind: 'bytes', name: 'x.onnx', bytes: 'abc' } },
      { id: 5, type: 'stats', modelId: 'a' },
      { id: 6, type: 'prunePreview', modelId: 1, spec: { ratio: 2, mode: 'layer' } },
      { id: 7, type: 'prunePreview', modelId: 1, spec: { ratio: 0.5, mode: 'sideways' } },
      { id: 8, type: 'sweep', modelId: 1, spec: { mode: 'layer' }, ratios: [], dataset: { kind: 'sample' } },
      { id: 9, type: 'evaluate', modelId: 1, spec: { ratio: 0.5, mode: 'layer' }, dataset: { kind: 'paths', paths: [] } },
      { id: 10, type: 'evaluate', modelId: 1, spec: { ratio: 0.5, mode: 'layer' }, dataset: { kind: 'sample' }, options: { runtimes: ['tpu'] } },
      { id: 11, type: 'export', modelId: 1, spec: { ratio: 0.5, mode: 'layer' }, format: 'zip' },
      { id: 12, type: 'cancel' },
    ];
    for (const m of bad) host.handle(m, c.send);
    await new Promise((r) => setTimeout(r, 10));
    expect(c.messages).toHaveLength(bad.length);
    for (const m of c.messages) {
      expect(m.type).toBe('error');
      if (m.type === 'error') expect(m.error.code).toBe('bad-request');
    }
    expect(c.messages.map((m) => m.id)).toEqual([-1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('serves two connections with the same ids independently', async () => {
    const a = collector();
    const b = collector();
    host.handle({ id: 1, type: 'open', source: { kind: 'path', path: SAMPLE } }, a.send);
    host.handle({ id: 1, type: 'close', modelId: 9999 }, b.send);
    const ra = await a.final(1);
    const rb = await b.final(1);
    expect(ra.type).toBe('result');
    expect(rb).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    const modelId = ra.type === 'result' ? (ra.value as { modelId: number }).modelId : -1;
    host.handle({ id: 2, type: 'prunePreview', modelId, spec: { ratio: 1, mode: 'layer' } }, b.send);
    const rp = await b.final(2);
    expect(rp.type).toBe('result');
    if (rp.type === 'result') expect((rp.value as { keptParams: number }).keptParams).toBe(0);
  });
});
