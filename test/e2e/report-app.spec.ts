// The app's Export Report in the browser build: the dialog lists what the file will hold (the
// sample's model sections, and the Evaluate panel's results once there are some), Export downloads
// one HTML file, and that file opens from file:// and draws its sections with no console error and
// no network.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { exportCommand, openReport, openSample, repo, screenshotsDir, shot } from './helpers';

test('Export › Report (.html) downloads a report that opens', async ({ page }) => {
  const pageErrors = await openSample(page);
  await exportCommand(page, 'export-report');
  const dialog = page.getByTestId('export-report-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('li[data-included="true"]')).toHaveCount(1);
  await expect(dialog).toContainText('run an evaluation or a sweep in the Evaluate panel first');
  await shot(page, 'report-app');
  const event = page.waitForEvent('download');
  await page.getByTestId('export-report-go').click();
  const download = await event;
  expect(download.suggestedFilename()).toBe('sample-mlp-report.html');
  const html = readFileSync(await download.path(), 'utf8');
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(pageErrors).toEqual([]);

  const dir = resolve(repo, 'test-results/report');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, 'app-report.html');
  writeFileSync(file, html);
  const report = await page.context().newPage();
  const { errors, requests } = await openReport(report, file);
  await expect(report.getByTestId('report-title')).toHaveText('sample-mlp.onnx');
  for (const id of ['model', 'graph', 'nodes', 'histograms']) await expect(report.locator(`section[data-section="${id}"] h2`)).toBeVisible();
  // No sweep was run in the app: the page says which sections were left out and why.
  await expect(report.getByTestId('report-omitted')).toContainText('Accuracy and time');
  await expect(report.getByTestId('report-nodes').locator('tbody tr')).toHaveCount(3);
  await report.screenshot({ path: resolve(screenshotsDir, 'report-app-file.png') });
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
});

test('the app report holds the open comparison (what the Compare tab shows)', async ({ page }) => {
  const pageErrors = await openSample(page);
  // Compare the sample with itself: one diff, "no differences".
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('compare-with').click();
  await (await chooser).setFiles({ name: 'copy.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(resolve(repo, 'resources/sample-mlp.onnx')) });
  await expect(page.getByTestId('compare-b')).toHaveText('copy.onnx');
  await exportCommand(page, 'export-report');
  const dialog = page.getByTestId('export-report-dialog');
  await expect(dialog.locator('li[data-included="true"]')).toHaveCount(2);
  await expect(dialog).toContainText('the diff with copy.onnx');
  const event = page.waitForEvent('download');
  await page.getByTestId('export-report-go').click();
  const html = readFileSync(await (await event).path(), 'utf8');
  expect(pageErrors).toEqual([]);
  const dir = resolve(repo, 'test-results/report');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, 'app-report-compare.html');
  writeFileSync(file, html);
  const report = await page.context().newPage();
  await openReport(report, file);
  await expect(report.getByTestId('report-diff-summary')).toContainText('B: copy.onnx');
  await expect(report.getByTestId('report-diff-summary')).toContainText('no differences');
});
