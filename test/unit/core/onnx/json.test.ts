// modelToJson: the protobuf JSON mapping of the whole model.
import { fromJson, toBinary, type JsonValue } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { modelToJson } from '../../../../src/core/onnx/json';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { REAL_MODELS, TESTDATA, readBytes } from './corpus';

type Json = Record<string, unknown>;

function tinyModel(): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 't', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [{ key: 'k', value: 'v' }], functions: [],
    graph: {
      name: 'g', valueInfo: [], sparseInitializers: [],
      inputs: [{ name: 'X', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 2] } }],
      outputs: [{ name: 'Y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', null] } }],
      nodes: [{ name: 'mm', opType: 'MatMul', domain: '', inputs: ['X', 'W'], outputs: ['Y'], attributes: [{ name: 'alpha', type: 'float', value: 0.5 }] }],
      initializers: [{ name: 'W', dataType: DataType.FLOAT, dims: [2, 1], data: Float32Array.from([1.5, -2]) }],
    },
  };
}

/** Every object of a JSON tree. */
function* objects(v: unknown): Generator<Json> {
  if (Array.isArray(v)) for (const x of v) yield* objects(x);
  else if (v && typeof v === 'object') {
    yield v as Json;
    for (const x of Object.values(v)) yield* objects(x);
  }
}

function reparse(json: string): Model {
  return decodeModel(toBinary(ModelProtoSchema, fromJson(ModelProtoSchema, JSON.parse(json) as JsonValue)));
}

describe('modelToJson', () => {
  test('a hand-built model maps to the JSON written out by hand from the protobuf JSON rules', () => {
    const json = modelToJson(tinyModel());
    // 1.5 and -2 as little-endian float32: 00 00 c0 3f 00 00 00 c0
    const raw = Buffer.from([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64');
    expect(JSON.parse(json)).toEqual({
      irVersion: '8',
      producerName: 't',
      graph: {
        node: [{ input: ['X', 'W'], output: ['Y'], name: 'mm', opType: 'MatMul', attribute: [{ name: 'alpha', f: 0.5, type: 'FLOAT' }] }],
        name: 'g',
        initializer: [{ dims: ['2', '1'], dataType: 1, name: 'W', rawData: raw }],
        input: [{ name: 'X', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: '2' }] } } } }],
        output: [{ name: 'Y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, {}] } } } }],
      },
      opsetImport: [{ version: '13' }],
      metadataProps: [{ key: 'k', value: 'v' }],
    });
    expect(json.split('\n')[1]).toMatch(/^ {2}"irVersion": "8",$/);
  });

  test.each([
    ['PP-OCR classifier', REAL_MODELS.find((f) => f.includes('cls_infer'))!],
    ['Silero VAD v5 (subgraphs)', REAL_MODELS.find((f) => f.includes('silero_vad_v5'))!],
    ['float16 cast test', `${TESTDATA}/node/test_cast_FLOAT_to_FLOAT16/model.onnx`],
    ['pytorch Conv', `${TESTDATA}/pytorch-converted/test_Conv2d/model.onnx`],
  ])('%s: facts checked against the decoded model, and fromJson gives the model back', (_name, file) => {
    const model = decodeModel(readBytes(file));
    const json = modelToJson(model);
    const j = JSON.parse(json) as Json;
    const graph = j.graph as Json;
    expect(j.irVersion).toBe(String(model.irVersion));
    expect((j.opsetImport as Json[]).map((o) => o.version)).toEqual(model.opsetImports.map((o) => String(o.version)));
    expect(((graph.node as Json[]) ?? []).map((n) => n.opType)).toEqual(model.graph.nodes.map((n) => n.opType));
    const inits = (graph.initializer as Json[] | undefined) ?? [];
    expect(inits.length).toBe(model.graph.initializers.length);
    inits.forEach((t, i) => {
      const m = model.graph.initializers[i];
      expect(t.name).toBe(m.name);
      expect(t.dims ?? []).toEqual(m.dims.map(String));
      if (m.data && !Array.isArray(m.data) && m.data.byteLength) {
        const decoded = Buffer.from(t.rawData as string, 'base64');
        expect(decoded.equals(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength))).toBe(true);
      }
    });
    const names = new Set(['UNDEFINED', 'FLOAT', 'INT', 'STRING', 'TENSOR', 'GRAPH', 'FLOATS', 'INTS', 'STRINGS', 'TENSORS', 'GRAPHS', 'SPARSE_TENSOR', 'SPARSE_TENSORS', 'TYPE_PROTO', 'TYPE_PROTOS']);
    for (const o of objects(j)) {
      // Enums by name, int64 as strings, no empty lists or empty doc strings (defaults omitted).
      if ('refAttrName' in o || ('name' in o && 'type' in o && typeof o.type === 'string')) expect(names.has(o.type as string)).toBe(true);
      if ('dimValue' in o) expect(typeof o.dimValue).toBe('string');
      if ('dims' in o) expect((o.dims as unknown[]).every((d) => typeof d === 'string')).toBe(true);
      for (const v of Object.values(o)) if (Array.isArray(v)) expect(v.length).toBeGreaterThan(0);
      if ('docString' in o) expect(o.docString).not.toBe('');
    }
    expect(deepDiff(reparse(json), model)).toBeUndefined();
  });
});

describe('modelToJson limits', () => {
  test('weights too large for one JavaScript string give a clear error, not a RangeError', () => {
    const m = tinyModel();
    // 400 MB of zeros, never touched: base64 would need 533 M characters.
    m.graph.initializers = [{ name: 'huge', dataType: DataType.UINT8, dims: [400_000_000], data: new Uint8Array(400_000_000) }];
    expect(() => modelToJson(m)).toThrow(/^the JSON rendering would hold 533 MB of base64 weights/);
  });
});
