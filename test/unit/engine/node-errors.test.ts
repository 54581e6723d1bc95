// The nodeErrors request: the pruned model given as a prune spec or as a second open model (its
// exported file) gives the same report; progress, the default sample count, Cancel, bad requests,
// a slow method through the method cache.
import { describe, expect, it } from 'vitest';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { DEFAULT_NODE_ERROR_SAMPLES, type Progress, type PruneSpec } from '../../../src/engine/protocol';
import { failure, SAMPLE } from '../../support/engine';

const { client, host } = inProcessEngine(nodePlatform({ ort: false }).platform);

describe('nodeErrors request', () => {
  const spec: PruneSpec = { ratio: 0.8, mode: 'layer' };
  const open = async (): Promise<number> => (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;

  it('gives the same report for the spec and for the exported pruned model opened beside it, with progress', async () => {
    const modelId = await open();
    const progress: Progress[] = [];
    const bySpec = await client.request({ type: 'nodeErrors', modelId, spec, dataset: { kind: 'sample' }, samples: 50 }, { onProgress: (p) => progress.push(p) }).promise;
    expect(bySpec.samples).toBe(50);
    expect(bySpec.nodes.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(bySpec.nodes[1].outputs[0].relL2).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p.done).toBeLessThanOrEqual(p.total);
    expect(progress[progress.length - 1].done).toBe(progress[progress.length - 1].total);

    const exported = await client.request({ type: 'export', modelId, spec, format: 'dense' }).promise;
    const prunedId = (await client.request({ type: 'open', source: { kind: 'bytes', name: 'pruned.onnx', bytes: exported.bytes! } }).promise).modelId;
    const byModel = await client.request({ type: 'nodeErrors', modelId, prunedModelId: prunedId, dataset: { kind: 'sample' }, samples: 50 }).promise;
    expect(byModel).toEqual(bySpec);
  });

  it(`runs ${DEFAULT_NODE_ERROR_SAMPLES} samples by default and says so; against itself everything is 0`, async () => {
    const modelId = await open();
    const r = await client.request({ type: 'nodeErrors', modelId, prunedModelId: modelId, dataset: { kind: 'sample' } }).promise;
    expect(r.samples).toBe(DEFAULT_NODE_ERROR_SAMPLES);
    expect(r.requested).toBe(DEFAULT_NODE_ERROR_SAMPLES);
    expect(r.top1Agreement).toBe(1);
    for (const n of r.nodes) expect(n.outputs[0].relL2).toBe(0);
  });

  it('is cancelled between batches and the engine keeps serving', async () => {
    const modelId = await open();
    // Progress comes after the request returned, so `pending` is set when it is read.
    const pending = client.request({ type: 'nodeErrors', modelId, spec, dataset: { kind: 'sample' }, samples: 2000 }, { onProgress: () => client.cancel(pending.id) });
    const e = await failure(pending.promise);
    expect(e.code).toBe('cancelled');
    const r = await client.request({ type: 'nodeErrors', modelId, spec, dataset: { kind: 'sample' }, samples: 4 }).promise;
    expect(r.samples).toBe(4);
  });

  it('refuses both or neither of spec and prunedModelId, an unknown pruned model id, and no samples', async () => {
    const modelId = await open();
    const both = await failure(client.request({ type: 'nodeErrors', modelId, spec, prunedModelId: modelId, dataset: { kind: 'sample' } }).promise);
    expect(both.code).toBe('bad-request');
    expect(both.message).toMatch(/either the pruned model .* or a prune spec/);
    const neither = await failure(client.request({ type: 'nodeErrors', modelId, dataset: { kind: 'sample' } }).promise);
    expect(neither.code).toBe('bad-request');
    const unknown = await failure(client.request({ type: 'nodeErrors', modelId, prunedModelId: 9999, dataset: { kind: 'sample' } }).promise);
    expect(unknown.message).toMatch(/no open model with id 9999/);
    const none = await failure(client.request({ type: 'nodeErrors', modelId, spec, dataset: { kind: 'sample' }, samples: 0 }).promise);
    expect(none.code).toBe('bad-request');
    expect(none.message).toMatch(/"samples" must be an integer ≥ 1/);
  });

  it('runs a slow method once and takes it from the cache the next time', async () => {
    const modelId = await open();
    const slow: PruneSpec = { ratio: 0.9, mode: 'layer', select: ['fc3.weight'], method: 'reconstruct', calibration: { kind: 'sample', split: 'train' }, dataLimit: 100 };
    const runs = host.pruned.runs;
    const progress: Progress[] = [];
    const a = await client.request({ type: 'nodeErrors', modelId, spec: slow, dataset: { kind: 'sample' }, samples: 20 }, { onProgress: (p) => progress.push(p) }).promise;
    expect(host.pruned.runs).toBe(runs + 1);
    expect(progress.some((p) => p.message.startsWith('reconstruct:'))).toBe(true);
    const b = await client.request({ type: 'nodeErrors', modelId, spec: slow, dataset: { kind: 'sample' }, samples: 20 }).promise;
    expect(host.pruned.runs).toBe(runs + 1);
    expect(b).toEqual(a);
  });
});
