// Tensor decoding from hand-written TensorProto bytes, alignment, and the element conversions.
import { describe, expect, test } from 'vitest';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import { encodeModel, encodeTensor } from '../../../../src/core/onnx/encode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { allTensors } from '../../../../src/core/onnx/external';
import { DataType } from '../../../../src/core/onnx/model';
import { OnnxError } from '../../../../src/core/onnx/errors';
import { bytesPerElement, dtypeName, makeTensor, tensorToFloat32, tensorToFloat64 } from '../../../../src/core/onnx/tensor';
import { REAL_MODELS, readBytes } from './corpus';
import { at, fBytes, fString, fVarint, leFloat32, leFloat64, leInt64, varint } from './wire';

// TensorProto fields: dims 1, data_type 2, float_data 4, int32_data 5, string_data 6, int64_data 7,
// name 8, raw_data 9, double_data 10, uint64_data 11.
const tensorBytes = (dtype: number, dims: number[], ...rest: number[][]) => [
  ...dims.flatMap((d) => fVarint(1, d)),
  ...fVarint(2, dtype),
  ...fString(8, 't'),
  ...rest.flat(),
];

describe('raw_data', () => {
  const values = [1.5, -2.25, Number.NaN, 3e38, -0, 65504, 1e-40, Number.POSITIVE_INFINITY];
  const f32 = Float32Array.from(values);

  test('float32 at every alignment: equal values; a view on the buffer when aligned, a copy when not', () => {
    const proto = tensorBytes(DataType.FLOAT, [2, 4], fBytes(9, leFloat32(values)));
    let views = 0;
    let copies = 0;
    for (let offset = 0; offset < 8; offset++) {
      const bytes = at(offset, proto);
      const t = decodeTensor(bytes);
      expect(t.dims).toEqual([2, 4]);
      expect(t.data).toBeInstanceOf(Float32Array);
      const data = t.data as Float32Array;
      expect(Array.from(data)).toEqual(Array.from(f32));
      if (data.buffer === bytes.buffer) {
        views++;
        expect(data.byteOffset % 4).toBe(0);
      } else {
        copies++;
        // The copy holds just this tensor, not the surrounding buffer.
        expect(data.buffer.byteLength).toBe(32);
      }
    }
    expect(views).toBeGreaterThan(0);
    expect(copies).toBeGreaterThan(0);
  });

  test('float64 and int64 unaligned', () => {
    const d = [Math.PI, -1e300, 5e-324];
    const i = [-(2n ** 63n), 2n ** 53n + 1n, -1n];
    for (let offset = 0; offset < 8; offset++) {
      const td = decodeTensor(at(offset, tensorBytes(DataType.DOUBLE, [3], fBytes(9, leFloat64(d)))));
      expect(Array.from(td.data as Float64Array)).toEqual(d);
      const ti = decodeTensor(at(offset, tensorBytes(DataType.INT64, [3], fBytes(9, leInt64(i)))));
      expect(ti.data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(ti.data as BigInt64Array)).toEqual(i);
    }
  });

  test('a raw_data length that is not a whole number of elements is an error', () => {
    expect(() => decodeTensor(new Uint8Array(tensorBytes(DataType.FLOAT, [1], fBytes(9, [1, 2, 3]))), 'x.pb')).toThrow(OnnxError);
  });

  test('tensors of a real model are views on the file buffer when aligned, else private copies of one tensor', () => {
    const bytes = readBytes(REAL_MODELS[0]);
    const model = decodeModel(bytes);
    let views = 0;
    let copies = 0;
    for (const t of allTensors(model)) {
      if (!t.data || Array.isArray(t.data) || t.data.byteLength === 0) continue;
      if (t.data.buffer === bytes.buffer) {
        views++;
        expect(t.data.byteOffset % t.data.BYTES_PER_ELEMENT).toBe(0);
      } else {
        copies++;
        expect(t.data.buffer.byteLength).toBe(t.data.byteLength);
      }
    }
    // Protobuf does not align raw_data, so about a quarter of the float tensors land aligned.
    expect(views).toBeGreaterThan(10);
    expect(copies).toBeGreaterThan(0);
  });
});

describe('models written by encodeModel', () => {
  const isView = (t: { data?: unknown }, bytes: Uint8Array) => (t.data as Float32Array).buffer === bytes.buffer;

  test('re-open with fewer copies: large raw data is placed aligned where the field order allows', () => {
    const original = readBytes(REAL_MODELS[0]);
    const model = decodeModel(original);
    const big = (m: typeof model) => allTensors(m).filter((t) => t.data && !Array.isArray(t.data) && t.data.byteLength >= 1 << 16);
    const before = big(model);
    expect(before.length).toBeGreaterThan(5);
    const bytes = encodeModel(model);
    const after = big(decodeModel(bytes));
    expect(after.length).toBe(before.length);
    const viewsBefore = before.filter((t) => isView(t, original)).length;
    const viewsAfter = after.filter((t) => isView(t, bytes)).length;
    console.log(`tensors of 64 KiB+ viewed in place: ${viewsBefore} / ${before.length} in the original file, ${viewsAfter} / ${after.length} after re-encoding`);
    expect(viewsAfter).toBeGreaterThan(viewsBefore);
    expect(viewsAfter).toBeGreaterThanOrEqual(after.length * 0.75);
  });

  test('values survive the field reordering for every element size, name length and rank', () => {
    const tensors = [
      // dims entries of 3 bytes (128 needs a 2-byte varint): every residue reachable, always aligned.
      makeTensor('w', [128, 128], new Float32Array(128 * 128).fill(0.5)),
      makeTensor('a_longer_name.weight', [3, 5, 7, 200], new Float64Array(3 * 5 * 7 * 200).fill(-1)),
      makeTensor('i', [9000], new BigInt64Array(9000).fill(-7n)),
      makeTensor('half', [40000], new Uint16Array(40000).fill(0x3c00), DataType.FLOAT16),
      makeTensor('x'.repeat(37), [70000], new Int8Array(70000).fill(-3)),
    ];
    for (let shift = 0; shift < 8; shift++) {
      const bytes = encodeModel({
        irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'p'.repeat(shift), producerVersion: '', domain: '',
        modelVersion: 0, docString: '', metadataProps: [], functions: [],
        graph: { name: 'g', inputs: [], outputs: [], valueInfo: [], nodes: [], initializers: tensors, sparseInitializers: [] },
      });
      const model = decodeModel(bytes);
      model.graph.initializers.forEach((t, i) => expect(deepDiff(t, tensors[i])).toBeUndefined());
      expect(isView(model.graph.initializers[0], bytes)).toBe(true);
      expect(isView(model.graph.initializers[4], bytes)).toBe(true);
    }
  });
});

describe('typed fields', () => {
  const packed = (values: number[][]) => values.flat();

  test('float_data, double_data, int64_data, uint64_data', () => {
    const f = decodeTensor(new Uint8Array(tensorBytes(DataType.FLOAT, [2], fBytes(4, leFloat32([0.5, -4])))));
    expect(f.data).toEqual(Float32Array.from([0.5, -4]));
    const d = decodeTensor(new Uint8Array(tensorBytes(DataType.DOUBLE, [2], fBytes(10, leFloat64([0.1, -1e200])))));
    expect(d.data).toEqual(Float64Array.from([0.1, -1e200]));
    const i = decodeTensor(new Uint8Array(tensorBytes(DataType.INT64, [3], fBytes(7, packed([varint(-5), varint(7), varint(2n ** 62n)])))));
    expect(i.data).toEqual(BigInt64Array.from([-5n, 7n, 2n ** 62n]));
    const u32 = decodeTensor(new Uint8Array(tensorBytes(DataType.UINT32, [2], fBytes(11, packed([varint(4294967295), varint(3)])))));
    expect(u32.data).toEqual(Uint32Array.from([4294967295, 3]));
    const u64 = decodeTensor(new Uint8Array(tensorBytes(DataType.UINT64, [1], fBytes(11, varint(2n ** 64n - 1n)))));
    expect(u64.data).toEqual(BigUint64Array.from([2n ** 64n - 1n]));
  });

  test('int32_data carries int8, uint16, bool, float16 and bfloat16 bits, and packed int4', () => {
    const i32 = (dt: number, n: number, vals: number[]) =>
      decodeTensor(new Uint8Array(tensorBytes(dt, [n], fBytes(5, packed(vals.map((v) => varint(v)))))));
    expect(i32(DataType.INT8, 3, [-128, 127, -1]).data).toEqual(Int8Array.from([-128, 127, -1]));
    expect(i32(DataType.INT16, 2, [-32768, 5]).data).toEqual(Int16Array.from([-32768, 5]));
    expect(i32(DataType.UINT16, 2, [65535, 0]).data).toEqual(Uint16Array.from([65535, 0]));
    expect(i32(DataType.INT32, 2, [-2147483648, 2147483647]).data).toEqual(Int32Array.from([-2147483648, 2147483647]));
    const b = i32(DataType.BOOL, 3, [1, 0, 1]);
    expect(b.data).toEqual(Uint8Array.from([1, 0, 1]));
    const h = i32(DataType.FLOAT16, 3, [0x3c00, 0xc000, 0x7bff]);
    expect(h.data).toEqual(Uint16Array.from([0x3c00, 0xc000, 0x7bff]));
    expect(Array.from(tensorToFloat32(h))).toEqual([1, -2, 65504]);
    const bf = i32(DataType.BFLOAT16, 2, [0x3f80, 0xc0a0]);
    expect(Array.from(tensorToFloat32(bf))).toEqual([1, -5]);
    // Two int4 elements per int32_data entry: [1, 2, -1, 0] packed low nibble first.
    const q = i32(DataType.INT4, 4, [0x21, 0x0f]);
    expect(q.data).toEqual(Uint8Array.from([0x21, 0x0f]));
    expect(Array.from(tensorToFloat32(q))).toEqual([1, 2, -1, 0]);
  });

  test('string_data', () => {
    const t = decodeTensor(new Uint8Array(tensorBytes(DataType.STRING, [2], fString(6, 'héllo'), fString(6, ''))));
    const s = t.data as Uint8Array[];
    expect(s.map((b) => new TextDecoder().decode(b))).toEqual(['héllo', '']);
  });

  test('a tensor with no data at all decodes to an empty array of its type', () => {
    const t = decodeTensor(new Uint8Array(tensorBytes(DataType.INT64, [0])));
    expect(t.data).toBeInstanceOf(BigInt64Array);
    expect((t.data as BigInt64Array).length).toBe(0);
  });

  test('encodeTensor writes raw_data little-endian: the bytes sit in the output as written by hand', () => {
    const bytes = encodeTensor(makeTensor('w', [2], Float32Array.from([1.5, -2])));
    const expected = leFloat32([1.5, -2]);
    const s = Buffer.from(bytes).indexOf(Buffer.from(expected));
    expect(s).toBeGreaterThan(0);
    expect(Array.from(decodeTensor(bytes).data as Float32Array)).toEqual([1.5, -2]);
  });
});

describe('conversions', () => {
  test('float16 special values', () => {
    const t = makeTensor('h', [7], Uint16Array.from([0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555, 0x0400]), DataType.FLOAT16);
    const f = tensorToFloat32(t);
    expect(f[0]).toBe(2 ** -24);
    expect(f[1]).toBe(Infinity);
    expect(f[2]).toBe(-Infinity);
    expect(f[3]).toBeNaN();
    expect(Object.is(f[4], -0)).toBe(true);
    expect(f[5]).toBeCloseTo(1 / 3, 3);
    expect(f[6]).toBe(2 ** -14);
  });

  test('8-bit and 4-bit floats', () => {
    const e4 = tensorToFloat32(makeTensor('a', [4], Uint8Array.from([0x38, 0x7e, 0x7f, 0x01]), DataType.FLOAT8E4M3FN));
    expect(Array.from(e4.subarray(0, 2))).toEqual([1, 448]);
    expect(e4[2]).toBeNaN();
    expect(e4[3]).toBe(2 ** -9);
    const e5 = tensorToFloat32(makeTensor('b', [3], Uint8Array.from([0x3c, 0x7b, 0x7c]), DataType.FLOAT8E5M2));
    expect(Array.from(e5)).toEqual([1, 57344, Infinity]);
    const uz = tensorToFloat32(makeTensor('c', [2], Uint8Array.from([0x80, 0x40]), DataType.FLOAT8E4M3FNUZ));
    expect(uz[0]).toBeNaN();
    expect(uz[1]).toBe(1);
    // float4e2m1 nibbles: 0x2 = 1.0, 0x7 = 6.0, 0xF = -6.0, 0x1 = 0.5
    const f4 = tensorToFloat32(makeTensor('d', [4], Uint8Array.from([0x72, 0x1f]), DataType.FLOAT4E2M1));
    expect(Array.from(f4)).toEqual([1, 6, -6, 0.5]);
    const u4 = tensorToFloat32(makeTensor('e', [3], Uint8Array.from([0x21, 0x0f]), DataType.UINT4));
    expect(Array.from(u4)).toEqual([1, 2, 15]);
  });

  test('float32 is returned without a copy; ints, bools and doubles convert', () => {
    const f = Float32Array.from([1, 2]);
    expect(tensorToFloat32(makeTensor('f', [2], f))).toBe(f);
    const d = Float64Array.from([0.1]);
    expect(tensorToFloat64(makeTensor('d', [1], d))).toBe(d);
    expect(Array.from(tensorToFloat32(makeTensor('d', [1], d)))).toEqual([Math.fround(0.1)]);
    expect(Array.from(tensorToFloat64(makeTensor('i', [2], BigInt64Array.from([-3n, 2n ** 40n]))))).toEqual([-3, 2 ** 40]);
    expect(Array.from(tensorToFloat32(makeTensor('b', [2], Uint8Array.from([1, 0]), DataType.BOOL)))).toEqual([1, 0]);
  });

  test('strings, complex and unloaded external tensors cannot be converted', () => {
    expect(() => tensorToFloat32(makeTensor('s', [1], [new Uint8Array(1)]))).toThrow(/strings/);
    expect(() => tensorToFloat32(makeTensor('c', [1], new Float32Array(2), DataType.COMPLEX64))).toThrow(/complex/);
    expect(() => tensorToFloat32({ name: 'x', dataType: 1, dims: [1], external: { location: 'w.bin', offset: 0, entries: [] } })).toThrow(/w\.bin/);
  });

  test('dtype names and sizes', () => {
    expect(dtypeName(DataType.FLOAT)).toBe('float32');
    expect(dtypeName(DataType.INT64)).toBe('int64');
    expect(dtypeName(DataType.FLOAT16)).toBe('float16');
    expect(dtypeName(999)).toBe('dtype(999)');
    expect(bytesPerElement(DataType.DOUBLE)).toBe(8);
    expect(bytesPerElement(DataType.BFLOAT16)).toBe(2);
    expect(bytesPerElement(DataType.INT4)).toBe(0.5);
  });

  test('makeTensor infers the type and checks the element count', () => {
    expect(makeTensor('a', [2, 2], new Int32Array(4)).dataType).toBe(DataType.INT32);
    expect(makeTensor('a', [], new BigInt64Array(1)).dataType).toBe(DataType.INT64);
    expect(makeTensor('a', [3], new Uint8Array(2), DataType.INT4).data!.length).toBe(2);
    expect(() => makeTensor('a', [2, 3], new Float32Array(5))).toThrow(/need 6/);
  });
});
