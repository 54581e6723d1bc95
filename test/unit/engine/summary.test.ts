// summarizeModel (what the engine answers `open` with): the protocol's shapes of a hand-built model
// with known facts, and Silero VAD's If subgraphs as node subgraphs, against the protobuf.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { summarizeModel } from '../../../src/engine/summary';
import { handMlp, handNested } from '../../support/hand-models';
import { ROOT } from '../../support/paths';
import { protoFacts } from '../../integration/cli/proto-facts';

const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');

describe('summarizeModel', () => {
  it('a hand-built MLP: types, attributes, params, prunable weights, unsupported ops', () => {
    const s = summarizeModel(handMlp(), { modelId: 3, fileName: 'mlp.onnx', fileBytes: 1234 }, new Set(['Gemm', 'MatMul', 'Flatten']));
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
    expect(s.weights).toBeUndefined();
  });

  it('zeros: false leaves the counts null; weights adds the weight table', () => {
    const s = summarizeModel(handNested(), { modelId: 1, fileName: 'n.onnx', fileBytes: 0 }, undefined, { zeros: false, weights: { minConstantParams: 3 } });
    expect(s.graph.initializers.map((i) => [i.name, i.zeros])).toEqual([
      ['names', null],
      ['S', null],
    ]);
    // The sparse initializer's value type: its dense shape.
    expect(s.graph.values.find((v) => v.name === 'S')?.type).toBe('sparse float32[2,3]');
    // The table counts zeros unless told not to; the Constant e (2 elements) is below 3.
    expect(s.weights?.map((w) => [w.name, w.graph, w.zeros])).toEqual([
      ['names', '', 0],
      ['S', '', 4],
      ['t', 'If#1.then_branch', 1],
      ['u', 'If#1.then_branch/loop.body', 0],
    ]);
    const ifNode = s.graph.nodes[1];
    expect(ifNode.subgraphs.map((x) => x.attribute)).toEqual(['then_branch', 'else_branch']);
    expect(ifNode.subgraphs[0].graph.nodes[1].subgraphs[0].graph.initializers.map((i) => i.name)).toEqual(['u']);
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
