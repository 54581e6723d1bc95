// `prunescope eval` / `sweep` on the datasets a PyTorch user has: an .npz (np.savez layout, built
// here byte by byte from the Fashion-MNIST IDX files), an .npy pair, and a folder of PNG images per
// class, each giving the same accuracy on the LeNet fixture as the IDX files they were made from
// (onnxruntime, and Prunescope's dense runtime for the .npz).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, IdxType } from '../../../src/core/data';
import { decodeModel, encodeModel, type ValueInfo } from '../../../src/core/onnx';
import { toHalfModel } from '../../support/half-model';
import { ROOT, prunescope, tableColumn, type RunResult } from '../../support/cli';
import { npy, zip } from '../../support/numpy-files';
import { fileTempDir } from '../../support/temp-dir';

const FASHION = '/usr/share/datasets/fashion-mnist';
const IMAGES = join(FASHION, 't10k-images-idx3-ubyte.gz');
const LABELS = join(FASHION, 't10k-labels-idx1-ubyte.gz');
const LENET = join(ROOT, 'test/models/cnn/lenet.onnx');
const ORT = ['--batch', '0', '--runtimes', 'onnxruntime'];
const BOTH = ['--batch', '0', '--runtimes', 'dense,onnxruntime'];

const dir = fileTempDir('prunescope-numpy-');
let pixels: Uint8Array;
let labels: Uint8Array;
beforeAll(() => {
  pixels = gunzipSync(readFileSync(IMAGES)).subarray(16);
  labels = gunzipSync(readFileSync(LABELS)).subarray(8);
});

const i64 = (v: ArrayLike<number>): Uint8Array => {
  const b = Buffer.alloc(v.length * 8);
  for (let i = 0; i < v.length; i++) b.writeBigInt64LE(BigInt(v[i]), i * 8);
  return new Uint8Array(b);
};

/** Each row of a table's column, by its header. */
function column(r: RunResult, name: string): string[] {
  expect(r.code, r.stderr).toBe(0);
  return tableColumn(r, name);
}

/** `eval` of the IDX files on both runtimes, run once for the tests that compare against it. */
let idxEval: RunResult | undefined;
const evalIdx = (): RunResult => (idxEval ??= prunescope(['eval', LENET, '--data', IMAGES, LABELS, ...BOTH]));

describe('NumPy datasets on the LeNet fixture', () => {
  it('an .npz of uint8 x and int64 y gives the IDX files\' accuracy, and says it scaled by 1/255', () => {
    const npz = join(dir, 'fashion.npz');
    writeFileSync(npz, zip([{ name: 'x.npy', data: npy('|u1', [10000, 1, 28, 28], pixels) }, { name: 'y.npy', data: npy('<i8', [10000], i64(labels)) }]));
    const viaNpz = prunescope(['eval', LENET, '--data', npz, ...BOTH]);
    const viaIdx = evalIdx();
    expect(column(viaNpz, 'ort acc')).toEqual(column(viaIdx, 'ort acc'));
    expect(column(viaNpz, 'dense acc')).toEqual(column(viaIdx, 'dense acc'));
    expect(Number(column(viaIdx, 'ort acc')[0])).toBeGreaterThan(0.8);
    expect(viaNpz.stdout).toMatch(/10000 samples of fashion\.npz \(x: uint8 values scaled by 1\/255 to 0\.\.1\)/);
    const sweepNpz = prunescope(['sweep', LENET, '--data', npz, '--ratios', '0,0.5', ...ORT]);
    const sweepIdx = prunescope(['sweep', LENET, '--data', IMAGES, LABELS, '--ratios', '0,0.5', ...ORT]);
    expect(column(sweepNpz, 'ort acc')).toEqual(column(sweepIdx, 'ort acc'));
    expect(column(sweepNpz, 'ort acc')).toHaveLength(2);
  });

  it('an .npy pair of float32 samples [N, 28, 28] (pixels/255) gives the same accuracy', () => {
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
    writeFileSync(join(dir, 'x.npy'), npy('<f4', [10000, 28, 28], new Uint8Array(x.buffer)));
    writeFileSync(join(dir, 'y.npy'), npy('<i8', [10000], i64(labels)));
    const viaNpy = prunescope(['eval', LENET, '--data', join(dir, 'y.npy'), join(dir, 'x.npy'), ...ORT]);
    // The IDX files' onnxruntime accuracy, from the same eval as above (its dense column alongside).
    expect(column(viaNpy, 'ort acc')).toEqual(column(evalIdx(), 'ort acc'));
    expect(viaNpy.stdout).not.toMatch(/scaled/);
  });

  it('a model exported with symbolic height and width ([N, 1, H, W]) runs at the dataset\'s 28 × 28 on every runtime, workers too', () => {
    const npz = join(dir, 'fashion.npz');
    if (!existsSync(npz)) writeFileSync(npz, zip([{ name: 'x.npy', data: npy('|u1', [10000, 1, 28, 28], pixels) }, { name: 'y.npy', data: npy('<i8', [10000], i64(labels)) }]));
    const m = decodeModel(new Uint8Array(readFileSync(LENET)), LENET);
    const input = m.graph.inputs[0];
    expect(input.type).toMatchObject({ kind: 'tensor' });
    const dynamic: ValueInfo = { ...input, type: { ...input.type, shape: ['N', 1, 'H', 'W'] } as ValueInfo['type'] };
    const file = join(dir, 'lenet-dynamic-hw.onnx');
    writeFileSync(file, encodeModel({ ...m, graph: { ...m.graph, inputs: [dynamic, ...m.graph.inputs.slice(1)] } }));
    const r = prunescope(['eval', file, '--data', npz, '--limit', '2000', '--runtimes', 'dense,sparse,onnxruntime', '--workers', '2']);
    const ort = column(r, 'ort acc');
    expect(Number(ort[0])).toBeGreaterThan(0.8);
    expect(column(r, 'dense acc')).toEqual(ort);
    expect(column(r, 'sparse acc')).toEqual(ort);
    expect(r.stdout).not.toMatch(/n\/a/);
  });

  it('a float16 model (weights, input and output in float16) is evaluated on float samples in every runtime, as accurately as its float32 original', () => {
    const npz = join(dir, 'fashion.npz');
    if (!existsSync(npz)) writeFileSync(npz, zip([{ name: 'x.npy', data: npy('|u1', [10000, 1, 28, 28], pixels) }, { name: 'y.npy', data: npy('<i8', [10000], i64(labels)) }]));
    const m = decodeModel(new Uint8Array(readFileSync(LENET)), LENET);
    const file = join(dir, 'lenet-float16.onnx');
    writeFileSync(file, encodeModel(toHalfModel(m)));
    const args = ['--data', npz, '--limit', '1000', '--batch', '0', '--runtimes', 'dense,onnxruntime'];
    const r16 = prunescope(['eval', file, ...args]);
    const r32 = prunescope(['eval', LENET, ...args]);
    const ort = Number(column(r16, 'ort acc')[0]);
    expect(Number(column(r16, 'dense acc')[0])).toBe(ort);
    expect(Math.abs(ort - Number(column(r32, 'ort acc')[0]))).toBeLessThanOrEqual(0.005);
  });

  it('refuses samples of another shape in one line naming the array and what the model expects', () => {
    const npz = join(dir, 'wide.npz');
    writeFileSync(npz, zip([{ name: 'x.npy', data: npy('<f4', [2, 3, 32, 32], new Uint8Array(2 * 3 * 32 * 32 * 4)) }, { name: 'y.npy', data: npy('<i8', [2], i64([0, 1])) }]));
    const r = prunescope(['eval', LENET, '--data', npz, ...ORT]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`prunescope: ${npz}: x has samples of shape [3, 32, 32] (3072 values); model input 'x' expects [1, 28, 28] (784 values)`);
  });
});

describe('image folders on the LeNet fixture', () => {
  const N = 300;
  it('a folder of PNGs per class gives the accuracy of the same images as IDX, and lists the classes', () => {
    const root = join(dir, 'fashion-png');
    const names = ['0-tshirt', '1-trouser', '2-pullover', '3-dress', '4-coat', '5-sandal', '6-shirt', '7-sneaker', '8-bag', '9-boot'];
    for (const n of names) mkdirSync(join(root, n), { recursive: true });
    for (let i = 0; i < N; i++) {
      const png = encodePng({ width: 28, height: 28, data: pixels.subarray(i * 784, (i + 1) * 784), channels: 1, depth: 8 });
      writeFileSync(join(root, names[labels[i]], `${String(i).padStart(5, '0')}.png`), png);
    }
    writeFileSync(join(dir, 'sub-images.idx'), encodeIdx(IdxType.UBYTE, [N, 28, 28], pixels.subarray(0, N * 784)));
    writeFileSync(join(dir, 'sub-labels.idx'), encodeIdx(IdxType.UBYTE, [N], labels.subarray(0, N)));
    const viaFolder = prunescope(['eval', LENET, '--data', root, ...ORT]);
    const viaIdx = prunescope(['eval', LENET, '--data', join(dir, 'sub-images.idx'), join(dir, 'sub-labels.idx'), ...ORT]);
    expect(column(viaFolder, 'ort acc')).toEqual(column(viaIdx, 'ort acc'));
    expect(viaFolder.stdout).toContain(`${N} samples of fashion-png (images in gray, resized to 28×28 (bilinear), pixels scaled to 0..1; classes 0 0-tshirt, 1 1-trouser, 2 2-pullover`);
    // mean/std normalisation changes the inputs: said, and the accuracy moves with it
    const normed = prunescope(['eval', LENET, '--data', root, '--normalize', '0.5/0.5', ...ORT]);
    expect(normed.stdout).toContain('then (v - mean) / std with mean [0.5], std [0.5]');
  });

  it('refuses --normalize without a folder, and a bad --normalize, in one line', () => {
    const a = prunescope(['eval', LENET, '--data', IMAGES, LABELS, '--normalize', '0-1', ...ORT]);
    expect(a.stderr.trim()).toBe('prunescope: --normalize applies to a folder of images; no dataset option names a folder');
    const b = prunescope(['eval', LENET, '--data', join(dir, 'fashion-png'), '--normalize', '0.5', ...ORT]);
    expect(b.stderr.trim()).toMatch(/^prunescope: --normalize: normalisation "0\.5": expected 0-1, imagenet or MEAN\/STD/);
  });
});
