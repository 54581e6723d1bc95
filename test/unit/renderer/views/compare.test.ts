// The Compare tab's pure parts (issue 16): the Diff marks on A's graph (changed pairs and removed
// nodes of A; unchanged pairs and B-only nodes unmarked) and the "what changed" lines of a pair.
import { describe, expect, it } from 'vitest';
import type { NodeDiff } from '../../../../src/engine/protocol';
import { diffMarks, nodeChanges } from '../../../../src/renderer/views/compare-marks';

const pair = (i: number, changed: boolean, extra: Partial<NodeDiff> = {}): NodeDiff => ({
  a: { index: i, name: `n${i}`, opType: 'Conv' },
  b: { index: i + 10, name: `n${i}`, opType: 'Conv' },
  how: 'name',
  changed,
  attributes: [],
  shapes: [],
  changedInputs: [],
  ...extra,
});

describe('compare', () => {
  it('marks changed pairs by A’s index and removed nodes; added and unchanged stay unmarked', () => {
    const marks = diffMarks({ nodes: [pair(0, false), pair(1, true), pair(3, true)], removed: [{ index: 2, name: 'gone', opType: 'Relu' }] });
    expect([...marks.entries()].sort((x, y) => x[0] - y[0])).toEqual([
      [1, 'changed'],
      [2, 'removed'],
      [3, 'changed'],
    ]);
  });

  it('says what changed: op, attributes (absent on one side), shapes, and the inputs by name', () => {
    const n = pair(4, true, {
      opType: { before: 'Conv', after: 'ConvInteger' },
      attributes: [
        { name: 'group', before: '1', after: '32' },
        { name: 'dilations', after: '[2,2]' },
      ],
      shapes: [{ kind: 'output', position: 0, tensorA: 'y', tensorB: 'y', before: 'float32[N,64,14,14]', after: 'float32[N,32,14,14]' }],
      changedInputs: [1, 2],
    });
    const names = ['x', 'conv.weight'];
    expect(nodeChanges(n, (pos) => names[pos])).toEqual([
      'op Conv → ConvInteger',
      'group: 1 → 32',
      'dilations: (none) → [2,2]',
      'output 0: float32[N,64,14,14] → float32[N,32,14,14]',
      'input 1 (conv.weight) differs',
      'input 2 differs',
    ]);
  });
});
