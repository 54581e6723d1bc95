// The engine's report request: answers the page when no path is given, reports progress through
// the histograms and the sweep (the points themselves stay in the report: the progress of a report
// carries no sweep or sensitivity points), a cancel during the sweep writes nothing and leaves the
// engine serving, and a second open model gives the diff section.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_DATA_ID } from '../../../src/core/report/html';
import { EngineRequestError } from '../../../src/engine/client';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Progress, ReportData } from '../../../src/engine/protocol';
import { validateRequest } from '../../../src/engine/validate';
import { SAMPLE } from '../../support/engine';

const { client } = inProcessEngine(nodePlatform().platform);
const tmp = mkdtempSync(join(tmpdir(), 'prunescope-report-engine-'));
let modelId = 0;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('report request', () => {
  it('answers the page with its sections and reports progress up to the end of the sweep', async () => {
    const seen: Progress[] = [];
    const job = client.request(
      { type: 'report', modelId, dataset: { kind: 'sample' }, ratios: [0, 0.9], options: { limit: 100, batch: 0, runtimes: ['dense'] } },
      { onProgress: (p) => seen.push(p) },
    );
    const r = await job.promise;
    expect(r.path).toBeUndefined();
    expect(r.sections).toEqual(['model', 'graph', 'nodes', 'histograms', 'sweep']);
    const html = r.html ?? '';
    expect(r.bytes).toBe(html.length);
    const json = new RegExp(`id="${REPORT_DATA_ID}">([^<]*)</script>`).exec(html)?.[1] ?? '';
    const data = JSON.parse(json) as ReportData;
    expect(data.sweep?.points.map((p) => p.ratio)).toEqual([0, 0.9]);
    expect(data.tool).toBe('prunescope');
    // Progress in 0..1000, never going back, with both finished points among it.
    expect(seen.every((p) => p.total === 1000)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(seen.some((p) => p.point !== undefined || p.sensitivity !== undefined)).toBe(false);
    expect(seen.some((p) => p.message.startsWith('sweep: '))).toBe(true);
    expect(seen.at(-1)?.done).toBe(1000);
  });

  it('is cancelled during the sweep, writes nothing, and the engine keeps serving', async () => {
    const out = join(tmp, 'cancelled.html');
    let cancelled = false;
    const job = client.request(
      { type: 'report', modelId, path: out, dataset: { kind: 'sample' }, ratios: [0, 0.5, 0.9], options: { limit: 100, batch: 0, runtimes: ['dense'] } },
      {
        onProgress: (p) => {
          if (p.message.startsWith('sweep: ') && !cancelled) {
            cancelled = true;
            client.cancel(job.id);
          }
        },
      },
    );
    const e = await job.promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(cancelled).toBe(true);
    expect(e).toBeInstanceOf(EngineRequestError);
    expect((e as EngineRequestError).code).toBe('cancelled');
    expect(existsSync(out)).toBe(false);
    const again = await client.request({ type: 'report', modelId, path: join(tmp, 'after.html') }).promise;
    expect(again.sections).toEqual(['model', 'graph', 'nodes', 'histograms']);
    expect(existsSync(join(tmp, 'after.html'))).toBe(true);
  });

  it('holds the diff with a second open model (the model against itself: no differences) and refuses a path over the model', async () => {
    const other = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
    const r = await client.request({ type: 'report', modelId, compareModelId: other }).promise;
    expect(r.sections).toEqual(['model', 'graph', 'nodes', 'histograms', 'diff']);
    const json = new RegExp(`id="${REPORT_DATA_ID}">([^<]*)</script>`).exec(r.html ?? '')?.[1] ?? '';
    const data = JSON.parse(json) as ReportData;
    expect(data.diff?.diff.summary.text).toMatch(/no differences/);
    await client.request({ type: 'close', modelId: other }).promise;
    await expect(client.request({ type: 'report', modelId, path: SAMPLE }).promise).rejects.toThrow(/refusing to overwrite the open model/);
  });

  it('is validated like the other requests', () => {
    const ok = { id: 7, type: 'report', modelId: 1, path: '/tmp/r.html', dataset: { kind: 'sample' }, ratios: [0, 0.5], spec: { mode: 'global' }, options: { limit: 10 }, tool: 'prunescope 1' };
    expect(validateRequest(ok)).toEqual({ ...ok, spec: expect.objectContaining({ mode: 'global' }) as unknown });
    expect(() => validateRequest({ id: 7, type: 'report', modelId: 1, ratios: [1.5] })).toThrow(/ratio must be a number from 0 to 1/);
    expect(() => validateRequest({ id: 7, type: 'report', modelId: 1, ratios: [] })).toThrow(/non-empty list/);
    expect(() => validateRequest({ id: 7, type: 'report', modelId: 1, path: 3 })).toThrow(/path/);
    expect(() => validateRequest({ id: 7, type: 'report' })).toThrow(/modelId/);
  });
});
