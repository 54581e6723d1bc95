// N:M plans and masks against a brute-force reference (grouped-reference.ts: groups enumerated from
// the ONNX meaning of the dims, each sorted on its own): on random tensors with many ties, on Gemm
// weights with transB 1 (the sample MLP, LeNet) and transB 0, on MatMul and Conv weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx';
import type { Model, Tensor } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune, pruneMask, PruneError } from '../../../../src/core/prune';
import { floatTensor, gemmChain, tiedValues } from './helpers';
import { refGroups, refLayout, refNm, type RefLayout } from './grouped-reference';

const ROOT = join(__dirname, '..', '..', '..', '..');
const load = (rel: string): Model => decodeModel(new Uint8Array(readFileSync(join(ROOT, rel))));
const init = (model: Model, name: string): Tensor => model.graph.initializers.find((t) => t.name === name)!;

/** The plan's mask equals the reference, the written tensor has no group above N nonzeros, and the counts are exact. */
function expectNm(model: Model, name: string, l: RefLayout, n: number, m: number, structure = `${n}:${m}`): void {
  const plan = planPrune(model, { ratio: 0.3, mode: 'layer', structure, select: [name] });
  const layer = plan.layers[0];
  const t = init(model, name);
  const w = t.data as Float32Array;
  const want = refNm(w, l, n, m);
  const mask = pruneMask(t, layer);
  expect(Array.from(mask)).toEqual(Array.from(want));
  const pruned = want.length - want.reduce((a, b) => a + b, 0);
  expect(layer.pruned).toBe(pruned);
  expect(layer.kept).toBe(layer.n - pruned);
  expect(layer.ratio).toBe(pruned / layer.n);
  expect(layer.structure).toBe(structure);
  // the written weights: every group holds at most N nonzeros (and, with no zero weights before, exactly min(size, N))
  const out = init(applyPrune(model, plan), name).data as Float32Array;
  for (const g of refGroups(l, m)) {
    const nz = g.filter((e) => out[e] !== 0).length;
    expect(nz).toBeLessThanOrEqual(n);
    if (g.every((e) => w[e] !== 0)) expect(nz).toBe(Math.min(g.length, n));
  }
}

describe('N:M masks', () => {
  it('match a per-group brute-force sort on random tensors with many ties (lower index kept first), partial groups included', () => {
    for (const [rows, cols, n, m] of [[7, 13, 2, 4], [5, 16, 4, 8], [3, 10, 1, 3], [4, 9, 3, 4]]) {
      const w = floatTensor('w', [rows, cols], tiedValues(rows * cols, rows * 31 + cols));
      const model = gemmChain([w], [floatTensor('b', [rows], new Float32Array(rows))]);
      expectNm(model, 'w', refLayout('gemmT', [rows, cols]), n, m);
    }
  });
  it('a tie is kept at the lower input index, and a trailing group of r ≤ N inputs stays whole', () => {
    // one output, 6 inputs under 2:4: group [1, -1, 1, 0.5] keeps inputs 0 and 1; group [3, 3] keeps both
    const w = floatTensor('w', [1, 6], new Float32Array([1, -1, 1, 0.5, 3, 3]));
    const model = gemmChain([w], [floatTensor('b', [1], new Float32Array(1))]);
    const plan = planPrune(model, { ratio: 0, mode: 'layer', structure: '2:4' });
    expect(Array.from(pruneMask(w, plan.layers[0]))).toEqual([1, 1, 0, 0, 1, 1]);
    expect(plan.layers[0].threshold).toBe(1);
  });
  it('Gemm transB 1: the sample MLP and LeNet, along each row of [N, K]', () => {
    const mlp = load('resources/sample-mlp.onnx');
    for (const name of ['fc1.weight', 'fc3.weight']) expectNm(mlp, name, refLayout('gemmT', init(mlp, name).dims), 2, 4);
    expectNm(mlp, 'fc2.weight', refLayout('gemmT', [1000, 1000]), 4, 8);
    const lenet = load('test/models/cnn/lenet.onnx');
    expectNm(lenet, 'f1.weight', refLayout('gemmT', [120, 400]), 2, 4);
  });
  it('Gemm transB 0 and MatMul: along the columns of [K, N] (the sample MLP\'s weights transposed)', () => {
    const mlp = load('resources/sample-mlp.onnx');
    const src = init(mlp, 'fc3.weight'); // [10, 1000]
    const wt = new Float32Array(10 * 1000);
    const a = src.data as Float32Array;
    for (let o = 0; o < 10; o++) for (let i = 0; i < 1000; i++) wt[i * 10 + o] = a[o * 1000 + i];
    const t = floatTensor('wt', [1000, 10], wt);
    const gemm0 = gemmChain([t], [floatTensor('b', [10], new Float32Array(10))]);
    gemm0.graph.nodes[0].attributes = [];
    expectNm(gemm0, 'wt', refLayout('gemm', [1000, 10]), 2, 4);
    const matmul: Model = { ...gemm0, graph: { ...gemm0.graph, nodes: [{ ...gemm0.graph.nodes[0], opType: 'MatMul', inputs: ['x', 'wt'] }] } };
    expectNm(matmul, 'wt', refLayout('matmulRight', [1000, 10]), 2, 4);
    // same weights, same pattern whatever the op reading them as [K, N]
    const p0 = planPrune(gemm0, { ratio: 0, mode: 'layer', structure: '2:4' });
    const p1 = planPrune(matmul, { ratio: 0, mode: 'layer', structure: '2:4' });
    expect(Array.from(pruneMask(t, p1.layers[0]))).toEqual(Array.from(pruneMask(t, p0.layers[0])));
  });
  it('Conv [M, C, kh, kw]: along the input channels at each tap (LeNet c2; c1 has one input channel and stays dense)', () => {
    const lenet = load('test/models/cnn/lenet.onnx');
    expectNm(lenet, 'c2.weight', refLayout('conv', [16, 6, 5, 5]), 2, 4);
    const c1 = planPrune(lenet, { ratio: 0.5, mode: 'layer', structure: '2:4', select: ['c1.weight'] });
    expect(c1.layers[0].pruned).toBe(0);
  });
});

describe('N:M plans', () => {
  const mlp = load('resources/sample-mlp.onnx');
  it('ignore the requested ratio and the mode: one plan for layer and global at any ratio', () => {
    const a = planPrune(mlp, { ratio: 0.1, mode: 'layer', structure: '2:4' });
    const b = planPrune(mlp, { ratio: 0.9, mode: 'global', structure: '2:4' });
    expect(b.layers).toEqual(a.layers);
    expect(a.ratio).toBe(0.5);
    expect(a.structure).toBe('2:4');
    expect(a.prunedParams).toBe((1000 * 784 + 1000 * 1000 + 10 * 1000) / 2);
    for (const l of a.layers) {
      expect(l.requested).toBe(0.5);
      expect([l.cutoff, l.tiesPruned]).toEqual([0, 0]);
    }
  });
  it('an override of 0 leaves a tensor dense; any other override is refused naming the tensor', () => {
    const plan = planPrune(mlp, { ratio: 0.5, mode: 'global', structure: '4:8', overrides: { 'fc3.weight': 0 } });
    const fc3 = plan.layers.find((l) => l.tensor === 'fc3.weight')!;
    expect([fc3.pruned, fc3.kept, fc3.overridden]).toEqual([0, 10000, true]);
    expect(Array.from(pruneMask(init(mlp, 'fc3.weight'), fc3)).every((v) => v === 1)).toBe(true);
    expect(plan.prunedParams).toBe((1000 * 784 + 1000 * 1000) / 2);
    expect(() => planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '2:4', overrides: { 'fc3.weight': 0.3 } })).toThrow(/"fc3\.weight".*only be 0/);
  });
  it('refuse a tensor that is not a weight, and a mask for a tensor that does not match', () => {
    expect(() => planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '2:4', select: ['fc1.bias'] })).toThrow(/"fc1\.bias" cannot be pruned in 2:4/);
    const plan = planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: '2:4' });
    const fc1 = init(mlp, 'fc1.weight');
    expect(() => pruneMask({ ...fc1, dims: [784, 1000] }, plan.layers[0])).toThrow(PruneError);
    expect(() => pruneMask({ ...init(mlp, 'fc2.weight'), name: 'fc1.weight' }, plan.layers[0])).toThrow(PruneError);
  });
});
