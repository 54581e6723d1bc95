// The sparsity an evaluation reports is the zeros the evaluated model holds in its prunable
// weights, so a model pruned before it was opened does not report 0 at ratio 0; and an evaluation
// without samples is refused instead of reporting NaN accuracy and Infinity samples/s.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, weightSparsity, type Runner } from '../../../../src/core/eval';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { defaultPrunable } from '../../../../src/core/prune';
import { problemKind } from '../../../../src/core/errors';
import { floats, graph, model as handModel } from '../../../support/hand-models';

const SAMPLE = join(__dirname, '..', '..', '..', '..', 'resources', 'sample-mlp.onnx');

describe('weightSparsity', () => {
  it('counts the zeros the model holds in the named weights', () => {
    const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
    const names = defaultPrunable(model);
    expect(names.length).toBeGreaterThan(0);
    expect(weightSparsity(model, names)).toBe(0); // a trained float model: no weight is exactly 0
    // Zero the first quarter of every prunable weight, as a model pruned elsewhere would hold.
    let total = 0;
    let zeroed = 0;
    for (const t of model.graph.initializers.filter((x) => names.includes(x.name))) {
      const d = t.data as Float32Array;
      const k = Math.floor(d.length / 4);
      d.fill(0, 0, k);
      total += d.length;
      zeroed += k;
    }
    expect(weightSparsity(model, names)).toBeCloseTo(zeroed / total, 12);
    expect(weightSparsity(model, [])).toBe(0);
  });

  it('counts the elements a shrunk tensor lost as pruned (channels), against its size before', () => {
    const m = handModel(graph('g', { initializers: [floats('W', [2, 2], [0, 1, 2, 3]), floats('V', [3], [1, 0, 0])] }));
    // W was 2×4 (8): 1 zero + 4 removed; V did not shrink: 2 zeros of 3. (1 + 4 + 2) / (8 + 3).
    expect(weightSparsity(m, ['W', 'V'], new Map([['W', 8]]))).toBeCloseTo(7 / 11, 12);
    expect(weightSparsity(m, ['W', 'V'])).toBeCloseTo(3 / 7, 12);
  });
});

describe('evaluate without samples', () => {
  it('refuses, naming the file', async () => {
    const runner: Runner = { name: 'dense', runBatch: (_x, b) => new Float32Array(b * 2) };
    const empty = { name: 'set', file: '/data/set.txt', images: new Float32Array(0), labels: new Int32Array(0), count: 0, sampleSize: 4 };
    const run = evaluate([runner], empty, {}, { now: () => 0 });
    await expect(run).rejects.toThrow('/data/set.txt: no samples');
    await run.catch((e: unknown) => expect(problemKind(e)).toBe('bad-dataset'));
  });
});
