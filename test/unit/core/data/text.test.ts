// The experiment's text format (one sample per line, values then the label) and fit checks.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { checkDatasetFits, DatasetError, parseDataset, type Dataset } from '../../../../src/core/data';
import { mulberry32 } from '../../../../src/core/train/random';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('text datasets', () => {
  it('reads space, comma and tab separated lines, skips blank lines, keeps values as written', () => {
    const text = '0 0.5 1 3\n\n  255,128,0,7 \r\n1\t2\t3\t0\n\n';
    const ds = parseDataset([{ name: '/data/digits.txt', bytes: enc(text) }]);
    expect(ds.name).toBe('digits.txt');
    expect(ds.count).toBe(3);
    expect(ds.sampleShape).toEqual([3]);
    expect(Array.from(ds.images)).toEqual([0, 0.5, 1, 255, 128, 0, 1, 2, 3]);
    expect(Array.from(ds.labels)).toEqual([3, 7, 0]);
    expect(ds.classes).toBe(8);
  });

  it('reads a gzipped text file (detected by its magic, whatever the name)', () => {
    const ds = parseDataset([{ name: 'digits.txt', bytes: new Uint8Array(gzipSync('1 2 0\n3 4 1\n')) }]);
    expect(Array.from(ds.images)).toEqual([1, 2, 3, 4]);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
  });

  it('round-trips the bundled test digits written in the experiment format', () => {
    const dir = join(__dirname, '..', '..', '..', '..', 'resources', 'mnist');
    const idx = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(dir, n))) })));
    const lines: string[] = [];
    for (let s = 0; s < 50; s++) lines.push([...Array.from(idx.images.subarray(s * 784, (s + 1) * 784), (v) => String(v)), String(idx.labels[s])].join(' '));
    const ds = parseDataset([{ name: 'mnist.txt', bytes: enc(lines.join('\n')) }]);
    expect(ds.count).toBe(50);
    expect(ds.sampleSize).toBe(784);
    expect(Array.from(ds.images)).toEqual(Array.from(idx.images.subarray(0, 50 * 784)));
    expect(Array.from(ds.labels)).toEqual(Array.from(idx.labels.subarray(0, 50)));
  });

  it('converts decimals exactly as Number() does, exponents and signs included', () => {
    const rand = mulberry32(5);
    const tokens: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const intPart = Math.floor(rand() * 10 ** Math.floor(rand() * 6));
      const fracDigits = Math.floor(rand() * 12);
      const frac = Array.from({ length: fracDigits }, () => Math.floor(rand() * 10)).join('');
      const sign = rand() < 0.3 ? '-' : rand() < 0.1 ? '+' : '';
      tokens.push(`${sign}${intPart}${fracDigits ? '.' + frac : ''}`);
    }
    tokens.push('1e-3', '-2.5E+2', '.5', '5.', '0.1234567890123456789', '123456789012345678', '-0');
    const line = tokens.join(' ') + ' 0\n';
    const ds = parseDataset([{ name: 'exact.txt', bytes: enc(line + line) }]);
    expect(ds.sampleSize).toBe(tokens.length);
    expect(Array.from(ds.images.subarray(0, tokens.length))).toEqual(tokens.map((t) => Math.fround(Number(t))));
  });

  it('rejects lines of different lengths', () => {
    const e = errorOf(() => parseDataset([{ name: 'uneven.txt', bytes: enc('1 2 3 0\n\n1 2 0\n') }]));
    expect(e.file).toBe('uneven.txt');
    expect(e.message).toMatch(/uneven\.txt: line 3 has 3 values, the lines before it have 4/);
  });

  it('rejects non-numeric values and bad labels', () => {
    expect(errorOf(() => parseDataset([{ name: 'nan.txt', bytes: enc('1 2 0\n1 x 1\n') }])).message).toMatch(/nan\.txt: line 2, column 3 \(value 2\): "x" is not a number \(values are decimal numbers\)/);
    expect(errorOf(() => parseDataset([{ name: 'l.txt', bytes: enc('1 2 0.5\n') }])).message).toMatch(/l\.txt: line 1, column 5: the label "0\.5"/);
    expect(errorOf(() => parseDataset([{ name: 'l.txt', bytes: enc('1 2 -1\n') }])).message).toMatch(/not a non-negative integer/);
    expect(errorOf(() => parseDataset([{ name: 'd.txt', bytes: enc('1 2 0\n1 2 0\n3 1.2.3 1\n') }])).message).toMatch(/d\.txt: line 3, column 3 \(value 2\): "1\.2\.3" is not a number \(values are decimal numbers\)/);
    expect(errorOf(() => parseDataset([{ name: 'd.txt', bytes: enc('- 2 0\n') }])).message).toMatch(/line 1, column 1 \(value 1\): "-" is not a number \(values are decimal numbers\)/);
    expect(errorOf(() => parseDataset([{ name: 'd.txt', bytes: enc('Infinity 2 0\n') }])).message).toMatch(/"Infinity" is not a number \(values are decimal numbers\)/);
    expect(errorOf(() => parseDataset([{ name: 'one.txt', bytes: enc('5\n') }])).message).toMatch(/one\.txt: line 1 has 1 value/);
    expect(errorOf(() => parseDataset([{ name: 'empty.txt', bytes: enc('\n \n') }])).message).toMatch(/empty\.txt: no samples/);
    expect(errorOf(() => parseDataset([{ name: 'bin.dat', bytes: new Uint8Array([0xff, 0xfe, 0x80, 0x81]) }])).message).toMatch(/bin\.dat: is neither an IDX file nor UTF-8 text/);
  });
});

describe('text values are decimal numbers', () => {
  // JavaScript's Number() takes all of these; none is a decimal number.
  const notDecimal = ['0x1', '0X1F', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1e999', '1_000', '١'];
  it.each(notDecimal)('refuses %s with the file, line and column', (token) => {
    const e = errorOf(() => parseDataset([{ name: '/data/set.txt', bytes: enc(`1 2 0\n3  ${token} 1\n`) }]));
    expect(e.file).toBe('/data/set.txt');
    expect(e.message).toBe(`/data/set.txt: line 2, column 4 (value 2): "${token}" is not a number (values are decimal numbers)`);
  });

  it('refuses a label that is not a decimal integer', () => {
    expect(errorOf(() => parseDataset([{ name: 'l.txt', bytes: enc('1 2 0x1\n') }])).message).toBe('l.txt: line 1, column 5: the label "0x1" (the last value) is not a non-negative integer');
  });

  it('refuses empty fields between, before and after commas', () => {
    expect(errorOf(() => parseDataset([{ name: 'c.txt', bytes: enc('1,2,0\n1,,2,0\n') }])).message).toBe('c.txt: line 2, column 3: an empty value before this comma');
    expect(errorOf(() => parseDataset([{ name: 'c.txt', bytes: enc(' ,1,2,0\n') }])).message).toBe('c.txt: line 1, column 2: an empty value before this comma');
    expect(errorOf(() => parseDataset([{ name: 'c.txt', bytes: enc('1,2,0,\n') }])).message).toBe('c.txt: line 1, column 6: an empty value after this comma');
    expect(errorOf(() => parseDataset([{ name: 'c.txt', bytes: enc('1, 2 ,\t,0\n') }])).message).toMatch(/line 1, column 8: an empty value before this comma/);
  });

  it('still reads signs, points and exponents, and spaces around commas', () => {
    const ds = parseDataset([{ name: 'ok.txt', bytes: enc('+1.5, -2e1 ,.5,5.,1E-1 , 3\n') }]);
    expect(Array.from(ds.images)).toEqual([1.5, -20, 0.5, 5, Math.fround(0.1)]);
    expect(Array.from(ds.labels)).toEqual([3]);
  });

  it('counts columns in characters', () => {
    // "é" is two bytes in UTF-8, one character.
    expect(errorOf(() => parseDataset([{ name: 'u.txt', bytes: enc('1 é 0\n') }])).message).toMatch(/line 1, column 3 \(value 2\): "é"/);
    expect(errorOf(() => parseDataset([{ name: 'u.txt', bytes: enc('1\u00a0é x 0\n') }])).message).toMatch(/line 1, column 1 \(value 1\)/);
  });
});

describe('checkDatasetFits', () => {
  const ds = (sampleSize: number, labels: number[]): Dataset => ({
    name: 'set', images: new Float32Array(sampleSize * labels.length), labels: Int32Array.from(labels),
    count: labels.length, sampleShape: [sampleSize], sampleSize, classes: Math.max(...labels) + 1,
  });

  it('accepts a fitting dataset', () => {
    expect(() => checkDatasetFits(ds(784, [0, 9]), { dims: ['N', 1, 28, 28] }, 10)).not.toThrow();
    expect(() => checkDatasetFits(ds(784, [0, 9]), { dims: [null, 784] }, 10)).not.toThrow();
    expect(() => checkDatasetFits(ds(96, [1]), { dims: ['N', 3, 'H', 'W'] }, 2)).not.toThrow();
  });

  it('names a label beyond the model outputs', () => {
    const e = errorOf(() => checkDatasetFits(ds(784, [0, 11, 3]), { dims: ['N', 784] }, 10));
    expect(e.message).toBe('set: labels go up to 11 but the model has 10 outputs');
  });

  it('names the full files read: the labels file for labels, the images file for samples', () => {
    const imagesGz = new Uint8Array(gzipSync(Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])));
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 4, 11]);
    const read = parseDataset([{ name: '/d/set-images-idx3-ubyte.gz', bytes: imagesGz }, { name: '/d/set-labels-idx1-ubyte', bytes: labels }]);
    expect(read.name).toBe('set');
    const l = errorOf(() => checkDatasetFits(read, { dims: ['N', 3] }, 10));
    expect(l.file).toBe('/d/set-labels-idx1-ubyte');
    expect(l.message).toBe('/d/set-labels-idx1-ubyte: labels go up to 11 but the model has 10 outputs');
    const s = errorOf(() => checkDatasetFits(read, { dims: ['N', 4] }, 20));
    expect(s.message).toBe('/d/set-images-idx3-ubyte.gz: samples have shape [1, 3] (3 values); the model input expects [4] (4 values)');
    const text = parseDataset([{ name: '/d/sub/digits.txt', bytes: enc('1 2 0\n') }]);
    expect(errorOf(() => checkDatasetFits(text, { dims: ['N', 3] }, 10)).message).toMatch(/^\/d\/sub\/digits\.txt: samples have shape \[2\] \(2 values\)/);
  });

  it('names a sample size that does not fit the input', () => {
    const e = errorOf(() => checkDatasetFits(ds(784, [0]), { dims: ['N', 3, 32, 32], type: 'float32[N,3,32,32]' }, 10));
    expect(e.message).toBe('set: samples have shape [784] (784 values); the model input expects [3, 32, 32] (3072 values)');
    const f = errorOf(() => checkDatasetFits(ds(100, [0]), { dims: ['N', 3, 'H', 'W'] }, 10));
    expect(f.message).toMatch(/samples have shape \[100\] \(100 values\); the model input \[N,3,H,W\] needs a multiple of 3 values/);
  });
});
