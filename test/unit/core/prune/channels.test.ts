// Channel pruning of real models (the sample MLP, the CNNs of test/models/cnn): the smaller model
// loads in onnxruntime-node with the expected shapes and predicts as Prunescope's runtime does on
// it; the removed channels are the lowest-L1 ones, computed here independently; where a removed
// channel contributes exactly nothing downstream (ReLU of a zero bias, no normalisation after it),
// the smaller model equals the original with those channels zeroed, run in onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import type { Model } from '../../../../src/core/onnx';
import { init, l1Along, loadModel, maxDiff, randomInput, runOrt, runOurs, smallest } from './channels-helpers';

const mlp = loadModel('resources', 'sample-mlp.onnx');
const cnn = (name: string): Model => loadModel('test', 'models', 'cnn', `${name}.onnx`);

/** The original with rows `rows` of weight `w` (axis 0) and of its bias zeroed. */
function zeroRows(m: Model, w: string, b: string, rows: number[]): Model {
  const initializers = m.graph.initializers.map((t) => {
    if (t.name !== w && t.name !== b) return t;
    const d = (t.data as Float32Array).slice();
    const per = d.length / t.dims[0];
    for (const r of rows) d.fill(0, r * per, (r + 1) * per);
    return { ...t, data: d };
  });
  return { ...m, graph: { ...m.graph, initializers } };
}

async function checkBoth(pruned: Model, dims: number[], seed: number): Promise<Float32Array> {
  const x = randomInput(dims.reduce((s, v) => s * v, 1), seed);
  const theirs = await runOrt(pruned, dims, x);
  const ours = runOurs(pruned, dims, x);
  expect(theirs.dims).toEqual([dims[0], 10]);
  expect(ours.dims).toEqual([dims[0], 10]);
  expect(maxDiff(theirs.data, ours.data)).toBeLessThan(1e-4);
  return theirs.data;
}

describe('channels on the sample MLP (Flatten, Gemm transB 1, Relu)', () => {
  it('removes the lowest-L1 neurons of fc1 and fc2, keeps fc3 (graph output), and predicts as the zeroed original', async () => {
    const plan = planPrune(mlp, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const r1 = smallest(l1Along(init(mlp, 'fc1.weight'), 0), 500);
    const r2 = smallest(l1Along(init(mlp, 'fc2.weight'), 0), 500);
    const byName = new Map(plan.layers.map((l) => [l.tensor, l]));
    expect(byName.get('fc1.weight')!.removedChannels).toEqual(r1);
    expect(byName.get('fc2.weight')!.removedChannels).toEqual(r2);
    expect(byName.get('fc1.weight')!.keptDims).toEqual([500, 784]);
    expect(byName.get('fc2.weight')!.keptDims).toEqual([500, 500]);
    expect(byName.get('fc3.weight')!.keptDims).toEqual([10, 500]);
    expect(byName.get('fc3.weight')!.removedChannels).toEqual([]);
    expect(plan.notes!.some((n) => n.includes('fc3.weight') && n.includes('logits'))).toBe(true);
    const changed = plan.shapeChanges!.map((s) => `${s.tensor}@${s.axis}`);
    expect(changed.sort()).toEqual(['fc1.bias@0', 'fc1.weight@0', 'fc2.bias@0', 'fc2.weight@0', 'fc2.weight@1', 'fc3.weight@1']);
    const pruned = applyPrune(mlp, plan);
    expect(init(mlp, 'fc1.weight').dims).toEqual([1000, 784]); // input untouched
    const out = await checkBoth(pruned, [5, 1, 28, 28], 1);
    const zeroed = zeroRows(zeroRows(mlp, 'fc1.weight', 'fc1.bias', r1), 'fc2.weight', 'fc2.bias', r2);
    const x = randomInput(5 * 784, 1);
    expect(maxDiff((await runOrt(zeroed, [5, 1, 28, 28], x)).data, out)).toBeLessThan(1e-4);
  });

  it('l2 and global: the pool of normalised scores keeps at least one neuron per layer', () => {
    const plan = planPrune(mlp, { ratio: 0.99, mode: 'global', structure: 'channels', importance: 'l2' });
    for (const l of plan.layers.slice(0, 2)) expect(l.keptDims![0]).toBeGreaterThanOrEqual(1);
    expect(plan.layers[0].removedChannels!.length + plan.layers[1].removedChannels!.length).toBe(Math.round(0.99 * 2000));
  });
});

describe('channels on the CNNs of test/models/cnn', () => {
  it('LeNet: Conv → Relu → MaxPool → Flatten → Gemm, columns in blocks of H×W; equals the zeroed original', async () => {
    const m = cnn('lenet');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const c2 = smallest(l1Along(init(m, 'c2.weight'), 0), 8);
    const c1 = smallest(l1Along(init(m, 'c1.weight'), 0), 3);
    const f1 = plan.layers.find((l) => l.tensor === 'f1.weight')!;
    expect(plan.layers.find((l) => l.tensor === 'c2.weight')!.removedChannels).toEqual(c2);
    expect(plan.layers.find((l) => l.tensor === 'c1.weight')!.removedChannels).toEqual(c1);
    expect(f1.keptDims).toEqual([60, 8 * 25]);
    const cols = plan.shapeChanges!.find((s) => s.tensor === 'f1.weight' && s.axis === 1)!;
    expect(cols.removed).toEqual(c2.flatMap((c) => Array.from({ length: 25 }, (_, k) => c * 25 + k)));
    const pruned = applyPrune(m, plan);
    const out = await checkBoth(pruned, [4, 1, 28, 28], 2);
    let zeroed = zeroRows(m, 'c1.weight', 'c1.bias', c1);
    zeroed = zeroRows(zeroed, 'c2.weight', 'c2.bias', c2);
    zeroed = zeroRows(zeroed, 'f1.weight', 'f1.bias', f1.removedChannels!);
    zeroed = zeroRows(zeroed, 'f2.weight', 'f2.bias', plan.layers.find((l) => l.tensor === 'f2.weight')!.removedChannels!);
    expect(maxDiff((await runOrt(zeroed, [4, 1, 28, 28], randomInput(4 * 784, 2))).data, out)).toBeLessThan(1e-4);
  });

  it('ResNet: equals the original with the removed channels zeroed (Conv rows and the BatchNormalization scale and shift after them)', async () => {
    const m = cnn('resnet');
    const plan = planPrune(m, { ratio: 0.25, mode: 'layer', structure: 'channels' });
    let zeroed = m;
    for (const l of plan.layers) {
      if (l.removedChannels!.length === 0) continue;
      const conv = m.graph.nodes.find((n) => n.opType === 'Conv' && n.inputs[1] === l.tensor)!;
      const bn = m.graph.nodes.find((n) => n.opType === 'BatchNormalization' && n.inputs[0] === conv.outputs[0])!;
      const [gamma, beta] = [bn.inputs[1], bn.inputs[2]];
      // a BN shift shared through an Identity node is zeroed through the tensor it copies
      const betaSource = m.graph.initializers.some((t) => t.name === beta) ? beta : m.graph.nodes.find((n) => n.outputs[0] === beta)!.inputs[0];
      zeroed = zeroRows(zeroRows(zeroRows(zeroed, l.tensor, '', l.removedChannels!), gamma, '', l.removedChannels!), betaSource, '', l.removedChannels!);
    }
    const x = randomInput(3 * 784, 4);
    const small = await checkBoth(applyPrune(m, plan), [3, 1, 28, 28], 4);
    expect(maxDiff((await runOrt(zeroed, [3, 1, 28, 28], x)).data, small)).toBeLessThan(1e-4);
  });

  for (const name of ['resnet', 'mobilenet']) {
    for (const mode of ['layer', 'global'] as const) {
      it(`${name} (${mode}): the smaller model loads in onnxruntime-node and predicts as Prunescope's runtime`, async () => {
        const m = cnn(name);
        const plan = planPrune(m, { ratio: 0.5, mode, structure: 'channels' });
        expect(plan.prunedParams).toBeGreaterThan(0);
        const pruned = applyPrune(m, plan);
        const before = m.graph.initializers.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
        const after = pruned.graph.initializers.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
        expect(after).toBeLessThan(before * 0.7);
        await checkBoth(pruned, [3, 1, 28, 28], 3);
      });
    }
  }
});
