// The structure grammar and the outputs × inputs layout of weights, checked against the ONNX
// operator definitions on real exported models (LeNet from torch.onnx.export, the sample MLP).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, elementCount } from '../../../../src/core/onnx';
import { canonicalStructure, layoutIndex, parseStructure, planPrune, prunableTensors, PruneError, resolveSpec, weightLayout, type WeightLayout } from '../../../../src/core/prune';
import { floatTensor, gemmChain } from './helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const load = (rel: string) => decodeModel(new Uint8Array(readFileSync(join(ROOT, rel))));

describe('structure grammar', () => {
  it('reads every form and writes it back canonically', () => {
    expect(parseStructure('unstructured')).toEqual({ kind: 'unstructured' });
    expect(parseStructure(' Channels ')).toEqual({ kind: 'channels' });
    expect(parseStructure('2:4')).toEqual({ kind: 'nm', n: 2, m: 4 });
    expect(parseStructure('4X1')).toEqual({ kind: 'blocks', rows: 4, cols: 1 });
    expect(parseStructure('1x1')).toEqual({ kind: 'unstructured' });
    for (const t of ['unstructured', 'channels', '2:4', '4:8', '4x1', '8x8']) expect(canonicalStructure(t)).toBe(t);
  });
  it('refuses what is not a structure, saying what is', () => {
    for (const bad of ['4:2', '2:2', '0:4', '2:', 'x4', '4x0', '128x1', 'rows', '2.5:4']) {
      expect(() => parseStructure(bad), bad).toThrow(PruneError);
    }
    expect(() => parseStructure('blocks')).toThrow(/N:M .*RxC/);
  });
  it('is part of the resolved spec only when not the default', () => {
    expect(resolveSpec({ ratio: 0.5, mode: 'layer', structure: 'unstructured' })).toEqual({ ratio: 0.5, mode: 'layer', method: 'magnitude' });
    expect(resolveSpec({ ratio: 0.5, mode: 'layer', structure: '2:4', importance: 'l2' }).structure).toBe('2:4');
    expect(resolveSpec({ ratio: 0.5, mode: 'layer', structure: '2:4', importance: 'l2' }).importance).toBeUndefined();
    expect(resolveSpec({ ratio: 0.5, mode: 'layer', structure: 'channels', importance: 'l2' }).importance).toBe('l2');
  });
});

/** Every (o, i, p) maps to a distinct element and together they cover the tensor exactly once. */
function expectBijective(l: WeightLayout, count: number): void {
  expect(l.outputs * l.inputs * l.positions).toBe(count);
  const seen = new Uint8Array(count);
  for (let o = 0; o < l.outputs; o++) for (let i = 0; i < l.inputs; i++) for (let p = 0; p < l.positions; p++) seen[layoutIndex(l, o, i, p)]++;
  expect(seen.every((v) => v === 1)).toBe(true);
}

describe('weight layout', () => {
  it('Conv [M, C/g, kh, kw]: output channel = dim 0, input channel = dim 1, taps innermost (LeNet)', () => {
    const model = load('test/models/cnn/lenet.onnx');
    const convs = prunableTensors(model).filter((p) => p.opTypes[0] === 'Conv');
    expect(convs.length).toBeGreaterThan(1);
    for (const p of convs) {
      const l = weightLayout(model, p.name) as WeightLayout;
      expect(l.outputs).toBe(p.dims[0]);
      expect(l.inputs).toBe(p.dims[1]);
      expect(l.positions).toBe(p.dims[2] * p.dims[3]);
      // row-major [M, C, kh, kw]: (o, c, ky, kx) at ((o·C + c)·kh + ky)·kw + kx
      const [, C, kh, kw] = p.dims;
      expect(layoutIndex(l, 1, C - 1, kh * kw - 1)).toBe(((1 * C + (C - 1)) * kh + (kh - 1)) * kw + (kw - 1));
      expectBijective(l, p.count);
    }
  });
  it('Gemm: transB 1 reads [N, K], transB 0 reads [K, N]', () => {
    const w = floatTensor('w', [3, 5], new Float32Array(15));
    const b = floatTensor('b', [3], new Float32Array(3));
    const t1 = gemmChain([w], [b]);
    const l1 = weightLayout(t1, 'w') as WeightLayout;
    expect([l1.outputs, l1.inputs]).toEqual([3, 5]);
    expect(layoutIndex(l1, 2, 4, 0)).toBe(2 * 5 + 4);
    expectBijective(l1, 15);
    const t0 = { ...t1, graph: { ...t1.graph, nodes: t1.graph.nodes.map((n) => ({ ...n, attributes: [] })) } };
    const l0 = weightLayout(t0, 'w') as WeightLayout;
    expect([l0.outputs, l0.inputs]).toEqual([5, 3]);
    expect(layoutIndex(l0, 4, 2, 0)).toBe(2 * 5 + 4);
  });
  it('every prunable weight of the sample MLP and the CNNs has a layout covering it', () => {
    for (const rel of ['resources/sample-mlp.onnx', 'test/models/cnn/resnet.onnx', 'test/models/cnn/mobilenet.onnx']) {
      const model = load(rel);
      for (const p of prunableTensors(model)) {
        const l = weightLayout(model, p.name);
        expect(typeof l, `${rel} ${p.name}: ${String(l)}`).toBe('object');
        expect(elementCount(p.dims)).toBe((l as WeightLayout).outputs * (l as WeightLayout).inputs * (l as WeightLayout).positions);
      }
    }
  });
  it('names the node when a tensor is not a weight', () => {
    const model = load('test/models/cnn/lenet.onnx');
    expect(weightLayout(model, 'nope')).toMatch(/no initializer or Constant tensor named "nope"/);
  });
});

describe('planPrune with a structure', () => {
  it('refuses an unknown structure instead of planning unstructured', () => {
    const model = load('resources/sample-mlp.onnx');
    expect(() => planPrune(model, { ratio: 0.5, mode: 'layer', structure: 'bogus' })).toThrow(/unknown structure/);
  });
});
