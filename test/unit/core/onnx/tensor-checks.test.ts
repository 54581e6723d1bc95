// Tensors that ONNX does not allow are one clear error naming the file and the tensor, never a
// silently mis-read model: undefined element types holding data, negative dims, segmented tensors,
// invalid sparse tensors (onnx.checker's rules), sparse tensors too large to materialise. What ONNX
// does allow (elem_type 0 written on a graph input) is written back exactly.
import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import { ModelProtoSchema, TypeProto_TensorSchema } from 'onnx-buf';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { OnnxError, type OnnxErrorCode } from '../../../../src/core/onnx/errors';
import { fBytes, fString, fVarint, leFloat32, leInt64 } from './wire';

const FLOAT = 1;
const INT64 = 7;

interface TensorSpec {
  name: string;
  dataType: number | bigint;
  dims: (number | bigint)[];
  raw?: number[];
  segment?: [number, number];
}

function tensor(t: TensorSpec): number[] {
  return [
    ...t.dims.flatMap((d) => fVarint(1, d)),
    ...fVarint(2, t.dataType),
    ...(t.segment ? fBytes(3, [...fVarint(1, t.segment[0]), ...fVarint(2, t.segment[1])]) : []),
    ...fString(8, t.name),
    ...(t.raw ? fBytes(9, t.raw) : []),
  ];
}

function sparse(values: TensorSpec, indices: TensorSpec, dims: number[]): number[] {
  return [...fBytes(1, tensor(values)), ...fBytes(2, tensor(indices)), ...dims.flatMap((d) => fVarint(3, d))];
}

/** A value info "X" whose tensor type has elem_type `elem` (undefined: the field left out). */
function input(elem: number | undefined): number[] {
  const tensorType = [...(elem === undefined ? [] : fVarint(1, elem)), ...fBytes(2, fBytes(1, fVarint(1, 2)))];
  return [...fString(1, 'X'), ...fBytes(2, fBytes(1, tensorType))];
}

function model(graphFields: number[]): Uint8Array {
  return new Uint8Array([
    ...fVarint(1, 8),
    ...fBytes(8, fVarint(2, 13)),
    ...fBytes(7, [...fString(2, 'g'), ...graphFields]),
  ]);
}

const withInit = (t: TensorSpec) => model(fBytes(5, tensor(t)));
const withSparse = (values: TensorSpec, indices: TensorSpec, dims: number[]) => model(fBytes(15, sparse(values, indices, dims)));

function expectError(bytes: Uint8Array, code: OnnxErrorCode, text: RegExp): void {
  let err: unknown;
  try {
    decodeModel(bytes, 'bad.onnx');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OnnxError);
  const e = err as OnnxError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(/^bad\.onnx: /);
  expect(e.message).toMatch(text);
}

const six = leFloat32([1, 2, 3, 4, 5, 6]);
const vals = (n: number): TensorSpec => ({ name: 'w', dataType: FLOAT, dims: [n], raw: leFloat32(Array.from({ length: n }, (_, i) => i + 1)) });
const idx = (list: bigint[], dims: number[] = [list.length], dataType = INT64): TensorSpec => ({ name: 'w_idx', dataType, dims, raw: leInt64(list) });

describe('tensor checks on decode', () => {
  test('a valid tensor and a valid sparse tensor decode (the builders are right)', () => {
    expect(decodeModel(withInit({ name: 'w', dataType: FLOAT, dims: [2, 3], raw: six })).graph.initializers[0].dims).toEqual([2, 3]);
    const s = decodeModel(withSparse(vals(3), idx([0n, 2n, 5n]), [2, 3])).graph.sparseInitializers[0];
    expect(s.dims).toEqual([2, 3]);
    const c = decodeModel(withSparse(vals(2), idx([0n, 1n, 1n, 2n], [2, 2]), [2, 3])).graph.sparseInitializers[0];
    expect(Array.from(c.indices.data as BigInt64Array)).toEqual([0n, 1n, 1n, 2n]);
  });

  test('an undefined or unknown data_type holding data is refused, naming the tensor', () => {
    for (const dt of [0, 27, 99, -1, 2 ** 31 - 1]) {
      expectError(withInit({ name: 'w', dataType: dt, dims: [6], raw: six }), 'bad-model', new RegExp(`tensor "w": data_type ${dt}\\b`));
    }
  });

  test('negative dims are refused even when their product matches the data', () => {
    expectError(withInit({ name: 'w', dataType: FLOAT, dims: [-2, -3], raw: six }), 'bad-model', /tensor "w": dims \[-2, -3\] hold a negative dimension/);
  });

  test('a segmented tensor (TensorProto.segment) is refused instead of being taken for the whole tensor', () => {
    expectError(withInit({ name: 'w', dataType: FLOAT, dims: [4, 3], raw: six, segment: [0, 6] }), 'bad-model', /tensor "w": stored in segments/);
  });

  test('invalid sparse tensors are refused with onnx.checker\'s rules', () => {
    const cases: [Uint8Array, RegExp][] = [
      [withSparse(vals(3), idx([0n, 2n, 6n]), [2, 3]), /sparse tensor "w": index 6 \(entry 2\) is outside the dense shape \[2, 3\]/],
      [withSparse(vals(3), idx([-1n, 2n, 3n]), [2, 3]), /sparse tensor "w": index -1 \(entry 0\) is outside/],
      [withSparse(vals(3), idx([3n, 1n, 4n]), [2, 3]), /sparse tensor "w": indices are not in ascending order without duplicates \(entry 1/],
      [withSparse(vals(3), idx([1n, 1n, 2n]), [2, 3]), /sparse tensor "w": indices are not in ascending order without duplicates \(entry 1/],
      [withSparse(vals(3), idx([0n, 1n]), [2, 3]), /sparse tensor "w": indices have dims \[2\]; for 3 values of a rank-2 tensor they must be \[3\] or \[3, 2\]/],
      [withSparse(vals(3), { name: 'w_idx', dataType: FLOAT, dims: [3], raw: leFloat32([0, 1, 2]) }, [2, 3]), /sparse tensor "w": indices are float32; they must be int64/],
      [withSparse(vals(2), idx([0n, 1n, 1n, 3n], [2, 2]), [2, 3]), /sparse tensor "w": index 3 \(entry 1, axis 1\) is outside the dense shape \[2, 3\]/],
      [withSparse(vals(2), idx([1n, 0n, 0n, 2n], [2, 2]), [2, 3]), /not in ascending order/],
      [withSparse({ ...vals(4), dims: [2, 2] }, idx([0n, 1n, 2n, 3n]), [2, 3]), /sparse tensor "w": values have dims \[2, 2\]; they must be 1-D/],
      [withSparse(vals(3), idx([0n, 1n, 2n]), [2, -3]), /sparse tensor "w": dims \[2, -3\] hold a negative dimension/],
    ];
    for (const [bytes, text] of cases) expectError(bytes, 'bad-model', text);
  });

  test('a sparse tensor whose dense shape cannot be materialised is refused before anything is allocated', () => {
    expectError(withSparse(vals(1), idx([5n]), [2 ** 20, 2 ** 20]), 'too-large', /sparse tensor "w": its dense shape \[1048576, 1048576\] holds 1099511627776 elements/);
    // 2^30 float32s (4 GiB) is the edge: that one still fits the limit.
    expect(decodeModel(withSparse(vals(1), idx([5n]), [2 ** 15, 2 ** 15])).graph.sparseInitializers.length).toBe(1);
  });
});

describe('elem_type as written', () => {
  const elemTypeOf = (bytes: Uint8Array): [boolean, number] => {
    const m = fromBinary(ModelProtoSchema, bytes);
    const v = m.graph!.input[0].type!.value;
    if (v.case !== 'tensorType') throw new Error('not a tensor type');
    return [isFieldSet(v.value, TypeProto_TensorSchema.field.elemType), v.value.elemType];
  };

  test('a graph input with elem_type 0 keeps it on export (onnx.checker requires the field); one without stays without', () => {
    const zero = model(fBytes(11, input(0)));
    expect(elemTypeOf(zero)).toEqual([true, 0]);
    expect(elemTypeOf(encodeModel(decodeModel(zero)))).toEqual([true, 0]);
    const none = model(fBytes(11, input(undefined)));
    expect(elemTypeOf(none)).toEqual([false, 0]);
    expect(elemTypeOf(encodeModel(decodeModel(none)))).toEqual([false, 0]);
    const float = model(fBytes(11, input(FLOAT)));
    expect(elemTypeOf(encodeModel(decodeModel(float)))).toEqual([true, FLOAT]);
  });
});
