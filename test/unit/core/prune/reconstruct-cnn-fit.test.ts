// The pieces of reconstruction that serve CNNs, on small hand-made cases checked independently:
// the exact greedy OBS path against the constrained least squares solved here; bias correction
// (the mean output difference on the calibration samples is zero, measured in onnxruntime-node);
// residual correction (the Add's output ends closer to the unpruned model's than without it).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Attribute, type Model, type Node, type Tensor } from '../../../../src/core/onnx';
import { reconstructPrune, type ReconstructOptions } from '../../../../src/core/prune/reconstruct';
import { exactPrune } from '../../../../src/core/prune/reconstruct/exact';
import { dampedInverse, runSteps } from '../../../../src/core/prune/reconstruct/solver';
import { mulberry32 } from '../../../../src/core/train/random';
import { floatTensor, solve } from './helpers';

describe('exact greedy OBS', () => {
  it('leaves each row at the least-squares weights of its kept columns, exactly `prune` zeros over all rows and groups', () => {
    const rand = mulberry32(3);
    const [d, rows, groups, prune] = [6, 3, 2, 17];
    const hs: number[][][] = [];
    const hinvs: Float64Array[] = [];
    const fits: Float64Array[] = [];
    for (let g = 0; g < groups; g++) {
      const X = Array.from({ length: 40 }, () => Array.from({ length: d }, () => rand() * 2 - 1 + (g === 1 ? 0.5 : 0)));
      const h = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? 0.1 : 0)));
      hs.push(h);
      hinvs.push(dampedInverse(Float64Array.from(h.flat()), d, 0));
      fits.push(Float64Array.from({ length: rows * d }, () => rand() * 2 - 1));
    }
    const { values, mask } = runSteps(exactPrune(fits, hinvs, rows, d, prune));
    expect(mask.reduce((s, v) => s + (v === 0 ? 1 : 0), 0)).toBe(prune);
    for (let g = 0; g < groups; g++) {
      for (let r = 0; r < rows; r++) {
        const at = (g * rows + r) * d;
        const w = Array.from(fits[g].subarray(r * d, (r + 1) * d));
        const kept = w.map((_, j) => j).filter((j) => mask[at + j] === 1);
        const cut = w.map((_, j) => j).filter((j) => mask[at + j] === 0);
        for (const j of cut) expect(values[at + j]).toBe(0);
        if (kept.length === 0) continue;
        // min (w − v)ᵀ H (w − v) with v = 0 on the cut columns: v_K = w_K + H_KK⁻¹ H_KP w_P
        const h = hs[g];
        const rhs = kept.map((i) => cut.reduce((s, j) => s + h[i][j] * w[j], 0));
        const z = solve(kept.map((i) => kept.map((j) => h[i][j])), rhs);
        kept.forEach((j, k) => expect(values[at + j]).toBeCloseTo(w[j] + z[k], 9));
      }
    }
  });
});

function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}
const pads1: Attribute = { name: 'pads', type: 'ints', value: [1, 1, 1, 1] };

function model(nodes: Node[], initializers: Tensor[], outputs: string[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 1, shape: ['N', C, S, S] } }],
      outputs: outputs.map((name) => ({ name })), valueInfo: [], sparseInitializers: [], nodes, initializers,
    },
  };
}

const [N, C, S] = [40, 4, 6];
const rand = mulberry32(11);
const x = Float32Array.from({ length: N * C * S * S }, () => rand() * 2 - 1);
const weights = (n: number, scale = 0.5): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

async function outputs(m: Model, name: string): Promise<Float32Array> {
  const mm = { ...m, graph: { ...m.graph, outputs: [{ name }] } };
  const s = await ort.InferenceSession.create(encodeModel(mm));
  const r = await s.run({ x: new ort.Tensor('float32', x, [N, C, S, S]) });
  return r[name].data as Float32Array;
}

describe('bias correction', () => {
  // x → Relu → Conv a (3×3, no bias) → Relu → Conv b (3×3, bias) → y
  const m0 = model([
    node('relu0', 'Relu', ['x'], ['r0']),
    node('a', 'Conv', ['r0', 'wa'], ['ya'], [pads1]),
    node('relu1', 'Relu', ['ya'], ['r1']),
    node('b', 'Conv', ['r1', 'wb', 'bb'], ['y'], [pads1]),
  ], [floatTensor('wa', [C, C, 3, 3], weights(C * C * 9)), floatTensor('wb', [C, C, 3, 3], weights(C * C * 9)), floatTensor('bb', [C], weights(C))], ['y']);
  const opts: ReconstructOptions = { ratio: 0.6, calibration: x, calibrationCount: N, select: ['wa', 'wb'] };

  /** Per channel, the mean over samples and positions of (pruned − unpruned) at `value`, and the rms of the unpruned value. */
  async function meanShift(m: Model, value: string): Promise<{ mean: number[]; rms: number }> {
    const [y0, y] = [await outputs(m0, value), await outputs(m, value)];
    const mean = new Array<number>(C).fill(0);
    let ss = 0;
    for (let i = 0; i < y0.length; i++) {
      mean[Math.floor(i / (S * S)) % C] += (y[i] - y0[i]) / (N * S * S);
      ss += y0[i] * y0[i];
    }
    return { mean, rms: Math.sqrt(ss / y0.length) };
  }

  it('gives Conv a bias where it had none, and every corrected layer a zero mean output difference on the calibration samples', async () => {
    const { model: m, report } = reconstructPrune(m0, opts);
    expect(report.layers.map((l) => l.biasCorrected)).toEqual([true, true]);
    const a = m.graph.nodes.find((n) => n.name === 'a');
    expect(a?.inputs.length).toBe(3);
    expect(m.graph.initializers.some((t) => t.name === a?.inputs[2])).toBe(true);
    for (const v of ['ya', 'y']) {
      const { mean, rms } = await meanShift(m, v);
      for (const d of mean) expect(Math.abs(d), v).toBeLessThan(1e-5 * rms + 1e-6);
    }
    // without the correction the means do move (the check above can fail)
    const plain = reconstructPrune(m0, { ...opts, biasCorrection: false }).model;
    const { mean, rms } = await meanShift(plain, 'y');
    expect(Math.max(...mean.map(Math.abs))).toBeGreaterThan(1e-3 * rms);
    expect(plain.graph.nodes.find((n) => n.name === 'a')?.inputs.length).toBe(2);
  });
});

describe('residual correction', () => {
  // x → Conv a (3×3) → Relu → r; r → Conv b (3×3) → BatchNormalization → Add(·, r) → out
  const bn = [floatTensor('g', [C], Float32Array.from([0.5, 2, 1.5, 0.8])), floatTensor('be', [C], weights(C)), floatTensor('mu', [C], weights(C)), floatTensor('var', [C], Float32Array.from([1, 0.5, 2, 1.2]))];
  const m0 = model([
    node('a', 'Conv', ['x', 'wa', 'ba'], ['ya'], [pads1]),
    node('relu', 'Relu', ['ya'], ['r']),
    node('b', 'Conv', ['r', 'wb'], ['yb'], [pads1]),
    node('bn', 'BatchNormalization', ['yb', 'g', 'be', 'mu', 'var'], ['z']),
    node('add', 'Add', ['z', 'r'], ['out']),
  ], [floatTensor('wa', [C, C, 3, 3], weights(C * C * 9)), floatTensor('ba', [C], weights(C)), floatTensor('wb', [C, C, 3, 3], weights(C * C * 9)), ...bn], ['out']);

  async function error(m: Model): Promise<number> {
    const [y0, y] = [await outputs(m0, 'out'), await outputs(m, 'out')];
    return y0.reduce((s, v, i) => s + (v - y[i]) ** 2, 0);
  }

  it('fits the layer before the Add to the unpruned Add output: less error there than fitting its own output', async () => {
    // a pruned hard (the drift of r), b lightly (room to absorb part of it)
    const opts: ReconstructOptions = { ratio: 0, calibration: x, calibrationCount: N, prunedCounts: { wa: 115, wb: 14 } };
    const [on, off] = [await error(reconstructPrune(m0, opts).model), await error(reconstructPrune(m0, { ...opts, residual: false }).model)];
    expect(on).toBeLessThan(0.98 * off);
  });
});
