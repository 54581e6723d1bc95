// Batched MatMul and Einsum of matrix-product form on the WebAssembly GEMM (kernels/matmul-batched.ts)
// against onnxruntime-node: broadcast batch dims, rows not a multiple of the register block, columns
// not a multiple of 8, and a product small enough to stay in JS. Also the float32 erf the GELU of
// the transformers runs, against tabulated values and the float64 series.
import { describe, expect, it } from 'vitest';
import { WASM_MATMUL_MIN_MACS } from '../../../../src/core/runtime/kernels/matmul-batched';
import { erf, erfSeries } from '../../../../src/core/runtime/ops/elementwise';
import { f32s, randomFloats, relDiff, runBoth } from './single-op';

const size = (d: number[]): number => d.reduce((a, b) => a * b, 1);

describe('batched MatMul / Einsum against onnxruntime-node', () => {
  const cases: [string, number[], number[], string?][] = [
    ['MatMul broadcast over a batch dim', [2, 3, 7, 13], [3, 13, 10]],
    ['MatMul rows 9, K 33, N 17', [4, 9, 33], [4, 33, 17]],
    ['MatMul small (JS loop)', [2, 3, 4], [2, 4, 5]],
    ['Einsum bij,bjk->bik', [3, 10, 12], [3, 12, 15], 'bij,bjk->bik'],
    ['Einsum bhid,bhjd->bhij (attention scores)', [2, 2, 9, 16], [2, 2, 11, 16], 'bhid,bhjd->bhij'],
  ];
  it.each(cases)('%s', async (_label, xd, bd, eq) => {
    const macs = eq === 'bhid,bhjd->bhij' ? size(xd) * bd[2] : size(xd) * bd[bd.length - 1];
    // The cases cover both sides of the threshold.
    expect(macs >= WASM_MATMUL_MIN_MACS).toBe(!_label.includes('small'));
    const [r] = await runBoth({
      op: eq ? 'Einsum' : 'MatMul',
      opset: 13,
      attrs: eq ? [{ name: 'equation', type: 'string', value: eq }] : [],
      x: { dims: xd, data: randomFloats(size(xd), 3) },
      consts: [f32s('b', bd, randomFloats(size(bd), 4))],
    });
    expect(relDiff(r)).toBeLessThan(1e-5);
  });
});

describe('erf', () => {
  it('matches tabulated values (Abramowitz & Stegun table 7.1) within 2e-7', () => {
    const table: [number, number][] = [[0.1, 0.1124629160], [0.5, 0.5204998778], [0.75, 0.7111556337], [1, 0.8427007929], [1.5, 0.9661051465], [2, 0.9953222650], [3, 0.9999779095]];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(2e-7);
      expect(Math.abs(erf(-x) + want), `erf(${-x})`).toBeLessThan(2e-7);
    }
  });

  it('is within 1.5e-7 of the float64 series on [-5, 5], exact in relative terms near 0', () => {
    let d = 0;
    for (let x = -5; x <= 5; x += 1 / 512) d = Math.max(d, Math.abs(erf(x) - erfSeries(x)));
    expect(d).toBeLessThan(1.5e-7);
    expect(erf(1e-8) / erfSeries(1e-8)).toBeCloseTo(1, 12);
  });
});
