// The engine's 'prune' job with method 'wanda' on the ViT fixture and Fashion-MNIST calibration
// files: progress naming the layer, exact counts, cancel mid-job (nothing cached, the engine keeps
// serving), and channels refused before any data loads, in one message naming the file.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineRequestError } from '../../../src/engine/client';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Progress, PruneSpec } from '../../../src/engine/protocol';
import { ROOT, SAMPLE } from '../../support/engine';

const { client, host } = inProcessEngine(nodePlatform().platform);
const FASHION = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].map((f) => join('/usr/share/datasets/fashion-mnist', f));
const spec: PruneSpec = { ratio: 0.5, mode: 'layer', method: 'wanda', calibration: { kind: 'paths', paths: FASHION }, dataLimit: 100 };
let modelId = 0;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: join(ROOT, 'test/models/transformers/vit.onnx') } }).promise).modelId;
});

async function failure(p: Promise<unknown>): Promise<EngineRequestError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(EngineRequestError);
  return e as EngineRequestError;
}

describe('prune job with wanda', () => {
  it('reports progress naming the layer and prunes exactly half of every selected weight', async () => {
    const progress: Progress[] = [];
    const report = await client.request({ type: 'prune', modelId, spec }, { onProgress: (p) => progress.push(p) }).promise;
    expect(progress.some((p) => p.done < p.total && /wanda/.test(p.message))).toBe(true);
    expect(report.layers.length).toBeGreaterThanOrEqual(8);
    for (const l of report.layers) expect(l.n - l.kept, l.tensor).toBe(Math.round(0.5 * l.n));
  });

  it('is cancelled mid-job, caches nothing, and the engine keeps serving', async () => {
    const size0 = host.pruned.size;
    let cancelled = false;
    const job = client.request({ type: 'prune', modelId, spec: { ...spec, ratio: 0.7, dataLimit: 2000 } }, {
      onProgress: () => {
        if (!cancelled) {
          cancelled = true;
          client.cancel(job.id);
        }
      },
    });
    expect((await failure(job.promise)).code).toBe('cancelled');
    expect(host.pruned.size).toBe(size0);
    expect(host.running).toBe(0);
    const r = await client.request({ type: 'prunePreview', modelId, spec: { ratio: 0.5, mode: 'layer' } }).promise;
    expect(r.prunableParams).toBeGreaterThan(0);
  });

  it('refuses channels in one message naming the file', async () => {
    const mlp = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
    const e = await failure(client.request({ type: 'prune', modelId: mlp, spec: { ratio: 0.5, mode: 'layer', method: 'wanda', structure: 'channels' } }).promise);
    expect(e.message).toMatch(/^sample-mlp\.onnx: wanda cannot prune this model: .*not channels/);
    expect(e.message).not.toMatch(/\n/);
  });
});
