// Reconstruction of Conv weights on small hand-made models: the solution against an independently
// computed least-squares fit (stride, dilation, asymmetric padding, groups), and the reasons
// reconstruct gives when it cannot apply.
import { describe, expect, it } from 'vitest';
import type { Attribute, Model, Node, Tensor } from '../../../../src/core/onnx/model';
import { CancelledError } from '../../../../src/core/errors';
import { pruneWithMethod, PruneError } from '../../../../src/core/prune';
import { reconstructProblem, reconstructPrune } from '../../../../src/core/prune/reconstruct';
import { mulberry32 } from '../../../../src/core/train/random';
import { floatTensor, solve } from './helpers';

function ints(name: string, value: number[]): Attribute {
  return { name, type: 'ints', value };
}

function model(nodes: Node[], initializers: Tensor[], input: number[], outputs: string[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 1, shape: ['N', ...input] } }],
      outputs: outputs.map((name) => ({ name })), valueInfo: [], sparseInitializers: [], nodes, initializers,
    },
  };
}

function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

/** A weight that the saliency surely prunes (|w| 0.02..0.05), or one it surely keeps (|w| 0.5..1.5). */
function small(rand: () => number): number {
  return (rand() < 0.5 ? -1 : 1) * (0.02 + 0.03 * rand());
}
function large(rand: () => number): number {
  return (rand() < 0.5 ? -1 : 1) * (0.5 + rand());
}

/**
 * Checks `got` (rows × cols view, `at(o, i)` its index in the stored tensor) against the least-squares
 * fit of the kept columns (the first `p` columns pruned in every row) on the explicit rows X.
 */
function expectLeastSquares(X: number[][], w: (o: number, i: number) => number, got: (o: number, i: number) => number, rows: number, cols: number, p: number): void {
  const kept = Array.from({ length: cols - p }, (_, i) => p + i);
  const hk = kept.map((i) => kept.map((j) => X.reduce((s, r) => s + r[i] * r[j], 0)));
  for (let o = 0; o < rows; o++) {
    const rhs = kept.map((i) => X.reduce((s, r) => s + r[i] * r.reduce((t, v, j) => t + v * w(o, j), 0), 0));
    const want = solve(hk, rhs);
    for (let j = 0; j < p; j++) expect(got(o, j)).toBe(0);
    kept.forEach((j, k) => expect(got(o, j)).toBeCloseTo(want[k], 5));
    // the kept weights absorbed the pruned ones' contribution (far more than the tolerance)
    expect(Math.max(...kept.map((j, k) => Math.abs(want[k] - w(o, j))))).toBeGreaterThan(1e-3);
  }
}

describe('reconstruct on MatMul weights, in either position', () => {
  const rand = mulberry32(9);
  const [N, S, K, O, P] = [12, 3, 6, 4, 5];
  it('x W with W [K, O] (rows of a 3-D input)', () => {
    // W's first two rows (inputs 0 and 1) tiny: those columns of the [O, K] view are pruned.
    const w = Float32Array.from({ length: K * O }, (_, i) => (Math.floor(i / O) < 2 ? small(rand) : large(rand)));
    const m = model([node('relu', 'Relu', ['x'], ['r']), node('mm', 'MatMul', ['r', 'w'], ['y'])], [floatTensor('w', [K, O], w)], [S, K], ['y']);
    const x = Float32Array.from({ length: N * S * K }, () => rand() * 2 - 1);
    const out = reconstructPrune(m, { ratio: (2 * O) / (K * O), calibration: x, calibrationCount: N, select: ['w'], dampening: 1e-9 }).model;
    const got = out.graph.initializers[0].data as Float32Array;
    const X = Array.from({ length: N * S }, (_, r) => Array.from({ length: K }, (_, i) => Math.max(0, x[r * K + i])));
    expectLeastSquares(X, (o, i) => w[i * O + o], (o, i) => got[i * O + o], O, K, 2);
  });
  it('W x with W [O, K] (columns of the input)', () => {
    const w = Float32Array.from({ length: O * K }, (_, i) => (i % K < 2 ? small(rand) : large(rand)));
    const m = model([node('mm', 'MatMul', ['w', 'x'], ['y'])], [floatTensor('w', [O, K], w)], [K, P], ['y']);
    const x = Float32Array.from({ length: N * K * P }, () => rand());
    const out = reconstructPrune(m, { ratio: (2 * O) / (K * O), calibration: x, calibrationCount: N, select: ['w'], dampening: 1e-9 }).model;
    const got = out.graph.initializers[0].data as Float32Array;
    const X = Array.from({ length: N * P }, (_, r) => Array.from({ length: K }, (_, i) => x[Math.floor(r / P) * K * P + i * P + (r % P)]));
    expectLeastSquares(X, (o, i) => w[o * K + i], (o, i) => got[o * K + i], O, K, 2);
  });
});

describe('reconstruct on a strided, dilated, padded, grouped Conv', () => {
  // x [N, 4, 7, 8] → Relu → Conv(W [4, 2, 2, 3], group 2, strides [2, 1], dilations [1, 2], pads [1, 2, 0, 1])
  const N = 30;
  const C = 4;
  const H = 7;
  const Wd = 8;
  const M = 4;
  const G = 2;
  const KH = 2;
  const KW = 3;
  const [SH, SW] = [2, 1];
  const [DH, DW] = [1, 2];
  const [PT, PL, PB, PR] = [1, 2, 0, 1];
  const rand = mulberry32(5);
  const cols = (C / G) * KH * KW; // 12
  const w = new Float32Array(M * cols);
  // The first input channel of each group gets small weights: the 6 smallest saliencies of every
  // row, so the mask is known (the first 6 columns) and the sweep is exactly the masked least squares.
  for (let m = 0; m < M; m++) for (let j = 0; j < cols; j++) w[m * cols + j] = j < KH * KW ? small(rand) : large(rand);
  const bias = Float32Array.from({ length: M }, () => rand());
  const conv = node('the_conv', 'Conv', ['r', 'w', 'b'], ['y'], [
    { name: 'group', type: 'int', value: G }, ints('kernel_shape', [KH, KW]), ints('strides', [SH, SW]), ints('dilations', [DH, DW]), ints('pads', [PT, PL, PB, PR]),
  ]);
  const m0 = model([node('relu', 'Relu', ['x'], ['r']), conv], [floatTensor('w', [M, C / G, KH, KW], w), floatTensor('b', [M], bias)], [C, H, Wd], ['y']);
  const x = Float32Array.from({ length: N * C * H * Wd }, () => rand() * 2 - 1);

  /** Patches written out directly from the zero-padded input (this test's own im2col), per group. */
  function patches(g: number): number[][] {
    const hp = H + PT + PB;
    const wp = Wd + PL + PR;
    const oh = Math.floor((hp - (DH * (KH - 1) + 1)) / SH) + 1;
    const ow = Math.floor((wp - (DW * (KW - 1) + 1)) / SW) + 1;
    const rows: number[][] = [];
    for (let n = 0; n < N; n++) {
      const padded = (c: number, i: number, j: number): number => {
        const ii = i - PT;
        const jj = j - PL;
        if (ii < 0 || ii >= H || jj < 0 || jj >= Wd) return 0;
        return Math.max(0, x[((n * C + c) * H + ii) * Wd + jj]);
      };
      for (let a = 0; a < oh; a++) {
        for (let b = 0; b < ow; b++) {
          const row: number[] = [];
          for (let c = 0; c < C / G; c++) for (let p = 0; p < KH; p++) for (let q = 0; q < KW; q++) row.push(padded(g * (C / G) + c, a * SH + p * DH, b * SW + q * DW));
          rows.push(row);
        }
      }
    }
    return rows;
  }

  it('gives the least-squares weights of the kept columns, exact zeros elsewhere, bias untouched (without bias correction)', () => {
    const { model: out, report } = reconstructPrune(m0, { ratio: 0.5, calibration: x, calibrationCount: N, dampening: 1e-9, select: ['w'], biasCorrection: false });
    const got = out.graph.initializers.find((t) => t.name === 'w')?.data as Float32Array;
    expect(out.graph.initializers.find((t) => t.name === 'b')?.data).toEqual(bias);
    expect(report.layers[0].pruned).toBe(24);
    expect(report.layers[0].groups).toBe(2);
    for (let g = 0; g < G; g++) {
      const rows = (o: number): number => (g * (M / G) + o) * cols;
      expectLeastSquares(patches(g), (o, i) => w[rows(o) + i], (o, i) => got[rows(o) + i], M / G, cols, KH * KW);
    }
  });

  it('solves a weight held by a Constant node as it does an initializer, and writes it back there', () => {
    const opts = { ratio: 0.5, calibration: x, calibrationCount: N, select: ['w'] };
    const fromInit = reconstructPrune(m0, opts).model.graph.initializers.find((t) => t.name === 'w')?.data;
    const wt = m0.graph.initializers[0];
    const constant: Node = { ...node('wconst', 'Constant', [], ['w']), attributes: [{ name: 'value', type: 'tensor', value: wt }] };
    const mc = { ...m0, graph: { ...m0.graph, nodes: [constant, ...m0.graph.nodes], initializers: m0.graph.initializers.slice(1) } };
    const out = reconstructPrune(mc, opts).model;
    const a = out.graph.nodes[0].attributes[0];
    expect(a.type === 'tensor' ? a.value.data : undefined).toEqual(fromInit);
    expect(wt.data).toBe(w);
    expect(w.some((v) => v === 0)).toBe(false);
  });

  it('reports progress rising to 1 and stops when cancelled', () => {
    const seen: number[] = [];
    reconstructPrune(m0, { ratio: 0.5, calibration: x, calibrationCount: N, select: ['w'], onProgress: (p) => seen.push(p.fraction) });
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen[seen.length - 1]).toBe(1);
    let calls = 0;
    expect(() => reconstructPrune(m0, { ratio: 0.5, calibration: x, calibrationCount: N, select: ['w'], isCancelled: () => ++calls > 2 })).toThrow(CancelledError);
    expect(w.some((v) => v === 0)).toBe(false);
  });

  it('names the node when a selected weight has a consumer it cannot solve', () => {
    const add = model([node('adder', 'Add', ['x', 'k'], ['y'])], [floatTensor('k', [1, 4, 7, 8], new Float32Array(224))], [C, H, Wd], ['y']);
    expect(reconstructProblem(add, ['k'])).toMatch(/adder \(Add\) consumes "k"/);
    const ct = model([node('up', 'ConvTranspose', ['x', 'k'], ['y'])], [floatTensor('k', [4, 2, 3, 3], new Float32Array(72))], [C, H, Wd], ['y']);
    expect(reconstructProblem(ct, ['k'])).toMatch(/up is a ConvTranspose/);
    const shared = { ...m0, graph: { ...m0.graph, nodes: [...m0.graph.nodes, { ...conv, name: 'again', outputs: ['y2'] }] } };
    expect(reconstructProblem(shared, ['w'])).toMatch(/used by 2 nodes \(the_conv, again\)/);
    const custom = { ...m0, graph: { ...m0.graph, nodes: [{ ...m0.graph.nodes[0], opType: 'Mystery', domain: 'com.example' }, conv] } };
    expect(reconstructProblem(custom, ['w'])).toMatch(/com\.example\.Mystery "relu".*the_conv \(Conv\)/);
    expect(reconstructProblem(m0, ['b'])).toMatch(/the_conv \(Conv\) takes "b"/);
    expect(reconstructProblem(m0, ['nope'])).toMatch(/"nope" is not a weight of the model/);
    expect(reconstructProblem(m0, ['w'])).toBeUndefined();
    expect(() => reconstructPrune(add, { ratio: 0.5, calibration: x, calibrationCount: N, select: ['k'] })).toThrow(PruneError);
  });

  it('pruneWithMethod refuses before anything runs, naming the node', async () => {
    const add = model([node('adder', 'Add', ['x', 'k'], ['y'])], [floatTensor('k', [1, 4, 7, 8], new Float32Array(224))], [C, H, Wd], ['y']);
    let ran = false;
    const calibration = { name: 'calib', source: 'calib', images: x, labels: new Int32Array(N), count: N, sampleShape: [C, H, Wd], sampleSize: C * H * Wd, classes: 1 };
    await expect(pruneWithMethod(add, { ratio: 0.5, mode: 'layer', select: ['k'], method: 'reconstruct' }, { calibration }, { onProgress: () => (ran = true) }))
      .rejects.toThrow(/adder \(Add\) consumes "k"/);
    expect(ran).toBe(false);
  });
});
