// A CNN with an operator no runtime knows is refused by Session.create, before anything runs, with
// the op type and the node named — whatever else the runtime supports by then (Conv, pools, …).
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx';
import { Session, UnsupportedOpError, unsupportedNodes } from '../../../../src/core/runtime';
import { readBytes } from './testdata';

const LENET = 'test/models/cnn/lenet.onnx';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('a CNN with an unknown operator', () => {
  it('is refused by Session.create naming the op type and the node, on both kernels', () => {
    const model = decodeModel(readBytes(LENET), LENET);
    const relus = model.graph.nodes.filter((n) => n.opType === 'Relu');
    expect(relus.length).toBeGreaterThan(1);
    // The second activation becomes an op nobody implements; another one moves to a custom domain.
    relus[1].opType = 'FancyActivation';
    relus[1].name = 'act_fancy';
    relus[0].domain = 'com.example';
    relus[0].name = 'act_custom';
    for (const kernels of ['dense', 'sparse'] as const) {
      const e = errorOf(() => Session.create(model, { kernels }));
      expect(e).toBeInstanceOf(UnsupportedOpError);
      const err = e as UnsupportedOpError;
      expect(err.nodes).toContainEqual({ opType: 'FancyActivation', name: 'act_fancy' });
      expect(err.nodes).toContainEqual({ opType: 'com.example.Relu', name: 'act_custom', reason: 'domain com.example' });
      expect(err.message).toContain('FancyActivation "act_fancy"');
      expect(err.message).toContain('com.example.Relu "act_custom"');
      expect(unsupportedNodes(model)).toEqual(err.nodes);
    }
  });
});
