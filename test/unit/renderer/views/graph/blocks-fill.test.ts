// The overlay on a collapsed run (blocks-fill.ts groupFill): the largest value of its nodes for a
// measure, the shared mark (or "changed" when its nodes' marks differ) for marks, none without values.

import { describe, expect, it } from 'vitest';
import { groupFill } from '../../../../../src/renderer/views/graph/blocks-fill';
import { MARK_COLOURS, measureColour, type MeasureOverlay } from '../../../../../src/renderer/views/graph/overlay';

describe('groupFill', () => {
  const measure: MeasureOverlay = { kind: 'measure', id: 'm', title: 'Sparsity', values: new Map([[1, 0.2], [2, 0.9], [7, 0.5]]), format: (v) => `${Math.round(v * 100)}%` };

  it('a measure: the largest value among the run nodes', () => {
    expect(groupFill(measure, [1, 2, 3])).toEqual({ fill: measureColour(measure, 0.9), text: 'Sparsity: max 90%' });
    expect(groupFill(measure, [1, 3])).toEqual({ fill: measureColour(measure, 0.2), text: 'Sparsity: max 20%' });
    expect(groupFill(measure, [3, 4])).toBeUndefined();
  });

  it('marks: the shared mark, or changed when they differ', () => {
    const marks = { kind: 'marks' as const, id: 'd', title: 'Diff', marks: new Map([[1, 'added' as const], [2, 'added' as const], [5, 'removed' as const]]) };
    expect(groupFill(marks, [1, 2, 3])).toEqual({ fill: MARK_COLOURS.added, text: 'Diff: added' });
    expect(groupFill(marks, [2, 5])).toEqual({ fill: MARK_COLOURS.changed, text: 'Diff: changed' });
    expect(groupFill(marks, [3])).toBeUndefined();
  });
});
