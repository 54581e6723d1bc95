// The deployment question in the browser build: a sweep of the sample MLP in the Evaluate panel
// shows, per point, the exported file's parameters (nonzero / all), MACs at batch 1 and file sizes,
// and its time in onnxruntime-web as a multiple of the unpruned model's, both timed in alternation
// (the note says so). Unstructured zeros leave every shape as it is, so onnxruntime cannot run the
// exported file faster: both points read about 1× (a wide band, not a time limit). The chart's right
// axis plots it.

import { expect, test } from '@playwright/test';
import { openApp, shot, tab } from './helpers';

test('evaluate: the exported file in onnxruntime beside the original, with its parameters, MACs and size', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
  await tab(page, 'Evaluate');
  await expect(page.getByTestId('eval-dataset-info')).toContainText('samples');
  await page.getByTestId('eval-mode-custom').click();
  await page.getByTestId('eval-ratios').fill('0.5, 0.9');
  await page.getByTestId('eval-limit').fill('300');
  await page.getByTestId('eval-run').click();
  const rows = page.getByTestId('eval-table').locator('tbody tr');
  await expect(rows).toHaveCount(2, { timeout: 600_000 });
  await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
  for (const ratio of ['0.5', '0.9']) {
    const row = page.locator(`[data-testid=eval-table] tbody tr[data-ratio="${ratio}"]`);
    // 1,796,010 parameters in all; the nonzero ones shrink with the ratio; the dense graph's MACs do not.
    await expect(row.locator('[data-col=exported-params]')).toHaveText(/^[\d.]+[kM] \/ 1\.80M$/);
    await expect(row.locator('[data-col=exported-macs]')).toHaveText('1.79M MACs');
    await expect(row.locator('[data-col=exported-file]')).toHaveText(/^6\.\d\d MB · sparse [\d.]+ MB$/);
    await expect(row.locator('[data-col=ort-original-batch1]')).toHaveText(/^b1 \d+\.\d\d×$/);
    await expect(row.locator('[data-col=ort-original-batch]')).toHaveText(/^large \d+\.\d\d×$/);
    for (const col of ['ort-original-batch1', 'ort-original-batch']) {
      const x = Number(/(\d+\.\d\d)×/.exec(await row.locator(`[data-col=${col}]`).innerText())?.[1]);
      expect(x, `${col} at ${ratio}`).toBeGreaterThanOrEqual(0.7);
      expect(x, `${col} at ${ratio}`).toBeLessThanOrEqual(1.4);
    }
  }
  await expect(page.locator('[data-testid=eval-table] tbody tr[data-ratio="0.9"] [data-col=exported-params]')).toHaveText(/^18\dk \/ 1\.80M$/);
  await expect(page.getByTestId('eval-table').locator('th', { hasText: 'exported file in onnxruntime ×original' })).toBeVisible();
  await expect(page.getByTestId('eval-original-note')).toContainText('timed in alternation with the original on the same samples after a warm-up of both, median of 7 rounds');
  await page.getByTestId('eval-right-axis').selectOption('ort-b1');
  await expect(page.getByTestId('eval-legend')).toContainText('onnxruntime ×original b1');
  await page.getByTestId('eval-chart').scrollIntoViewIfNeeded();
  await shot(page, 'evaluate-exported-file-chart');
  await page.getByTestId('eval-original-note').scrollIntoViewIfNeeded();
  await shot(page, 'evaluate-exported-file-table');
  // The table scrolls sideways in the panel: bring the exported file's columns into view.
  await page.locator('[data-testid=eval-table] [data-col=ort-original-batch]').first().scrollIntoViewIfNeeded();
  await shot(page, 'evaluate-exported-file-columns');
  await page.getByTestId('eval-right-axis').selectOption('macs');
  await expect(page.getByTestId('eval-legend')).toContainText('MACs');
});
