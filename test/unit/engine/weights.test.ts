// The engine's weight-table requests (what `prunescope info|stats|dump` use): 'open' with
// `weights`, 'stats' of weights of any graph, 'dumpMatrices' of the weight table; on a hand-built
// model whose values are known (see test/support/hand-models.ts).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../src/core/onnx/encode';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { handNested } from '../../support/hand-models';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-weights-');

async function openNested() {
  const { client } = inProcessEngine(nodePlatform({ ort: false, statsWorkers: 0 }).platform);
  const bytes = encodeModel(handNested());
  const source = { kind: 'bytes' as const, name: 'nested.onnx', bytes: bytes.slice().buffer };
  const summary = await client.request({ type: 'open', source, weights: { minConstantParams: 1 } }).promise;
  return { client, summary };
}

describe('weight table requests', () => {
  it("'open' with weights lists every graph's weights with zeros counted", async () => {
    const { summary } = await openNested();
    expect(summary.weights?.map((w) => [w.name, w.source, w.graph, w.params, w.zeros, w.numeric])).toEqual([
      ['names', 'initializer', '', 2, 0, false],
      ['S', 'sparse initializer', '', 6, 4, true],
      ['t', 'constant', 'If#1.then_branch', 4, 1, true],
      ['u', 'initializer', 'If#1.then_branch/loop.body', 3, 0, true],
      ['e', 'constant', 'If#1.else_branch', 2, 1, true],
    ]);
  });

  it("'stats' of weights in subgraphs and of a sparse initializer (as its dense values)", async () => {
    const { client, summary } = await openNested();
    const weights = [
      { graph: '', name: 'S' },
      { graph: 'If#1.then_branch', name: 't' },
      { graph: 'If#1.then_branch/loop.body', name: 'u' },
    ];
    const stats = await client.request({ type: 'stats', modelId: summary.modelId, weights, bins: 3 }).promise;
    expect(stats.map((s) => [s.name, s.count, s.zeros, s.min, s.max])).toEqual([
      ['S', 6, 4, 0, 3],
      ['t', 4, 1, 0, 3],
      ['u', 3, 0, 1, 3],
    ]);
    expect(stats[2].histogram.counts).toEqual([1, 1, 1]);
    const notNumbers = client.request({ type: 'stats', modelId: summary.modelId, weights: [{ graph: '', name: 'names' }] }).promise;
    await expect(notNumbers).rejects.toMatchObject({ code: 'bad-request', message: 'nested.onnx: tensor "names" is not real-valued numeric data' });
    const wrongGraph = client.request({ type: 'stats', modelId: summary.modelId, weights: [{ graph: '', name: 'u' }] }).promise;
    await expect(wrongGraph).rejects.toMatchObject({ code: 'bad-request' });
  });

  it("'dumpMatrices' with weights writes every real-valued weight, sparse ones dense", async () => {
    const { client, summary } = await openNested();
    const dir = join(mkdtempSync(join(tmp, 'case-')), 'mx');
    const r = await client.request({ type: 'dumpMatrices', modelId: summary.modelId, dir, weights: { minConstantParams: 3 } }).promise;
    expect(r.files).toEqual(['S_matrix.txt', 't_matrix.txt', 'u_matrix.txt']);
    expect(r.skipped).toEqual(['names']);
    expect(r.values).toBe(6 + 4 + 3);
    expect(readdirSync(dir).sort()).toEqual(r.files);
    // S: 2×3 with 1.5, 0 and 3 stored at flat indices 0, 4 and 5.
    expect(readFileSync(join(dir, 'S_matrix.txt'), 'utf8')).toBe('1.5 0 0\n0 0 3\n');
    expect(readFileSync(join(dir, 't_matrix.txt'), 'utf8')).toBe('0 1\n2 3\n');
    expect(readFileSync(join(dir, 'u_matrix.txt'), 'utf8')).toBe('1 2 3\n');
  });

  it('malformed weight options are bad requests', async () => {
    const { client, summary } = await openNested();
    const bad = [
      client.request({ type: 'open', source: { kind: 'sample' }, weights: 'all' as never }).promise,
      client.request({ type: 'open', source: { kind: 'sample' }, weights: { zeros: 'yes' as never } }).promise,
      client.request({ type: 'stats', modelId: summary.modelId, weights: [{ name: 'S' } as never] }).promise,
    ];
    for (const p of bad) await expect(p).rejects.toMatchObject({ code: 'bad-request' });
  });
});
