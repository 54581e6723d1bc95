// The browser build runs the Evaluate panel's large batch on several Web Workers: `npm run web`
// (vite preview) serves the page cross-origin isolated, so the engine's worker has SharedArrayBuffer,
// and the results say how many workers ran (×N, with the one-worker figure below it).

import { expect, test } from '@playwright/test';
import { openApp, tab } from './helpers';

test('evaluate: the large batch runs on the Web Workers of a cross-origin isolated page, and says so', async ({ page }) => {
  await openApp(page);
  expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
  await tab(page, 'Evaluate');
  await expect(page.getByTestId('eval-dataset-info')).toContainText('samples');
  await page.getByTestId('eval-mode-current').click();
  await page.getByTestId('eval-run').click();
  const row = page.getByTestId('eval-table').locator('tbody tr').first();
  await expect(row).toBeVisible({ timeout: 600_000 });
  const sparse = row.locator('[data-col=sparse-throughput]');
  const expected = Math.max(1, Math.min(4, cores));
  await expect(sparse).toHaveAttribute('data-workers', String(expected));
  await expect(sparse).toHaveText(new RegExp(`^[\\d,]+/s ×${expected}$`));
  if (expected > 1) await expect(row.locator('[data-col=sparse-one-worker]')).toHaveText(/^×1 [\d,]+\/s$/);
  // The dense runtime runs on the engine's own worker; both give the same answers.
  await expect(row.locator('[data-col=dense-throughput]')).toHaveAttribute('data-workers', '1');
  expect(await row.locator('[data-col=sparse-accuracy]').textContent()).toBe(await row.locator('[data-col=dense-accuracy]').textContent());
});
