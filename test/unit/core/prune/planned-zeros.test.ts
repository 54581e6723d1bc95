// The zeros a non-channel plan leaves in each tensor, counted from the plan without building the
// pruned model, against values counted on paper: an unstructured cut takes the existing zeros first,
// a 2:4 group or a 2×2 block kept for its other weights keeps its zeros too; and against the
// zeros of the tensors applyPrune builds.
import { describe, expect, it } from 'vitest';
import { countZeros } from '../../../../src/core/analysis/zeros';
import { applyPrune, planPrune, type PruneOptions } from '../../../../src/core/prune';
import { plannedZeros } from '../../../../src/core/prune/planned-zeros';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { floats, graph, model, node } from '../../../support/hand-models';

const f32 = (shape: number[]) => ({ kind: 'tensor' as const, elemType: DataType.FLOAT, shape });

/** x[1,4] → Gemm(W [rows,4], transB) → y. */
function gemm(rows: number, values: number[]): Model {
  return model(
    graph('g', {
      inputs: [{ name: 'x', type: f32([1, 4]) }],
      outputs: [{ name: 'y', type: f32([1, rows]) }],
      nodes: [node('Gemm', ['x', 'W'], ['y'], [{ name: 'transB', type: 'int', value: 1 }])],
      initializers: [floats('W', [rows, 4], values)],
    }),
  );
}

function zerosApplied(m: Model, options: PruneOptions): number {
  return countZeros(applyPrune(m, planPrune(m, options)).graph.initializers[0]);
}

describe('plannedZeros', () => {
  it('unstructured: the cut takes the zeros first, so max(zeros, pruned) are zero after', () => {
    // 3 zeros of 8
    const m = gemm(2, [0, 4, 0, 1, 2, 0, 3, 5]);
    for (const [ratio, expected] of [
      [0.25, 3], // 2 pruned, both zeros: still 3
      [0.5, 4], // 4 pruned: the 3 zeros and 1
      [0, 3],
    ] as const) {
      const options: PruneOptions = { ratio, mode: 'layer' };
      expect(plannedZeros(m, planPrune(m, options)).get('W')).toBe(expected);
      expect(zerosApplied(m, options)).toBe(expected);
    }
  });

  it('2:4: a group keeps its third zero with its largest weight', () => {
    // one output, one group of 4 inputs: 2 of the 3 zeros are pruned, the third is kept
    const m = gemm(1, [0, 0, 7, 0]);
    const options: PruneOptions = { ratio: 0.5, mode: 'layer', structure: '2:4' };
    const p = planPrune(m, options);
    expect(p.layers[0].n - p.layers[0].kept).toBe(2);
    expect(plannedZeros(m, p).get('W')).toBe(3);
    expect(zerosApplied(m, options)).toBe(3);
  });

  it('2×2 blocks: the zero block goes, the kept block keeps its zero', () => {
    // blocks (rows 0-1 × inputs 0-1) all zeros, (rows 0-1 × inputs 2-3) holds one zero
    const m = gemm(2, [0, 0, 0, 3, 0, 0, 2, 1]);
    const options: PruneOptions = { ratio: 0.5, mode: 'layer', structure: '2x2' };
    expect(plannedZeros(m, planPrune(m, options)).get('W')).toBe(5);
    expect(zerosApplied(m, options)).toBe(5);
  });

  it('refuses a channel plan (its shapes change)', () => {
    const m = gemm(2, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => plannedZeros(m, planPrune(m, { ratio: 0.5, mode: 'layer', structure: 'channels' }))).toThrow(/channel plan/);
  });
});
