// The block-sparse batch-1 kernels (kernels/block-code.ts bcsc, chosen by kernels/block-plan.ts):
// the sample MLP with block-structured zeros written into its weights against onnxruntime-node and
// the plain-JS dense kernels (float64 accumulation) at batch 1 and 37, odd widths and padding
// against the JS kernels, and the choice of kernel from the weights alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { withStructuredZeros } from '../../../../bench/block-zeros';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { blockRuns, oneRowBlockWidth } from '../../../../src/core/runtime/kernels/block-plan';
import { toSparse } from '../../../../src/core/runtime/kernels/sparse';
import { mlpModel, prng, randomInputs, randomLayers } from './mlp';
import { relDiff, runtimeWeights } from './block-helpers';
import { ORT_ONE_THREAD } from '../../../support/ort';

const SAMPLE = join(__dirname, '../../../../resources/sample-mlp.onnx');

const blocks = (rows: number, cols: number) => ({ kind: 'blocks' as const, rows, cols });

describe('block-sparse kernels', () => {
  const base = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');

  it('are chosen for weights whose zeros form whole blocks of 4, 8 or 16 outputs, not for unstructured zeros', () => {
    for (const [rows, cols] of [[4, 1], [8, 1], [16, 1], [4, 4], [8, 4]]) {
      const m = withStructuredZeros(base, blocks(rows, cols), 0.9);
      const w = runtimeWeights(m, 'fc2.weight');
      expect(w.nnz).toBe(100000);
      expect(oneRowBlockWidth(w, false), `${rows}x${cols}`).toBeGreaterThan(0);
      // Whole blocks: a run of 4V outputs per kept block column (then padding to an even count).
      const V = Math.min(4, rows / 4);
      let runs = 0;
      for (const r of blockRuns(w, V)) runs += r;
      expect(runs).toBeLessThanOrEqual((w.nnz / (4 * V)) + w.K);
    }
    // Unstructured: 90% of fc2 zeroed at random; a run of 4 outputs holds a non-zero with
    // probability 1 − 0.9⁴ ≈ 0.34, so runs (86 per column) cost more than 100 scalar entries.
    const t = base.graph.initializers.find((i) => i.name === 'fc2.weight')!;
    const rand = prng(3);
    const w = Float32Array.from(t.data as Float32Array, (x) => (rand() < 0.9 ? 0 : x));
    expect(oneRowBlockWidth(toSparse(w, 1000, 1000), false)).toBe(0);
  });

  it.each([[4, 1], [8, 1], [16, 1], [4, 4], [8, 4], [2, 2]])(
    'sample MLP, %sx%s blocks at 0.5 and 0.9: onnxruntime-node and the JS dense kernels agree within 1e-5 relative at batch 1 and 37',
    async (rows, cols) => {
      for (const ratio of [0.5, 0.9]) {
        const m = withStructuredZeros(base, blocks(rows, cols), ratio);
        const bytes = encodeModel(m);
        const os = await ort.InferenceSession.create(bytes, ORT_ONE_THREAD);
        const ours = Session.create(decodeModel(bytes), { kernels: 'sparse' });
        const js = Session.create(decodeModel(bytes), { kernels: 'dense', wasm: false });
        expect(ours.layers.map((l) => l.engine)).toEqual(['wasm', 'wasm', 'wasm']);
        const rand = prng(rows * 100 + cols);
        for (const batch of [1, 37, 1]) {
          const x = randomInputs(batch * 784, rand, 0.8);
          const want = (await os.run({ input: new ort.Tensor('float32', x, [batch, 1, 28, 28]) }))[os.outputNames[0]].data as Float32Array;
          const got = ours.runFloat(x, batch);
          expect(relDiff(got, want), `${rows}x${cols} ${ratio} batch ${batch} vs ort`).toBeLessThan(1e-5);
          expect(relDiff(got, js.runFloat(x, batch)), `${rows}x${cols} ${ratio} batch ${batch} vs JS`).toBeLessThan(1e-5);
          expect(new Set(want).size).toBeGreaterThan(5);
        }
        await os.release();
      }
    },
  );

  it('odd widths, empty columns, odd run counts and all-zero inputs match the JS kernels one row at a time', () => {
    // 37 and 21 outputs: runs of 16 overhang the accumulators; 16x1 blocks at 0.7 leave columns
    // with 0, 1 and 2 runs (the padding entry writes to the dummy run).
    for (const [rows, ratio] of [[16, 0.7], [8, 0.6], [4, 0.95]] as const) {
      const m = withStructuredZeros(mlpModel(randomLayers([50, 37, 21, 10], rows), 'pytorch'), blocks(rows, 1), ratio);
      m.graph.inputs[0] = { name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 50] } };
      const ours = Session.create(m, { kernels: 'sparse' });
      const js = Session.create(m, { kernels: 'dense', wasm: false });
      const rand = prng(7);
      for (let i = 0; i < 20; i++) {
        const x = randomInputs(50, rand, i === 0 ? 1 : 0.4);
        expect(relDiff(ours.runFloat(x, 1), js.runFloat(x, 1)), `${rows}x1 ${ratio} sample ${i}`).toBeLessThan(1e-5);
      }
    }
  });
});
