// Gzip datasets as RFC 1952 defines them: any number of members (`cat a.gz b.gz` is valid), each
// member's CRC32 and ISIZE checked, nothing after the last member, and inflation bounded by what
// an IDX header declares. The files are made by node:zlib and by the real `gzip` program.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ContentReader, crc32, DatasetError, encodeIdx, IdxType, parseDataset } from '../../../../src/core/data';

const BUNDLED = join(__dirname, '..', '..', '..', '..', 'resources', 'mnist');
const imagesGz = new Uint8Array(readFileSync(join(BUNDLED, 'test-images-idx3-ubyte.gz')));
const labelsGz = new Uint8Array(readFileSync(join(BUNDLED, 'test-labels-idx1-ubyte.gz')));
const labelsRaw = new Uint8Array(gunzipSync(labelsGz));
const reference = parseDataset([{ name: 'images.gz', bytes: imagesGz }, { name: 'labels.gz', bytes: labelsGz }]);

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

const withLabels = (bytes: Uint8Array, name = '/data/labels.gz') => () => parseDataset([{ name: '/data/images.gz', bytes: imagesGz }, { name, bytes }]);

describe('gzip datasets', () => {
  it('computes the standard CRC-32 check value', () => {
    // The check value of CRC-32/ISO-HDLC (gzip's CRC) over "123456789" is 0xCBF43926.
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const all = new TextEncoder().encode('123456789');
    expect(crc32(all.subarray(4), crc32(all.subarray(0, 4)))).toBe(0xcbf43926);
  });

  it('accepts a multi-member gzip (members made separately and concatenated, as `cat a.gz b.gz`)', () => {
    const cut = 1000;
    const two = Buffer.concat([gzipSync(labelsRaw.subarray(0, cut)), gzipSync(labelsRaw.subarray(cut))]);
    const ds = parseDataset([{ name: 'images.gz', bytes: imagesGz }, { name: 'labels.gz', bytes: new Uint8Array(two) }]);
    expect(Array.from(ds.labels)).toEqual(Array.from(reference.labels));
    // Three members, one of them empty, and a header that is split in two members.
    const three = Buffer.concat([gzipSync(labelsRaw.subarray(0, 6)), gzipSync(Buffer.alloc(0)), gzipSync(labelsRaw.subarray(6))]);
    expect(Array.from(parseDataset([{ name: 'i', bytes: imagesGz }, { name: 'l', bytes: new Uint8Array(three) }]).labels)).toEqual(Array.from(reference.labels));
  });

  it('accepts members written by the gzip program (file name in the header) and concatenated', () => {
    const a = execFileSync('gzip', ['-c'], { input: labelsRaw.subarray(0, 500) });
    const b = execFileSync('gzip', ['-c', '-9'], { input: labelsRaw.subarray(500) });
    const both = new Uint8Array(Buffer.concat([a, b]));
    expect(Buffer.from(gunzipSync(both)).equals(Buffer.from(labelsRaw))).toBe(true); // zlib agrees it is valid
    expect(Array.from(parseDataset([{ name: 'i', bytes: imagesGz }, { name: 'l', bytes: both }]).labels)).toEqual(Array.from(reference.labels));
  });

  it('refuses a wrong CRC32, naming the file', () => {
    const bad = new Uint8Array(labelsGz);
    bad[bad.length - 8] ^= 0x01;
    const e = errorOf(withLabels(bad));
    expect(e.file).toBe('/data/labels.gz');
    expect(e.message).toMatch(/^\/data\/labels\.gz: .*CRC32/);
  });

  it('refuses a wrong CRC32 in the first of two members', () => {
    const first = gzipSync(labelsRaw.subarray(0, 1000));
    first[first.length - 5] ^= 0x80;
    const e = errorOf(withLabels(new Uint8Array(Buffer.concat([first, gzipSync(labelsRaw.subarray(1000))]))));
    expect(e.message).toMatch(/labels\.gz: gzip member 1 .*CRC32/);
  });

  it('refuses a wrong ISIZE, larger or smaller (a smaller one used to truncate the data)', () => {
    for (const size of [10, labelsRaw.length - 1, labelsRaw.length + 1, 0xffffffff]) {
      const bad = new Uint8Array(labelsGz);
      new DataView(bad.buffer).setUint32(bad.length - 4, size, true);
      expect(errorOf(withLabels(bad)).message).toMatch(new RegExp(`labels\\.gz: .*declares ${size} bytes \\(ISIZE\\)`));
    }
  });

  it('refuses bytes after the last member', () => {
    for (const tail of [[0x41], [0, 0, 0], Array(512).fill(0), Array.from('garbage!', (c) => c.charCodeAt(0))]) {
      const e = errorOf(withLabels(new Uint8Array([...labelsGz, ...tail])));
      expect(e.message).toMatch(new RegExp(`labels\\.gz: ${tail.length} bytes after the end of the gzip data`));
    }
  });

  it('refuses every truncation of a gzip file', () => {
    const gz = gzipSync(labelsRaw.subarray(0, 400));
    for (let k = 2; k < gz.length; k++) {
      expect(() => new ContentReader('cut.gz', new Uint8Array(gz.subarray(0, k))).all(Infinity, 'too large'), `cut at ${k}`).toThrow(/cut\.gz: /);
    }
  });

  it('stops inflating a gzip bomb once it passes what the IDX header declares', () => {
    // 10 labels declared, then 256 MiB of zeros: about 256 kB of gzip.
    const header = encodeIdx(IdxType.UBYTE, [10], new Array(10).fill(1));
    const zeros = Buffer.alloc(1 << 20);
    const bomb = new Uint8Array(Buffer.concat([gzipSync(header), ...Array.from({ length: 256 }, () => gzipSync(zeros, { level: 9 }))]));
    expect(bomb.length).toBeLessThan(1 << 20);
    const e = errorOf(() => parseDataset([{ name: 'bomb-labels.gz', bytes: bomb }, { name: 'images', bytes: encodeIdx(IdxType.UBYTE, [10, 2], new Array(20).fill(0)) }]));
    expect(e.message).toMatch(/^bomb-labels\.gz: decompresses to more than its header declares \(18 bytes/);
    // The reader stops within one step (16 kB of input, at most ~17 MB of output) past the bound.
    const reader = new ContentReader('bomb', bomb);
    expect(() => reader.all(18, 'too much')).toThrow('bomb: too much');
    expect(reader.inflated).toBeLessThan(17 << 20);
  });

  it('stops inflating a single-member bomb too', () => {
    const header = encodeIdx(IdxType.UBYTE, [4, 2], new Array(8).fill(0));
    const bomb = new Uint8Array(gzipSync(Buffer.concat([Buffer.from(header), Buffer.alloc(128 << 20)]), { level: 9 }));
    const reader = new ContentReader('bomb.gz', bomb);
    expect(() => reader.all(header.length, 'decompresses to more than its header declares')).toThrow(/bomb\.gz: decompresses/);
    expect(reader.inflated).toBeLessThan(17 << 20);
  });

  it('refuses a pair whose headers cannot match before inflating their data', () => {
    const labels = encodeIdx(IdxType.UBYTE, [3], [0, 1, 2]);
    const e = errorOf(() => parseDataset([{ name: 'i.gz', bytes: imagesGz }, { name: 'l', bytes: labels }]));
    expect(e.message).toBe(`l: holds 3 labels but i.gz holds ${reference.count} images`);
  });

  it('refuses a header declaring more values than a dataset may hold', () => {
    const big = new Uint8Array(16);
    big.set([0, 0, 8, 3]);
    new DataView(big.buffer).setUint32(4, 0xffffffff);
    new DataView(big.buffer).setUint32(8, 28);
    new DataView(big.buffer).setUint32(12, 28);
    expect(errorOf(() => parseDataset([{ name: 'huge', bytes: new Uint8Array(gzipSync(big)) }, { name: 'l', bytes: labelsRaw }])).message).toMatch(/^huge: the header declares dimensions \[4294967295, 28, 28\]/);
  });

  it('refuses an IDX pair without samples', () => {
    const images = encodeIdx(IdxType.UBYTE, [0, 28, 28], []);
    const labels = encodeIdx(IdxType.UBYTE, [0], []);
    const e = errorOf(() => parseDataset([{ name: 'dir/empty-images', bytes: images }, { name: 'dir/empty-labels', bytes: labels }]));
    expect(e.file).toBe('dir/empty-images');
    expect(e.message).toMatch(/^dir\/empty-images: no samples/);
  });
});
