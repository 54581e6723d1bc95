// MACs per node and in total, against values computed by hand from the layer shapes: Gemm (transA,
// transB), MatMul with broadcast batch dims, Conv (stride, padding), depthwise Conv, ConvTranspose, Einsum,
// pools counted as 0, a node whose shapes cannot be known, the batch size, and LeNet's total.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelMacs } from '../../../../src/core/analysis';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { DataType, type Attribute, type Dim } from '../../../../src/core/onnx/model';
import { floats, graph, model, node } from '../../../support/hand-models';
import { ROOT } from '../../../support/paths';

const input = (name: string, shape: Dim[]): { name: string; type: { kind: 'tensor'; elemType: 1; shape: Dim[] } } => ({
  name,
  type: { kind: 'tensor', elemType: DataType.FLOAT, shape },
});
const ints = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'int', value });
const zeros = (name: string, dims: number[]): ReturnType<typeof floats> => floats(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));

describe('modelMacs', () => {
  it('Gemm: M·K·N, with transA and transB', () => {
    // x [N, 7] · Wᵀ (W 5×7) → [N, 5]; a second Gemm with transA takes A = tᵀ, t [3, N].
    const m = model(
      graph('g', {
        inputs: [input('x', ['N', 7]), input('t', [3, 'N'])],
        nodes: [
          node('Gemm', ['x', 'W', 'b'], ['h'], [int('transB', 1)]),
          node('Gemm', ['t', 'V'], ['u'], [int('transA', 1)]),
        ],
        initializers: [zeros('W', [5, 7]), zeros('b', [5]), zeros('V', [3, 4])],
      }),
    );
    const r = modelMacs(m);
    // batch 1: 1·7·5 = 35; transA: A = tᵀ [1, 3], B [3, 4]: 1·3·4 = 12.
    expect(r.nodes.map((n) => n.macs)).toEqual([35, 12]);
    expect(r.total).toBe(47);
    expect(r.unknown).toEqual([]);
    // batch 8: 8·7·5 + 8·3·4.
    expect(modelMacs(m, 8).total).toBe(8 * 35 + 8 * 12);
  });

  it('MatMul: broadcast batch dims · M · K · N', () => {
    const m = model(
      graph('g', {
        inputs: [input('a', ['N', 3, 4, 5]), input('p', [2, 1, 6, 5])],
        nodes: [
          node('MatMul', ['a', 'B'], ['y']), // [1,3,4,5]·[5,6] → [1,3,4,6]: 3·4·5·6 = 360
          node('MatMul', ['p', 'Q'], ['z']), // [2,1,6,5]·[3,5,2] → [2,3,6,2]: 2·3·6·2 outputs · K 5 = 360
          node('MatMul', ['v', 'B'], ['w']), // [5]·[5,6] → [6]: 30
        ],
        initializers: [zeros('B', [5, 6]), zeros('Q', [3, 5, 2]), zeros('v', [5])],
      }),
    );
    const r = modelMacs(m);
    expect(r.nodes.map((n) => n.macs)).toEqual([3 * 4 * 5 * 6, 2 * 3 * 6 * 5 * 2, 30]);
  });

  it('Conv with stride and padding, depthwise Conv, ConvTranspose; pools count 0', () => {
    const m = model(
      graph('g', {
        inputs: [input('x', ['N', 3, 10, 10])],
        nodes: [
          // 3→8, 3×3, stride 2, pad 1: out 8×5×5 = 200 elements, each 3·9 = 27 MACs → 5400.
          node('Conv', ['x', 'W1'], ['c1'], [ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])]),
          // depthwise 8 groups, 3×3, pad 1: out 8×5×5 = 200, each 1·9 → 1800.
          node('Conv', ['c1', 'W2'], ['c2'], [int('group', 8), ints('pads', [1, 1, 1, 1])]),
          node('MaxPool', ['c2'], ['p'], [ints('kernel_shape', [2, 2]), ints('strides', [1, 1])]),
          // ConvTranspose 8→4 (W 8×4×2×2), stride 2 on 8×4×4: each of 128 inputs scatters 4·4 = 16 → 2048.
          node('ConvTranspose', ['p', 'W3'], ['y'], [ints('strides', [2, 2])]),
          // grouped ConvTranspose, group 2: W 4×3×3×3 (C_out = 6); input 4×8×8 = 256 · 3·9 = 6912.
          node('ConvTranspose', ['y', 'W4'], ['z'], [int('group', 2)]),
        ],
        initializers: [zeros('W1', [8, 3, 3, 3]), zeros('W2', [8, 1, 3, 3]), zeros('W3', [8, 4, 2, 2]), zeros('W4', [4, 3, 3, 3])],
      }),
    );
    const r = modelMacs(m);
    expect(r.nodes.map((n) => [n.opType, n.macs])).toEqual([
      ['Conv', 5400],
      ['Conv', 1800],
      ['ConvTranspose', 2048],
      ['ConvTranspose', 6912],
    ]);
    expect(r.total).toBe(5400 + 1800 + 2048 + 6912);
  });

  it('Einsum: one multiply-add per point of the loop nest; one operand counts 0', () => {
    const str = (name: string, value: string): Attribute => ({ name, type: 'string', value });
    const m = model(
      graph('g', {
        inputs: [input('q', ['N', 4, 16, 8]), input('k', ['N', 4, 16, 8]), input('a', [3, 2, 5]), input('b', [5, 4])],
        nodes: [
          // attention scores: b 1 · h 4 · i 16 · j 16 · d 8 = 8192
          node('Einsum', ['q', 'k'], ['s'], [str('equation', 'bhid,bhjd->bhij')]),
          // '...' broadcast: [3,2,5]·[5,4] → [3,2,4]: (3·2) · j 5 · k 4 = 120
          node('Einsum', ['a', 'b'], ['c'], [str('equation', '...ij,jk->...ik')]),
          // a transpose: no products
          node('Einsum', ['b'], ['bt'], [str('equation', 'ij->ji')]),
        ],
      }),
    );
    const r = modelMacs(m);
    expect(r.nodes.map((n) => n.macs)).toEqual([4 * 16 * 16 * 8, 3 * 2 * 5 * 4, 0]);
    expect(modelMacs(m, 2).nodes[0].macs).toBe(2 * 4 * 16 * 16 * 8);
  });

  it('lists a node whose shapes cannot be derived and leaves it out of the total', () => {
    const m = model(
      graph('g', {
        inputs: [input('x', ['N', 'L', 4])],
        nodes: [node('MatMul', ['x', 'B'], ['y']), node('Gemm', ['u', 'W'], ['v'])],
        initializers: [zeros('B', [4, 2]), zeros('W', [3, 3])],
      }),
    );
    const r = modelMacs(m);
    expect(r.total).toBe(0);
    expect(r.unknown.map((u) => u.opType)).toEqual(['MatMul', 'Gemm']);
  });

  it("LeNet's total equals the sum over its layer shapes computed by hand", () => {
    const file = join(ROOT, 'test/models/cnn/lenet.onnx');
    const m = decodeModel(new Uint8Array(readFileSync(file)), file);
    const r = modelMacs(m);
    // c1: 1→6, 5×5, pad 2 on 28×28 → 6×28×28 outputs · 25; pool → 14×14;
    // c2: 6→16, 5×5 on 14×14 → 16×10×10 · 150; pool → 5×5; f1 400→120, f2 120→84, f3 84→10.
    const byHand = [6 * 28 * 28 * 25, 16 * 10 * 10 * 6 * 25, 400 * 120, 120 * 84, 84 * 10];
    expect(r.nodes.map((n) => n.macs)).toEqual(byHand);
    expect(r.total).toBe(416520);
    expect(r.unknown).toEqual([]);
  });

  it('the sample MLP: 784·1000 + 1000·1000 + 1000·10', () => {
    const file = join(ROOT, 'resources/sample-mlp.onnx');
    const m = decodeModel(new Uint8Array(readFileSync(file)), file);
    expect(modelMacs(m).total).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
  });
  it("a language model's sequence length comes from the dataset's sample shape (char-GPT, T = 32)", () => {
    const file = join(ROOT, 'test/models/language/char-gpt.onnx');
    const m = decodeModel(new Uint8Array(readFileSync(file)), file);
    // Input ids [batch, T]: without T the attention and linear MatMuls are unknown.
    expect(modelMacs(m).unknown.length).toBeGreaterThan(0);
    const r = modelMacs(m, 1, [32]);
    expect(r.unknown).toEqual([]);
    // By hand from the weights: T · Σ K·N over the MatMul weights (the linear layers), plus per
    // block Q·Kᵀ and attention·V, each T·T·d_model multiply-adds over all heads (2 blocks, d 64).
    const inits = new Map(m.graph.initializers.map((t) => [t.name, t.dims.map(Number)]));
    let linear = 0;
    for (const n of m.graph.nodes) {
      const w = n.opType === 'MatMul' ? inits.get(n.inputs[1]) : undefined;
      if (w) linear += w[0] * w[1];
    }
    expect(r.total).toBe(32 * linear + 2 * 2 * 32 * 32 * 64);
  });
});
