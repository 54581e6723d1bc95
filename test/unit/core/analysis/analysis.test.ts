// Model analysis (src/core/analysis) on models whose facts are known independently: hand-built
// ones counted on paper, the sample MLP's 784·1000+1000+1000·1000+1000+1000·10+10 parameters,
// ONNX's test_if (its branches are Constants [1,2,3,4,5] and [5,4,3,2,1]), and Silero VAD (If
// subgraphs) against the protobuf walked directly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  constantTensor,
  countZeros,
  defaultPrunable,
  namedWeights,
  opCounts,
  opKey,
  paramCount,
  sparseTensorFacts,
  tensorFacts,
  unsupportedOps,
  walkGraphs,
  weightEntries,
  weightTable,
} from '../../../../src/core/analysis';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { handMlp, handNested } from '../../../support/hand-models';
import { SAMPLE } from '../../../support/engine';
import { ROOT } from '../../../support/paths';
import { protoFacts } from '../../../integration/cli/proto-facts';

const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const TEST_IF = '/usr/share/libonnx-testdata/data/node/test_if/model.onnx';

function load(file: string): Model {
  return decodeModel(new Uint8Array(readFileSync(file)), file);
}

describe('ops and parameters', () => {
  it('a hand-built MLP: op counts, params, prunable weights, unsupported ops', () => {
    const m = handMlp();
    const counts = opCounts(m.graph);
    expect(counts).toEqual({ Flatten: 1, Gemm: 1, Constant: 1, MatMul: 1 });
    expect(paramCount(m.graph)).toBe(7840 + 10 + 100 + 6);
    expect(defaultPrunable(m)).toEqual(['W', 'M']);
    expect(unsupportedOps(counts, new Set(['Gemm', 'MatMul', 'Flatten']))).toEqual(['Constant']);
    expect(unsupportedOps({ Relu: 1, Add: 2, 'com.x:Foo': 1 }, new Set(['Relu']))).toEqual(['Add', 'com.x:Foo']);
  });

  it('subgraphs count: ops, nodes and stored parameters of every graph', () => {
    const m = handNested();
    expect(opCounts(m.graph)).toEqual({ Identity: 2, If: 1, Constant: 2, Loop: 1 });
    expect(paramCount(m.graph)).toBe(3 + 2 + 4 + 3 + 2);
    const depths: number[] = [];
    walkGraphs(m.graph, (_g, d) => depths.push(d));
    expect(depths).toEqual([0, 1, 2, 1]); // main, then, loop body, else
  });

  it('the sample MLP: 784·1000+1000+1000·1000+1000+1000·10+10 parameters, three weight matrices', () => {
    const m = load(SAMPLE);
    expect(paramCount(m.graph)).toBe(784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10);
    const prunable = defaultPrunable(m).map((n) => namedWeights(m).get(n)?.dims.slice().sort((a, b) => a - b));
    expect(prunable).toEqual([
      [784, 1000],
      [1000, 1000],
      [10, 1000],
    ]);
  });

  it('Silero VAD v5: op counts, nodes, params and subgraphs match the protobuf', () => {
    const facts = protoFacts(VAD);
    const m = load(VAD);
    const counts = opCounts(m.graph);
    expect(counts).toEqual(facts.opCounts);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(facts.nodeCount);
    expect(paramCount(m.graph)).toBe(facts.params);
    let graphs = 0;
    walkGraphs(m.graph, () => graphs++);
    expect(graphs - 1).toBe(facts.subgraphs);
  });

  it('opKey names ops of other domains with their domain', () => {
    expect(opKey({ domain: '', opType: 'Gemm' })).toBe('Gemm');
    expect(opKey({ domain: 'ai.onnx', opType: 'Gemm' })).toBe('Gemm');
    expect(opKey({ domain: 'com.microsoft', opType: 'FusedGemm' })).toBe('com.microsoft:FusedGemm');
  });
});

describe('weights', () => {
  it('the hand-built MLP as a table: sources, zeros, sparsity', () => {
    const table = weightTable(handMlp());
    expect(table.map((r) => [r.name, r.source, r.params, r.zeros, r.sparsity, r.numeric, r.graph])).toEqual([
      ['W', 'initializer', 7840, 0, 0, true, ''],
      ['b', 'initializer', 10, 3, 0.3, true, ''],
      ['M', 'initializer', 100, 100, 1, true, ''],
      ['k', 'constant', 6, 6, 1, true, ''],
    ]);
    expect(weightTable(handMlp(), { zeros: false }).map((r) => [r.zeros, r.sparsity])).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('every graph, in graph order, each with the path of the graph it lives in', () => {
    const entries = weightEntries(handNested());
    expect(entries.map((w) => [w.tensor.name, w.source, w.graph])).toEqual([
      ['names', 'initializer', ''],
      ['S', 'sparse initializer', ''],
      ['t', 'constant', 'If#1.then_branch'],
      ['u', 'initializer', 'If#1.then_branch/loop.body'],
      ['e', 'constant', 'If#1.else_branch'],
    ]);
    expect(weightEntries(handNested(), { minConstantParams: 3 }).map((w) => w.tensor.name)).toEqual(['names', 'S', 't', 'u']);
    expect(weightEntries(handNested(), { constants: false }).map((w) => w.tensor.name)).toEqual(['names', 'S', 'u']);
  });

  it('facts of a sparse initializer, a string tensor and an int64 Constant', () => {
    const table = weightTable(handNested());
    const row = (name: string) => table.find((r) => r.name === name);
    // S: 6 dense entries, 3 stored of which one is 0 → 3 not stored + 1 = 4 zeros.
    expect(row('S')).toMatchObject({ dims: [2, 3], params: 6, zeros: 4, source: 'sparse initializer', numeric: true });
    expect(row('S')?.sparsity).toBeCloseTo(4 / 6, 12);
    expect(row('names')).toMatchObject({ dtype: 'string', params: 2, zeros: 0, numeric: false });
    expect(row('e')).toMatchObject({ dataType: DataType.INT64, dims: [2], params: 2, zeros: 1, numeric: true });
    const s = handNested().graph.sparseInitializers[0];
    expect(sparseTensorFacts(s, { zeros: false })).toMatchObject({ name: 'S', params: 6, zeros: null, external: false });
  });

  it("ONNX's test_if: the two branch Constants, five non-zero floats each", () => {
    const rows = weightTable(load(TEST_IF));
    expect(rows.map((r) => [r.name, r.source, r.params, r.zeros, r.dims]).sort()).toEqual([
      ['else_out', 'constant', 5, 0, [5]],
      ['then_out', 'constant', 5, 0, [5]],
    ]);
    expect(rows.map((r) => r.graph).sort()).toEqual(['If#0.else_branch', 'If#0.then_branch']);
  });

  it('namedWeights: main-graph initializers and Constant outputs, initializers first', () => {
    const m = handMlp();
    m.graph.nodes.push({ name: 'dup', opType: 'Constant', domain: '', inputs: [], outputs: ['b'], attributes: [{ name: 'value_float', type: 'float', value: 9 }] });
    const named = namedWeights(m);
    expect([...named.keys()]).toEqual(['W', 'b', 'M', 'k']);
    expect(named.get('b')?.dims).toEqual([10]);
  });
});

describe('Constant tensors and zeros', () => {
  it('every form of a Constant value', () => {
    const c = (attr: Parameters<typeof constantTensor>[0]['attributes'][number]) =>
      constantTensor({ name: 'c', opType: 'Constant', domain: '', inputs: [], outputs: ['out'], attributes: [attr] });
    expect(c({ name: 'value_float', type: 'float', value: 2.5 })).toMatchObject({ name: 'out', dims: [], data: Float32Array.of(2.5) });
    expect(c({ name: 'value_floats', type: 'floats', value: [1, 2] })).toMatchObject({ dims: [2], data: Float32Array.of(1, 2) });
    expect(c({ name: 'value_int', type: 'int', value: 4 })).toMatchObject({ dims: [], data: BigInt64Array.of(4n) });
    expect(c({ name: 'value_string', type: 'string', value: 'x' })).toBeUndefined();
    expect(constantTensor({ name: 'c', opType: 'Constant', domain: 'com.x', inputs: [], outputs: ['o'], attributes: [{ name: 'value_float', type: 'float', value: 1 }] })).toBeUndefined();
  });

  it('countZeros: +0 and −0 of every storage kind', () => {
    const t = (dataType: number, data: NonNullable<Parameters<typeof countZeros>[0]['data']>) => countZeros({ name: 'z', dataType, dims: [data.length], data });
    expect(t(DataType.FLOAT, Float32Array.of(0, -0, 1, NaN))).toBe(2);
    expect(t(DataType.DOUBLE, Float64Array.of(-0, 2))).toBe(1);
    expect(t(DataType.INT64, BigInt64Array.of(0n, 5n, 0n))).toBe(2);
    // float16 bits: 0x0000 = +0, 0x8000 = −0, 0x3c00 = 1, 0x0001 = the smallest subnormal.
    expect(t(DataType.FLOAT16, Uint16Array.of(0x0000, 0x8000, 0x3c00, 0x0001))).toBe(2);
    expect(t(DataType.BOOL, Uint8Array.of(0, 1, 0))).toBe(2);
    expect(t(DataType.STRING, [Uint8Array.of(), Uint8Array.of(97)])).toBe(0);
    expect(countZeros({ name: 'ext', dataType: DataType.FLOAT, dims: [4] })).toBe(0);
    expect(tensorFacts({ name: 'ext', dataType: DataType.FLOAT, dims: [4], external: { location: 'w.bin' } as never })).toMatchObject({ external: true, params: 4 });
  });
});
