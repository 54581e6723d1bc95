// Issue 14 in the browser build: a CNN exported by torch.onnx.export (test/models/cnn/lenet.onnx)
// is opened, its Conv weights alone are selected and pruned, it is evaluated on Fashion-MNIST in
// Prunescope's sparse runtime and in onnxruntime-web, and exported. The accuracy shown must equal onnxruntime-node's on the same images of the exported
// file (the independent oracle), and no request may leave the app's origin (onnxruntime-web's
// files are the app's own). Then models Prunescope's runtime cannot run: one gets its accuracy
// from onnxruntime alone, one that no runtime can load keeps Run disabled with both reasons.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../../src/core/onnx/decode';
import { encodeModel } from '../../src/core/onnx/encode';
import { exportCommand, openApp, repo, sampleModel, shot, tab } from './helpers';

const lenet = resolve(repo, 'test/models/cnn/lenet.onnx');
const fashion = '/usr/share/datasets/fashion-mnist';
const fashionTest = [`${fashion}/t10k-images-idx3-ubyte.gz`, `${fashion}/t10k-labels-idx1-ubyte.gz`];
const LIMIT = 500;

/** The first `count` Fashion-MNIST test images (pixels / 255, as the CNNs were trained) and labels. */
function fashionImages(count: number): { x: Float32Array; y: Uint8Array } {
  const images = gunzipSync(readFileSync(fashionTest[0]));
  const labels = gunzipSync(readFileSync(fashionTest[1]));
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  return { x, y: labels.subarray(8, 8 + count) };
}

/** onnxruntime-node's accuracy of a model on the first `count` images: the oracle. */
async function oracleAccuracy(bytes: Uint8Array, x: Float32Array, y: Uint8Array, shape: number[]): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [y.length, ...shape]) });
  const logits = out[session.outputNames[0]].data as Float32Array;
  const per = logits.length / y.length;
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let j = 1; j < per; j++) if (logits[i * per + j] > logits[i * per + best]) best = j;
    if (best === y[i]) right++;
  }
  await session.release();
  return right / y.length;
}

/** The sample MLP with one more node at its end, of an op Prunescope's runtime lacks. */
function sampleWith(opType: string, name: string, attributes: { name: string; type: 'string'; value: string }[]): Buffer {
  const m = decodeModel(new Uint8Array(readFileSync(sampleModel)));
  const out = m.graph.outputs[0].name;
  const last = m.graph.nodes[m.graph.nodes.length - 1];
  last.outputs = last.outputs.map((o) => (o === out ? `${out}_before` : o));
  m.graph.nodes.push({ name, opType, domain: '', inputs: [`${out}_before`], outputs: [out], attributes });
  return Buffer.from(encodeModel(m));
}

async function accuracyShown(page: Page, runtime: string): Promise<number> {
  return Number(await page.getByTestId('eval-table').locator(`tbody tr [data-col=${runtime}-accuracy]`).first().textContent());
}

test('a CNN end to end in the browser: select Conv weights, prune, evaluate in both runtimes, export', async ({ page, context, baseURL }) => {
  test.skip(!existsSync(fashionTest[0]), 'Debian dataset-fashion-mnist is not installed');
  const origin = new URL(baseURL ?? 'http://127.0.0.1/').origin;
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(lenet);
  await expect(page.getByTestId('status-file')).toContainText('lenet.onnx');

  await test.step('select the Conv weights only and prune them at 0.5', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-group-Gemm').uncheck();
    await expect(page.getByTestId('prune-group-Conv')).toBeChecked();
    await expect(page.getByTestId('prune-table').locator('tbody tr')).toHaveCount(2);
    await page.getByTestId('prune-ratio').fill('0.5');
    await expect(page.getByTestId('status-sparsity')).not.toHaveText('0.0%');
    // The status bar says what the sparsity is of: LeNet's two Conv kernels, 6·1·5·5 + 16·6·5·5 = 2,550 weights.
    await expect(page.getByTestId('status-sparsity-of')).toHaveText(' of 2.55k selected');
  });

  const { x, y } = fashionImages(LIMIT);
  await test.step('evaluate on Fashion-MNIST in Prunescope\'s sparse runtime and onnxruntime-web', async () => {
    await tab(page, 'Evaluate');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('eval-pick').click();
    await (await chooser).setFiles(fashionTest);
    await expect(page.getByTestId('eval-dataset-info')).toHaveText('10,000 samples · 28×28 · 10 classes');
    // onnxruntime-web says what it is, before Run.
    await expect(page.getByTestId('eval-runtime-onnxruntime')).toContainText(/onnxruntime-web 1\.\d+\.\d+ \(WebAssembly, /);
    await expect(page.locator('[data-runtime=onnxruntime]')).toBeEnabled();
    await expect(page.locator('[data-runtime=onnxruntime]')).toBeChecked();
    // Prunescope's runtime runs every op of the CNN (Conv, MaxPool, Gemm …).
    const sparse = page.locator('[data-runtime=sparse]');
    await expect(sparse).toBeEnabled();
    await expect(sparse).toBeChecked();
    await page.locator('[data-runtime=dense]').uncheck();
    await page.getByTestId('eval-mode-current').click();
    await page.getByTestId('eval-limit').fill(String(LIMIT));
    await expect(page.getByTestId('eval-run')).toBeEnabled();
    await page.getByTestId('eval-run').click();
    await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
    await expect(page.getByTestId('eval-progress')).toContainText('measured by');
    await expect(page.getByTestId('eval-progress')).toContainText('onnxruntime (onnxruntime-web');
    await shot(page, 'cnn-flow-evaluate');
  });

  await test.step('export; the exported file in onnxruntime-node gives the accuracy shown', async () => {
    const download = page.waitForEvent('download');
    await exportCommand(page, 'export-model');
    const file = test.info().outputPath('exported.onnx');
    await (await download).saveAs(file);
    const exported = new Uint8Array(readFileSync(file));
    const oracle = await oracleAccuracy(exported, x, y, [1, 28, 28]);
    expect(oracle).toBeGreaterThan(0.7);
    expect(await accuracyShown(page, 'onnxruntime')).toBe(Number(oracle.toFixed(4)));
    expect(Math.abs((await accuracyShown(page, 'sparse')) - oracle)).toBeLessThanOrEqual(1 / LIMIT);
    // The export differs from the original: pruning zeroed weights (so the two models differ).
    expect(Buffer.compare(Buffer.from(exported), readFileSync(lenet))).not.toBe(0);
  });

  await test.step('no request left the app\'s origin; onnxruntime-web came from the app\'s own ort/ folder', async () => {
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => u.startsWith(`${origin}/ort/ort-wasm-simd-threaded`) && u.includes('.wasm'))).toBe(true);
  });

  expect(pageErrors).toEqual([]);
});

test('models Prunescope\'s runtime cannot run: onnxruntime alone, or Run disabled with every reason', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);

  await test.step('an op Prunescope lacks: its runtime is disabled with the reason; onnxruntime-web measures the accuracy', async () => {
    // Softsign (x / (1 + |x|)) keeps the order of the logits: the sample's predictions are unchanged.
    const bytes = sampleWith('Softsign', 'same', []);
    await page.locator('#open-model-input').setInputFiles({ name: 'softsign.onnx', mimeType: 'application/octet-stream', buffer: bytes });
    await expect(page.getByTestId('status-file')).toContainText('softsign.onnx');
    await tab(page, 'Evaluate');
    await page.getByTestId('eval-bundled').click();
    for (const r of ['sparse', 'dense']) {
      await expect(page.locator(`[data-runtime=${r}]`)).toBeDisabled();
      await expect(page.getByTestId(`eval-runtime-${r}`)).toHaveText('cannot run Softsign (node "same")');
    }
    await expect(page.getByTestId('eval-run-note')).toHaveText('Prunescope\'s runtime cannot run Softsign (node "same"): only onnxruntime will evaluate softsign.onnx.');
    await page.getByTestId('eval-mode-current').click();
    await page.getByTestId('eval-limit').fill(String(LIMIT));
    await page.getByTestId('eval-run').click();
    await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
    await expect(page.getByTestId('eval-progress')).toContainText('measured by onnxruntime (onnxruntime-web');
    await shot(page, 'cnn-flow-fallback');
    // The oracle: onnxruntime-node on the same 500 bundled digits.
    const images = gunzipSync(readFileSync(resolve(repo, 'resources/mnist/test-images-idx3-ubyte.gz')));
    const labels = gunzipSync(readFileSync(resolve(repo, 'resources/mnist/test-labels-idx1-ubyte.gz')));
    const x = new Float32Array(LIMIT * 784);
    for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
    const oracle = await oracleAccuracy(new Uint8Array(bytes), x, labels.subarray(8, 8 + LIMIT), [1, 28, 28]);
    expect(oracle).toBeGreaterThan(0.9);
    expect(await accuracyShown(page, 'onnxruntime')).toBe(Number(oracle.toFixed(4)));
  });

  await test.step('an op no runtime knows: Run is disabled, with both reasons', async () => {
    await page.locator('#open-model-input').setInputFiles({ name: 'mystery.onnx', mimeType: 'application/octet-stream', buffer: sampleWith('NoSuchOp', 'mystery', []) });
    await expect(page.getByTestId('status-file')).toContainText('mystery.onnx');
    await page.getByTestId('eval-bundled').click();
    await expect(page.locator('[data-runtime=onnxruntime]')).toBeDisabled();
    await expect(page.getByTestId('eval-runtime-onnxruntime')).toContainText('onnxruntime could not load the model');
    await expect(page.getByTestId('eval-run')).toBeDisabled();
    await expect(page.getByTestId('eval-run-note')).toContainText('No runtime can run mystery.onnx: Prunescope\'s runtime cannot run NoSuchOp (node "mystery"); onnxruntime could not load the model');
    await shot(page, 'cnn-flow-no-runtime');
  });

  expect(pageErrors).toEqual([]);
});
