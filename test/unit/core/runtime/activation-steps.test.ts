// The plan's activation steps on WebAssembly (runtime/unary-plan.ts): SiLU fused from Sigmoid + Mul
// (either order of the Mul's inputs) and Sigmoid, Tanh, HardSigmoid, HardSwish, LeakyRelu, Relu,
// Softmax (last axis on WebAssembly, another axis on the op) as steps of their own, against onnxruntime-node and against the same plan without WebAssembly (the JS ops);
// a Sigmoid whose output has a second reader stays a Sigmoid step. HardSwish as torch.onnx.export
// writes it below opset 14, x · HardSigmoid(x) with α = 1/6: folded into the Conv before it (both
// Mul orders), a step of its own elsewhere; a HardSigmoid of another α stays what it is.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { floats, graph, model, node } from '../../../support/hand-models';
import { ortRunOnce } from '../../../support/ort';
import { prng } from './single-op';

const OUTS = ['h1', 'h2', 'l', 'r', 's3', 'm3', 'silu2', 't', 'sm', 'sm1'];

function activationModel(): Uint8Array {
  const rand = prng(11);
  const w = Float32Array.from({ length: 8 * 4 * 9 }, () => rand() * 0.6);
  const m = model(
    graph('activations', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [2, 4, 9, 9] } }],
      outputs: OUTS.map((name) => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT } })),
      nodes: [
        node('Conv', ['x', 'W'], ['c'], [{ name: 'pads', type: 'ints', value: [1, 1, 1, 1] }]),
        node('Sigmoid', ['c'], ['s1']),
        node('Mul', ['c', 's1'], ['silu1']),
        node('Sigmoid', ['silu1'], ['s2']),
        node('Mul', ['s2', 'silu1'], ['silu2']),
        node('Add', ['silu2', 'c'], ['a']),
        node('HardSigmoid', ['a'], ['h1'], [{ name: 'alpha', type: 'float', value: 0.3 }, { name: 'beta', type: 'float', value: 0.4 }]),
        node('HardSwish', ['a'], ['h2']),
        node('LeakyRelu', ['a'], ['l'], [{ name: 'alpha', type: 'float', value: 0.1 }]),
        node('Relu', ['a'], ['r']),
        node('Sigmoid', ['a'], ['s3']),
        node('Mul', ['a', 's3'], ['m3']),
        node('Tanh', ['a'], ['t']),
        node('Softmax', ['a'], ['sm'], [{ name: 'axis', type: 'int', value: -1 }]),
        node('Softmax', ['a'], ['sm1'], [{ name: 'axis', type: 'int', value: 1 }]),
      ],
      initializers: [floats('W', [8, 4, 3, 3], w)],
    }),
  );
  m.opsetImports = [{ domain: '', version: 14 }];
  return encodeModel(m);
}

const labels = (s: Session): string[] => (s as unknown as { plan: { steps: { ctx: { label: string } }[] } }).plan.steps.map((st) => st.ctx.label);

describe('activation steps in WebAssembly', () => {
  it('SiLU fused from Sigmoid + Mul, and each activation, match onnxruntime and the JS ops', async () => {
    const bytes = activationModel();
    const rand = prng(5);
    const x = Float32Array.from({ length: 2 * 4 * 81 }, () => rand() * 8);
    const want = (await ortRunOnce(bytes, { x: new ort.Tensor('float32', x, [2, 4, 9, 9]) })).outputs;
    const wasm = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    const js = Session.create(decodeModel(bytes), { kernels: 'sparse', wasm: false });
    const steps = labels(wasm);
    expect(steps.filter((l) => l.startsWith('Sigmoid') && l.endsWith('(+Mul)'))).toHaveLength(2);
    // s3 is also a graph output: its Sigmoid cannot be fused into the Mul.
    expect(steps.some((l) => l === 'Sigmoid "Sigmoid_s3"')).toBe(true);
    expect(labels(js).filter((l) => l.endsWith('(+Mul)'))).toHaveLength(0);
    const feeds = { x: { dims: [2, 4, 9, 9], data: x, dataType: DataType.FLOAT } };
    const got = wasm.run(feeds);
    const ref = js.run(feeds);
    for (const name of OUTS) {
      const w = want[name].data as Float32Array;
      const g = got[name].data as Float32Array;
      const j = ref[name].data as Float32Array;
      expect(got[name].dims, name).toEqual([...want[name].dims]);
      let dOrt = 0;
      let dJs = 0;
      for (let i = 0; i < w.length; i++) {
        dOrt = Math.max(dOrt, Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i])));
        dJs = Math.max(dJs, Math.abs(g[i] - j[i]) / (1 + Math.abs(j[i])));
      }
      expect(dOrt, `${name} vs onnxruntime`).toBeLessThan(1e-5);
      // The JS ops compute in float64 (α, 1/6 unrounded); WebAssembly in float32, as onnxruntime.
      expect(dJs, `${name} vs the JS ops`).toBeLessThan(1e-5);
      expect(new Set(g).size, `${name} varies`).toBeGreaterThan(20);
    }
  });

  // (onnxruntime rewrites this pattern into its QuickGelu, which has no double kernel: the formula is the reference.)
  it('the fused SiLU step on a double input runs the JS ops (the Mul with the Sigmoid first), in float64', () => {
    const m = model(
      graph('silu64', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.DOUBLE, shape: [3, 5] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.DOUBLE } }],
        nodes: [node('Sigmoid', ['x'], ['s']), node('Mul', ['s', 'x'], ['y'])],
      }),
    );
    const bytes = encodeModel(m);
    const x = Float64Array.from({ length: 15 }, (_, i) => (i - 7) * 1.3);
    const want = Float64Array.from(x, (v) => v / (1 + Math.exp(-v)));
    const s = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    expect(labels(s)).toEqual(['Sigmoid "Sigmoid_s" (+Mul)']);
    const got = s.run({ x: { dims: [3, 5], data: x, dataType: DataType.DOUBLE } }).y;
    expect(got.dataType).toBe(DataType.DOUBLE);
    for (let i = 0; i < 15; i++) expect(got.data[i]).toBeCloseTo(want[i], 12);
  });

  it('x · HardSigmoid(x) with α = 1/6 runs as HardSwish: in the Conv before it, or a step of its own; other α not', async () => {
    const rand = prng(17);
    const SIXTH = 0.1666666716337204; // float32(1/6), as torch.onnx.export writes it
    const hsig = (x: string, y: string, alpha = SIXTH): ReturnType<typeof node> => node('HardSigmoid', [x], [y], [{ name: 'alpha', type: 'float', value: alpha }]);
    const outs = ['hs3', 'r', 'm4'];
    const m = model(
      graph('hardswish13', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [2, 4, 9, 9] } }],
        outputs: outs.map((name) => ({ name, type: { kind: 'tensor', elemType: DataType.FLOAT } })),
        nodes: [
          node('Conv', ['x', 'W'], ['c'], [{ name: 'pads', type: 'ints', value: [1, 1, 1, 1] }]),
          hsig('c', 'g1'),
          node('Mul', ['c', 'g1'], ['hs1']),
          node('Conv', ['hs1', 'W2'], ['c2'], [{ name: 'pads', type: 'ints', value: [1, 1, 1, 1] }]),
          hsig('c2', 'g2'),
          node('Mul', ['g2', 'c2'], ['hs2']),
          node('Add', ['hs2', 'hs1'], ['a']),
          hsig('a', 'g3'),
          node('Mul', ['a', 'g3'], ['hs3']),
          node('Relu', ['a'], ['r']),
          hsig('a', 'g4', 0.2),
          node('Mul', ['a', 'g4'], ['m4']),
        ],
        initializers: [
          floats('W', [8, 4, 3, 3], Float32Array.from({ length: 8 * 4 * 9 }, () => rand() * 0.6)),
          floats('W2', [8, 8, 3, 3], Float32Array.from({ length: 8 * 8 * 9 }, () => rand() * 0.4)),
        ],
      }),
    );
    m.opsetImports = [{ domain: '', version: 13 }];
    const bytes = encodeModel(m);
    const x = Float32Array.from({ length: 2 * 4 * 81 }, () => rand() * 8);
    const want = (await ortRunOnce(bytes, { x: new ort.Tensor('float32', x, [2, 4, 9, 9]) })).outputs;
    const wasm = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    const js = Session.create(decodeModel(bytes), { kernels: 'sparse', wasm: false });
    const steps = labels(wasm);
    expect(steps.filter((l) => l.startsWith('Conv') && l.endsWith('(+HardSigmoid+Mul)'))).toHaveLength(2);
    expect(steps).toContain('HardSigmoid "HardSigmoid_g3" (+Mul)');
    expect(steps).toContain('HardSigmoid "HardSigmoid_g4"');
    // Without WebAssembly the Convs still fold it; the step of its own is WebAssembly's.
    expect(labels(js).filter((l) => l.endsWith('(+HardSigmoid+Mul)'))).toHaveLength(2);
    expect(labels(js)).toContain('HardSigmoid "HardSigmoid_g3"');
    const feeds = { x: { dims: [2, 4, 9, 9], data: x, dataType: DataType.FLOAT } };
    for (const [name, s] of [['wasm', wasm], ['js', js]] as const) {
      const got = s.run(feeds);
      for (const o of outs) {
        const w = want[o].data as Float32Array;
        const g = got[o].data as Float32Array;
        let d = 0;
        for (let i = 0; i < w.length; i++) d = Math.max(d, Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i])));
        expect(d, `${o} (${name}) vs onnxruntime`).toBeLessThan(1e-5);
        expect(new Set(g).size, `${o} varies`).toBeGreaterThan(20);
      }
    }
  });

  it('Softmax before opset 13 (the input coerced to 2-D at axis) on WebAssembly rows, against onnxruntime', async () => {
    const m = model(
      graph('softmax11', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [3, 4, 5] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
        nodes: [node('Softmax', ['x'], ['y'], [{ name: 'axis', type: 'int', value: 1 }])],
      }),
    );
    m.opsetImports = [{ domain: '', version: 11 }];
    const bytes = encodeModel(m);
    const rand = prng(3);
    const x = Float32Array.from({ length: 60 }, () => (rand() - 0.5) * 40);
    const want = (await ortRunOnce(bytes, { x: new ort.Tensor('float32', x, [3, 4, 5]) })).outputs.y.data as Float32Array;
    const got = Session.create(decodeModel(bytes), { kernels: 'sparse' }).run({ x: { dims: [3, 4, 5], data: x, dataType: DataType.FLOAT } }).y.data as Float32Array;
    // Rows of 20: each sums to 1.
    for (let r = 0; r < 3; r++) expect(got.subarray(r * 20, r * 20 + 20).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (let i = 0; i < 60; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6);
  });

  it('Gelu (opset 20), exact and tanh, on WebAssembly against onnxruntime', async () => {
    const m = model(
      graph('gelu20', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [4, 50] } }],
        outputs: [{ name: 'e', type: { kind: 'tensor', elemType: DataType.FLOAT } }, { name: 't', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
        nodes: [node('Gelu', ['x'], ['e']), node('Gelu', ['x'], ['t'], [{ name: 'approximate', type: 'string', value: 'tanh' }])],
      }),
    );
    m.opsetImports = [{ domain: '', version: 20 }];
    const bytes = encodeModel(m);
    const rand = prng(9);
    const x = Float32Array.from({ length: 200 }, () => (rand() - 0.5) * 12);
    const want = (await ortRunOnce(bytes, { x: new ort.Tensor('float32', x, [4, 50]) })).outputs;
    const s = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    const got = s.run({ x: { dims: [4, 50], data: x, dataType: DataType.FLOAT } });
    for (const o of ['e', 't']) {
      const w = want[o].data as Float32Array;
      const g = got[o].data as Float32Array;
      for (let i = 0; i < 200; i++) expect(Math.abs(g[i] - w[i]), `${o}(${x[i]})`).toBeLessThan(1e-6 * Math.max(1, Math.abs(x[i])));
    }
  });
});
