// nodeInitializers: the weights the Properties and Histograms tabs show for a selected node, on a
// real torch.onnx.export file. The exporter wrote one of ResNet's shared BatchNormalization biases
// as Identity(blocks.1.bn.bias) → blocks.1.skip.1.bias; the node using it shows the weight itself.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { summarizeModel } from '../../../src/engine/summary';
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
