// The batched block-sparse kernel (kernels/block-batch-code.ts bbatch, chosen by
// kernels/block-batch-plan.ts for the non-first layers of chain.ts's batched program): the sample
// MLP with block-structured zeros against onnxruntime-node and the plain-JS dense kernels at batch
// 37 and 1000, every compiled shape forced on the patterns it tiles; odd widths (groups overhanging
// N, empty groups); and the choice of kernel from the weights alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { withStructuredZeros, type ZeroPattern } from '../../../../bench/block-zeros';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { BATCH_SHAPES, batchBlockShape, batchOverride, blockCounts } from '../../../../src/core/runtime/kernels/block-batch-plan';
import { bbatchName } from '../../../../src/core/runtime/kernels/block-batch-code';
import { BLOCK_REGS } from '../../../../src/core/runtime/kernels/chain-code';
import { type ChainLayer, WasmChain } from '../../../../src/core/runtime/kernels/chain';
import { toSparse } from '../../../../src/core/runtime/kernels/sparse';
import { mlpModel, prng, randomInputs, randomLayers } from './mlp';
import { relDiff, runtimeWeights } from './block-helpers';
import { ORT_ONE_THREAD } from '../../../support/ort';

const SAMPLE = join(__dirname, '../../../../resources/sample-mlp.onnx');

/** The model's Gemm layers (transB 1, weight [N, K]) as the chain holds them: [K, N] sparse, ReLU after all but the last. */
function chainLayers(m: Model): ChainLayer[] {
  const gemms = m.graph.nodes.filter((n) => n.opType === 'Gemm');
  return gemms.map((n, i) => {
    const b = m.graph.initializers.find((x) => x.name === n.inputs[2])!;
    return { weights: runtimeWeights(m, n.inputs[1]), bias: Float32Array.from(b.data as Float32Array), relu: i < gemms.length - 1 };
  });
}

const blocks = (rows: number, cols: number): ZeroPattern => ({ kind: 'blocks', rows, cols });

afterEach(() => {
  batchOverride.force = undefined;
});

describe('batched block-sparse kernel', () => {
  const base = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');

  it('is chosen for layers whose zeros form R×1 blocks, not for unstructured or 2:4 zeros', () => {
    const fc2 = (m: Model): ChainLayer['weights'] => chainLayers(m)[1].weights;
    for (const [rows, cols] of [[4, 1], [16, 1], [4, 4], [2, 1]]) {
      for (const ratio of [0.5, 0.9]) {
        const w = fc2(withStructuredZeros(base, blocks(rows, cols), ratio));
        const s = batchBlockShape(w, w.kind === 'sparse' ? w.nnz : 0, BLOCK_REGS);
        expect(s, `${rows}x${cols} ${ratio}`).toBeDefined();
        // Whole blocks: every entry of the chosen shape is full (R·C non-zeros; N = 1000 is a multiple of R).
        let entries = 0;
        for (const c of blockCounts(w, s!.R, s!.C)) entries += c;
        expect(entries * s!.R * s!.C).toBe(w.kind === 'sparse' ? w.nnz : -1);
      }
    }
    const rand = prng(5);
    const t = base.graph.initializers.find((i) => i.name === 'fc2.weight')!;
    for (const ratio of [0.5, 0.9]) {
      const w = Float32Array.from(t.data as Float32Array, (x) => (rand() < ratio ? 0 : x));
      const sw = toSparse(w, 1000, 1000);
      expect(batchBlockShape(sw, sw.nnz, BLOCK_REGS), `unstructured ${ratio}`).toBeUndefined();
    }
    const nm = fc2(withStructuredZeros(base, { kind: 'nm', n: 2, m: 4 }, 0));
    expect(batchBlockShape(nm, nm.kind === 'sparse' ? nm.nnz : 0, BLOCK_REGS)).toBeUndefined();
  });

  it.each([[4, 1], [8, 1], [4, 4], [2, 1]])(
    'sample MLP, %sx%s blocks at 0.5 and 0.9, every shape that tiles them: onnxruntime-node and the JS dense kernels agree within 1e-5 relative at batch 37 and 1000',
    async (rows, cols) => {
      for (const ratio of [0.5, 0.9]) {
        const m = withStructuredZeros(base, blocks(rows, cols), ratio);
        const bytes = encodeModel(m);
        const os = await ort.InferenceSession.create(bytes, ORT_ONE_THREAD);
        const js = Session.create(decodeModel(bytes), { kernels: 'dense', wasm: false });
        const rand = prng(rows * 10 + cols);
        const inputs = [37, 1000].map((batch) => ({ batch, x: randomInputs(batch * 784, rand, 0.8) }));
        const wants: Float32Array[] = [];
        for (const { batch, x } of inputs) {
          const want = (await os.run({ input: new ort.Tensor('float32', x, [batch, 1, 28, 28]) }))[os.outputNames[0]].data as Float32Array;
          expect(relDiff(js.runFloat(x, batch), want), `JS vs ort ${rows}x${cols} ${ratio} batch ${batch}`).toBeLessThan(1e-5);
          expect(new Set(want).size).toBeGreaterThan(100);
          wants.push(want);
        }
        await os.release();
        for (const shape of BATCH_SHAPES.filter((s) => rows % s.R === 0 && cols % s.C === 0)) {
          batchOverride.force = shape;
          const chain = WasmChain.create(chainLayers(m))!;
          const name = bbatchName(shape.R, shape.C, shape.S4);
          expect(chain.batchKernels()).toEqual(['cscBlock', name, name]);
          batchOverride.force = undefined;
          inputs.forEach(({ batch, x }, i) => {
            const y = new Float32Array(batch * 10);
            chain.run(x, batch, y);
            expect(relDiff(y, wants[i]), `${name} ${rows}x${cols} ${ratio} batch ${batch}`).toBeLessThan(1e-5);
          });
        }
      }
    },
  );

  it('odd widths (groups overhanging N), empty groups and all-zero rows match the JS kernels', () => {
    // 50 → 37 → 21 → 10 → 3: a group of 4 or 2 overhangs 37, 21 and 3; 4x1 blocks at 0.95 leave
    // groups with no entry; 8x1 at 0.6 partial blocks at the edges.
    for (const [rows, ratio] of [[4, 0.95], [8, 0.6], [2, 0.7], [4, 0.3]] as const) {
      const m = withStructuredZeros(mlpModel(randomLayers([50, 37, 21, 10, 3], rows), 'pytorch'), blocks(rows, 1), ratio);
      m.graph.inputs[0] = { name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 50] } };
      const js = Session.create(m, { kernels: 'dense', wasm: false });
      const rand = prng(rows);
      for (const shape of BATCH_SHAPES.filter((s) => rows % s.R === 0)) {
        batchOverride.force = shape;
        const chain = WasmChain.create(chainLayers(m))!;
        const name = bbatchName(shape.R, shape.C, shape.S4);
        expect(chain.batchKernels()).toEqual(['cscBlock', name, name, name]);
        batchOverride.force = undefined;
        for (const batch of [4 * BLOCK_REGS, 37, 61]) {
          const x = randomInputs(batch * 50, rand, 0.4);
          x.fill(0, 0, 3 * 50); // three all-zero samples
          const y = new Float32Array(batch * 3);
          chain.run(x, batch, y);
          expect(relDiff(y, js.runFloat(x, batch)), `${name} ${rows}x1 ${ratio} batch ${batch}`).toBeLessThan(1e-5);
        }
      }
    }
  });
});
