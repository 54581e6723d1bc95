// The nodeMetrics request (issue 16): the open model's metrics, and after a prune those of the
// pruned model, checked against the prune report's own counts (the plan's kept weights and kept
// channel widths) and the layer sizes; a data-aware method's result only when cached. Magnitude
// answers, counted from the plan without a pruned copy, equal core's metrics of the model
// applyPrune materialises (also of a model already holding zeros that 2:4 and blocks keep).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { ROOT } from '../../support/cli';
import { nodeMetrics } from '../../../src/core/analysis/node-metrics';
import { decodeModel, encodeModel } from '../../../src/core/onnx';
import { applyPrune, methodSpecOf, planPrune } from '../../../src/core/prune';
import type { PruneSpec } from '../../../src/engine/protocol';

const { client } = inProcessEngine(nodePlatform({ ort: false }).platform);
let mlp = 0;

beforeAll(async () => {
  mlp = (await client.request({ type: 'open', source: { kind: 'path', path: join(ROOT, 'resources', 'sample-mlp.onnx') } }).promise).modelId;
});

describe('nodeMetrics', () => {
  it('answers the open model’s per-node metrics', async () => {
    const r = await client.request({ type: 'nodeMetrics', modelId: mlp }).promise;
    expect(r?.totals.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    expect(r?.nodes.filter((n) => n.opType === 'Gemm').map((n) => n.params)).toEqual([785_000, 1_001_000, 10_010]);
  });

  it('with a magnitude spec: each pruned weight gains the zeros the plan removes, sizes stay', async () => {
    const spec = { ratio: 0.5, mode: 'layer' as const };
    const before = await client.request({ type: 'nodeMetrics', modelId: mlp }).promise;
    const after = await client.request({ type: 'nodeMetrics', modelId: mlp, spec }).promise;
    const report = await client.request({ type: 'prunePreview', modelId: mlp, spec }).promise;
    expect(report.layers.length).toBeGreaterThan(0);
    for (const layer of report.layers) {
      const i = before!.nodes.findIndex((n) => n.weights.includes(layer.tensor));
      expect(after!.nodes[i].zeros - before!.nodes[i].zeros).toBe(layer.n - layer.kept);
      expect(after!.nodes[i].params).toBe(before!.nodes[i].params);
    }
    expect(after!.totals.macs).toBe(before!.totals.macs);
  });

  it('with channels: the smaller widths give fewer parameters and MACs at the same node indices', async () => {
    const spec = { ratio: 0.5, mode: 'layer' as const, structure: 'channels' };
    const after = await client.request({ type: 'nodeMetrics', modelId: mlp, spec }).promise;
    const report = await client.request({ type: 'prunePreview', modelId: mlp, spec }).promise;
    const first = report.layers.find((l) => l.keptDims && l.dims[1] === 784);
    expect(first?.keptDims).toBeDefined();
    const [out] = first!.keptDims!;
    const gemms = after!.nodes.filter((n) => n.opType === 'Gemm');
    // Gemm 1: W [out, 784] and bias [out]; its MACs at batch 1 are 784·out
    expect(gemms[0].params).toBe(out * 784 + out);
    expect(gemms[0].macs).toBe(784 * out);
    expect(after!.nodes.length).toBe((await client.request({ type: 'nodeMetrics', modelId: mlp }).promise)!.nodes.length);
  });

  it('magnitude unstructured, N:M, blocks and channels equal the metrics of the materialised pruned model', async () => {
    const original = decodeModel(readFileSync(join(ROOT, 'resources', 'sample-mlp.onnx')), 'sample-mlp.onnx');
    // a second copy already 30% zeros: 2:4 groups and blocks then keep some zeros among their kept weights
    const prepruned = applyPrune(original, planPrune(original, { ratio: 0.3, mode: 'layer' }));
    const zeroed = (await client.request({ type: 'open', source: { kind: 'bytes', name: 'pre.onnx', bytes: encodeModel(prepruned).slice().buffer } }).promise).modelId;
    const specs: PruneSpec[] = [
      { ratio: 0.6, mode: 'layer' },
      { ratio: 0.4, mode: 'global' },
      { ratio: 0.5, mode: 'layer', structure: '2:4' },
      { ratio: 0.5, mode: 'global', structure: '4x4' },
      { ratio: 0.25, mode: 'layer', structure: 'channels' },
    ];
    for (const [id, m] of [
      [mlp, original],
      [zeroed, prepruned],
    ] as const) {
      for (const spec of specs) {
        const expected = nodeMetrics(applyPrune(m, planPrune(m, methodSpecOf(spec))));
        await client.request({ type: 'prunePreview', modelId: id, spec }).promise;
        const got = await client.request({ type: 'nodeMetrics', modelId: id, spec, cachedOnly: true }).promise;
        expect(got, `${id === mlp ? 'sample' : 'pre-pruned'} ${JSON.stringify(spec)}`).toEqual(expected);
      }
    }
    // the pre-pruned copy really keeps zeros under 2:4: more than the plan removes
    const spec = specs[2];
    const p = planPrune(prepruned, methodSpecOf(spec));
    const after = nodeMetrics(applyPrune(prepruned, p));
    expect(after.totals.zeros).toBeGreaterThan(p.prunedParams);
    await client.request({ type: 'close', modelId: zeroed }).promise;
  });

  it('cachedOnly: a data-aware method not yet run answers null instead of running it', async () => {
    const r = await client.request({ type: 'nodeMetrics', modelId: mlp, spec: { ratio: 0.5, mode: 'layer', method: 'reconstruct' }, cachedOnly: true }).promise;
    expect(r).toBeNull();
  });
});
