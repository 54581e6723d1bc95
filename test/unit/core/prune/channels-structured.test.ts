// Channel pruning of the small torch.onnx.export models of test/models/structured
// (scripts/torch/make_structured.py): Gemm transB 1 and 0, MatMul + Add, Conv + BatchNormalization,
// residual Add, depthwise Conv with a squeeze-excite gate, Concat, Reshape into a Gemm. Each
// smaller model loads in onnxruntime-node with the expected shapes and predicts as Prunescope's
// runtime does on it; the removed channels are the lowest summed L1 norms (times |γ|/√(var+ε) of a
// BatchNormalization that follows), computed here from the
// architecture (which layers the residual / gate ties together), not from the analysis.
import { describe, expect, it } from 'vitest';
import { applyPrune, planPrune, PruneError, type PrunePlan } from '../../../../src/core/prune';
import type { Attribute, Model, Node, Tensor } from '../../../../src/core/onnx';
import { bnL1, init, l1Along, loadModel, maxDiff, randomInput, runOrt, runOurs, smallest } from './channels-helpers';

const load = (name: string): Model => loadModel('test', 'models', 'structured', `${name}.onnx`);

async function shrinkAndCheck(m: Model, dims: number[], plan: PrunePlan): Promise<{ pruned: Model; out: Float32Array }> {
  const pruned = applyPrune(m, plan);
  const x = randomInput(dims.reduce((s, v) => s * v, 1), 11);
  const theirs = await runOrt(pruned, dims, x);
  const ours = runOurs(pruned, dims, x);
  expect(theirs.dims).toEqual([dims[0], 10]);
  expect(ours.dims).toEqual([dims[0], 10]);
  expect(maxDiff(theirs.data, ours.data)).toBeLessThan(1e-4);
  return { pruned, out: theirs.data };
}

const removedOf = (plan: PrunePlan, t: string): number[] => plan.layers.find((l) => l.tensor === t)!.removedChannels!;
const dimsOf = (m: Model, t: string): number[] => init(m, t).dims;
const sum = (a: number[], b: number[]): number[] => a.map((v, i) => v + b[i]);

describe('channels on MLPs: Gemm transB 1, Gemm transB 0 and MatMul + Add hold the same weights', () => {
  const forms = [
    { file: 'mlp_gemm', w: ['a.weight', 'b.weight'], axis: 0, bias: ['a.bias', 'b.bias'] },
    { file: 'mlp_gemm_transb0', w: ['fc0.weight', 'fc1.weight'], axis: 1, bias: ['fc0.bias', 'fc1.bias'] },
    { file: 'mlp_matmul', w: ['w.0', 'w.1'], axis: 1, bias: ['bias.0', 'bias.1'] },
  ];
  const outputs: Float32Array[] = [];
  for (const f of forms) {
    it(`${f.file}: the lowest-L1 neurons go, shapes shrink on the right axes, onnxruntime-node agrees`, async () => {
      const m = load(f.file);
      const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
      expect(removedOf(plan, f.w[0])).toEqual(smallest(l1Along(init(m, f.w[0]), f.axis), 24));
      expect(removedOf(plan, f.w[1])).toEqual(smallest(l1Along(init(m, f.w[1]), f.axis), 20));
      const { pruned, out } = await shrinkAndCheck(m, [4, 32], plan);
      const flip = (d: number[]): number[] => (f.axis === 0 ? d : [d[1], d[0]]);
      expect(dimsOf(pruned, f.w[0])).toEqual(flip([24, 32]));
      expect(dimsOf(pruned, f.w[1])).toEqual(flip([20, 24]));
      expect(dimsOf(pruned, f.bias[0])).toEqual([24]);
      expect(dimsOf(pruned, f.bias[1])).toEqual([20]);
      outputs.push(out);
      if (outputs.length === forms.length) for (const o of outputs.slice(1)) expect(maxDiff(o, outputs[0])).toBeLessThan(1e-4);
    });
  }
});

describe('channelMultiple', () => {
  it('keeps the nearest multiple of 8 neurons, still the lowest-L1 ones go', async () => {
    const m = load('mlp_gemm');
    const plan = planPrune(m, { ratio: 0.3, mode: 'layer', structure: 'channels', channelMultiple: 8 });
    // a: 48 − round(14.4) = 34 kept → 32; b: 40 − 12 = 28 kept → 32 (28/8 = 3.5 rounds up)
    expect(removedOf(plan, 'a.weight')).toEqual(smallest(l1Along(init(m, 'a.weight'), 0), 16));
    expect(removedOf(plan, 'b.weight')).toEqual(smallest(l1Along(init(m, 'b.weight'), 0), 8));
    await shrinkAndCheck(m, [2, 32], plan);
    const mb = planPrune(loadModel('test', 'models', 'cnn', 'mobilenet.onnx'), { ratio: 0.25, mode: 'global', structure: 'channels', channelMultiple: 8 });
    for (const l of mb.layers) if (l.dims[0] % 8 === 0 && l.removedChannels!.length > 0) expect(l.keptDims![0] % 8).toBe(0);
    expect(() => planPrune(m, { ratio: 0.3, mode: 'layer', structure: 'channels', channelMultiple: 0 })).toThrow(PruneError);
  });
});

describe('channels on CNNs exported by torch', () => {
  it('Conv + BatchNormalization: BN parameters and biases follow, Flatten columns in blocks of 6×6', async () => {
    const m = load('conv_bn');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(removedOf(plan, 'c2.weight')).toEqual(smallest(bnL1(m, 'c2.weight', 'n2'), 6));
    const { pruned } = await shrinkAndCheck(m, [3, 1, 12, 12], plan);
    for (const bn of ['n1.weight', 'n1.bias', 'n1.running_mean', 'n1.running_var']) expect(dimsOf(pruned, bn)).toEqual([4]);
    for (const bn of ['n2.weight', 'n2.bias', 'n2.running_mean', 'n2.running_var']) expect(dimsOf(pruned, bn)).toEqual([6]);
    expect(dimsOf(pruned, 'c2.weight')).toEqual([6, 4, 3, 3]);
    expect(dimsOf(pruned, 'fc.weight')).toEqual([10, 6 * 36]);
  });

  it('residual Add: the stem and the block before the identity skip lose one channel set, scored by their summed norms', async () => {
    const m = load('residual');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const tied = smallest(sum(bnL1(m, 'stem.weight', 'sn'), bnL1(m, 'b.weight', 'bn')), 4);
    expect(removedOf(plan, 'stem.weight')).toEqual(tied);
    expect(removedOf(plan, 'b.weight')).toEqual(tied);
    const proj = smallest(sum(bnL1(m, 'c.weight', 'cn'), bnL1(m, 'proj.weight', 'pn')), 8);
    expect(removedOf(plan, 'c.weight')).toEqual(proj);
    expect(removedOf(plan, 'proj.weight')).toEqual(proj);
    const { pruned } = await shrinkAndCheck(m, [3, 1, 12, 12], plan);
    expect(dimsOf(pruned, 'fc.weight')).toEqual([10, 8]);
  });

  it('depthwise Conv and a squeeze-excite gate: the depthwise weight, bias and group follow the expand layer', async () => {
    const m = load('depthwise');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const gate = smallest(sum(l1Along(init(m, 'expand.weight'), 0), l1Along(init(m, 'se_b.weight'), 0)), 12);
    expect(removedOf(plan, 'expand.weight')).toEqual(gate);
    expect(removedOf(plan, 'se_b.weight')).toEqual(gate);
    expect(removedOf(plan, 'dw.weight')).toEqual(gate);
    const { pruned } = await shrinkAndCheck(m, [3, 1, 12, 12], plan);
    expect(dimsOf(pruned, 'dw.weight')).toEqual([12, 1, 3, 3]);
    expect(dimsOf(pruned, 'se_a.weight')).toEqual([3, 12, 1, 1]);
    const dw = pruned.graph.nodes.find((n) => n.name === '/dw/Conv')!;
    expect(dw.attributes.find((a) => a.name === 'group')!.value).toBe(12);
  });

  it('Concat of two branches (offsets) and a Reshape with a constant shape into a Gemm', async () => {
    const m = load('flatten_reshape');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const l = smallest(l1Along(init(m, 'l.weight'), 0), 3);
    const r = smallest(l1Along(init(m, 'r.weight'), 0), 2);
    const cIn = plan.shapeChanges!.find((s) => s.tensor === 'c.weight' && s.axis === 1)!;
    expect(cIn.removed).toEqual([...l, ...r.map((c) => 6 + c)]);
    const shape = plan.shapeChanges!.find((s) => s.value !== undefined)!;
    expect(shape.value).toEqual({ index: 1, before: 288, after: 144 });
    const { pruned } = await shrinkAndCheck(m, [3, 1, 12, 12], plan);
    expect(dimsOf(pruned, 'c.weight')).toEqual([4, 5, 3, 3]);
    expect(dimsOf(pruned, 'fc1.weight')).toEqual([12, 144]);
  });
});

describe('Resize', () => {
  it('keeps the channels through a Resize with constant scales (1 on the channel axis)', async () => {
    const m = load('upsample');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(removedOf(plan, 'a.weight')).toEqual(smallest(l1Along(init(m, 'a.weight'), 0), 4));
    const { pruned } = await shrinkAndCheck(m, [2, 1, 12, 12], plan);
    expect(dimsOf(pruned, 'b.weight')).toEqual([6, 4, 3, 3]);
  });
});

describe('what the analysis cannot follow', () => {
  const softmaxModel = (): Model => {
    const m = load('mlp_gemm');
    const nodes = m.graph.nodes.flatMap((n) => (n.opType === 'Relu' && n.inputs[0].includes('/a/')
      ? [{ ...n, name: 'sm', opType: 'Softmax', attributes: [{ name: 'axis', type: 'int' as const, value: 1 }] }]
      : [n]));
    return { ...m, graph: { ...m.graph, nodes } };
  };

  it('a selection the user made is refused with the node named, and the rest prunes once the weight is excluded', () => {
    const m = softmaxModel();
    expect(m.graph.nodes.some((n) => n.opType === 'Softmax')).toBe(true);
    let err: unknown;
    try {
      planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels', select: ['a.weight', 'b.weight', 'c.weight'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PruneError);
    expect((err as PruneError).kind).toBe('unsupported');
    expect((err as Error).message).toContain('Softmax node "sm"');
    expect((err as Error).message).toContain('a.weight');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels', select: ['b.weight', 'c.weight'] });
    expect(removedOf(plan, 'b.weight').length).toBe(20);
  });

  it('the default selection keeps what it cannot follow whole, names it in the notes, and prunes the rest', () => {
    const m = softmaxModel();
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(removedOf(plan, 'a.weight')).toEqual([]);
    expect(plan.notes!.some((n) => n.startsWith('a.weight: channels kept') && n.includes('Softmax node "sm"'))).toBe(true);
    // the same channels as when the user excludes a.weight
    const excluded = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels', select: ['b.weight', 'c.weight'] });
    expect(removedOf(plan, 'b.weight')).toEqual(removedOf(excluded, 'b.weight'));
    expect(removedOf(plan, 'b.weight').length).toBe(20);
  });

  it('the default selection is refused when nothing in it can be followed', () => {
    const m = load('mlp_gemm');
    // every Relu a Softmax: no hidden layer can be followed, the last reaches the graph output
    const nodes = m.graph.nodes.map((n) => (n.opType === 'Relu' ? { ...n, opType: 'Softmax', attributes: [{ name: 'axis', type: 'int' as const, value: 1 }] } : n));
    expect(nodes.filter((n) => n.opType === 'Softmax').length).toBeGreaterThan(1);
    expect(() => planPrune({ ...m, graph: { ...m.graph, nodes } }, { ratio: 0.5, mode: 'layer', structure: 'channels' })).toThrow(/cannot follow the channels of .*Softmax node/);
  });

  it('a group added to a graph input is kept whole and named in the notes; the others still shrink', async () => {
    const f = (name: string, dims: number[], seed: number): Tensor => ({ name, dataType: 1, dims, data: randomInput(dims.reduce((x, y) => x * y, 1), seed).map((v) => v - 0.5) });
    const node = (name: string, opType: string, inputs: string[], outputs: string[]): Model['graph']['nodes'][number] => ({ name, opType, domain: '', inputs, outputs, attributes: [] });
    const io = (name: string, n: number): Model['graph']['inputs'][number] => ({ name, type: { kind: 'tensor', elemType: 1, shape: ['N', n] } });
    const m: Model = {
      ...load('mlp_gemm'),
      graph: {
        name: 'skip', valueInfo: [], sparseInitializers: [], inputs: [io('x', 8)], outputs: [io('y', 10)],
        initializers: [f('w1', [8, 8], 1), f('w2', [8, 6], 2), f('w3', [6, 10], 3)],
        nodes: [node('mm1', 'MatMul', ['x', 'w1'], ['h1']), node('skip', 'Add', ['h1', 'x'], ['h2']), node('mm2', 'MatMul', ['h2', 'w2'], ['h3']),
          node('act', 'Relu', ['h3'], ['h4']), node('mm3', 'MatMul', ['h4', 'w3'], ['y'])],
      },
    };
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(removedOf(plan, 'w1')).toEqual([]);
    expect(plan.notes!.some((n) => n.startsWith('w1') && n.includes('Add node "skip"'))).toBe(true);
    expect(removedOf(plan, 'w2')).toEqual(smallest(l1Along(init(m, 'w2'), 1), 3));
    await shrinkAndCheck(m, [2, 8], plan);
  });

  it('a plan made for another model is refused', () => {
    const plan = planPrune(load('mlp_gemm'), { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(() => applyPrune(load('conv_bn'), plan)).toThrow(PruneError);
  });
});

describe('a constant several Convs read (torch.onnx.export merges the equal zero biases: scripts/torch/make_shared_constants.py)', () => {
  it('each Conv gets its own copy, cut by its own channels; onnxruntime-node agrees; the input model is unchanged', async () => {
    const m = load('shared_bias');
    // c2's bias is an Identity of c1's: one initializer behind both (torch 1.13 writes it so)
    const alias = m.graph.nodes.filter((n) => n.opType === 'Identity' && n.inputs[0] === 'c1.bias').map((n) => n.outputs[0]);
    const readers = m.graph.nodes.filter((n) => n.opType === 'Conv' && ['c1.bias', ...alias].includes(n.inputs[2])).map((n) => n.inputs[1]);
    expect(readers).toEqual(['c1.weight', 'c2.weight']);
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const [r1, r2] = [removedOf(plan, 'c1.weight'), removedOf(plan, 'c2.weight')];
    expect(r1).toEqual(smallest(l1Along(init(m, 'c1.weight'), 0), 6));
    expect(r2).toEqual(smallest(l1Along(init(m, 'c2.weight'), 0), 6));
    // different channels go from the two layers, so one shared bias could not have been cut for both
    expect(r1).not.toEqual(r2);
    const { pruned } = await shrinkAndCheck(m, [3, 1, 12, 12], plan);
    // each Conv's bias initializer, through the Identity when there is one
    const source = (name: string): string => pruned.graph.nodes.find((n) => n.opType === 'Identity' && n.outputs[0] === name)?.inputs[0] ?? name;
    const biases = pruned.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => source(n.inputs[2]));
    expect(new Set(biases.slice(0, 2)).size).toBe(2);
    for (const b of biases.slice(0, 2)) expect(dimsOf(pruned, b)).toEqual([6]);
    expect(dimsOf(m, 'c1.bias')).toEqual([12]);
    expect(m.graph.nodes.filter((n) => n.inputs.includes('c1.bias'))).toHaveLength(2);
    expect(m.graph.initializers.some((t) => t.name.startsWith('c1.bias.'))).toBe(false);
  });
});

/**
 * The model with the channels a plan removes silenced instead: a Conv output channel (or Gemm
 * neuron) whose weight rows and bias are zero is 0 after Relu, so whatever reads it gets nothing
 * from it. A correct channel prune computes exactly what this computes. `cuts`: weight → its bias;
 * `outputsOnAxis1`: weights whose output channels are axis 1 (ConvTranspose [C, M, k…]).
 */
function silenced(m: Model, plan: PrunePlan, cuts: Record<string, string>, outputsOnAxis1: string[] = []): Model {
  /** The tensor with entries `removed` of `axis` zeroed. */
  const zero = (name: string, removed: number[], axis: number): Tensor => {
    const t = init(m, name);
    const inner = t.dims.slice(axis + 1).reduce((s, v) => s * v, 1);
    const outer = t.dims.slice(0, axis).reduce((s, v) => s * v, 1);
    const data = Float32Array.from(t.data as Float32Array);
    for (let o = 0; o < outer; o++) for (const r of removed) data.fill(0, (o * t.dims[axis] + r) * inner, (o * t.dims[axis] + r + 1) * inner);
    return { ...t, data };
  };
  const initializers = m.graph.initializers.map((t) => {
    const w = Object.keys(cuts).find((k) => k === t.name || cuts[k] === t.name);
    return w === undefined ? t : zero(t.name, removedOf(plan, w), t.name === w && outputsOnAxis1.includes(w) ? 1 : 0);
  });
  return { ...m, graph: { ...m.graph, initializers } };
}

describe('channels last: a Conv output permuted to N×H×W×C and flattened into a Gemm (Keras-style; test/models/structured/channels_last.onnx)', () => {
  // Silenced: of the flattened H·W·C vector, channel c sits at p·C + c for every position p; the
  // pruned model matches the silenced original only if the Gemm lost exactly those columns.
  it('removes the Gemm columns of each lost channel at every position; onnxruntime-node agrees with the silenced original', async () => {
    const m = load('channels_last');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const lost = removedOf(plan, 'b.weight');
    expect(lost).toEqual(smallest(l1Along(init(m, 'b.weight'), 0), 6));
    const cols = plan.shapeChanges!.find((c) => c.tensor === 'fc1.weight' && c.axis === 1)!;
    const want: number[] = [];
    for (let p = 0; p < 36; p++) for (const c of lost) want.push(p * 12 + c);
    expect(cols.removed).toEqual(want);
    const dims = [3, 12, 12, 1];
    const { pruned, out } = await shrinkAndCheck(m, dims, plan);
    expect(dimsOf(pruned, 'fc1.weight')).toEqual([8, 6 * 6 * 6]);
    const x = randomInput(3 * 144, 11);
    expect(maxDiff((await runOrt(silenced(m, plan, { 'a.weight': 'a.bias', 'b.weight': 'b.bias', 'fc1.weight': 'fc1.bias' }), dims, x)).data, out)).toBeLessThan(1e-5);
  });
});

describe('reductions, Squeeze and Unsqueeze keep the channels (test/models/structured/reduce_squeeze.onnx)', () => {
  it('ReduceMean into a squeeze-excite gate unsqueezed onto the Conv output, ReduceMean + Squeeze and ReduceMax concatenated into the classifier', async () => {
    const m = load('reduce_squeeze');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    // the gate multiplies b's output: b and se_b lose one channel set, chosen by their summed scores
    const lost = removedOf(plan, 'b.weight');
    expect(lost).toHaveLength(8);
    expect(removedOf(plan, 'se_b.weight')).toEqual(lost);
    // fc reads [mean of the 16 channels, max of the 16 channels]: both halves lose the same columns
    const cols = plan.shapeChanges!.find((c) => c.tensor === 'fc.weight' && c.axis === 1)!;
    expect(cols.removed).toEqual([...lost, ...lost.map((c) => c + 16)]);
    const dims = [3, 1, 12, 12];
    const { pruned, out } = await shrinkAndCheck(m, dims, plan);
    expect(dimsOf(pruned, 'fc.weight')).toEqual([10, 16]);
    expect(dimsOf(pruned, 'se_a.weight')).toEqual([2, 8]);
    const x = randomInput(3 * 144, 11);
    expect(maxDiff((await runOrt(silenced(m, plan, { 'a.weight': 'a.bias', 'b.weight': 'b.bias', 'se_a.weight': 'se_a.bias' }), dims, x)).data, out)).toBeLessThan(1e-5);
  });
  it('a reduction over the channel axis is refused, naming the node', () => {
    const m = load('reduce_squeeze');
    const axes: Attribute = { name: 'axes', type: 'ints', value: [1, 2, 3] };
    const nodes = m.graph.nodes.map((n) => (n.opType === 'ReduceMax' ? { ...n, attributes: n.attributes.map((at) => (at.name === 'axes' ? axes : at)) } : n));
    expect(() => planPrune({ ...m, graph: { ...m.graph, nodes } }, { ratio: 0.5, mode: 'layer', structure: 'channels', select: ['b.weight'] })).toThrow(/ReduceMax.*reduces over the channels/);
  });
});

describe('a Resize whose sizes are computed when the model runs (test/models/structured/computed_resize.onnx)', () => {
  it("F.interpolate(b, size=a.shape[-2:]): the channels go through the Resize and Shape; the pruned model computes the silenced original's output", async () => {
    const m = load('computed_resize');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    for (const w of ['a.weight', 'b.weight', 'd.weight']) expect(removedOf(plan, w).length, w).toBeGreaterThan(0);
    // d reads [a, up(b)]: its input columns go with a's channels, then b's offset by a's 8
    const cols = plan.shapeChanges!.find((c) => c.tensor === 'd.weight' && c.axis === 1)!;
    expect(cols.removed).toEqual([...removedOf(plan, 'a.weight'), ...removedOf(plan, 'b.weight').map((c) => c + 8)]);
    const dims = [3, 1, 12, 12];
    const { pruned, out } = await shrinkAndCheck(m, dims, plan);
    expect(dimsOf(pruned, 'd.weight')).toEqual([6, 8, 3, 3]);
    const x = randomInput(3 * 144, 11);
    expect(maxDiff((await runOrt(silenced(m, plan, { 'a.weight': 'a.bias', 'b.weight': 'b.bias', 'd.weight': 'd.bias' }), dims, x)).data, out)).toBeLessThan(1e-5);
  });
  it('sizes computed from another tensor than the Resize input are refused, naming the node', () => {
    const m = load('computed_resize');
    // Make the Resize read its sizes off the graph input's Shape: channel pruning must not follow that.
    const shapeOfX: Node = { name: 'shape_of_x', opType: 'Shape', domain: '', inputs: ['x'], outputs: ['x_shape'], attributes: [] };
    const nodes = [shapeOfX, ...m.graph.nodes.map((n) => (n.opType === 'Resize' ? { ...n, inputs: [n.inputs[0], '', '', 'x_shape'] } : n))];
    const other: Model = { ...m, graph: { ...m.graph, nodes } };
    expect(() => planPrune(other, { ratio: 0.5, mode: 'layer', structure: 'channels', select: ['b.weight'] })).toThrow(/Resize.*sizes computed from other tensors than its input/);
  });
});

describe('ConvTranspose output channels (test/models/structured/conv_transpose.onnx, a U-Net decoder)', () => {
  it('selected, it loses output columns (weight axis 1) and bias, the Concat after it its offset; the pruned model computes the silenced original\'s output', async () => {
    const m = load('conv_transpose');
    const select = ['a.weight', 'b.weight', 'up.weight', 'd.weight'];
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels', select });
    const lost = removedOf(plan, 'up.weight');
    expect(lost).toHaveLength(4);
    // up.weight [12, 8, 2, 2]: its inputs follow b's outputs (axis 0), its outputs are axis 1
    expect(plan.shapeChanges!.filter((c) => c.tensor === 'up.weight').map((c) => [c.axis, c.removed])).toEqual(expect.arrayContaining([[0, removedOf(plan, 'b.weight')], [1, lost]]));
    const cols = plan.shapeChanges!.find((c) => c.tensor === 'd.weight' && c.axis === 1)!;
    expect(cols.removed).toEqual([...removedOf(plan, 'a.weight'), ...lost.map((c) => c + 8)]);
    const dims = [3, 1, 12, 12];
    const { pruned, out } = await shrinkAndCheck(m, dims, plan);
    expect(dimsOf(pruned, 'up.weight')).toEqual([6, 4, 2, 2]);
    expect(dimsOf(pruned, 'up.bias')).toEqual([4]);
    const x = randomInput(3 * 144, 11);
    const quiet = silenced(m, plan, { 'a.weight': 'a.bias', 'b.weight': 'b.bias', 'up.weight': 'up.bias', 'd.weight': 'd.bias' }, ['up.weight']);
    expect(maxDiff((await runOrt(quiet, dims, x)).data, out)).toBeLessThan(1e-5);
  });
  it('not selected (the default leaves ConvTranspose out), its outputs stay and the rest still prunes', async () => {
    const m = load('conv_transpose');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    expect(plan.layers.some((l) => l.tensor === 'up.weight')).toBe(false);
    const { pruned } = await shrinkAndCheck(m, [2, 1, 12, 12], plan);
    expect(dimsOf(pruned, 'up.weight')).toEqual([6, 8, 2, 2]);
  });
});

describe('Convs in groups (test/models/structured/grouped.onnx: a ResNeXt bottleneck, then a strided Conv in 2 groups)', () => {
  /** Per channel of one of `tie` equal runs: the summed scores over the runs. */
  const folded = (scores: number[], tie: number): number[] => {
    const per = scores.length / tie;
    return Array.from({ length: per }, (_, j) => Array.from({ length: tie }, (_, t) => scores[t * per + j]).reduce((s, v) => s + v, 0));
  };
  const everyRun = (local: number[], tie: number, per: number): number[] => Array.from({ length: tie }, (_, t) => local.map((j) => t * per + j)).flat();

  it('the layer a Conv in 4 groups reads loses the same channel of each group; the grouped weight the same input columns; onnxruntime-node computes the silenced original', async () => {
    const m = load('grouped');
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    // a: 24 channels read by b in 4 groups of 6: the 3 of 6 with the lowest L1 summed over the groups go from every group
    expect(removedOf(plan, 'a.weight')).toEqual(everyRun(smallest(folded(l1Along(init(m, 'a.weight'), 0), 4), 3), 4, 6));
    // stem + c (residual) are read by d in 2 groups of 8: 4 of 8 from each, by their summed L1
    const residual = sum(l1Along(init(m, 'stem.weight'), 0), l1Along(init(m, 'c.weight'), 0));
    const lostResidual = everyRun(smallest(folded(residual, 2), 4), 2, 8);
    expect(removedOf(plan, 'stem.weight')).toEqual(lostResidual);
    expect(removedOf(plan, 'c.weight')).toEqual(lostResidual);
    // the grouped Convs keep their outputs
    expect(removedOf(plan, 'b.weight')).toEqual([]);
    expect(removedOf(plan, 'd.weight')).toEqual([]);
    const dims = [3, 1, 12, 12];
    const { pruned, out } = await shrinkAndCheck(m, dims, plan);
    expect(dimsOf(pruned, 'a.weight')).toEqual([12, 8, 1, 1]);
    expect(dimsOf(pruned, 'b.weight')).toEqual([24, 3, 3, 3]);
    expect(dimsOf(pruned, 'c.weight')).toEqual([8, 24, 1, 1]);
    expect(dimsOf(pruned, 'd.weight')).toEqual([32, 4, 3, 3]);
    const x = randomInput(3 * 144, 11);
    const quiet = silenced(m, plan, { 'stem.weight': 'stem.bias', 'a.weight': 'a.bias', 'c.weight': 'c.bias' });
    expect(maxDiff((await runOrt(quiet, dims, x)).data, out)).toBeLessThan(1e-5);
  });

  it('keeps multiples of the channel multiple across the groups, and pools tied channels globally at their cost', async () => {
    const m = load('grouped');
    // a: 6 per group, multiple 8 over 4 groups → each group keeps a multiple of 2: 3 kept rounds to 4 (16 in all)
    const multiple = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels', channelMultiple: 8 });
    expect(removedOf(multiple, 'a.weight')).toHaveLength(8);
    expect(24 - removedOf(multiple, 'a.weight').length).toBe(16);
    await shrinkAndCheck(m, [2, 1, 12, 12], multiple);
    const global = planPrune(m, { ratio: 0.4, mode: 'global', structure: 'channels' });
    const lost = removedOf(global, 'a.weight').length + removedOf(global, 'stem.weight').length;
    // 40 channels in the two groups: round(0.4 × 40) = 16 removed, each tied pick costing 4 or 2
    expect(lost).toBe(16);
    expect(removedOf(global, 'a.weight').length % 4).toBe(0);
    expect(removedOf(global, 'stem.weight').length % 2).toBe(0);
    await shrinkAndCheck(m, [2, 1, 12, 12], global);
  });
});
