// Issue 19, exports from the app: an export or dump that needs a slow method's model (reconstruct /
// fine-tune not applied, or evicted from the engine's cache) shows progress and Cancel instead of
// recomputing silently; a cancelled export writes nothing. The Export control is a menu: arrow keys
// move, only click / Enter exports. "Export JSON" and "Export all matrices" both follow the Dumps
// panel's pruned / original choice. Downloads are decoded here with the ONNX schema.

import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { exportCommand, openApp, shot, tab } from './helpers';

/** Fraction of exact zeros among float32 values. */
function zeroFraction(values: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) z++;
  return z / values.length;
}

function floatsOf(raw: Uint8Array): Float32Array {
  const copy = new Uint8Array(raw);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** The downloads that arrive while `action` runs and shortly after. */
function collectDownloads(page: Page): { list: Download[]; stop(): void } {
  const list: Download[] = [];
  const on = (d: Download): void => void list.push(d);
  page.on('download', on);
  return { list, stop: () => page.off('download', on) };
}

test('exports: slow methods show progress and Cancel; the Export menu acts on click only; JSON and matrices follow the pruned choice', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();

  await test.step('the Export menu: arrow keys move between items and export nothing; Esc closes it', async () => {
    const downloads = collectDownloads(page);
    const menu = page.getByTestId('export-menu');
    await menu.focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('menu', { name: 'Export' })).toBeVisible();
    await expect(page.getByRole('menuitem', { name: 'Pruned model (.onnx)' })).toBeFocused();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('menuitem', { name: 'Histograms as PNG' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu', { name: 'Export' })).toBeHidden();
    await expect(menu).toBeFocused();
    // Give a wrongly fired export time to arrive.
    await page.waitForTimeout(1500);
    downloads.stop();
    expect(downloads.list).toHaveLength(0);
  });

  await test.step('a fine-tune export not applied: a progress card with Cancel; cancelled, nothing is downloaded', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.9');
    await page.getByRole('radio', { name: 'Fine-tune (training data)' }).check();
    await expect(page.getByTestId('prune-data')).toHaveText('Bundled MNIST train split');
    const downloads = collectDownloads(page);
    await exportCommand(page, 'export-model');
    const job = page.getByTestId('job');
    await expect(job).toBeVisible();
    await expect(job).toContainText('finetune at 0.9 for the export');
    // Wait for the engine's own progress, then cancel.
    await expect(page.getByTestId('job-progress')).not.toHaveText(/^(Starting…)$/);
    await shot(page, 'export-job-progress');
    await page.getByTestId('job-cancel').click();
    await expect(job).toBeHidden();
    await expect(page.getByTestId('banner')).toContainText('Cancelled');
    await page.waitForTimeout(1500);
    downloads.stop();
    expect(downloads.list).toHaveLength(0);
  });

  await test.step('a reconstruct export not applied: progress, then the pruned model downloads', async () => {
    await page.getByRole('radio', { name: 'Reconstruct (calibration)' }).check();
    await page.getByLabel('Calibration samples').fill('64');
    await page.getByLabel('Calibration samples').press('Tab');
    const download = page.waitForEvent('download', { timeout: 600_000 });
    await exportCommand(page, 'export-model');
    await expect(page.getByTestId('job')).toBeVisible();
    const model = fromBinary(ModelProtoSchema, readFileSync(await (await download).path()));
    await expect(page.getByTestId('job')).toBeHidden();
    const fc1 = model.graph?.initializer.find((t) => t.name === 'fc1.weight');
    if (!fc1) throw new Error('fc1.weight missing');
    // Per layer at 0.9: round(0.9 · 784,000) of fc1's weights are zero.
    expect(zeroFraction(floatsOf(fc1.rawData))).toBeCloseTo(0.9, 4);
  });

  await test.step('Dumps › pruned: Export JSON and Export all matrices both write the pruned model; unchecked, both the original', async () => {
    await tab(page, 'Dumps');
    const pruned = page.getByTestId('dump-pruned');
    await pruned.check();
    await expect(page.getByRole('button', { name: 'Export pruned JSON…' })).toBeVisible();
    const jsonDownload = page.waitForEvent('download', { timeout: 600_000 });
    await page.getByRole('button', { name: 'Export pruned JSON…' }).click();
    const json = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8'));
    const fc1 = json.graph.initializer.find((t: { name: string }) => t.name === 'fc1.weight');
    expect(zeroFraction(floatsOf(Buffer.from(fc1.rawData, 'base64')))).toBeCloseTo(0.9, 4);

    const matrixZeros = async (label: string): Promise<number> => {
      const downloads = collectDownloads(page);
      await page.getByRole('button', { name: label }).click();
      // The sample has six initializers: one text matrix each.
      await expect.poll(() => downloads.list.length, { timeout: 600_000 }).toBe(6);
      downloads.stop();
      const file = downloads.list.find((d) => d.suggestedFilename() === 'fc1.weight_matrix.txt');
      if (!file) throw new Error('fc1.weight_matrix.txt not downloaded');
      const values = readFileSync(await file.path(), 'utf8').trim().split(/\s+/).map(Number);
      expect(values).toHaveLength(784_000);
      return zeroFraction(values);
    };
    expect(await matrixZeros('Export all pruned matrices…')).toBeCloseTo(0.9, 4);
    await pruned.uncheck();
    // The original weights of a trained MLP: (almost) none is exactly zero.
    expect(await matrixZeros('Export all matrices…')).toBeLessThan(0.01);
    const originalJson = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON…' }).click();
    const original = JSON.parse(readFileSync(await (await originalJson).path(), 'utf8'));
    const fc1o = original.graph.initializer.find((t: { name: string }) => t.name === 'fc1.weight');
    expect(zeroFraction(floatsOf(Buffer.from(fc1o.rawData, 'base64')))).toBeLessThan(0.01);
  });

  expect(pageErrors).toEqual([]);
});
