// summarizeModel (what `open` answers and `info` prints) on a hand-built model with known facts,
// and on Silero VAD (If subgraphs) against the protobuf walked directly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { DataType, type Graph, type Model, type Node } from '../../../src/core/onnx/model';
import { summarizeModel, weightTable } from '../../../src/engine/summary';
import { ROOT } from '../../support/cli';
import { protoFacts } from '../../integration/cli/proto-facts';

const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');

function node(opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = []): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

function mlp(): Model {
  const graph: Graph = {
    name: 'mlp',
    inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 1, 28, 28] } }],
    outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', null] } }],
    valueInfo: [],
    nodes: [
      node('Flatten', ['x'], ['f'], [{ name: 'axis', type: 'int', value: 1 }]),
      node('Gemm', ['f', 'W', 'b'], ['h'], [
        { name: 'alpha', type: 'float', value: 0.5 },
        { name: 'transB', type: 'int', value: 1 },
      ]),
      node('Constant', [], ['k'], [{ name: 'value', type: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array(6) } }]),
      node('MatMul', ['h', 'M'], ['y']),
    ],
    initializers: [
      { name: 'W', dataType: DataType.FLOAT, dims: [10, 784], data: new Float32Array(7840).fill(1) },
      { name: 'b', dataType: DataType.FLOAT, dims: [10], data: Float32Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]) },
      { name: 'M', dataType: DataType.FLOAT, dims: [10, 10], data: new Float32Array(100) },
    ],
    sparseInitializers: [],
  };
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'hand',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadataProps: [],
    graph,
    functions: [],
  };
}

describe('summarizeModel', () => {
  it('a hand-built MLP: types, attributes, params, prunable weights, unsupported ops', () => {
    const s = summarizeModel(mlp(), { modelId: 3, fileName: 'mlp.onnx', fileBytes: 1234 }, new Set(['Gemm', 'MatMul', 'Flatten']));
    expect(s.modelId).toBe(3);
    expect(s.graph.inputs[0].type).toBe('float32[N,1,28,28]');
    expect(s.graph.outputs[0].type).toBe('float32[N,?]');
    expect(s.graph.values.find((v) => v.name === 'W')?.type).toBe('float32[10,784]');
    expect(s.graph.values.find((v) => v.name === 'k')?.type).toBe('float32[2,3]');
    const gemm = s.graph.nodes[1];
    expect(gemm.attributes).toEqual([
      { name: 'alpha', type: 'float', value: '0.5' },
      { name: 'transB', type: 'int', value: '1' },
    ]);
    expect(s.opCounts).toEqual({ Flatten: 1, Gemm: 1, Constant: 1, MatMul: 1 });
    expect(s.nodeCount).toBe(4);
    expect(s.paramCount).toBe(7840 + 10 + 100 + 6);
    expect(s.defaultPrunable).toEqual(['W', 'M']);
    expect(s.unsupportedOps).toEqual(['Constant']);
    expect(s.graph.initializers.find((i) => i.name === 'b')).toMatchObject({ params: 10, zeros: 3, dtype: 'float32', external: false });
    expect(s.graph.initializers.find((i) => i.name === 'M')?.zeros).toBe(100);
    const table = weightTable(mlp());
    expect(table.map((r) => [r.name, r.source, r.sparsity])).toEqual([
      ['W', 'initializer', 0],
      ['b', 'initializer', 0.3],
      ['M', 'initializer', 1],
      ['k', 'constant', 1],
    ]);
  });

  it('Silero VAD v5: If branches appear as node subgraphs, counts match the protobuf', () => {
    const facts = protoFacts(VAD);
    const model = decodeModel(new Uint8Array(readFileSync(VAD)), 'silero_vad_v5.onnx');
    const s = summarizeModel(model, { modelId: 1, fileName: 'silero_vad_v5.onnx', fileBytes: 0 });
    expect(s.opCounts).toEqual(facts.opCounts);
    expect(s.nodeCount).toBe(facts.nodeCount);
    expect(s.paramCount).toBe(facts.params);
    // Count the nodes reachable through NodeSummary.subgraphs: every node of every graph.
    let seen = 0;
    let graphs = 0;
    const walk = (g: typeof s.graph): void => {
      graphs++;
      seen += g.nodes.length;
      for (const n of g.nodes) for (const sub of n.subgraphs) walk(sub.graph);
    };
    walk(s.graph);
    expect(seen).toBe(facts.nodeCount);
    expect(graphs - 1).toBe(facts.subgraphs);
    const anIf = s.graph.nodes.find((n) => n.opType === 'If');
    expect(anIf?.subgraphs.map((x) => x.attribute).sort()).toEqual(['else_branch', 'then_branch']);
    expect(anIf?.attributes.find((a) => a.name === 'then_branch')?.value).toMatch(/^graph ".*" \(\d+ nodes\)$/);
    expect(s.unsupportedOps).toEqual([]);
  });
});
