// The shareable HTML report (prunescope report): written by the built CLI for the sample MLP with
// the bundled MNIST test set, then opened from file:// in Chromium with no server: the graph is laid
// out on the page (no worker) and stays interactive, the histograms and the sweep chart are drawn,
// and nothing is logged as an error (the page's policy forbids any load, so a reference outside the
// file would show up as a console error here).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { openReport, paintedPixels, repo, sampleModel, screenshotsDir } from './helpers';

const outDir = resolve(repo, 'test-results/report');
const file = resolve(outDir, 'sample-mlp-report.html');
const mnist = (kind: 'images-idx3' | 'labels-idx1'): string => resolve(repo, `resources/mnist/test-${kind}-ubyte.gz`);

test.beforeAll(() => {
  mkdirSync(outDir, { recursive: true });
  // The CLI and the report viewer as `npm run build:cli` makes them (rebuilt only when stale).
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: repo, stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } });
  execFileSync(
    process.execPath,
    ['out/cli/prunescope.js', 'report', sampleModel, '--data', mnist('images-idx3'), mnist('labels-idx1'), '--ratios', '0,0.5,0.9', '--limit', '300', '--batch', '100', '-o', file],
    { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] },
  );
});

test('the report opens from file:// and draws its graph, histograms and sweep', async ({ page }) => {
  const { errors, requests } = await openReport(page, file);
  await expect(page.getByTestId('report-title')).toHaveText('sample-mlp.onnx');
  for (const id of ['model', 'graph', 'nodes', 'histograms', 'sweep']) await expect(page.locator(`section[data-section="${id}"] h2`)).toBeVisible();
  await expect(page.getByTestId('report-facts')).toContainText('1,794,000');

  // The graph: laid out on the page (every op box drawn), and pan / zoom move the drawing.
  const graph = page.getByTestId('report-graph');
  await expect(graph.locator('.gv-root[data-drawn]')).toBeAttached();
  expect(await graph.locator('.gv-node').count()).toBeGreaterThanOrEqual(5);
  await expect(graph.getByText('Gemm').first()).toBeVisible();
  const transform = (): Promise<string | null> => graph.locator('svg.gv-svg > g').first().getAttribute('transform');
  const before = await transform();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect.poll(transform).not.toBe(before);
  await page.getByRole('button', { name: 'Fit' }).click();
  await graph.locator('.gv-node', { hasText: 'Gemm' }).first().click();
  await expect(page.getByTestId('report-node-info')).toContainText('MACs');

  // The histograms: one card per initializer of the sample (3 weights, 3 biases), each chart drawn
  // once it comes near the view.
  await page.getByTestId('report-histograms').scrollIntoViewIfNeeded();
  const cards = page.getByTestId('report-histograms').getByTestId('hist-card');
  await expect(cards).toHaveCount(6);
  expect(await paintedPixels(page, '[data-testid="report-histograms"] canvas')).toBeGreaterThan(500);

  // The sweep: its chart drawn and one table row per ratio.
  expect(await paintedPixels(page, '[data-testid="report-sweep-chart"]')).toBeGreaterThan(500);
  await expect(page.getByTestId('report-sweep-table').locator('tbody tr')).toHaveCount(3);

  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await page.screenshot({ path: resolve(screenshotsDir, 'report.png'), fullPage: true });
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
});

test('the report data cannot break out of its script element', () => {
  const html = readFileSync(file, 'utf8');
  expect(html.match(/<\/script>/g)?.length).toBe(2);
});

// A LeNet report with every optional section: compared with a copy pruned at 0.5, a sensitivity
// analysis with an allocation, and the per-node error of the copy, on 200 Fashion-MNIST samples.
const fashion = (kind: 'images-idx3' | 'labels-idx1'): string => `/usr/share/datasets/fashion-mnist/t10k-${kind}-ubyte.gz`;
const lenet = resolve(repo, 'test/models/cnn/lenet.onnx');
const prunedLenet = resolve(outDir, 'lenet-p50.onnx');
const full = resolve(outDir, 'lenet-report.html');

test('a report with --compare, --sensitivity and --errors draws the diff, the curves and the errors', async ({ page }) => {
  const cli = (args: string[]): void => {
    execFileSync(process.execPath, ['out/cli/prunescope.js', ...args], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  };
  cli(['prune', lenet, '--ratio', '0.5', '-o', prunedLenet]);
  cli(['report', lenet, '--data', fashion('images-idx3'), fashion('labels-idx1'), '--limit', '200', '--batch', '0', '--ratios', '0,0.5,0.9', '--compare', prunedLenet, '--sensitivity', '--allocate', '0.6', '--errors', '-o', full]);
  await page.setViewportSize({ width: 1200, height: 900 });
  const { errors, requests } = await openReport(page, full);
  for (const id of ['model', 'graph', 'nodes', 'histograms', 'sweep', 'sensitivity', 'diff', 'nodeErrors']) await expect(page.locator(`section[data-section="${id}"] h2`)).toBeVisible();
  await expect(page.getByTestId('report-omitted')).toHaveCount(0);
  // The graph coloured by MAC share: the Conv and Gemm boxes painted.
  await expect(page.getByTestId('report-graph').locator('.gv-root[data-drawn]')).toBeAttached();
  // The diff: LeNet's weights (2 Conv, 3 Gemm) each half zeroed by the prune; biases unchanged.
  const tensors = page.getByTestId('report-diff-tensors');
  await expect(tensors.locator('tbody tr')).toHaveCount(5);
  expect(await tensors.locator('svg.rp-overlaid path').count()).toBe(10);
  await expect(page.getByTestId('report-diff-summary')).toContainText('lenet-p50.onnx');
  // The sensitivity chart drawn, one table row per curve, the allocation's three comparisons.
  expect(await paintedPixels(page, '[data-testid="report-sensitivity-chart"]')).toBeGreaterThan(500);
  expect(await page.getByTestId('report-sensitivity-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('report-allocation-comparison').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('report-errors-summary')).toContainText('Top-1 class agreement');
  await page.locator('section[data-section="sensitivity"]').scrollIntoViewIfNeeded();
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await page.screenshot({ path: resolve(screenshotsDir, 'report-sections.png'), fullPage: true });
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
});
