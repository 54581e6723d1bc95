// Issue 14 item 5 in the browser build: a PyTorch user's test set for a CNN. Open the LeNet
// fixture, pick an .npz (np.savez layout: uint8 x [N, 1, 28, 28], int64 y, built here from the
// Fashion-MNIST IDX files) and see the first 8 samples drawn with their labels and the uint8
// scaling said, before anything runs; pick a folder of PNGs per class and see the class names and
// the normalisation; a dataset of another shape is refused in one line naming what the model expects.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { expect, test, type Page } from '@playwright/test';
import { npy, zip } from '../support/numpy-files';
import { openApp, paintedPixels, repo, shot, tab } from './helpers';

const lenet = resolve(repo, 'test/models/cnn/lenet.onnx');
const fashion = '/usr/share/datasets/fashion-mnist';
const N = 100;

function fashionSubset(): { pixels: Uint8Array; labels: Uint8Array } {
  const pixels = gunzipSync(readFileSync(`${fashion}/t10k-images-idx3-ubyte.gz`)).subarray(16, 16 + N * 784);
  const labels = gunzipSync(readFileSync(`${fashion}/t10k-labels-idx1-ubyte.gz`)).subarray(8, 8 + N);
  return { pixels, labels };
}

const i64 = (v: ArrayLike<number>): Uint8Array => {
  const b = Buffer.alloc(v.length * 8);
  for (let i = 0; i < v.length; i++) b.writeBigInt64LE(BigInt(v[i]), i * 8);
  return new Uint8Array(b);
};

async function pickFiles(page: Page, testId: string, files: string | string[] | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId(testId).click();
  await (await chooser).setFiles(files);
}

test('datasets: an .npz and a folder of images previewed before anything runs; a misfit refused in one line', async ({ page }) => {
  test.skip(!existsSync(`${fashion}/t10k-images-idx3-ubyte.gz`), 'Debian dataset-fashion-mnist is not installed');
  const { pixels, labels } = fashionSubset();
  const dir = test.info().outputPath('datasets');
  mkdirSync(dir, { recursive: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(lenet);
  await expect(page.getByTestId('status-file')).toContainText('lenet.onnx');
  await tab(page, 'Evaluate');

  await test.step('pick an .npz: 8 samples drawn with their labels, the uint8 scaling said', async () => {
    const npz = zip([{ name: 'x.npy', data: npy('|u1', [N, 1, 28, 28], pixels) }, { name: 'y.npy', data: npy('<i8', [N], i64(labels)) }]);
    await pickFiles(page, 'eval-pick', { name: 'fashion-test.npz', mimeType: 'application/octet-stream', buffer: Buffer.from(npz) });
    await expect(page.getByTestId('eval-dataset')).toHaveText('fashion-test.npz');
    await expect(page.getByTestId('eval-dataset-info')).toHaveText(`${N} samples · 1×28×28 · 10 classes`);
    await expect(page.getByTestId('ds-conversion')).toHaveText('Values: x: uint8 values scaled by 1/255 to 0..1.');
    const figures = page.getByTestId('ds-preview').locator('figure');
    await expect(figures).toHaveCount(8);
    // The labels of the first 8 Fashion-MNIST test images, as the IDX labels file holds them.
    await expect(figures.locator('figcaption')).toHaveText(Array.from(labels.subarray(0, 8), (l) => `label ${l}`));
    expect(await paintedPixels(page, '[data-testid="ds-sample-0"] canvas')).toBeGreaterThan(100);
    await expect(page.getByTestId('ds-normalize-row')).toBeHidden();
    await expect(page.getByTestId('eval-progress')).toHaveText('Idle');
    await shot(page, 'datasets-npz-preview');
  });

  await test.step('pick a folder of PNGs per class: class names from the sorted subfolders, normalisation control', async () => {
    const root = join(dir, 'fashion-png');
    const names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];
    const used = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const c = labels[i];
      used.add(c);
      mkdirSync(join(root, `${c}-${names[c]}`), { recursive: true });
      writeFileSync(join(root, `${c}-${names[c]}`, `${i}.png`), encodePng({ width: 28, height: 28, data: pixels.subarray(i * 784, (i + 1) * 784), channels: 1, depth: 8 }));
    }
    const classNames = [...used].sort((a, b) => a - b).map((c) => `${c}-${names[c]}`);
    await pickFiles(page, 'eval-pick-folder', root);
    await expect(page.getByTestId('eval-dataset')).toHaveText('fashion-png');
    await expect(page.getByTestId('ds-classes')).toHaveText(`Classes (subfolders, sorted): ${classNames.map((n, i) => `${i} ${n}`).join(', ')}`);
    await expect(page.getByTestId('ds-conversion')).toHaveText('Values: images in gray, resized to 28×28 (bilinear), pixels scaled to 0..1.');
    await expect(page.getByTestId('ds-preview').locator('figure')).toHaveCount(8);
    await expect(page.getByTestId('ds-sample-0').locator('figcaption')).toHaveText(`0 ${classNames[0]}`);
    // The ImageNet preset (torchvision's RGB mean and std, as the CLI's --normalize imagenet) has
    // three values per statistic: refused for this one-channel model, naming the folder.
    await page.getByTestId('ds-normalize').selectOption('imagenet');
    await expect(page.getByTestId('ds-mean-std')).toBeHidden();
    await expect(page.getByTestId('banner')).toContainText('fashion-png: normalisation mean has 3 values; the model takes 1 channel (give one value)');
    await page.getByTestId('ds-normalize').selectOption('mean-std');
    await page.getByTestId('ds-mean-std').fill('0.286/0.353');
    await page.getByTestId('ds-mean-std').press('Enter');
    await expect(page.getByTestId('ds-conversion')).toContainText('then (v - mean) / std with mean [0.286], std [0.353]');
    await expect(page.getByTestId('eval-run')).toBeEnabled();
    await shot(page, 'datasets-folder-preview');
  });

  await test.step('a folder of 2,000 RGB images: the read shows its progress and stops on Cancel', async () => {
    const root = join(dir, 'many');
    const data = new Uint8Array(96 * 96 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
    const png = encodePng({ width: 96, height: 96, data, channels: 3, depth: 8 });
    for (const c of ['a', 'b']) {
      mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < 1000; i++) writeFileSync(join(root, c, `${i}.png`), png);
    }
    await pickFiles(page, 'eval-pick-folder', root);
    await expect(page.getByTestId('ds-reading')).toContainText(/read \d+ of 2000 images|reading 2000 images/);
    await expect(page.getByTestId('ds-classes')).toBeHidden(); // the previous folder's description is gone
    await shot(page, 'datasets-folder-reading');
    await page.getByTestId('ds-cancel').click();
    await expect(page.getByTestId('ds-status')).toHaveText('Reading was cancelled: the dataset is read again when it is chosen again or evaluated.');
    await expect(page.getByTestId('ds-reading')).toBeHidden();
    await expect(page.getByTestId('ds-preview').locator('figure')).toHaveCount(0);
  });

  await test.step('an .npz of 3×32×32 samples: one line naming the array and what the model expects', async () => {
    const wide = zip([{ name: 'x.npy', data: npy('<f4', [2, 3, 32, 32], new Uint8Array(2 * 3 * 32 * 32 * 4)) }, { name: 'y.npy', data: npy('<i8', [2], i64([0, 1])) }]);
    await pickFiles(page, 'eval-pick', { name: 'cifar.npz', mimeType: 'application/octet-stream', buffer: Buffer.from(wide) });
    await expect(page.getByTestId('banner')).toContainText("cifar.npz: x has samples of shape [3, 32, 32] (3072 values); model input 'x' expects [1, 28, 28] (784 values)");
    await expect(page.getByTestId('ds-preview').locator('figure')).toHaveCount(0);
    // Run stays disabled, and says why, until another test set is chosen.
    await expect(page.getByTestId('eval-run')).toBeDisabled();
    await expect(page.getByTestId('eval-run-note')).toContainText('does not fit this model');
    await shot(page, 'datasets-misfit');
  });
  expect(pageErrors).toEqual([]);
});
