// Block plans and masks against a brute force (grouped-reference.ts: every block enumerated from
// the ONNX meaning of the dims, scored by its mean |w|, all sorted at once), per layer and global,
// with overrides, on random tensors with ties and on the real weights of the sample MLP and LeNet.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx';
import type { Model, Tensor } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune, pruneMask, PruneError, type PruneOptions } from '../../../../src/core/prune';
import { floatTensor, gemmChain, tiedValues } from './helpers';
import { refBlocks, refBlocksGlobal, refBlocksLayer, refLayout, type RefLayout } from './grouped-reference';

const ROOT = join(__dirname, '..', '..', '..', '..');
const load = (rel: string): Model => decodeModel(new Uint8Array(readFileSync(join(ROOT, rel))));
const init = (model: Model, name: string): Tensor => model.graph.initializers.find((t) => t.name === name)!;
const ones = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);

/** Plans with `opts`, then checks every selected tensor's mask (and the written zeros) against `want`. */
function expectMasks(model: Model, opts: PruneOptions, want: Map<string, Uint8Array>): void {
  const plan = planPrune(model, opts);
  const out = applyPrune(model, plan);
  for (const layer of plan.layers) {
    const expected = want.get(layer.tensor)!;
    const t = init(model, layer.tensor);
    expect(Array.from(pruneMask(t, layer)), layer.tensor).toEqual(Array.from(expected));
    expect(layer.kept, layer.tensor).toBe(ones(expected));
    expect(layer.pruned, layer.tensor).toBe(layer.n - ones(expected));
    const w = init(out, layer.tensor).data as Float32Array;
    for (let i = 0; i < w.length; i++) if (expected[i] === 0 && w[i] !== 0) throw new Error(`${layer.tensor}[${i}] not zeroed`);
  }
  expect(plan.prunedParams).toBe([...want.values()].reduce((a, m) => a + m.length - ones(m), 0));
}

/** Two Gemm layers with tied random weights whose sides R and C do not divide. */
function tiedModel(): { model: Model; names: string[]; layouts: RefLayout[]; data: Float32Array[] } {
  const dims = [[9, 14], [6, 9]];
  const data = dims.map(([o, i], j) => tiedValues(o * i, 100 + j));
  const model = gemmChain(data.map((d, j) => floatTensor(`w${j}`, dims[j], d)), dims.map(([o], j) => floatTensor(`b${j}`, [o], new Float32Array(o))));
  return { model, names: ['w0', 'w1'], layouts: dims.map((d) => refLayout('gemmT', d)), data };
}

describe('block masks per layer', () => {
  it('equal the brute force on tied random weights with edge blocks (4x1, 1x4, 3x5, 2x2)', () => {
    const { model, names, layouts, data } = tiedModel();
    for (const [r, c] of [[4, 1], [1, 4], [3, 5], [2, 2]]) {
      for (const ratio of [0.25, 0.5, 0.9]) {
        const want = new Map(names.map((n, j) => [n, refBlocksLayer(data[j], refBlocks(data[j], layouts[j], r, c), ratio)]));
        expectMasks(model, { ratio, mode: 'layer', structure: `${r}x${c}` }, want);
      }
    }
  });
  it('equal the brute force on real weights: the sample MLP (Gemm transB 1) and LeNet\'s Conv c2', () => {
    const mlp = load('resources/sample-mlp.onnx');
    const fc2 = init(mlp, 'fc2.weight').data as Float32Array;
    const want = new Map([['fc2.weight', refBlocksLayer(fc2, refBlocks(fc2, refLayout('gemmT', [1000, 1000]), 4, 4), 0.7)]]);
    expectMasks(mlp, { ratio: 0.7, mode: 'layer', structure: '4x4', select: ['fc2.weight'] }, want);
    const lenet = load('test/models/cnn/lenet.onnx');
    const c2 = init(lenet, 'c2.weight').data as Float32Array;
    const wantC = new Map([['c2.weight', refBlocksLayer(c2, refBlocks(c2, refLayout('conv', [16, 6, 5, 5]), 4, 2), 0.5)]]);
    expectMasks(lenet, { ratio: 0.5, mode: 'layer', structure: '4x2', select: ['c2.weight'] }, wantC);
  });
  it('cutoff / tiesPruned are the block-score cut: the mask is recomputed from the tensor and the plan alone, and refused for another tensor', () => {
    const { model } = tiedModel();
    const plan = planPrune(model, { ratio: 0.5, mode: 'layer', structure: '2x2' });
    const layer = JSON.parse(JSON.stringify(plan.layers[0])); // as it crosses a process boundary
    expect(Array.from(pruneMask(init(model, 'w0'), layer))).toEqual(Array.from(pruneMask(init(model, 'w0'), plan.layers[0])));
    const other = floatTensor('w0', [9, 14], new Float32Array(126).fill(100)); // every block above the cut
    expect(() => pruneMask(other, plan.layers[0])).toThrow(/another model/);
    expect(() => pruneMask({ ...other, dims: [14, 9] }, plan.layers[0])).toThrow(PruneError);
  });
});

describe('block masks global', () => {
  it('remove the shortest prefix of the pool sorted by (score, tensor, index) reaching round(ratio × elements)', () => {
    const { model, names, layouts, data } = tiedModel();
    for (const [r, c] of [[4, 1], [3, 5], [1, 8]]) {
      for (const ratio of [0.3, 0.5, 0.85]) {
        const pool = names.flatMap((_, j) => refBlocks(data[j], layouts[j], r, c, j));
        const keep = refBlocksGlobal(data.map((d) => d.length), pool, ratio);
        expectMasks(model, { ratio, mode: 'global', structure: `${r}x${c}` }, new Map(names.map((n, j) => [n, keep[j]])));
      }
    }
  });
  it('on the sample MLP: one pool over the three layers; an override is pruned alone at its ratio, out of the pool', () => {
    const mlp = load('resources/sample-mlp.onnx');
    const names = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
    const data = names.map((n) => init(mlp, n).data as Float32Array);
    const layouts = names.map((n) => refLayout('gemmT', init(mlp, n).dims));
    const pool = [0, 1].flatMap((j) => refBlocks(data[j], layouts[j], 8, 1, j));
    const keep = refBlocksGlobal([data[0].length, data[1].length], pool, 0.8);
    const fc3 = refBlocksLayer(data[2], refBlocks(data[2], layouts[2], 8, 1), 0.2);
    const opts: PruneOptions = { ratio: 0.8, mode: 'global', structure: '8x1', overrides: { 'fc3.weight': 0.2 } };
    expectMasks(mlp, opts, new Map([[names[0], keep[0]], [names[1], keep[1]], [names[2], fc3]]));
    const plan = planPrune(mlp, opts);
    expect(plan.layers[2]).toMatchObject({ overridden: true, requested: 0.2 });
    expect(plan.globalThreshold).toBe(plan.layers[0].cutoff);
    // the pool reached its target with fewer than one block's worth of excess
    const poolPruned = plan.layers[0].pruned + plan.layers[1].pruned;
    const target = Math.round(0.8 * (784000 + 1000000));
    expect(poolPruned - target).toBeGreaterThanOrEqual(0);
    expect(poolPruned - target).toBeLessThan(8);
  });
});

describe('block plans of an already pruned model', () => {
  it('global: every all-zero block is removed even past the target (the brute force agrees)', () => {
    const { model, names, layouts, data } = tiedModel();
    data[0].fill(0, 0, 56); // the first 4 rows of w0 (14 inputs): 14 zero 4x1 blocks, 56 elements
    const pool = names.flatMap((_, j) => refBlocks(data[j], layouts[j], 4, 1, j));
    const keep = refBlocksGlobal(data.map((d) => d.length), pool, 0.1); // target 18 < 56
    expect(keep[0].subarray(0, 56).every((v) => v === 0)).toBe(true);
    expectMasks(model, { ratio: 0.1, mode: 'global', structure: '4x1' }, new Map(names.map((n, j) => [n, keep[j]])));
  });
  it('planning the pruned sample MLP again gives the same blocks (global 8x1 with edge blocks, per layer 4x4)', () => {
    const mlp = load('resources/sample-mlp.onnx');
    for (const opts of [{ ratio: 0.8, mode: 'global', structure: '8x1' }, { ratio: 0.6, mode: 'layer', structure: '4x4' }] as PruneOptions[]) {
      const plan = planPrune(mlp, opts);
      const pruned = applyPrune(mlp, plan);
      const again = planPrune(pruned, opts);
      expect(again.layers.map((l) => l.pruned)).toEqual(plan.layers.map((l) => l.pruned));
      for (const l of again.layers) {
        const w = init(pruned, l.tensor).data as Float32Array;
        const mask = pruneMask(init(pruned, l.tensor), l);
        for (let i = 0; i < w.length; i++) if ((mask[i] === 0) !== (w[i] === 0)) throw new Error(`${l.tensor}[${i}]`);
      }
    }
  });
});

describe('a channels layer plan', () => {
  it('masks the whole rows of its removed output neurons (Gemm transB 0 reads them as columns of [K, N])', () => {
    const w = floatTensor('w', [3, 4], new Float32Array(12).fill(1)); // [K 3, N 4], transB 0
    const model = gemmChain([w], [floatTensor('b', [4], new Float32Array(4))]);
    model.graph.nodes[0].attributes = [];
    const layer = { ...planPrune(model, { ratio: 0.5, mode: 'layer', structure: '2:4' }).layers[0], structure: 'channels', removedChannels: [1, 3], pruned: 6 };
    // element (k, n) at k·4 + n: neurons 1 and 3 are columns 1 and 3
    expect(Array.from(pruneMask(w, layer))).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(() => pruneMask(w, { ...layer, removedChannels: [4] })).toThrow(/channel 4 of 4/);
  });
});

describe('block plans: bad requests', () => {
  it('refuse a bias, an override that is not a ratio, and an override of an unselected tensor', () => {
    const mlp = load('resources/sample-mlp.onnx');
    expect(() => planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '4x1', select: ['fc1.bias'] })).toThrow(/"fc1\.bias" cannot be pruned in 4x1/);
    expect(() => planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '4x1', overrides: { 'fc1.weight': 1.5 } })).toThrow(/override ratio for "fc1\.weight"/);
    expect(() => planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '4x1', select: ['fc1.weight'], overrides: { 'fc2.weight': 0.5 } })).toThrow(/not among the tensors selected/);
    expect(() => planPrune(mlp, { ratio: 1.5, mode: 'layer', structure: '4x1' })).toThrow(PruneError);
  });
});
