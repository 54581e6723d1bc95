// The one engine client over a scripted link: results, progress, errors, cancel, and its two
// options (surviving an engine restart, reporting activity).
import { describe, expect, it } from 'vitest';
import { EngineClient, EngineRequestError, type EngineLink } from '../../../src/engine/client';
import type { ReadyMessage, Request, Response } from '../../../src/engine/protocol';

/** A link whose far end is the test: it records what was posted and can answer. */
function scriptedLink() {
  const posted: Request[] = [];
  let listener: ((m: Response | ReadyMessage) => void) | undefined;
  let unsubscribed = false;
  const link: EngineLink = {
    post: (m) => void posted.push(m),
    onMessage: (l) => {
      listener = l;
      return () => (unsubscribed = true);
    },
  };
  const answer = (m: Response | ReadyMessage): void => listener?.(m);
  return { link, posted, answer, unsubscribed: () => unsubscribed };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as EngineRequestError);

describe('EngineClient', () => {
  it('numbers requests, passes progress, resolves results and rejects engine errors with their fields', async () => {
    const s = scriptedLink();
    const client = new EngineClient(s.link);
    const progress: number[] = [];
    const a = client.request({ type: 'close', modelId: 1 }, { onProgress: (p) => progress.push(p.done) });
    const b = client.call({ type: 'close', modelId: 2 });
    expect(s.posted).toEqual([
      { type: 'close', modelId: 1, id: a.id },
      { type: 'close', modelId: 2, id: a.id + 1 },
    ]);
    s.answer({ type: 'progress', id: a.id, progress: { message: 'x', done: 3, total: 4 } });
    s.answer({ type: 'result', id: a.id, value: {} } as Response);
    await expect(a.promise).resolves.toEqual({});
    expect(progress).toEqual([3]);
    s.answer({ type: 'error', id: a.id + 1, error: { code: 'not-found', message: 'gone.onnx: no such file', file: 'gone.onnx' } });
    const e = await failure(b);
    expect(e).toBeInstanceOf(EngineRequestError);
    expect({ code: e?.code, message: e?.message, file: e?.file }).toEqual({ code: 'not-found', message: 'gone.onnx: no such file', file: 'gone.onnx' });
  });

  it('sends a cancel for a request in flight only', () => {
    const s = scriptedLink();
    const client = new EngineClient(s.link);
    const r = client.request({ type: 'close', modelId: 1 });
    client.cancel(r.id);
    expect(s.posted[1]).toMatchObject({ type: 'cancel', target: r.id });
    s.answer({ type: 'result', id: r.id, value: {} } as Response);
    client.cancel(r.id);
    client.cancel(999);
    expect(s.posted).toHaveLength(2);
  });

  it('a link that cannot send rejects the request with a clear message', async () => {
    const client = new EngineClient({
      post: () => {
        throw new Error('The engine is not connected');
      },
      onMessage: () => undefined,
    });
    const e = await failure(client.call({ type: 'close', modelId: 1 }));
    expect(e?.message).toBe('could not send to the engine: The engine is not connected');
    expect(client.pendingCount).toBe(0);
  });

  it('onActivity: listeners see the count of requests in flight go up and down', async () => {
    const s = scriptedLink();
    const seen: number[] = [];
    const late: number[] = [];
    const client = new EngineClient(s.link, { onActivity: (n) => seen.push(n) });
    const a = client.call({ type: 'close', modelId: 1 });
    const b = client.call({ type: 'close', modelId: 2 });
    client.onActivity((n) => late.push(n));
    const c = client.call({ type: 'close', modelId: 3 });
    s.answer({ type: 'result', id: 2, value: {} } as Response);
    s.answer({ type: 'error', id: 1, error: { code: 'cancelled', message: 'cancelled' } });
    s.answer({ type: 'result', id: 3, value: {} } as Response);
    await Promise.allSettled([a, b, c]);
    expect(seen).toEqual([1, 2, 3, 2, 1, 0]);
    expect(late).toEqual([3, 2, 1, 0]);
    expect(client.pendingCount).toBe(0);
  });

  it('by default a closed link closes the client: requests in flight and later ones reject with the reason', async () => {
    const s = scriptedLink();
    const client = new EngineClient(s.link);
    const before = client.call({ type: 'close', modelId: 1 });
    client.linkClosed('engine died (signal SIGKILL)');
    expect((await failure(before))?.message).toBe('engine died (signal SIGKILL)');
    expect(s.unsubscribed()).toBe(true);
    const after = client.call({ type: 'close', modelId: 2 });
    expect((await failure(after))?.message).toBe('engine died (signal SIGKILL)');
    expect(s.posted).toHaveLength(1);
  });

  it('survivesRestart: requests in flight reject, later ones go out again and the new engine becomes ready', async () => {
    const s = scriptedLink();
    const client = new EngineClient(s.link, { survivesRestart: true });
    let readies = 0;
    client.onReady(() => readies++);
    s.answer({ type: 'ready', id: -1 });
    await client.ready;
    expect(client.isReady).toBe(true);

    const inFlight = client.call({ type: 'close', modelId: 1 });
    client.linkClosed('The engine stopped: the engine process was killed (SIGKILL)');
    const e = await failure(inFlight);
    expect(e).toBeInstanceOf(EngineRequestError);
    expect(e?.message).toBe('The engine stopped: the engine process was killed (SIGKILL)');
    expect(client.isReady).toBe(false);

    let newReady = false;
    void client.ready.then(() => (newReady = true));
    const later = client.request({ type: 'close', modelId: 2 });
    expect(s.posted.at(-1)).toEqual({ type: 'close', modelId: 2, id: later.id });
    await Promise.resolve();
    expect(newReady).toBe(false);
    s.answer({ type: 'ready', id: -1 });
    s.answer({ type: 'result', id: later.id, value: {} } as Response);
    await expect(later.promise).resolves.toEqual({});
    expect(newReady).toBe(true);
    expect(readies).toBe(2);
    expect(s.unsubscribed()).toBe(false);
  });
});
