// Matrix text dumps parse back to exactly the tensor's values; file names are safe and unique; CSV.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { DataType, type Tensor } from '../../../../src/core/onnx/model';
import { tensorToFloat32 } from '../../../../src/core/onnx/tensor';
import {
  formatFloat32,
  matrixFileNames,
  matrixShape,
  matrixTextChunks,
  parseCsv,
  parseMatrixText,
  sparseToDense,
  tensorToMatrixText,
  toCsv,
} from '../../../../src/core/dump';

const CORPUS = '/usr/share/libonnx-testdata/data';

function tensor(name: string, dims: number[], data: Tensor['data'], dataType: number = DataType.FLOAT): Tensor {
  return { name, dims, data, dataType };
}

/** Same float32 values, bit for bit (so −0 and NaN count). */
function expectSameFloat32(parsed: Float64Array, expected: Float32Array): void {
  expect(parsed.length).toBe(expected.length);
  const a = new Uint32Array(Float32Array.from(parsed).buffer);
  const b = new Uint32Array(Float32Array.from(expected).buffer);
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) {
    const bothNaN = Number.isNaN(expected[i]) && Number.isNaN(parsed[i]);
    if (a[i] !== b[i] && !bothNaN) mismatches++;
  }
  expect(mismatches).toBe(0);
}

describe('tensorToMatrixText layout', () => {
  it('N-D as [dim0, product of the rest], one row per line, single spaces', () => {
    const t = tensor('w', [2, 2, 3], Float32Array.from([1, 2, 3, 4, 5, 6, 0.5, -0.25, 7, 8, 9, 10]));
    expect(tensorToMatrixText(t)).toBe('1 2 3 4 5 6\n0.5 -0.25 7 8 9 10\n');
    expect(matrixShape([2, 2, 3])).toEqual({ rows: 2, cols: 6 });
  });

  it('1-D on one line, a scalar as one value', () => {
    expect(tensorToMatrixText(tensor('b', [3], Float32Array.from([0.1, 0.2, 0.3])))).toBe('0.1 0.2 0.3\n');
    expect(tensorToMatrixText(tensor('s', [], Float32Array.from([42])))).toBe('42\n');
  });

  it('integers as integers, int64 beyond 2^53 exactly, doubles with full precision', () => {
    expect(tensorToMatrixText(tensor('i', [2, 2], Int32Array.from([1, -2, 3, 2147483647]), DataType.INT32))).toBe(
      '1 -2\n3 2147483647\n',
    );
    const big = BigInt64Array.from([9007199254740993n, -5n]);
    expect(tensorToMatrixText(tensor('l', [2], big, DataType.INT64))).toBe('9007199254740993 -5\n');
    expect(tensorToMatrixText(tensor('d', [2], Float64Array.from([0.1, 1 / 3]), DataType.DOUBLE))).toBe(
      `0.1 ${String(1 / 3)}\n`,
    );
    expect(tensorToMatrixText(tensor('u', [3], Uint8Array.from([1, 0, 1]), DataType.BOOL))).toBe('1 0 1\n');
  });

  it('float16 values print as float32 decimals of the same value', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24 (smallest subnormal)
    const t = tensor('h', [4], Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001]), DataType.FLOAT16);
    const parsed = parseMatrixText(tensorToMatrixText(t));
    expect(Array.from(parsed.values, Math.fround)).toEqual([1, -2, 0.333251953125, 2 ** -24]);
  });

  it('non-finite values and −0 survive', () => {
    const data = Float32Array.from([NaN, Infinity, -Infinity, -0, 0]);
    const text = tensorToMatrixText(tensor('n', [5], data));
    expect(text).toBe('nan inf -inf -0 0\n');
    expectSameFloat32(parseMatrixText(text).values, data);
  });

  it('string tensors are refused with the tensor name', () => {
    const t: Tensor = { name: 'labels', dims: [1], dataType: DataType.STRING, data: [new Uint8Array([65])] };
    expect(() => tensorToMatrixText(t)).toThrow(/labels.*strings/);
  });
});

describe('matrix text parses back to the same float32 values', () => {
  it('random data: subnormals, −0, huge and tiny exponents, every bit pattern class', () => {
    const n = 200_000;
    const bits = new Uint32Array(n);
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[i] = seed;
    }
    // Force some special classes: subnormals, ±0, extremes, values near powers of ten.
    bits[0] = 0x00000001; // smallest subnormal
    bits[1] = 0x007fffff; // largest subnormal
    bits[2] = 0x80000000; // -0
    bits[3] = 0x7f7fffff; // max float32
    bits[4] = 0x00800000; // smallest normal
    const data = new Float32Array(bits.buffer);
    data[5] = Math.fround(1e-7);
    data[6] = Math.fround(1e21);
    data[7] = Math.fround(123456789);
    const t = tensor('r', [400, 500], data);
    const text = tensorToMatrixText(t);
    const parsed = parseMatrixText(text);
    expect(parsed.rows).toBe(400);
    expect(parsed.cols).toBe(500);
    expectSameFloat32(parsed.values, data);
    // The chunked form is the same text.
    expect([...matrixTextChunks(t, 1000)].join('')).toBe(text);
  });

  it('the shortest form: no float32 round-trips with fewer significant digits', () => {
    let seed = 7;
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    const digits = (s: string): number => s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      u[0] = seed;
      const v = f[0];
      if (!Number.isFinite(v) || v === 0) continue;
      const s = formatFloat32(v);
      expect(Math.fround(Number(s))).toBe(v);
      const p = digits(s);
      if (p > 1) expect(Math.fround(Number(v.toPrecision(p - 1)))).not.toBe(v);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(3.4028234663852886e38))).toBe('3.4028235e+38');
  });

  it('every float initializer of the libonnx-testdata pytorch-converted models', () => {
    const dir = join(CORPUS, 'pytorch-converted');
    let tensors = 0;
    let values = 0;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, 'model.onnx');
      if (!existsSync(file)) continue;
      const model = decodeModel(new Uint8Array(readFileSync(file)), file);
      for (const init of model.graph.initializers) {
        if (init.dataType !== DataType.FLOAT) continue;
        const text = tensorToMatrixText(init);
        const parsed = parseMatrixText(text);
        const expected = tensorToFloat32(init);
        const shape = matrixShape(init.dims);
        expect(parsed.rows).toBe(shape.rows);
        expect(parsed.cols).toBe(shape.cols);
        expectSameFloat32(parsed.values, expected);
        tensors++;
        values += expected.length;
      }
    }
    expect(tensors).toBeGreaterThan(50);
    expect(values).toBeGreaterThan(3000);
  });

  it('parseMatrixText rejects ragged rows and non-numbers, naming the line', () => {
    expect(() => parseMatrixText('1 2\n3\n')).toThrow(/line 2/);
    expect(() => parseMatrixText('1 2\n3 x\n')).toThrow(/line 2.*"x"/);
    expect(() => parseMatrixText('0x10\n')).toThrow(/not a number/);
  });
});

describe('matrixFileNames', () => {
  it('makes names safe on any filesystem', () => {
    const names = ['fc1.weight', 'model/dense/kernel:0', 'CON', 'aux.x', 'a<b>c|d?e*f"g\\h', '', '..', 'ünïcode 名', 'x'.repeat(300)];
    const files = matrixFileNames(names);
    expect(files[0]).toBe('fc1.weight_matrix.txt');
    expect(files[1]).toBe('model_dense_kernel_0_matrix.txt');
    for (const f of files) {
      expect(f).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._~-]*_matrix\.txt$/);
      expect(f.length).toBeLessThanOrEqual(140);
      expect(f.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
    }
  });

  it('keeps them unique, case-insensitively, and stable for distinct long names', () => {
    const names = ['W', 'w', 'a/b', 'a:b', 'a_b', 'y'.repeat(200) + '1', 'y'.repeat(200) + '2'];
    const files = matrixFileNames(names);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(names.length);
    expect(files[0]).toBe('W_matrix.txt');
    expect(files[1]).toBe('w_2_matrix.txt');
    expect(files[5]).not.toBe(files[6]);
  });
});

describe('CSV', () => {
  it('quotes as RFC 4180 says and parses back', () => {
    const header = ['name', 'value'];
    const rows = [
      ['plain', 1.5],
      ['with,comma', -2],
      ['with "quotes"', 0],
      ['multi\nline', 3],
    ];
    const text = toCsv(header, rows);
    expect(text).toBe('name,value\r\nplain,1.5\r\n"with,comma",-2\r\n"with ""quotes""",0\r\n"multi\nline",3\r\n');
    expect(parseCsv(text)).toEqual([header, ...rows.map((r) => r.map(String))]);
  });
});

describe('sparseToDense', () => {
  const values = (data: Float32Array): Tensor => ({ name: 'S', dataType: DataType.FLOAT, dims: [data.length], data });
  it('linear [nnz] indices and [nnz, rank] coordinates give the same dense tensor', () => {
    const linear = sparseToDense({
      values: values(Float32Array.from([1.5, -2, 3])),
      indices: { name: '', dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([0n, 4n, 5n]) },
      dims: [2, 3],
    });
    expect(linear.dims).toEqual([2, 3]);
    expect(Array.from(linear.data as Float32Array)).toEqual([1.5, 0, 0, 0, -2, 3]);
    const coords = sparseToDense({
      values: values(Float32Array.from([1.5, -2, 3])),
      indices: { name: '', dataType: DataType.INT64, dims: [3, 2], data: BigInt64Array.from([0n, 0n, 1n, 1n, 1n, 2n]) },
      dims: [2, 3],
    });
    expect(Array.from(coords.data as Float32Array)).toEqual([1.5, 0, 0, 0, -2, 3]);
    expect(tensorToMatrixText(coords)).toBe('1.5 0 0\n0 -2 3\n');
  });

  it('rejects indices outside the shape, naming the tensor', () => {
    expect(() =>
      sparseToDense({
        values: values(Float32Array.from([1])),
        indices: { name: '', dataType: DataType.INT64, dims: [1], data: BigInt64Array.from([6n]) },
        dims: [2, 3],
      }),
    ).toThrow(/"S".*outside/);
  });
});
