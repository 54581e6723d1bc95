// nodeInitializers: the weights the Properties and Histograms tabs show for a selected node, on a
// real torch.onnx.export file. The exporter wrote one of ResNet's shared BatchNormalization biases
// as Identity(blocks.1.bn.bias) → blocks.1.skip.1.bias; the node using it shows the weight itself.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { summarizeModel } from '../../../src/engine/summary';
import { drawnMatches } from '../../../src/renderer/folded-nodes';
import { nodeInitializers } from '../../../src/renderer/state';

const file = resolve(__dirname, '../../../test/models/cnn/resnet.onnx');

describe('nodeInitializers', () => {
  const model = summarizeModel(decodeModel(new Uint8Array(readFileSync(file)), file), { modelId: 1, fileName: 'resnet.onnx', fileBytes: readFileSync(file).length });
  it('names a weight renamed by an Identity as the weight it renames', () => {
    const user = model.graph.nodes.find((n) => n.inputs.includes('blocks.1.skip.1.bias'))!;
    expect(user.opType).toBe('BatchNormalization');
    const names = nodeInitializers(model, user, []);
    expect(names).toContain('blocks.1.bn.bias');
    expect(names).not.toContain('blocks.1.skip.1.bias');
    // Its other parameters are initializers of its own, named as they are: scale, B, mean, var.
    expect(names).toHaveLength(4);
    expect(names.every((n) => model.graph.initializers.some((i) => i.name === n))).toBe(true);
  });
});

describe('Find on folded nodes (drawnMatches)', () => {
  const model = summarizeModel(decodeModel(new Uint8Array(readFileSync(file)), file), { modelId: 1, fileName: 'resnet.onnx', fileBytes: readFileSync(file).length });
  const g = model.graph;
  const identity = g.nodes.find((n) => n.opType === 'Identity' && n.outputs[0] === 'blocks.1.skip.1.bias')!;
  it("the Identity's name finds the box it is folded into, not the hidden Identity", () => {
    const found = drawnMatches(g, (n) => n.name === identity.name);
    expect(found.map((n) => n.opType)).toEqual(['BatchNormalization']);
    expect(found[0].inputs).toContain('blocks.1.skip.1.bias');
  });
  it('the renamed weight is found where it is read directly and through the Identity', () => {
    const readers = (t: string): number[] => g.nodes.filter((n) => n.inputs.includes(t)).map((n) => n.index);
    const found = drawnMatches(g, (n) => n.outputs.includes('blocks.1.bn.bias') || n.inputs.includes('blocks.1.bn.bias'));
    // nothing produces an initializer: the search hits its two readers, the first BN and the Identity (folded into the second)
    expect(found.map((n) => n.index).sort((a, b) => a - b)).toEqual([...readers('blocks.1.bn.bias').filter((i) => i !== identity.index), ...readers('blocks.1.skip.1.bias')].sort((a, b) => a - b));
    expect(found.every((n) => n.opType === 'BatchNormalization')).toBe(true);
  });
  it('drawn nodes match as themselves', () => {
    expect(drawnMatches(g, (n) => n.opType === 'Conv')).toEqual(g.nodes.filter((n) => n.opType === 'Conv'));
  });
});

