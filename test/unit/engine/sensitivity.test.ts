// issue 16: sensitivity — the engine request as a client sees it (a real EngineHost in process):
// one progress message per point carrying it, the curves in the result, the allocation with its
// comparison, Cancel mid-job, and named errors for bad requests. 'allocate' from those curves gives
// the same allocation and comparison without measuring a curve again.
import { describe, expect, it, beforeAll } from 'vitest';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Progress, SensitivityReport } from '../../../src/engine/protocol';
import { failure, SAMPLE } from '../../support/engine';

const { client, host } = inProcessEngine(nodePlatform().platform);
let modelId = 0;
/** The first test's answer: ratios 0.5, 0.9, 0.95 on 300 samples, allocated at 0.9. */
let analysed: SensitivityReport | undefined;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});

describe('sensitivity request', () => {
  it('sends each point as progress and answers with one curve per tensor, and the allocation', async () => {
    const progress: Progress[] = [];
    const r = await client.request(
      { type: 'sensitivity', modelId, dataset: { kind: 'sample' }, ratios: [0.5, 0.9, 0.95], limit: 300, allocate: 0.9 },
      { onProgress: (p) => progress.push(p) },
    ).promise;
    expect(r.samples).toBe(300);
    expect(r.curves.map((c) => c.tensor)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    const points = progress.filter((p) => p.sensitivity !== undefined).map((p) => p.sensitivity!);
    expect(points.map((p) => `${p.tensor}@${p.point.ratio}`)).toEqual(r.curves.flatMap((c) => c.points.map((p) => `${c.tensor}@${p.ratio}`)));
    expect(points.map((p) => p.point)).toEqual(r.curves.flatMap((c) => c.points));
    expect(progress.every((p) => p.done <= p.total)).toBe(true);
    const a = r.allocation!;
    expect(a.comparison.map((c) => c.name)).toEqual(['allocated', 'uniform per layer', 'global']);
    expect(Math.abs(a.sparsity - 0.9)).toBeLessThan(0.005);
    expect(Object.keys(a.overrides)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    analysed = r;
  });

  it('allocate: from the curves the app has, the same allocation at once, and with the data the same comparison', async () => {
    const { allocation, ...result } = analysed!;
    const progress: Progress[] = [];
    const instant = await client.request({ type: 'allocate', modelId, result, target: 0.9 }, { onProgress: (p) => progress.push(p) }).promise;
    const { comparison: _measured, ...rest } = allocation!;
    expect(instant).toEqual({ ...rest, comparison: [] });
    // nothing was measured: no progress at all
    expect(progress).toEqual([]);
    const measured = await client.request({ type: 'allocate', modelId, result, target: 0.9, dataset: { kind: 'sample' } }, { onProgress: (p) => progress.push(p) }).promise;
    expect(measured).toEqual(allocation);
    expect(progress.some((p) => p.sensitivity !== undefined)).toBe(false);
    // another target from the same curves
    const lower = await client.request({ type: 'allocate', modelId, result, target: 0.5 }).promise;
    expect(Math.abs(lower.sparsity - 0.5)).toBeLessThan(0.005);
  });

  it('allocate names the problem: curves of another model, a target beyond them, a malformed answer', async () => {
    const { allocation: _, ...result } = analysed!;
    const other = { ...result, curves: [{ ...result.curves[0], tensor: 'conv9.weight' }] };
    const foreign = await failure(client.request({ type: 'allocate', modelId, result: other, target: 0.5 }).promise);
    expect(foreign.code).toBe('bad-request');
    expect(foreign.message).toMatch(/"conv9\.weight", not a prunable weight/);
    const beyond = await failure(client.request({ type: 'allocate', modelId, result, target: 0.97 }).promise);
    expect(beyond.message).toMatch(/beyond the measured curves/);
    const malformed = await failure(client.request({ type: 'allocate', modelId, result: { ...result, curves: [{ tensor: 'fc1.weight', params: 10, points: [{ ratio: 0.5 }] }] }, target: 0.5 } as never).promise);
    expect(malformed.code).toBe('bad-request');
    expect(malformed.message).toMatch(/curves\[0\]: each point must have numbers "accuracy" and "loss"/);
  });

  it('is cancelled mid-job and the engine keeps serving', async () => {
    let sent = false;
    const job = client.request(
      { type: 'sensitivity', modelId, dataset: { kind: 'sample' }, limit: 2000 },
      {
        onProgress: (p) => {
          if (!sent && p.sensitivity !== undefined) {
            sent = true;
            client.cancel(job.id);
          }
        },
      },
    );
    const e = await failure(job.promise);
    expect(e.code).toBe('cancelled');
    expect(host.running).toBe(0);
    const again = await client.request({ type: 'sensitivity', modelId, dataset: { kind: 'sample' }, ratios: [0.5], select: ['fc3.weight'], limit: 100 }).promise;
    expect(again.curves).toHaveLength(1);
  });

  it('names the problem: unknown tensor, a target beyond the curves, bad ratios', async () => {
    const unknown = await failure(client.request({ type: 'sensitivity', modelId, dataset: { kind: 'sample' }, select: ['nope'], limit: 50 }).promise);
    expect(unknown.code).toBe('bad-request');
    expect(unknown.message).toMatch(/"nope"/);
    const beyond = await failure(client.request({ type: 'sensitivity', modelId, dataset: { kind: 'sample' }, ratios: [0.5], limit: 50, allocate: 0.8 }).promise);
    expect(beyond.message).toMatch(/beyond the measured curves/);
    const bad = await failure(client.request({ type: 'sensitivity', modelId, dataset: { kind: 'sample' }, ratios: [1.5] } as never).promise);
    expect(bad.code).toBe('bad-request');
  });
});
