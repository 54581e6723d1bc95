// Reconstruction with N:M and block structure: the masks chosen inside the OBS sweep are exactly
// N:M (groups along the input channels at a fixed tap for Conv) or exact R×C blocks, keep the
// counts of a given mask, and leave a smaller output error than magnitude pruning of the same
// structure (written here independently; outputs from onnxruntime-node on held-back inputs).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Attribute, type Model, type Node, type Tensor } from '../../../../src/core/onnx';
import { reconstructPrune } from '../../../../src/core/prune/reconstruct';
import { Session } from '../../../../src/core/runtime';
import { mulberry32 } from '../../../../src/core/train/random';
import { floatTensor } from './helpers';
import { lossAndAccuracy, mnist, sampleModel } from '../train/fixtures';

function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

function model(nodes: Node[], initializers: Tensor[], input: number[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 1, shape: ['N', ...input] } }],
      outputs: [{ name: 'y' }], valueInfo: [], sparseInitializers: [], nodes, initializers,
    },
  };
}

function weight(m: Model, name: string): Float32Array {
  return m.graph.initializers.find((t) => t.name === name)?.data as Float32Array;
}

function withWeight(m: Model, name: string, data: Float32Array): Model {
  return { ...m, graph: { ...m.graph, initializers: m.graph.initializers.map((t) => (t.name === name ? { ...t, data } : t)) } };
}

async function run(m: Model, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  const out = await s.run({ x: new ort.Tensor('float32', x, dims) });
  return out.y.data as Float32Array;
}

function relError(y: Float32Array, y0: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (y[i] - y0[i]) ** 2;
    den += y0[i] ** 2;
  }
  return num / den;
}

/**
 * Groups of a weight along its inputs at a fixed tap: index(o, i, p) for outputs × inputs × taps.
 * Returns, for each (o, group, p), the element indices of the group.
 */
function groupsOf(outputs: number, inputs: number, taps: number, m: number, index: (o: number, i: number, p: number) => number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < outputs; o++) {
    for (let p = 0; p < taps; p++) {
      for (let i0 = 0; i0 < inputs; i0 += m) out.push(Array.from({ length: Math.min(m, inputs - i0) }, (_, k) => index(o, i0 + k, p)));
    }
  }
  return out;
}

/** Magnitude N:M written here: in every group the (size − N) smallest |w| (ties by position) zeroed. */
function magnitudeNM(w: Float32Array, groups: number[][], n: number): Float32Array {
  const out = w.slice();
  for (const g of groups) {
    const order = [...g].sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
    for (let k = 0; k < g.length - n; k++) out[order[k]] = 0;
  }
  return out;
}

function zerosIn(w: Float32Array, idx: number[]): number {
  return idx.reduce((s, i) => s + (w[i] === 0 ? 1 : 0), 0);
}

/** Correlated inputs: a few latent factors mixed into every feature, plus noise. */
function correlated(count: number, size: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const mix = Float32Array.from({ length: 4 * size }, () => rand() * 2 - 1);
  const x = new Float32Array(count * size);
  for (let s = 0; s < count; s++) {
    const f = [0, 1, 2, 3].map(() => rand() * 2 - 1);
    for (let i = 0; i < size; i++) x[s * size + i] = f.reduce((t, v, k) => t + v * mix[k * size + i], 0) + 0.3 * (rand() * 2 - 1);
  }
  return x;
}

/** Images whose C channels mix 3 latent maps (as a conv layer's inputs do), plus noise. */
function channelMixed(count: number, channels: number, plane: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const mix = Float32Array.from({ length: 3 * channels }, () => rand() * 2 - 1);
  const x = new Float32Array(count * channels * plane);
  for (let s = 0; s < count; s++) {
    const f = Float32Array.from({ length: 3 * plane }, () => rand() * 2 - 1);
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < plane; p++) x[(s * channels + c) * plane + p] = mix[c] * f[p] + mix[channels + c] * f[plane + p] + mix[2 * channels + c] * f[2 * plane + p] + 0.1 * (rand() * 2 - 1);
    }
  }
  return x;
}

describe('2:4 reconstruction of a Gemm (transB 0 and 1)', () => {
  const [IN, OUT, CAL, HELD] = [24, 10, 400, 300];
  const rand = mulberry32(3);
  const x = correlated(CAL + HELD, IN, 11);
  const calib = x.subarray(0, CAL * IN);
  const held = x.slice(CAL * IN);
  for (const transB of [0, 1]) {
    it(`transB ${transB}: exactly 2 of every 4 inputs per output, lower output error than magnitude 2:4`, async () => {
      const w = Float32Array.from({ length: IN * OUT }, () => rand() * 2 - 1);
      const dims = transB === 1 ? [OUT, IN] : [IN, OUT];
      const at = (o: number, i: number): number => (transB === 1 ? o * IN + i : i * OUT + o);
      const m0 = model([node('fc', 'Gemm', ['x', 'w', 'b'], ['y'], [{ name: 'transB', type: 'int', value: transB }])],
        [floatTensor('w', dims, w), floatTensor('b', [OUT], new Float32Array(OUT).fill(0.1))], [IN]);
      const { model: out, report } = reconstructPrune(m0, { ratio: 0, structure: '2:4', calibration: calib, calibrationCount: CAL, select: ['w'] });
      const got = weight(out, 'w');
      const groups = groupsOf(OUT, IN, 1, 4, (o, i) => at(o, i));
      for (const g of groups) expect(zerosIn(got, g)).toBe(2);
      expect(report.layers[0].pruned).toBe((IN * OUT) / 2);
      const mag = magnitudeNM(w, groups, 2);
      const y0 = await run(m0, held, [HELD, IN]);
      const eRec = relError(await run(out, held, [HELD, IN]), y0);
      const eMag = relError(await run(withWeight(m0, 'w', mag), held, [HELD, IN]), y0);
      expect(eRec).toBeLessThan(0.7 * eMag);
      // the report's own comparison agrees in direction
      expect(report.layers[0].outputError).toBeLessThan(report.layers[0].magnitudeOutputError);
    });
  }

  it('keeps the counts of a given mask, group by group, including a short last group', () => {
    const inputs = 6; // groups [0, 4) and [4, 6)
    const w = Float32Array.from({ length: OUT * inputs }, () => rand() * 2 - 1);
    const m0 = model([node('fc', 'Gemm', ['x', 'w'], ['y'], [{ name: 'transB', type: 'int', value: 1 }])], [floatTensor('w', [OUT, inputs], w)], [inputs]);
    const xs = correlated(200, inputs, 5);
    // no mask: a short group of 2 already holds at most N = 2 nonzeros, nothing pruned there
    const plain = weight(reconstructPrune(m0, { ratio: 0, structure: '2:4', calibration: xs, calibrationCount: 200 }).model, 'w');
    for (let o = 0; o < OUT; o++) {
      expect(zerosIn(plain, [0, 1, 2, 3].map((i) => o * inputs + i))).toBe(2);
      expect(zerosIn(plain, [4, 5].map((i) => o * inputs + i))).toBe(0);
    }
    // a mask pruning 1 of the short group (another rule for short groups) is followed
    const mask = new Uint8Array(OUT * inputs).fill(1);
    for (let o = 0; o < OUT; o++) {
      mask[o * inputs + (o % 4)] = 0;
      mask[o * inputs + ((o + 1) % 4)] = 0;
      mask[o * inputs + 4 + (o % 2)] = 0;
    }
    const got = weight(reconstructPrune(m0, { ratio: 0, structure: '2:4', calibration: xs, calibrationCount: 200, masks: { w: mask } }).model, 'w');
    for (let o = 0; o < OUT; o++) {
      expect(zerosIn(got, [0, 1, 2, 3].map((i) => o * inputs + i))).toBe(2);
      expect(zerosIn(got, [4, 5].map((i) => o * inputs + i))).toBe(1);
    }
  });
});

describe('N:M and blocks on a Conv: groups along the input channels at a fixed tap', () => {
  // x [N, 8, 6, 6] → Relu → Conv(W [6, 8, 3, 3], pads 1) (and a grouped variant)
  const [C, H, M, N, HELD] = [8, 6, 6, 60, 40];
  const rand = mulberry32(21);
  const all = channelMixed(N + HELD, C, H * H, 8);
  const calib = all.subarray(0, N * C * H * H);
  const held = all.slice(N * C * H * H);
  const ints = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
  const convModel = (group: number, w: Float32Array): Model => model([
    node('relu', 'Relu', ['x'], ['r']),
    node('conv', 'Conv', ['r', 'w'], ['y'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), { name: 'group', type: 'int', value: group }]),
  ], [floatTensor('w', [M, C / group, 3, 3], w)], [C, H, H]);
  const at = (cg: number) => (o: number, i: number, p: number): number => (o * cg + i) * 9 + p;

  it('4:8 and 2:4: exact per (output, tap, group of channels), lower output error than magnitude', async () => {
    const w = Float32Array.from({ length: M * C * 9 }, () => rand() * 2 - 1);
    const m0 = convModel(1, w);
    const y0 = await run(m0, held, [HELD, C, H, H]);
    for (const [n, m] of [[2, 4], [4, 8]]) {
      const { model: out } = reconstructPrune(m0, { ratio: 0, structure: `${n}:${m}`, calibration: calib, calibrationCount: N });
      const got = weight(out, 'w');
      const groups = groupsOf(M, C, 9, m, at(C));
      for (const g of groups) expect(zerosIn(got, g)).toBe(m - n);
      const eRec = relError(await run(out, held, [HELD, C, H, H]), y0);
      const eMag = relError(await run(withWeight(m0, 'w', magnitudeNM(w, groups, n)), held, [HELD, C, H, H]), y0);
      expect(eRec).toBeLessThan(0.5 * eMag);
    }
  });

  it('2x2 blocks over a grouped Conv (a block of rows may span two groups): exact blocks, the planned count', async () => {
    const group = 2; // rows per group 3, block rows [0, 2) [2, 4) [4, 6): the middle one spans both groups
    const cg = C / group;
    const w = Float32Array.from({ length: M * cg * 9 }, () => rand() * 2 - 1);
    const m0 = convModel(group, w);
    const { model: out } = reconstructPrune(m0, { ratio: 0.5, structure: '2x2', calibration: calib, calibrationCount: N });
    const got = weight(out, 'w');
    const idx = at(cg);
    let zeroBlocks = 0;
    let blocks = 0;
    for (let o0 = 0; o0 < M; o0 += 2) {
      for (let p = 0; p < 9; p++) {
        for (let i0 = 0; i0 < cg; i0 += 2) {
          const cells = [idx(o0, i0, p), idx(o0, i0 + 1, p), idx(o0 + 1, i0, p), idx(o0 + 1, i0 + 1, p)];
          const z = zerosIn(got, cells);
          expect([0, 4]).toContain(z);
          blocks++;
          if (z === 4) zeroBlocks++;
        }
      }
    }
    expect(zeroBlocks).toBe(Math.round(0.5 * blocks));
    // lower output error than the magnitude blocks of the same count (smallest Σ|w|, written here)
    const scored: { s: number; cells: number[] }[] = [];
    for (let o0 = 0; o0 < M; o0 += 2) {
      for (let p = 0; p < 9; p++) {
        for (let i0 = 0; i0 < cg; i0 += 2) {
          const cells = [idx(o0, i0, p), idx(o0, i0 + 1, p), idx(o0 + 1, i0, p), idx(o0 + 1, i0 + 1, p)];
          scored.push({ s: cells.reduce((t, c) => t + Math.abs(w[c]), 0), cells });
        }
      }
    }
    scored.sort((a, b) => a.s - b.s);
    const mag = w.slice();
    for (const b of scored.slice(0, zeroBlocks)) for (const c of b.cells) mag[c] = 0;
    const y0 = await run(m0, held, [HELD, C, H, H]);
    const eRec = relError(await run(out, held, [HELD, C, H, H]), y0);
    const eMag = relError(await run(withWeight(m0, 'w', mag), held, [HELD, C, H, H]), y0);
    expect(eRec).toBeLessThan(0.5 * eMag);
  });
});

describe('the sample MLP at 2:4 on MNIST', () => {
  const train = mnist('train');
  const test = mnist('test');
  const sample = sampleModel();
  const accuracy = (m: Model): number => lossAndAccuracy(m, test).accuracy;

  it('reconstruct 2:4 is exactly 2:4, far closer to the unpruned logits than magnitude 2:4, within a point of its accuracy', () => {
    const { model: out } = reconstructPrune(sample, { ratio: 0, structure: '2:4', calibration: train.images.subarray(0, 500 * 784), calibrationCount: 500 });
    let mag = sample;
    for (const name of ['fc1.weight', 'fc2.weight', 'fc3.weight']) {
      const t = sample.graph.initializers.find((x) => x.name === name) as Tensor;
      const [o, i] = t.dims.map(Number);
      const groups = groupsOf(o, i, 1, 4, (r, c) => r * i + c);
      const got = weight(out, name);
      for (const g of groups) expect(zerosIn(got, g)).toBe(2);
      mag = withWeight(mag, name, magnitudeNM(t.data as Float32Array, groups, 2));
    }
    // logits on held-back train digits (never in the calibration), by the dense runtime
    const held = train.images.slice(500 * 784, 1000 * 784);
    const logits = (m: Model): Float32Array => Session.create(m, { kernels: 'dense' }).runFloat(held, 500);
    const y0 = logits(sample);
    expect(relError(logits(out), y0)).toBeLessThan(0.25 * relError(logits(mag), y0));
    expect(accuracy(out)).toBeGreaterThan(accuracy(sample) - 0.01);
  }, 300_000);
});
