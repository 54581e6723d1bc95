// The engine as a real child process (out/cli/utility.js, the Node build of the utility entry),
// spoken to over the same message protocol as the desktop app: open, stats, preview, a sweep with
// progress, cancel in the middle of a long sweep, bad input, and a crash.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type RunnerSlot } from '../../../src/core/eval';
import { decodeModel } from '../../../src/core/onnx/decode';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { applyPrune, planPrune } from '../../../src/core/prune';
import { Session } from '../../../src/core/runtime';
import { EngineRequestError } from '../../../src/engine/client';
import { spawnEngine, type EngineProcess } from '../../../src/engine/node/process';
import type { Progress } from '../../../src/engine/protocol';
import { SAMPLE, sampleDataset, UTILITY } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

let engine: EngineProcess;
const tmp = fileTempDir('prunescope-engine-');

beforeAll(async () => {
  engine = spawnEngine(UTILITY);
  await engine.client.ready;
});

afterAll(async () => {
  await engine?.stop();
});

describe('engine child process', () => {
  let modelId = 0;

  it('opens the sample model from a path', async () => {
    const s = await engine.client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
    modelId = s.modelId;
    expect(s.fileName).toBe('sample-mlp.onnx');
    expect(s.opCounts.Gemm).toBe(3);
    expect(s.defaultPrunable).toHaveLength(3);
    expect(s.unsupportedOps).toEqual([]);
    // The open does not count zeros (it would read every weight); 'stats' does, below.
    expect(s.graph.initializers.map((i) => i.params)).toEqual([784000, 1000, 1000000, 1000, 10000, 10]);
    expect(s.graph.initializers.every((i) => i.zeros === null)).toBe(true);
  });

  it('answers stats that agree with a direct computation on the decoded weights', async () => {
    const stats = await engine.client.request({ type: 'stats', modelId, bins: 32 }).promise;
    const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
    expect(stats.map((s) => s.name)).toEqual(model.graph.initializers.map((t) => t.name));
    for (const t of model.graph.initializers) {
      const v = tensorToFloat32(t);
      let min = Infinity;
      let max = -Infinity;
      let zeros = 0;
      for (const x of v) {
        if (x < min) min = x;
        if (x > max) max = x;
        if (x === 0) zeros++;
      }
      const s = stats.find((x) => x.name === t.name)!;
      expect([s.count, s.min, s.max, s.zeros]).toEqual([v.length, min, max, zeros]);
      expect(s.histogram.counts).toHaveLength(32);
      expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(v.length);
    }
  });

  it('previews a prune: each layer keeps n − round(0.8 n)', async () => {
    const r = await engine.client.request({ type: 'prunePreview', modelId, spec: { ratio: 0.8, mode: 'layer' } }).promise;
    expect(r.layers).toHaveLength(3);
    for (const l of r.layers) expect(l.kept).toBe(l.n - Math.round(0.8 * l.n));
    expect(r.sparseBytes).toBeLessThan(r.denseBytes);
  });

  it('runs a short sweep with progress; points equal an in-process evaluation', async () => {
    const progress: Progress[] = [];
    const ratios = [0, 0.5, 0.9];
    const options = { limit: 300, batch: 100 };
    const points = await engine.client.request(
      { type: 'sweep', modelId, spec: { mode: 'layer' }, ratios, dataset: { kind: 'sample' }, options },
      { onProgress: (p) => progress.push(p) },
    ).promise;
    expect(points.map((p) => p.ratio)).toEqual(ratios);
    expect(progress.filter((p) => p.point).map((p) => p.point!.ratio)).toEqual(ratios);
    // The same computation in this process, with the runtime directly.
    const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
    const ds = sampleDataset();
    for (const p of points) {
      const pruned = applyPrune(model, planPrune(model, { ratio: p.ratio, mode: 'layer' }));
      const slots: RunnerSlot[] = (['sparse', 'dense'] as const).map((k) => {
        const s = Session.create(pruned, { kernels: k });
        return { name: k, runBatch: (x: Float32Array, b: number) => s.runFloat(x, b) };
      });
      const local = await evaluate(slots, ds, options, { now: () => 0 });
      expect(p.results.find((r) => r.runtime === 'sparse')!.accuracy).toBe(local[0].accuracy);
      expect(p.results.find((r) => r.runtime === 'dense')!.accuracy).toBe(local[1].accuracy);
      expect(p.results.find((r) => r.runtime === 'onnxruntime')!.unavailable).toBeUndefined();
      expect(p.samples).toBe(300);
    }
    expect(points[0].results[0].accuracy).toBeGreaterThan(0.9);
  });

  it('cancels a long sweep, then keeps serving', async () => {
    const events: string[] = [];
    let cancelled = false;
    const job = engine.client.request(
      { type: 'sweep', modelId, spec: { mode: 'layer' }, ratios: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], dataset: { kind: 'sample' } },
      {
        onProgress: () => {
          events.push(cancelled ? 'progress-after-cancel' : 'progress');
          if (!cancelled) {
            cancelled = true;
            events.push('cancel');
            engine.client.cancel(job.id);
          }
        },
      },
    );
    const err = await job.promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    events.push('rejected');
    expect(err).toBeInstanceOf(EngineRequestError);
    expect((err as EngineRequestError).code).toBe('cancelled');
    expect(events.slice(0, 2)).toEqual(['progress', 'cancel']);
    expect(events[events.length - 1]).toBe('rejected');
    // Few progress messages can be in flight after the cancel; never a whole sweep's worth.
    expect(events.filter((e) => e === 'progress-after-cancel').length).toBeLessThan(5);
    const r = await engine.client.request({ type: 'prunePreview', modelId, spec: { ratio: 0.5, mode: 'global' } }).promise;
    expect(r.keptParams).toBe(r.prunableParams - Math.round(0.5 * r.prunableParams));
  });

  it('reports a corrupt model as bad-model naming the file, then keeps serving', async () => {
    const bad = join(tmp, 'bad.onnx');
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
    writeFileSync(bad, junk);
    const err = (await engine.client.request({ type: 'open', source: { kind: 'path', path: bad } }).promise.catch((e: unknown) => e)) as EngineRequestError;
    expect(err.code).toBe('bad-model');
    expect(err.message).toContain('bad.onnx');
    const missing = (await engine.client.request({ type: 'open', source: { kind: 'path', path: join(tmp, 'nope.onnx') } }).promise.catch((e: unknown) => e)) as EngineRequestError;
    expect(missing.code).toBe('not-found');
    expect(missing.message).toContain('nope.onnx');
    const unknownModel = (await engine.client.request({ type: 'stats', modelId: 999 }).promise.catch((e: unknown) => e)) as EngineRequestError;
    expect(unknownModel.code).toBe('bad-request');
    const s = await engine.client.request({ type: 'prunePreview', modelId, spec: { ratio: 0, mode: 'layer' } }).promise;
    expect(s.keptParams).toBe(s.prunableParams);
  });

  it('answers a malformed message with bad-request instead of crashing', async () => {
    const got = new Promise<unknown>((resolve) => {
      const l = (m: unknown): void => {
        if ((m as { id?: number }).id === 4242) {
          engine.child.off('message', l);
          resolve(m);
        }
      };
      engine.child.on('message', l);
    });
    engine.child.send({ id: 4242, type: 'stats', modelId: 'one' });
    expect(await got).toMatchObject({ id: 4242, type: 'error', error: { code: 'bad-request' } });
    const s = await engine.client.request({ type: 'close', modelId }).promise;
    expect(s).toBeNull();
  });
});

describe('engine crash', () => {
  it('rejects pending requests with "engine died" and reports the exit', async () => {
    const e2 = spawnEngine(UTILITY);
    await e2.client.ready;
    const exits: string[] = [];
    e2.onExit((i) => exits.push(i.reason));
    const open = await e2.client.request({ type: 'open', source: { kind: 'sample' } }).promise;
    let sawProgress!: () => void;
    const started = new Promise<void>((r) => (sawProgress = r));
    const job = e2.client.request(
      { type: 'sweep', modelId: open.modelId, spec: { mode: 'layer' }, ratios: [0, 0.5, 0.9], dataset: { kind: 'sample' } },
      { onProgress: () => sawProgress() },
    );
    await started;
    e2.child.kill('SIGKILL');
    const err = (await job.promise.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/engine died/);
    expect(err.message).toMatch(/SIGKILL/);
    expect(exits).toHaveLength(1);
    expect(e2.client.pendingCount).toBe(0);
    const after = (await e2.client.request({ type: 'close', modelId: 1 }).promise.catch((e: unknown) => e)) as Error;
    expect(after.message).toMatch(/engine died/);
  });
});
