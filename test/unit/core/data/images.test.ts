// Image folders: decoding (PNG through fast-png, JPEG through jpeg-js, both written by their
// encoders here), channel conversion, bilinear resizing (hand-computed, the align_corners = false
// convention), normalisation, the folder layout rule, every bad input with one line, and the preview.
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  convertChannels, DatasetError, datasetPreview, decodeImage, ImageFolderBuilder, imageTarget, imageTargetFrom, parseNormalization, planImageFolder, resizeBilinear,
  type Dataset, type FolderEntry, type ImageTarget,
} from '../../../../src/core/data';

const gray = (w: number, h: number, v: number[]): Uint8Array => encodePng({ width: w, height: h, data: Uint8Array.from(v), channels: 1, depth: 8 });
const rgba = (w: number, h: number, v: number[]): Uint8Array => encodePng({ width: w, height: h, data: Uint8Array.from(v), channels: 4, depth: 8 });

function errorOf(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as Error).message).not.toContain('\n');
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('decoding', () => {
  it('reads gray, RGBA (alpha dropped) and 16-bit PNGs as 0..1 values', () => {
    expect(Array.from(decodeImage('a.png', gray(2, 1, [0, 255])).data)).toEqual([0, 1]);
    const c = decodeImage('c.png', rgba(1, 1, [255, 0, 51, 7]));
    expect(c.channels).toBe(3);
    expect(Array.from(c.data)).toEqual([1, 0, Math.fround(0.2)]);
    const deep = encodePng({ width: 2, height: 1, data: Uint16Array.from([0, 65535]), channels: 1, depth: 16 });
    expect(Array.from(decodeImage('d.png', deep).data)).toEqual([0, 1]);
  });

  it('reads a JPEG (lossy: within 2/255 of what was written)', () => {
    const w = 8, h = 8;
    const data = new Uint8Array(w * h * 4).fill(128);
    const jpg = new Uint8Array(encodeJpeg({ width: w, height: h, data }, 100).data);
    const p = decodeImage('a.jpg', jpg);
    expect([p.width, p.height, p.channels]).toEqual([8, 8, 3]);
    for (const v of p.data) expect(Math.abs(v - 128 / 255)).toBeLessThan(2 / 255);
  });

  it('refuses a corrupt PNG, a truncated PNG, a corrupt JPEG and a non-image, naming the file', () => {
    const png = gray(4, 4, Array.from({ length: 16 }, (_, i) => i * 10));
    const flipped = png.slice();
    flipped[png.length - 20] ^= 0xff; // inside IDAT: its CRC no longer matches
    expect(errorOf(() => decodeImage('cls/bad.png', flipped)).message).toMatch(/^cls\/bad\.png: is not a readable PNG \(/);
    expect(errorOf(() => decodeImage('cls/cut.png', png.subarray(0, 30))).message).toMatch(/^cls\/cut\.png: is not a readable PNG \(/);
    const jpg = new Uint8Array(encodeJpeg({ width: 8, height: 8, data: new Uint8Array(256).fill(90) }, 90).data);
    const broken = jpg.slice(0, 40);
    expect(errorOf(() => decodeImage('cls/bad.jpg', broken)).message).toMatch(/^cls\/bad\.jpg: is not a readable JPEG \(/);
    expect(errorOf(() => decodeImage('cls/notes.txt', new TextEncoder().encode('hello'))).message).toBe('cls/notes.txt: is not a PNG or JPEG image');
  });
});

describe('conversion and resizing', () => {
  it('turns RGB to gray by BT.601 luma and gray to RGB by repeating it', () => {
    const g = convertChannels({ width: 1, height: 1, channels: 3, data: Float32Array.from([1, 0, 0]) }, 1);
    expect(g.data[0]).toBeCloseTo(0.299, 6);
    expect(Array.from(convertChannels({ width: 1, height: 1, channels: 1, data: Float32Array.from([0.5]) }, 3).data)).toEqual([0.5, 0.5, 0.5]);
  });

  it('resizes bilinearly with aligned pixel centres (2×2 → 4×4 and 4 → 2 by hand)', () => {
    const up = resizeBilinear({ width: 2, height: 2, channels: 1, data: Float32Array.from([0, 1, 2, 3]) }, 4, 4);
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
    const down = resizeBilinear({ width: 4, height: 1, channels: 1, data: Float32Array.from([0, 1, 2, 3]) }, 2, 1);
    expect(Array.from(down.data)).toEqual([0.5, 2.5]);
  });

  it('parses the normalisation grammar and refuses anything else', () => {
    expect(parseNormalization('0-1')).toEqual({ kind: '0-1' });
    expect(parseNormalization('0.485,0.456,0.406/0.229,0.224,0.225')).toEqual({ kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    // the published ImageNet statistics (torchvision), by name
    expect(parseNormalization(' ImageNet ')).toEqual({ kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    for (const bad of ['0.5', '0.5/0', 'a/b', '0.5/0.5/1', '/', 'imagenet/1']) expect(() => parseNormalization(bad)).toThrow(/expected 0-1, imagenet or MEAN\/STD/);
  });
});

describe('the model input an image folder is made for', () => {
  it('reads channels first, channels last and no channel dim', () => {
    expect(imageTarget({ dims: ['N', 1, 28, 28] }, 'f')).toEqual({ channels: 1, height: 28, width: 28, layout: 'nchw' });
    expect(imageTarget({ dims: ['N', 32, 24, 3] }, 'f')).toEqual({ channels: 3, height: 32, width: 24, layout: 'nhwc' });
    expect(imageTarget({ dims: ['N', 28, 28] }, 'f')).toEqual({ channels: 1, height: 28, width: 28, layout: 'nhw' });
  });
  it('leaves a symbolic H or W to the first image (0), and refuses an input that is not an image', () => {
    expect(imageTarget({ dims: ['N', 3, 48, 'W'] }, 'f')).toEqual({ channels: 3, height: 48, width: 0, layout: 'nchw' });
    expect(imageTargetFrom(imageTarget({ dims: ['N', 3, 48, 'W'] }, 'f'), { width: 100, height: 30 })).toEqual({ channels: 3, height: 48, width: 100, layout: 'nchw' });
    expect(errorOf(() => imageTarget({ dims: ['N', 784], name: 'x' }, 'pics')).message).toBe("pics: is a folder of images, but model input 'x' [N, 784] is not an image input ([N, C, H, W] or [N, H, W, C] with 1 or 3 channels)");
    expect(errorOf(() => imageTarget({ dims: ['N', 2, 28, 28] }, 'pics')).message).toMatch(/is not an image input \(/);
  });
});

describe('folder layout', () => {
  const e = (path: string, kind: 'file' | 'dir' = 'file'): FolderEntry => ({ path, kind });
  it('sorts class folders into label ids and files by name, skipping hidden entries', () => {
    const plan = planImageFolder('pics', [e('dog', 'dir'), e('cat', 'dir'), e('dog/b.png'), e('dog/a.jpg'), e('cat/z.png'), e('.DS_Store'), e('cat/.hidden')]);
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.items).toEqual([{ path: 'cat/z.png', label: 0 }, { path: 'dog/a.jpg', label: 1 }, { path: 'dog/b.png', label: 1 }]);
  });
  it.each([
    ['an empty folder', [], /^pics: holds no class folders; an image folder holds one subfolder of PNG or JPEG images per class$/],
    ['a class folder without images', [e('cat', 'dir'), e('dog', 'dir'), e('cat/a.png')], /^pics\/dog: is a class folder without images$/],
    ['a file beside the class folders', [e('cat', 'dir'), e('cat/a.png'), e('labels.csv')], /^pics\/labels\.csv: is a file beside the class folders/],
    ['a folder inside a class folder', [e('cat', 'dir'), e('cat/a.png'), e('cat/more', 'dir')], /^pics\/cat\/more: is nested inside the class folder cat/],
  ])('refuses %s in one line', (_what, entries, message) => {
    expect(errorOf(() => planImageFolder('pics', entries as FolderEntry[])).message).toMatch(message);
  });

  const target: ImageTarget = { channels: 1, height: 2, width: 2, layout: 'nchw' };
  it('builds samples in the model layout, normalised, and refuses a non-image file in a class folder', () => {
    const plan = planImageFolder('pics', [e('a', 'dir'), e('b', 'dir'), e('a/1.png'), e('b/2.txt')]);
    const b = new ImageFolderBuilder(plan, target, { kind: 'mean-std', mean: [0.5], std: [0.25] });
    b.add(0, gray(2, 2, [0, 255, 255, 0]));
    expect(Array.from(b.images.subarray(0, 4))).toEqual([-2, 2, 2, -2]);
    expect(errorOf(() => b.add(1, new TextEncoder().encode('not an image'))).message).toBe('pics/b/2.txt: is not a PNG or JPEG image; a class folder holds only images');
    const ds = b.dataset();
    expect(ds.classNames).toEqual(['a', 'b']);
    expect(ds.sampleShape).toEqual([1, 2, 2]);
    expect(ds.conversion).toBe('images in gray, resized to 2×2 (bilinear), pixels scaled to 0..1, then (v - mean) / std with mean [0.5], std [0.25]');
  });
  it('puts RGB channels last for an NHWC input, and refuses a mean/std of the wrong length', () => {
    const plan = planImageFolder('pics', [e('a', 'dir'), e('a/1.png')]);
    const b = new ImageFolderBuilder(plan, { channels: 3, height: 1, width: 1, layout: 'nhwc' }, { kind: '0-1' });
    b.add(0, rgba(1, 1, [255, 0, 51, 255]));
    expect(Array.from(b.images)).toEqual([1, 0, Math.fround(0.2)]);
    expect(errorOf(() => new ImageFolderBuilder(plan, { channels: 3, height: 1, width: 1, layout: 'nchw' }, { kind: 'mean-std', mean: [0, 0], std: [1] })).message).toBe(
      'pics: normalisation mean has 2 values; the model takes 3 channels (give 1 or 3)',
    );
  });
});

describe('preview', () => {
  const ds = (shape: number[], values: number[], labels: number[], extra: Partial<Dataset> = {}): Dataset => ({
    name: 's', images: Float32Array.from(values), labels: Int32Array.from(labels), count: labels.length, sampleShape: shape,
    sampleSize: shape.reduce((p, d) => p * d, 1), classes: 3, ...extra,
  });
  it('draws image-like samples on their own range, with labels and class names', () => {
    const p = datasetPreview(ds([1, 1, 2], [-1, 1, 5, 10], [2, 0], { classNames: ['a', 'b', 'c'] }));
    expect(p.drawnAs).toBe('[1, 1, 2] as 1×2 gray');
    expect(p.samples.map((s) => [s.label, s.className, Array.from(s.image?.pixels ?? [])])).toEqual([[2, 'c', [0, 255]], [0, 'a', [0, 255]]]);
  });
  it('reads [C, H, W] with 3 channels into RGB pixels, and leaves non-image samples as values', () => {
    const p = datasetPreview(ds([3, 1, 1], [0, 1, 0.5], [0]));
    expect(Array.from(p.samples[0].image?.pixels ?? [])).toEqual([0, 255, 128]);
    const q = datasetPreview(ds([5], [1, 2, 3, 4, 5], [1]));
    expect(q.drawnAs).toBeUndefined();
    expect(q.samples[0]).toEqual({ label: 1, min: 1, max: 5 });
  });
  it('shows at most the first 8', () => {
    expect(datasetPreview(ds([1], new Array(20).fill(0), new Array(20).fill(0))).samples).toHaveLength(8);
  });
});
