// .npy / .npz datasets: files built byte by byte following the NPY format spec (numpy.lib.format)
// and the ZIP spec (APPNOTE), plus real files written by NumPy (test/data/numpy/make.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDatasetFits, DatasetError, parseDataset, type Dataset } from '../../../../src/core/data';
import { npy, zip } from '../../../support/numpy-files';

const DATA = join(__dirname, '../../../data/numpy');
const real = (name: string): { name: string; bytes: Uint8Array } => ({ name, bytes: new Uint8Array(readFileSync(join(DATA, name))) });

const f32 = (v: number[], le = true): Uint8Array => {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => (le ? b.writeFloatLE(x, i * 4) : b.writeFloatBE(x, i * 4)));
  return new Uint8Array(b);
};
const i64 = (v: number[], le = true): Uint8Array => {
  const b = Buffer.alloc(v.length * 8);
  v.forEach((x, i) => (le ? b.writeBigInt64LE(BigInt(x), i * 8) : b.writeBigInt64BE(BigInt(x), i * 8)));
  return new Uint8Array(b);
};

function errorOf(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

/** The formula of make.py: x[n] holds n*16 … n*16+15, y[n] = n % 3. */
function expectSmall(ds: Dataset, scale: number): void {
  expect(ds.count).toBe(5);
  expect(ds.sampleShape).toEqual([1, 4, 4]);
  expect(Array.from(ds.labels)).toEqual([0, 1, 2, 0, 1]);
  for (let i = 0; i < 80; i++) expect(ds.images[i]).toBeCloseTo(i / scale, 6);
}

describe('.npy pairs', () => {
  it('reads float32 samples and int64 labels, in either order, keeping values as stored', () => {
    const x = npy('<f4', [2, 3], f32([0.5, -1, 2, 3, 4.25, 5]));
    const y = npy('<i8', [2], i64([1, 0]));
    for (const files of [[{ name: 'x.npy', bytes: x }, { name: 'y.npy', bytes: y }], [{ name: 'y.npy', bytes: y }, { name: 'x.npy', bytes: x }]]) {
      const ds = parseDataset(files);
      expect(Array.from(ds.images)).toEqual([0.5, -1, 2, 3, 4.25, 5]);
      expect(Array.from(ds.labels)).toEqual([1, 0]);
      expect(ds.sampleShape).toEqual([3]);
      expect(ds.conversion).toBeUndefined();
      expect(ds.file).toBe('x.npy');
      expect(ds.labelsFile).toBe('y.npy');
    }
  });

  it('reads big-endian data and format versions 2.0 and 3.0', () => {
    const x = npy('>f4', [1, 2], f32([1.5, -2], false), { version: 2 });
    const y = npy('>i8', [1], i64([7], false), { version: 3 });
    const ds = parseDataset([{ name: 'x.npy', bytes: x }, { name: 'y.npy', bytes: y }]);
    expect(Array.from(ds.images)).toEqual([1.5, -2]);
    expect(Array.from(ds.labels)).toEqual([7]);
  });

  it('scales uint8 samples by 1/255 and says so', () => {
    const ds = parseDataset([{ name: 'x.npy', bytes: npy('|u1', [1, 2], new Uint8Array([0, 255])) }, { name: 'y.npy', bytes: npy('|u1', [1], new Uint8Array([3])) }]);
    expect(Array.from(ds.images)).toEqual([0, 1]);
    expect(ds.conversion).toBe('x.npy: uint8 values scaled by 1/255 to 0..1');
  });

  it('reads the files NumPy wrote (big-endian float64 / int32, version 2.0 and 3.0)', () => {
    expectSmall(parseDataset([real('x_f8_be.npy'), real('y_i4_be.npy')]), 1);
    expectSmall(parseDataset([real('x_f4_v2.npy'), real('y_v3.npy')]), 1);
  });

  const y2 = { name: 'y.npy', bytes: npy('<i8', [2], i64([0, 1])) };
  const x2 = { name: 'x.npy', bytes: npy('<f4', [2, 2], f32([1, 2, 3, 4])) };
  it.each([
    ['a wrong magic', [{ name: 'x.npy', bytes: new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0]) }, y2], /^x\.npy: is not an \.npy file \(it lacks the \\x93NUMPY magic\)/],
    ['a truncated file', [{ name: 'x.npy', bytes: x2.bytes.subarray(0, x2.bytes.length - 3) }, y2], /^x\.npy: truncated: shape \[2, 2\] of float32 needs 16 data bytes, the file has 13$/],
    ['a truncated header', [{ name: 'x.npy', bytes: x2.bytes.subarray(0, 30) }, y2], /^x\.npy: truncated: the header declares \d+ bytes/],
    ['Fortran order', [{ name: 'x.npy', bytes: npy('<f4', [2, 2], f32([1, 2, 3, 4]), { fortran: true }) }, y2], /^x\.npy: is stored in Fortran \(column-major\) order; save it in C order/],
    ['an object array', [real('objects.npy'), y2], /objects\.npy: holds object arrays \(dtype O/],
    ['Fortran order written by NumPy', [real('x_fortran.npy'), y2], /^x_fortran\.npy: is stored in Fortran \(column-major\) order/],
    ['a label count mismatch', [x2, { name: 'y.npy', bytes: npy('<i8', [3], i64([0, 1, 2])) }], /^y\.npy: holds 3 labels but x\.npy holds 2 samples$/],
    ['float labels that are not whole numbers', [x2, { name: 'y.npy', bytes: npy('<f4', [2], f32([0, 1.5])) }], /^y\.npy: label 1 is 1\.5; float labels must be whole numbers/],
    ['negative labels', [x2, { name: 'y.npy', bytes: npy('<i8', [2], i64([0, -1])) }], /^y\.npy: label 1 is -1; labels must be class ids from 0$/],
    ['negative integer samples (token ids)', [{ name: 'x.npy', bytes: npy('<i8', [2, 2], i64([0, 1, 5, -3])) }, y2], /^x\.npy: token id -3 at sequence 1, position 1; ids must be from 0 to 16777215$/],
    ['bool samples', [{ name: 'x.npy', bytes: npy('|b1', [2, 1], new Uint8Array([0, 1])) }, y2], /^x\.npy: samples are bool; samples must be float32, float64 or uint8/],
    ['two label files', [y2, y2], /an \.npy pair is samples of shape \[N, …\] and labels of shape \[N\]/],
    ['one file alone', [x2], /^x\.npy: is one \.npy array; give it together with its labels/],
  ])('refuses %s with one line', (_what, files, message) => {
    const e = errorOf(() => parseDataset(files as { name: string; bytes: Uint8Array }[]));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });
});

describe('.npz archives', () => {
  const x = npy('<f4', [2, 1, 2, 2], f32([1, 2, 3, 4, 5, 6, 7, 8]));
  const y = npy('<i8', [2], i64([1, 0]));
  it('takes x / y from a stored or deflated archive', () => {
    for (const method of [0, 8] as const) {
      const ds = parseDataset([{ name: 'test.npz', bytes: zip([{ name: 'y.npy', data: y }, { name: 'x.npy', data: x }], method) }]);
      expect(Array.from(ds.images)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(Array.from(ds.labels)).toEqual([1, 0]);
      expect(ds.arrays).toEqual({ samples: 'x', labels: 'y' });
      expect(ds.sampleShape).toEqual([1, 2, 2]);
    }
  });

  it('otherwise takes images / labels, else the first samples [N, …] and integer labels [N]', () => {
    const other = npy('<f4', [3, 1], f32([0, 0, 0]));
    const a = parseDataset([{ name: 't.npz', bytes: zip([{ name: 'labels.npy', data: y }, { name: 'images.npy', data: x }, { name: 'x2.npy', data: other }]) }]);
    expect(a.arrays).toEqual({ samples: 'images', labels: 'labels' });
    const b = parseDataset([{ name: 't.npz', bytes: zip([{ name: 'meta.npy', data: other }, { name: 'pixels.npy', data: x }, { name: 'classes.npy', data: y }]) }]);
    expect(b.arrays).toEqual({ samples: 'pixels', labels: 'classes' });
  });

  it('reads the archives NumPy wrote (np.savez, np.savez_compressed, unnamed arrays)', () => {
    expectSmall(parseDataset([real('small.npz')]), 255);
    expect(parseDataset([real('small.npz')]).conversion).toBe('x: uint8 values scaled by 1/255 to 0..1');
    expectSmall(parseDataset([real('small_compressed.npz')]), 255);
    const u = parseDataset([real('unnamed.npz')]);
    expect(u.arrays).toEqual({ samples: 'arr_0', labels: 'arr_1' });
    expectSmall(u, 1);
  });

  it('reads labels as Keras users save them: [N, 1], one-hot rows, whole-number floats; and says so', () => {
    const n1 = parseDataset([real('labels_n1.npz')]);
    expectSmall(n1, 255);
    expect(n1.conversion).toBe('x: uint8 values scaled by 1/255 to 0..1; y: labels [5, 1] read as [5]');
    const hot = parseDataset([real('labels_onehot.npz')]);
    expectSmall(hot, 255);
    expect(hot.arrays).toEqual({ samples: 'x_test', labels: 'y_test' });
    expect(hot.conversion).toContain('y_test: one-hot labels [5, 3] read as class ids');
    const fl = parseDataset([real('labels_float.npz')]);
    expectSmall(fl, 255);
    expect(fl.conversion).toContain('y: float64 labels read as class ids');
  });

  it('refuses an archive holding two splits, naming both pairs (never guesses which one is meant)', () => {
    const e = errorOf(() => parseDataset([real('two_splits.npz')]));
    expect(e.message).toBe("two_splits.npz: holds 2 sample / label pairs (x_train / y_train, x_test / y_test); save the split to use on its own, e.g. np.savez('test.npz', x=x_test, y=y_test)");
  });

  it.each([
    ['a truncated archive', () => real('small.npz').bytes.subarray(0, 300), /^test\.npz: truncated or not a ZIP archive/],
    ['a corrupt entry', () => {
      const b = zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: y }]);
      b[120] ^= 0xff;
      return b;
    }, /^test\.npz: x\.npy: fails its CRC-32 check: the data is corrupt$/],
    ['arrays it cannot tell apart', () => zip([{ name: 'a.npy', data: x }, { name: 'b.npy', data: npy('<f4', [2], f32([0, 1])) }]), /^test\.npz: holds a \[2, 1, 2, 2\], b \[2\]; expected arrays x and y/],
    ['labels y of shape [N, K] that are not one-hot', () => zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: npy('<f4', [2, 2], f32([1, 0, 1, 1])) }]), /^test\.npz: y: labels have shape \[2, 2\] but row 1 is not one-hot/],
    ['a non-.npy entry', () => zip([{ name: 'readme.txt', data: new Uint8Array([65]) }]), /^test\.npz: holds readme\.txt, not an \.npy array/],
    ['a label count mismatch', () => zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: npy('<i8', [1], i64([0])) }]), /^test\.npz: y: holds 1 labels but test\.npz: x holds 2 samples$/],
  ])('refuses %s with one line', (_what, bytes, message) => {
    const e = errorOf(() => parseDataset([{ name: 'test.npz', bytes: bytes() }]));
    expect(e.message).toMatch(message);
  });
});

describe('checkDatasetFits on shapes', () => {
  const ds = (shape: number[], labels = [0]): Dataset => {
    const size = shape.reduce((p, d) => p * d, 1);
    return { name: 'set', file: 'test.npz', arrays: { samples: 'x', labels: 'y' }, images: new Float32Array(size * labels.length), labels: Int32Array.from(labels), count: labels.length, sampleShape: shape, sampleSize: size, classes: 10 };
  };
  it('accepts the same layout with or without leading 1s, and flat samples or inputs', () => {
    expect(() => checkDatasetFits(ds([28, 28]), { dims: ['N', 1, 28, 28] }, 10)).not.toThrow();
    expect(() => checkDatasetFits(ds([1, 28, 28]), { dims: ['N', 1, 28, 28] }, 10)).not.toThrow();
    expect(() => checkDatasetFits(ds([784]), { dims: ['N', 1, 28, 28] }, 10)).not.toThrow();
    expect(() => checkDatasetFits(ds([1, 28, 28]), { dims: ['N', 784] }, 10)).not.toThrow();
  });
  it('refuses another size, naming the array and what the model expects', () => {
    const e = errorOf(() => checkDatasetFits(ds([3, 32, 32]), { dims: ['N', 1, 28, 28], name: 'x' }, 10));
    expect(e.message).toBe("test.npz: x has samples of shape [3, 32, 32] (3072 values); model input 'x' expects [1, 28, 28] (784 values)");
  });
  it('refuses the same values in another layout (channels last for channels first)', () => {
    const e = errorOf(() => checkDatasetFits(ds([28, 28, 1]), { dims: ['N', 1, 28, 28], name: 'x' }, 10));
    expect(e.message).toBe("test.npz: x has samples of shape [28, 28, 1]; model input 'x' expects [1, 28, 28]: the same number of values in another layout (transpose the samples to [1, 28, 28])");
  });
  it('reads integer samples as token ids: they fit an int64 / int32 input only, said beside the name', () => {
    const x = npy('<i8', [2, 3], i64([5, 0, 99, 7, 1, 2]));
    const ids = parseDataset([{ name: 'x.npy', bytes: x }, { name: 'y.npy', bytes: npy('<i8', [2], i64([1, 0])) }]);
    expect(ids.integerSamples).toBe(true);
    expect([...ids.images]).toEqual([5, 0, 99, 7, 1, 2]);
    expect(ids.conversion).toBe('x.npy: integer ids');
    expect(() => checkDatasetFits(ids, { dims: ['batch_size', 'sequence_length'], name: 'input_ids', elemType: 7 }, 2)).not.toThrow();
    expect(() => checkDatasetFits(ids, { dims: ['N', 3], name: 'input_ids', elemType: 6 }, 2)).not.toThrow();
    expect(errorOf(() => checkDatasetFits(ids, { dims: ['N', 4], name: 'input_ids', elemType: 7 }, 2)).message).toBe("x.npy: samples have shape [3] (3 values); model input 'input_ids' expects [4] (4 values)");
    expect(errorOf(() => checkDatasetFits(ids, { dims: ['N', 3], name: 'x', elemType: 1 }, 2)).message).toBe(
      "x.npy: samples are integers (read as token ids); model input 'x' takes float32: save the samples as floats (x.astype(np.float32), scaled as the model was trained)",
    );
  });
  it('refuses a model input that does not take floats, and labels past the outputs', () => {
    expect(errorOf(() => checkDatasetFits(ds([4]), { dims: ['N', 4], name: 'ids', elemType: 7 }, 10)).message).toBe("test.npz: samples are float values; model input 'ids' takes int64");
    expect(errorOf(() => checkDatasetFits(ds([4], [0, 12]), { dims: ['N', 4] }, 10)).message).toBe('test.npz: y: labels go up to 12 but the model has 10 outputs');
  });
});

describe('the 1/255 scaling is said for every format that applies it', () => {
  it('IDX unsigned bytes', () => {
    const images = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255]);
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 4]);
    const ds = parseDataset([{ name: '/d/t10k-images-idx3-ubyte', bytes: images }, { name: '/d/t10k-labels-idx1-ubyte', bytes: labels }]);
    expect(Array.from(ds.images)).toEqual([0, 1]);
    expect(ds.conversion).toBe('t10k-images-idx3-ubyte: unsigned bytes scaled by 1/255 to 0..1');
  });
});
