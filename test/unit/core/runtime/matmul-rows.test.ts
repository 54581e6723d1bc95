// The many-row MatMul kernels (kernels/matmul-rows.ts): dense GEMM and sparse CSR over token rows.
// Alone against a float64 reference on shapes that are not multiples of the kernels' blocks (rows
// across chunk edges, N not a multiple of 8, with and without bias and ReLU); then the transformer
// fixtures pruned by magnitude (50%, 90%, 2:4) against onnxruntime-node at batch 1 and 8, where the
// plan says which many-row kernel each linear layer got.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { type RtTensor, Session } from '../../../../src/core/runtime';
import { CHUNK_ROWS, RowsLayer, rowsKernelFor } from '../../../../src/core/runtime/kernels/matmul-rows';
import { toSparse } from '../../../../src/core/runtime/kernels/sparse';
import { ROOT } from '../../../support/engine';
import { prng01 } from './single-op';

/** Seeded values in [0, 1) (xorshift32, single-op.ts). */
const rng = prng01;

describe('RowsLayer against a float64 reference', () => {
  const r = rng(5);
  const shapes: [number, number, number][] = [[1, 37, 13], [5, 64, 8], [CHUNK_ROWS + 7, 37, 13], [2 * CHUNK_ROWS + 1, 20, 70]];
  it.each(shapes)('M %i, K %i, N %i: gemm and csr, bias and ReLU on and off, dense weights and 70 in 100 zero', (M, K, N) => {
    const x = Float32Array.from({ length: M * K }, () => r() - 0.5);
    for (const zeros of [0, 0.7]) {
      const w = Float32Array.from({ length: K * N }, () => (r() < zeros ? 0 : r() - 0.5));
      for (const [bias, relu] of [[null, false], [Float32Array.from({ length: N }, () => r() - 0.5), true]] as const) {
        const want = new Float64Array(M * N);
        for (let m = 0; m < M; m++) {
          for (let j = 0; j < N; j++) {
            let s = bias ? bias[j] : 0;
            for (let k = 0; k < K; k++) s += x[m * K + k] * w[k * N + j];
            want[m * N + j] = relu ? Math.max(0, s) : s;
          }
        }
        for (const kind of ['gemm', 'csr'] as const) {
          const weights = kind === 'gemm' ? { kind: 'dense' as const, K, N, w } : toSparse(w, K, N);
          const layer = RowsLayer.create({ weights, bias, relu }, kind)!;
          const y = new Float32Array(M * N).fill(NaN);
          layer.run(x, M, y);
          // Twice: buffers in the module's memory are reused, the second call must not see the first.
          layer.run(x, M, y);
          let d = 0;
          for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(y[i] - want[i]));
          expect(d, `${kind} zeros ${zeros} relu ${relu}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('the cost model: dense weights on gemm, half or fewer non-zeros on csr, 70% non-zeros on gemm', () => {
    expect(rowsKernelFor(64, 128, 0.7 * 64 * 128)).toBe('gemm');
    expect(rowsKernelFor(64, 128, 64 * 128)).toBe('gemm');
    expect(rowsKernelFor(64, 128, 0.5 * 64 * 128)).toBe('csr');
    expect(rowsKernelFor(64, 128, 0.1 * 64 * 128)).toBe('csr');
  });
});

const DIR = join(ROOT, 'test/models/transformers');
const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const T = 16;

function feeds(name: string, n: number, seed: number): Record<string, RtTensor> {
  const r = rng(seed);
  if (name === 'vit') return { x: { dims: [n, 1, 28, 28], data: Float32Array.from({ length: n * 784 }, r), dataType: DataType.FLOAT } };
  const ids: RtTensor = { dims: [n, T], data: BigInt64Array.from({ length: n * T }, () => BigInt(Math.floor(r() * 100))), dataType: DataType.INT64 };
  if (name === 'gpt') return { input_ids: ids };
  // The last sequence padded after 2T/3 tokens.
  const mask = BigInt64Array.from({ length: n * T }, (_, i) => (i >= (n - 1) * T + Math.floor((2 * T) / 3) ? 0n : 1n));
  return { input_ids: ids, attention_mask: { dims: [n, T], data: mask, dataType: DataType.INT64 } };
}

function pruned(model: Model, structure: string, ratio: number): Model {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const select = model.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
  return applyPrune(model, planPrune(model, { ratio, mode: 'layer', select, structure }));
}

describe.each(['vit', 'bert', 'gpt'])('%s pruned, many-row kernels against onnxruntime-node', (name) => {
  const model = decodeModel(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), `${name}.onnx`);
  it.each([['unstructured', 0.5], ['unstructured', 0.9], ['2:4', 0.5]] as const)('%s %f: batch 1 and 8 within 1e-4, the pruned layers on csr', async (structure, ratio) => {
    const bytes = encodeModel(pruned(model, structure, ratio));
    const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
    const s = Session.create(decodeModel(bytes), { kernels: 'sparse' });
    const blocks = s.layers.filter((l) => l.kind === 'linear' && l.nodes[0].startsWith('/blocks.'));
    expect(blocks.length).toBe(8);
    for (const l of blocks) {
      expect(l.sparsity, l.nodes[0]).toBeGreaterThanOrEqual(ratio - 0.01);
      // Lone layers (bias fused, nothing after) with at most half their weights: the sparse kernel.
      expect(l.rows, l.nodes[0]).toBe('csr');
    }
    // Unpruned, the same plan takes the dense GEMM.
    const dense = Session.create(model, { kernels: 'sparse' }).layers.filter((l) => l.kind === 'linear' && l.nodes[0].startsWith('/blocks.'));
    expect(dense.map((l) => l.rows)).toEqual(new Array(8).fill('gemm'));
    for (const [n, seed] of [[1, 1], [8, 2]]) {
      const f = feeds(name, n, seed);
      const want = (await ref.run(Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor(t.dataType === DataType.INT64 ? 'int64' : 'float32', t.data as Float32Array, t.dims)])))).logits.data as Float32Array;
      const got = s.run(f).logits.data as Float32Array;
      expect(got.length).toBe(want.length);
      // Not trivially small outputs (BERT's two logits at batch 1 are a few hundredths).
      expect(Math.max(...Array.from(want, Math.abs)), 'output scale').toBeGreaterThan(0.01);
      let d = 0;
      for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
      expect(d, `batch ${n}`).toBeLessThan(1e-4);
    }
  });
});
