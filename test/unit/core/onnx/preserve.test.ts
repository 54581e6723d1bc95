// Fields the normalized model does not hold survive decode → encode; rarer attribute forms round-trip.
import { create, createRegistry, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeDeviceConfigurationProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorAnnotationSchema,
  TensorProtoSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TrainingInfoProtoSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  DeviceConfigurationProtoSchema,
  file_onnx,
  type ModelProto,
} from 'onnx-buf';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { fString, fVarint } from './wire';

/** An unknown field (number 999, varint 7) as bufbuild keeps it. */
const unknown = () => [{ no: 999, wireType: 0, data: Uint8Array.from(fVarint(999, 7).slice(2)) }];

function richModel(): ModelProto {
  const tensor = create(TensorProtoSchema, { name: 'W', dataType: 1, dims: [2n], rawData: new Uint8Array(8) });
  tensor.$unknown = unknown();
  const node = create(NodeProtoSchema, {
    opType: 'Add', input: ['X', 'W'], output: ['Y'],
    deviceConfigurations: [create(NodeDeviceConfigurationProtoSchema, { configurationId: 'cfg', pipelineStage: 1 })],
  });
  node.$unknown = unknown();
  const graph = create(GraphProtoSchema, {
    name: 'g', node: [node], initializer: [tensor],
    quantizationAnnotation: [create(TensorAnnotationSchema, { tensorName: 'W', quantParameterTensorNames: [create(StringStringEntryProtoSchema, { key: 'SCALE_TENSOR', value: 's' })] })],
  });
  graph.$unknown = unknown();
  const training = create(TrainingInfoProtoSchema, {
    algorithm: create(GraphProtoSchema, { name: 'step' }),
    updateBinding: [create(StringStringEntryProtoSchema, { key: 'W', value: 'W_new' })],
  });
  const m = create(ModelProtoSchema, {
    irVersion: 10n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 21n })], graph, trainingInfo: [training],
    configuration: [create(DeviceConfigurationProtoSchema, { name: 'cfg', numDevices: 2, device: ['a', 'b'] })],
  });
  m.$unknown = unknown();
  return m;
}

describe('preserved fields', () => {
  test('training_info, quantization_annotation, device configurations and unknown fields are written back', () => {
    const original = richModel();
    const model = decodeModel(toBinary(ModelProtoSchema, original), 'rich.onnx');
    expect(model.preserved).toBeDefined();
    expect(model.graph.preserved).toBeDefined();
    expect(model.graph.nodes[0].preserved).toBeDefined();
    expect(model.graph.initializers[0].preserved).toBeDefined();
    const back = fromBinary(ModelProtoSchema, encodeModel(model));
    expect(back.trainingInfo[0].algorithm?.name).toBe('step');
    expect(back.trainingInfo[0].updateBinding[0].value).toBe('W_new');
    expect(back.configuration[0].device).toEqual(['a', 'b']);
    expect(back.graph?.quantizationAnnotation[0].quantParameterTensorNames[0].key).toBe('SCALE_TENSOR');
    expect(back.graph?.node[0].deviceConfigurations[0].configurationId).toBe('cfg');
    for (const m of [back, back.graph!, back.graph!.node[0], back.graph!.initializer[0]]) {
      expect(m.$unknown?.map((u) => [u.no, Array.from(u.data)])).toEqual([[999, [7]]]);
    }
    expect(equals(ModelProtoSchema, back, original, { registry: createRegistry(file_onnx), unknown: true })).toBe(true);
  });
});

describe('value types', () => {
  // What the found-by-fuzzing case held: a graph input whose dimension carries a denotation (an
  // ONNX field the normalized model does not hold) and an unknown field.
  function typedInput(): ModelProto {
    const dim = create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: 'N' }, denotation: 'DATA_BATCH' });
    dim.$unknown = unknown();
    const tensorType = create(TypeProto_TensorSchema, { elemType: 1, shape: create(TensorShapeProtoSchema, { dim: [dim, create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: 3n } })] }) });
    tensorType.$unknown = unknown();
    const input = create(ValueInfoProtoSchema, { name: 'X', type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType }, denotation: 'TENSOR' }) });
    const node = create(NodeProtoSchema, { opType: 'Relu', input: ['X'], output: ['Y'] });
    return create(ModelProtoSchema, { irVersion: 9n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 18n })], graph: create(GraphProtoSchema, { name: 'g', node: [node], input: [input] }) });
  }

  test('a type as read is written back whole: dimension denotations and unknown fields kept', () => {
    const original = typedInput();
    const back = fromBinary(ModelProtoSchema, encodeModel(decodeModel(toBinary(ModelProtoSchema, original), 'typed.onnx')));
    expect(back.graph?.input[0].type?.value.case).toBe('tensorType');
    const t = back.graph!.input[0].type!.value.value as { shape?: { dim: { denotation: string }[] } };
    expect(t.shape?.dim[0].denotation).toBe('DATA_BATCH');
    expect(equals(ModelProtoSchema, back, original, { registry: createRegistry(file_onnx), unknown: true })).toBe(true);
  });

  test('a type changed after reading is written from its fields', () => {
    const model = decodeModel(toBinary(ModelProtoSchema, typedInput()), 'typed.onnx');
    const type = model.graph.inputs[0].type;
    if (type?.kind !== 'tensor' || !type.shape) throw new Error('expected a tensor type with a shape');
    type.shape[0] = 7;
    const back = fromBinary(ModelProtoSchema, encodeModel(model));
    const t = back.graph!.input[0].type!.value.value as { shape?: { dim: { value: { case?: string; value?: unknown } }[] } };
    expect(t.shape?.dim[0].value).toEqual({ case: 'dimValue', value: 7n });
  });
});

describe('attribute forms', () => {
  test('function-body attributes that only refer to the caller (no value of their own)', () => {
    const refs = [
      create(AttributeProtoSchema, { name: 'value', refAttrName: 'v', type: AT.TENSOR }),
      create(AttributeProtoSchema, { name: 'axis', refAttrName: 'ax', type: AT.INT }),
      create(AttributeProtoSchema, { name: 'body', refAttrName: 'b', type: AT.GRAPH }),
    ];
    const fn = create(FunctionProtoSchema, {
      name: 'F', domain: 'custom', input: ['x'], output: ['y'], attribute: ['v', 'ax', 'b'],
      node: [create(NodeProtoSchema, { opType: 'Constant', output: ['y'], attribute: refs })],
      opsetImport: [create(OperatorSetIdProtoSchema, { version: 18n })],
    });
    const original = create(ModelProtoSchema, { irVersion: 9n, graph: create(GraphProtoSchema, { name: 'g' }), functions: [fn] });
    const model = decodeModel(toBinary(ModelProtoSchema, original));
    const attrs = model.functions[0].nodes[0].attributes;
    expect(attrs[0]).toMatchObject({ name: 'value', refAttrName: 'v', type: 'undefined', refType: 'tensor' });
    expect(attrs[1]).toMatchObject({ name: 'axis', refAttrName: 'ax', type: 'int', value: 0 });
    expect(attrs[2]).toMatchObject({ refType: 'graph' });
    const back = fromBinary(ModelProtoSchema, encodeModel(model));
    expect(equals(ModelProtoSchema, back, original)).toBe(true);
  });

  test('an attribute without a type (old IR) gets the type of the field that is set', () => {
    // NodeProto { op_type: "LeakyRelu", attribute { name: "alpha", f: 0.5 } }, no AttributeProto.type.
    const f = new Uint8Array(new Float32Array([0.5]).buffer);
    const attr = [...fString(1, 'alpha'), 0x15, ...f];
    const node = [...fString(4, 'LeakyRelu'), ...fString(1, 'x'), ...fString(2, 'y'), 0x2a, attr.length, ...attr];
    const graph = [0x0a, node.length, ...node, ...fString(2, 'g')];
    const bytes = Uint8Array.from([...fVarint(1, 3), 0x3a, graph.length, ...graph]);
    const model = decodeModel(bytes);
    expect(model.graph.nodes[0].attributes[0]).toEqual({ name: 'alpha', type: 'float', value: 0.5 });
    const back = fromBinary(ModelProtoSchema, encodeModel(model));
    expect(back.graph?.node[0].attribute[0].type).toBe(AT.FLOAT);
    expect(deepDiff(decodeModel(encodeModel(model)), model)).toBeUndefined();
  });

  test('int attributes beyond 2^53 stay exact as bigint', () => {
    const big = 2n ** 62n + 1n;
    const node = create(NodeProtoSchema, { opType: 'X', attribute: [create(AttributeProtoSchema, { name: 'n', type: AT.INTS, ints: [big, -5n] })] });
    const model = decodeModel(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph: create(GraphProtoSchema, { node: [node] }) })));
    expect(model.graph.nodes[0].attributes[0]).toMatchObject({ type: 'ints', value: [big, -5] });
    const back = fromBinary(ModelProtoSchema, encodeModel(model));
    expect(back.graph?.node[0].attribute[0].ints).toEqual([big, -5n]);
  });
});
