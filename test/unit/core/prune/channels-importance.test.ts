// Channel scores on the effective weights (core/prune/channels/effective.ts), against an
// independent computation on test/models/structured/conv_bn.onnx (Conv + BatchNormalization kept):
// the L1 norm of each Conv output channel times |γ|/√(var+ε) of its BN, computed here with direct
// loops; and the same model with its BN folded into the Conv by hand must lose the same channels.
import { describe, expect, it } from 'vitest';
import type { Model, Tensor } from '../../../../src/core/onnx';
import { planPrune, type PrunePlan } from '../../../../src/core/prune';
import { analyzeChannels } from '../../../../src/core/prune/channels/deps';
import { find } from '../../../../src/core/prune/channels/spaces';
import { effectiveGroupScores } from '../../../../src/core/prune/channels/effective';
import { indexGraph } from '../../../../src/core/prune/channels/graph';
import { init, l1Along, loadModel, maxDiff, randomInput, runOrt, smallest } from './channels-helpers';

const load = (): Model => loadModel('test', 'models', 'structured', 'conv_bn.onnx');
const removedOf = (plan: PrunePlan, t: string): number[] => plan.layers.find((l) => l.tensor === t)!.removedChannels!;
const values = (m: Model, name: string): number[] => Array.from(init(m, name).data as Float32Array);
const EPS = 1e-5;

/** γ/√(var+ε) of a BN, from its initializers. */
function bnFactor(m: Model, bn: string): number[] {
  const g = values(m, `${bn}.weight`);
  const v = values(m, `${bn}.running_var`);
  return g.map((x, c) => x / Math.sqrt(v[c] + EPS));
}

/** The model with each Conv → BN pair folded (w·s, (b − mean)·s + β) and the BN nodes removed. */
function foldBn(m: Model, pairs: [string, string][]): Model {
  const inits = new Map(m.graph.initializers.map((t) => [t.name, t]));
  const out: Tensor[] = [...m.graph.initializers];
  let nodes = [...m.graph.nodes];
  for (const [conv, bn] of pairs) {
    const s = bnFactor(m, bn);
    const w = inits.get(`${conv}.weight`)!;
    const per = (w.data as Float32Array).length / s.length;
    const wf = Float32Array.from(w.data as Float32Array, (x, i) => x * s[Math.floor(i / per)]);
    const bias = inits.get(`${conv}.bias`);
    const mean = values(m, `${bn}.running_mean`);
    const beta = values(m, `${bn}.bias`);
    const bf = Float32Array.from(s, (f, c) => ((bias ? (bias.data as Float32Array)[c] : 0) - mean[c]) * f + beta[c]);
    const wi = out.findIndex((t) => t.name === w.name);
    out[wi] = { ...w, data: wf };
    const biasName = `${conv}.folded_bias`;
    out.push({ ...w, name: biasName, dims: [s.length], data: bf });
    const bnNode = nodes.find((n) => n.opType === 'BatchNormalization' && n.inputs[1] === `${bn}.weight`)!;
    const convNode = nodes.find((n) => n.inputs[1] === w.name)!;
    nodes = nodes.filter((n) => n !== bnNode).map((n) => (n === convNode ? { ...n, inputs: [n.inputs[0], w.name, biasName], outputs: [...bnNode.outputs] } : n));
  }
  return { ...m, graph: { ...m.graph, nodes, initializers: out } };
}

describe('channel scores on the effective weights (BatchNormalization folded)', () => {
  it('score = Σ|w| of the Conv channel × |γ|/√(var+ε) of its BN, computed independently', () => {
    const m = load();
    const a = analyzeChannels(indexGraph(m));
    for (const [conv, bn] of [['c1', 'n1'], ['c2', 'n2']]) {
      const space = a.spaces.findIndex((s) => s.producer.tensor === `${conv}.weight`);
      const { raw } = effectiveGroupScores(a, find(a, space), 'l1', { batchNorm: true, outgoing: false });
      const expected = l1Along(init(m, `${conv}.weight`), 0).map((x, c) => x * Math.abs(bnFactor(m, bn)[c]));
      expect(raw.length).toBe(expected.length);
      raw.forEach((x, c) => expect(x).toBeCloseTo(expected[c], 4));
    }
  });

  it('the plan removes the channels of lowest effective norm, and the BN-folded model loses the same ones', async () => {
    const m = load();
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const eff2 = l1Along(init(m, 'c2.weight'), 0).map((x, c) => x * Math.abs(bnFactor(m, 'n2')[c]));
    expect(removedOf(plan, 'c2.weight')).toEqual(smallest(eff2, 6));
    const folded = foldBn(m, [['c1', 'n1'], ['c2', 'n2']]);
    // The fold is right: the folded model computes what the original does (onnxruntime-node).
    const x = randomInput(2 * 144, 5);
    expect(maxDiff((await runOrt(m, [2, 1, 12, 12], x)).data, (await runOrt(folded, [2, 1, 12, 12], x)).data)).toBeLessThan(1e-4);
    const fplan = planPrune(folded, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    for (const t of ['c1.weight', 'c2.weight']) expect(removedOf(fplan, t)).toEqual(removedOf(plan, t));
    // …which the weight's own norm alone would not do on this model (the BN scales reorder them).
    const own = smallest(l1Along(init(m, 'c2.weight'), 0), 6);
    const folded2 = smallest(l1Along(init(folded, 'c2.weight'), 0), 6);
    expect(folded2).toEqual(removedOf(plan, 'c2.weight'));
    expect(own).not.toEqual(folded2);
  });

  it('with outgoing weights: × the L1 norm of the next layer’s input columns (Flatten blocks of 6×6 for c2)', () => {
    const m = load();
    const a = analyzeChannels(indexGraph(m));
    const space = a.spaces.findIndex((s) => s.producer.tensor === 'c2.weight');
    const { raw } = effectiveGroupScores(a, find(a, space), 'l1', { batchNorm: true, outgoing: true });
    const fc = init(m, 'fc.weight');
    const cols = l1Along(fc, 1);
    const out = Array.from({ length: 12 }, (_, c) => cols.slice(c * 36, (c + 1) * 36).reduce((s, v) => s + v, 0));
    const expected = l1Along(init(m, 'c2.weight'), 0).map((x, c) => x * Math.abs(bnFactor(m, 'n2')[c]) * out[c]);
    raw.forEach((x, c) => expect(x).toBeCloseTo(expected[c], 3));
  });
});
