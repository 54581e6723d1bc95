// Planning and applying magnitude pruning: exact counts, ties, thresholds, overrides, global mode.
import { describe, expect, it } from 'vitest';
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { applyPrune, defaultPrunable, planPrune, pruneMask, PruneError, pruneSummary } from '../../../../src/core/prune';
import { floatTensor, gemmChain, referencePruned, tiedValues } from './helpers';

function model3(): Model {
  const w = [floatTensor('w0', [40, 30], tiedValues(1200, 1)), floatTensor('w1', [20, 40], tiedValues(800, 2)), floatTensor('w2', [7, 20], tiedValues(140, 3))];
  const b = [floatTensor('b0', [40], tiedValues(40, 4)), floatTensor('b1', [20], tiedValues(20, 5)), floatTensor('b2', [7], tiedValues(7, 6))];
  return gemmChain(w, b);
}

const data = (m: Model, name: string): Float32Array => m.graph.initializers.find((t) => t.name === name)!.data as Float32Array;

describe('defaultPrunable', () => {
  it('selects Gemm B inputs and 2-D+ MatMul initializers, never biases or non-floats', () => {
    const m = model3();
    expect(defaultPrunable(m)).toEqual(['w0', 'w1', 'w2']);
    const mm: Model = {
      ...m,
      graph: {
        ...m.graph,
        nodes: [
          { name: 'mm', opType: 'MatMul', domain: '', inputs: ['A', 'x'], outputs: ['y'], attributes: [] },
          { name: 'mm1d', opType: 'MatMul', domain: '', inputs: ['y', 'v'], outputs: ['z'], attributes: [] },
          { name: 'mmi', opType: 'MatMul', domain: '', inputs: ['z', 'I'], outputs: ['u'], attributes: [] },
          { name: 'add', opType: 'Add', domain: '', inputs: ['u', 'w0'], outputs: ['o'], attributes: [] },
        ],
        initializers: [
          floatTensor('A', [3, 4], tiedValues(12, 9)), floatTensor('v', [4], tiedValues(4, 9)), floatTensor('w0', [2, 2], tiedValues(4, 9)),
          { name: 'I', dataType: DataType.INT32, dims: [4, 4], data: new Int32Array(16) },
        ],
      },
    };
    expect(defaultPrunable(mm)).toEqual(['A']);
  });
});

describe('per-layer pruning', () => {
  for (const ratio of [0, 0.05, 0.3, 0.5, 0.77, 0.9, 1]) {
    it(`ratio ${ratio}: exactly round(ratio × n) smallest |w| per tensor, ties by index`, () => {
      const m = model3();
      const plan = planPrune(m, { ratio, mode: 'layer' });
      const pruned = applyPrune(m, plan);
      for (const layer of plan.layers) {
        const src = data(m, layer.tensor);
        const want = referencePruned([src], Math.round(ratio * src.length))[0];
        const mask = pruneMask(m.graph.initializers.find((t) => t.name === layer.tensor)!, layer);
        expect(Array.from(mask, (v) => v === 0)).toEqual(want);
        expect(layer.pruned).toBe(Math.round(ratio * layer.n));
        expect(layer.kept).toBe(layer.n - layer.pruned);
        expect(layer.ratio).toBeCloseTo(layer.pruned / layer.n, 12);
        const out = data(pruned, layer.tensor);
        // Threshold property: every pruned |w| ≤ every kept |w|; threshold = the largest pruned |w|.
        let maxPruned = 0;
        let minKept = Infinity;
        for (let i = 0; i < src.length; i++) {
          if (want[i]) {
            expect(out[i]).toBe(0);
            maxPruned = Math.max(maxPruned, Math.abs(src[i]));
          } else {
            expect(out[i]).toBe(src[i]);
            minKept = Math.min(minKept, Math.abs(src[i]));
          }
        }
        expect(maxPruned).toBeLessThanOrEqual(minKept);
        expect(layer.threshold).toBe(maxPruned);
      }
    });
  }

  it('reports nodes, dims and totals; biases are untouched and the input model unchanged', () => {
    const m = model3();
    const before = m.graph.initializers.map((t) => Array.from(t.data as Float32Array));
    const plan = planPrune(m, { ratio: 0.6, mode: 'layer' });
    expect(plan.layers.map((l) => [l.tensor, l.nodes, l.dims, l.n])).toEqual([
      ['w0', ['gemm0'], [40, 30], 1200], ['w1', ['gemm1'], [20, 40], 800], ['w2', ['gemm2'], [7, 20], 140],
    ]);
    expect(plan.totalParams).toBe(1200 + 800 + 140 + 40 + 20 + 7);
    expect(plan.prunableParams).toBe(2140);
    expect(plan.prunedParams).toBe(720 + 480 + 84);
    expect(plan.keptParams).toBe(2140 - 1284);
    const out = applyPrune(m, plan);
    m.graph.initializers.forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(before[i]));
    for (const b of ['b0', 'b1', 'b2']) {
      expect(out.graph.initializers.find((t) => t.name === b)).toBe(m.graph.initializers.find((t) => t.name === b));
    }
    expect(out.graph.nodes).toBe(m.graph.nodes);
  });

  it('pruneSummary gives the engine report: per layer n, kept, ratio, threshold and the totals', () => {
    const m = model3();
    const plan = planPrune(m, { ratio: 0.25, mode: 'layer' });
    const r = pruneSummary(m, plan);
    expect(r.layers.map((l) => [l.tensor, l.n, l.kept])).toEqual([['w0', 1200, 900], ['w1', 800, 600], ['w2', 140, 105]]);
    expect(r.layers.map((l) => l.threshold)).toEqual(plan.layers.map((l) => l.threshold));
    expect([r.totalParams, r.prunableParams, r.keptParams]).toEqual([2207, 2140, 1605]);
    // weights are float32: the dense file holds at least 4 bytes per parameter; sparse stores
    // 4 + 8 bytes per kept weight, more than dense at 25% pruned.
    expect(r.denseBytes).toBeGreaterThan(2207 * 4);
    expect(r.sparseBytes).toBeGreaterThan(r.denseBytes);
  });

  it('overrides replace the ratio of their tensor', () => {
    const m = model3();
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', overrides: { w1: 0.9, w2: 0 } });
    expect(plan.layers.map((l) => l.pruned)).toEqual([600, 720, 0]);
    expect(plan.layers.map((l) => l.overridden)).toEqual([false, true, true]);
    expect(plan.layers[2].threshold).toBe(0);
  });

  it('a selection may name any float initializer, biases included', () => {
    const m = model3();
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', select: ['b0', 'w2', 'b0'] });
    expect(plan.layers.map((l) => [l.tensor, l.pruned])).toEqual([['b0', 20], ['w2', 70]]);
  });

  it('prunes float64, float16 and bfloat16 tensors, NaN counting as the largest', () => {
    const f64: Tensor = { name: 'd', dataType: DataType.DOUBLE, dims: [2, 3], data: Float64Array.from([0.3, -0.1, NaN, 0.2, -0.3, 0.05]) };
    // float16 bits: 0x3c00 = 1, 0xb800 = -0.5, 0x3400 = 0.25, 0x0000 = 0, 0xbc00 = -1, 0x7e00 = NaN
    const f16: Tensor = { name: 'h', dataType: DataType.FLOAT16, dims: [2, 3], data: Uint16Array.from([0x3c00, 0xb800, 0x3400, 0x0000, 0xbc00, 0x7e00]) };
    // bfloat16 bits: 0x3f80 = 1, 0xbf00 = -0.5, 0x3e80 = 0.25
    const bf: Tensor = { name: 'bf', dataType: DataType.BFLOAT16, dims: [3], data: Uint16Array.from([0x3f80, 0xbf00, 0x3e80]) };
    const m = gemmChain([f64, f16, bf], [floatTensor('b0', [2], new Float32Array(2)), floatTensor('b1', [2], new Float32Array(2)), floatTensor('b2', [1], new Float32Array(1))]);
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer', select: ['d', 'h', 'bf'] });
    const out = applyPrune(m, plan);
    expect(Array.from(out.graph.initializers[0].data as Float64Array)).toEqual([0.3, 0, NaN, 0, -0.3, 0]);
    expect(Array.from(out.graph.initializers[2].data as Uint16Array)).toEqual([0x3c00, 0, 0, 0, 0xbc00, 0x7e00]);
    expect(Array.from(out.graph.initializers[4].data as Uint16Array)).toEqual([0x3f80, 0, 0]); // round(0.5 × 3) = 2 pruned
    expect(plan.layers.map((l) => l.threshold)).toEqual([0.2, 0.5, 0.5]);
  });
});

describe('global pruning', () => {
  for (const ratio of [0.1, 0.5, 0.83, 1]) {
    it(`ratio ${ratio}: one cut over all selected tensors, exact count, ties by (tensor, index)`, () => {
      const m = model3();
      const names = ['w0', 'w1', 'w2'];
      const srcs = names.map((n) => data(m, n));
      const total = srcs.reduce((s, a) => s + a.length, 0);
      const plan = planPrune(m, { ratio, mode: 'global' });
      const want = referencePruned(srcs, Math.round(ratio * total));
      const out = applyPrune(m, plan);
      let maxPruned = 0;
      let minKept = Infinity;
      plan.layers.forEach((layer, t) => {
        const mask = pruneMask(m.graph.initializers.find((x) => x.name === layer.tensor)!, layer);
        expect(Array.from(mask, (v) => v === 0)).toEqual(want[t]);
        const o = data(out, layer.tensor);
        srcs[t].forEach((v, i) => {
          if (want[t][i]) {
            expect(o[i]).toBe(0);
            maxPruned = Math.max(maxPruned, Math.abs(v));
          } else minKept = Math.min(minKept, Math.abs(v));
        });
      });
      expect(plan.prunedParams).toBe(Math.round(ratio * total));
      expect(maxPruned).toBeLessThanOrEqual(minKept);
      expect(plan.globalThreshold).toBe(maxPruned);
    });
  }

  it('mixes float64 and float32 tensors in one pool', () => {
    const d = Float64Array.from(tiedValues(300, 21), (v, i) => v + (i % 3) * 1e-9); // not float32-representable
    const f = tiedValues(200, 22);
    const m = gemmChain(
      [{ name: 'd', dataType: DataType.DOUBLE, dims: [15, 20], data: d }, floatTensor('f', [10, 20], f)],
      [floatTensor('b0', [15], new Float32Array(15)), floatTensor('b1', [10], new Float32Array(10))],
    );
    for (const ratio of [0.2, 0.5, 0.9]) {
      const plan = planPrune(m, { ratio, mode: 'global' });
      const want = referencePruned([d as unknown as Float32Array, f], Math.round(ratio * 500));
      plan.layers.forEach((layer, t) => {
        const mask = pruneMask(m.graph.initializers.find((x) => x.name === layer.tensor)!, layer);
        expect(Array.from(mask, (v) => v === 0)).toEqual(want[t]);
      });
    }
  });

  it('overridden tensors leave the pool and are pruned on their own', () => {
    const m = model3();
    const plan = planPrune(m, { ratio: 0.4, mode: 'global', overrides: { w0: 0.95 } });
    expect(plan.layers[0].pruned).toBe(Math.round(0.95 * 1200));
    const pool = [data(m, 'w1'), data(m, 'w2')];
    const want = referencePruned(pool, Math.round(0.4 * 940));
    expect(plan.layers[1].pruned + plan.layers[2].pruned).toBe(376);
    [1, 2].forEach((li, t) => {
      const mask = pruneMask(m.graph.initializers.find((x) => x.name === plan.layers[li].tensor)!, plan.layers[li]);
      expect(Array.from(mask, (v) => v === 0)).toEqual(want[t]);
    });
  });

  it('differs from per-layer pruning when the layers have different scales', () => {
    const big = new Float32Array(100).map((_, i) => 10 + i);
    const small = new Float32Array(100).map((_, i) => i / 100);
    const m = gemmChain([floatTensor('big', [10, 10], big), floatTensor('small', [10, 10], small)], [floatTensor('b0', [10], new Float32Array(10)), floatTensor('b1', [10], new Float32Array(10))]);
    const plan = planPrune(m, { ratio: 0.5, mode: 'global' });
    expect(plan.layers.map((l) => l.pruned)).toEqual([0, 100]);
  });
});

describe('errors', () => {
  const m = model3();
  it('names the problem', () => {
    expect(() => planPrune(m, { ratio: 1.5, mode: 'layer' })).toThrow(/prune ratio must be a number from 0 to 1, got 1.5/);
    expect(() => planPrune(m, { ratio: NaN, mode: 'layer' })).toThrow(PruneError);
    expect(() => planPrune(m, { ratio: 0.5, mode: 'layer', select: ['nope'] })).toThrow(/no initializer or Constant tensor named "nope"/);
    expect(() => planPrune(m, { ratio: 0.5, mode: 'layer', overrides: { b0: 0.1 } })).toThrow(/override names "b0", which is not among the tensors selected/);
    expect(() => planPrune(m, { ratio: 0.5, mode: 'layer', overrides: { w0: -1 } })).toThrow(/override ratio for "w0"/);
    const withInt: Model = { ...m, graph: { ...m.graph, initializers: [...m.graph.initializers, { name: 'shape', dataType: DataType.INT64, dims: [2], data: new BigInt64Array(2) }] } };
    expect(() => planPrune(withInt, { ratio: 0.5, mode: 'layer', select: ['shape'] })).toThrow(/"shape" holds int64 values: only float tensors/);
    const ext: Model = { ...m, graph: { ...m.graph, initializers: [{ name: 'e', dataType: DataType.FLOAT, dims: [4], external: { location: 'w.bin', offset: 0, entries: [] } }] } };
    expect(() => planPrune(ext, { ratio: 0.5, mode: 'layer', select: ['e'] })).toThrow(/external file \(w\.bin\)/);
  });

  it('refuses a plan made for another model', () => {
    const plan = planPrune(m, { ratio: 0.5, mode: 'layer' });
    const other = model3();
    (other.graph.initializers[0].data as Float32Array).fill(1);
    expect(() => applyPrune(other, plan)).toThrow(/made for another model/);
  });
});
