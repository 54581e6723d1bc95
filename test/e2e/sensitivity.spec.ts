// The Sensitivity panel in the browser build (issue 16): the bundled sample on the bundled MNIST
// test set (its default, said on screen), ratios 0.5 and 0.9 on 500 samples: three curves, and each
// tensor's accuracy at 0.9 in the table equals what the CLI measures in its own engine process
// (`prunescope sensitivity … --json` on the same IDX files). The Sensitivity overlay paints the three
// Gemm boxes. Allocate at 90%: the allocated pruning is at least as accurate as uniform per-layer;
// "Apply as overrides" fills the Prune panel's overrides and its total sparsity reads 90.0%.
// Cancel during a long run leaves the panel usable (a second run completes). With the default
// ratios (up to 0.95) on 1,000 samples the allocation differs from uniform and is not worse.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp, openSample, repo, sampleModel, shot } from './helpers';

const mnist = (kind: 'images-idx3' | 'labels-idx1'): string => resolve(repo, `resources/mnist/test-${kind}-ubyte.gz`);

interface CliCurve {
  tensor: string;
  points: { ratio: number; accuracy: number }[];
}
interface CliReport {
  samples: number;
  baseline: { accuracy: number };
  curves: (CliCurve & { nodes: string[] })[];
}
let cli: CliReport;
let cliResnet: CliReport;
const resnet = resolve(repo, 'test/models/cnn/resnet.onnx');
const fashion = '/usr/share/datasets/fashion-mnist';
const fashionTest = [`${fashion}/t10k-images-idx3-ubyte.gz`, `${fashion}/t10k-labels-idx1-ubyte.gz`];

test.beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: repo, stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } });
  const out = execFileSync(
    process.execPath,
    ['out/cli/prunescope.js', 'sensitivity', sampleModel, '--data', mnist('images-idx3'), mnist('labels-idx1'), '--ratios', '0.5,0.9', '--limit', '500', '--json'],
    { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cli = JSON.parse(out) as typeof cli;
  const outResnet = execFileSync(process.execPath, ['out/cli/prunescope.js', 'sensitivity', resnet, '--data', ...fashionTest, '--ratios', '0.5,0.9', '--limit', '250', '--json'], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cliResnet = JSON.parse(outResnet) as CliReport;
});

test('sensitivity: curves match the CLI, the overlay, allocate and apply, cancel', async ({ page }) => {
  const errors = await openSample(page);
  await page.getByRole('tab', { name: 'Sensitivity' }).click();
  const panel = page.getByTestId('sensitivity');
  const progress = page.getByTestId('sens-progress');

  await test.step('the bundled digits are the sample’s default, and said so', async () => {
    await expect(page.getByTestId('sens-dataset')).toHaveText('Bundled MNIST test set');
    await expect(page.getByTestId('sens-dataset-note')).toContainText('default for the bundled sample');
    await expect(page.getByTestId('sens-dataset-info')).toContainText('2,000 samples');
    await expect(page.getByTestId('sens-selection')).toContainText('3 weight tensors');
    await expect(page.getByTestId('sens-empty')).toBeVisible();
  });

  await test.step('ratios 0.5, 0.9 on 500 samples: three curves equal to the CLI’s', async () => {
    await page.getByTestId('sens-ratios').fill('0.5, 0.9');
    await page.getByTestId('sens-limit').fill('500');
    await page.getByTestId('sens-run').click();
    await expect(progress).toContainText('Done: 3 tensors × 2 ratios on 500 samples');
    await expect(page.getByTestId('sens-legend').locator('button')).toHaveCount(3);
    expect(cli.samples).toBe(500);
    for (const c of cli.curves) {
      const want = c.points.find((p) => p.ratio === 0.9)!.accuracy;
      const cell = panel.locator(`[data-testid=sens-table] tr[data-tensor="${c.tensor}"] td[data-ratio="0.9"]`);
      expect(Number(await cell.getAttribute('data-value'))).toBe(want);
      await expect(cell).toHaveText((want * 100).toFixed(1));
    }
    await expect(page.getByTestId('sens-baseline')).toContainText(`unpruned ${(cli.baseline.accuracy * 100).toFixed(2)}%`);
    await page.getByTestId('sens-measure-loss').click();
    await expect(page.getByTestId('sens-table').locator('caption')).toContainText('Loss');
    await page.getByTestId('sens-measure-accuracy').click();
    await page.getByTestId('sens-table').scrollIntoViewIfNeeded();
    await shot(page, 'sensitivity-chart');
  });

  await test.step('the Sensitivity overlay paints the three Gemm boxes at 0.9', async () => {
    await expect(page.getByTestId('sens-overlay-ratio')).toHaveValue('0.9');
    await page.getByTestId('overlay-select').selectOption({ label: 'Sensitivity' });
    await expect(page.getByTestId('overlay-legend')).toContainText('Accuracy drop');
    const painted = await page.locator('[data-testid=graph] .gv-node[data-index]').evaluateAll((gs) =>
      gs.filter((g) => ((g.querySelector('.gv-box') as unknown as { style: { fill: string } } | null)?.style.fill ?? '') !== '').map((g) => Number(g.getAttribute('data-index'))),
    );
    // Flatten 0, Gemm 1, Relu 2, Gemm 3, Relu 4, Gemm 5
    expect(painted.sort()).toEqual([1, 3, 5]);
    await shot(page, 'sensitivity-overlay');
    await page.getByTestId('overlay-select').selectOption({ label: 'none' });
  });

  await test.step('allocate 90%: allocated ≥ uniform per layer; Apply fills the Prune overrides', async () => {
    await page.getByTestId('sens-target').fill('90');
    await page.getByTestId('sens-allocate').click();
    // the settings are those of the analysis just run: allocated from its curves, not measured again
    await expect(progress).toContainText('Allocated 90.0% overall from the curves of the last analysis');
    const compare = page.getByTestId('alloc-compare');
    const acc = async (name: string): Promise<number> => Number(await compare.locator(`tr[data-name="${name}"] td[data-col=accuracy]`).getAttribute('data-value'));
    const allocated = await acc('allocated');
    const uniform = await acc('uniform per layer');
    expect(Number.isFinite(allocated) && Number.isFinite(uniform)).toBe(true);
    expect(allocated).toBeGreaterThanOrEqual(uniform);
    await expect(page.getByTestId('alloc-table').locator('tbody tr')).toHaveCount(3);
    // 0.9 is the highest ratio measured: the allocation has no room and says so
    await expect(page.getByTestId('alloc-pinned')).toContainText('cannot differ from uniform');
    const ratios = await page.getByTestId('alloc-table').locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-tensor') ?? '', Number(r.querySelector('[data-col=ratio]')?.textContent)] as [string, number]),
    );
    await page.getByTestId('sens-apply').click();
    await expect(page.getByTestId('prune')).toBeVisible();
    for (const [tensor, ratio] of ratios) {
      await expect(page.getByTestId('prune-table').locator(`input[data-tensor="${tensor}"]`)).toHaveValue(String(ratio));
    }
    await expect(page.getByTestId('prune-sparsity')).toHaveText('90.0%');
  });

  await test.step('Cancel mid-run leaves the panel usable', async () => {
    await page.getByRole('tab', { name: 'Sensitivity' }).click();
    await page.getByTestId('sens-ratios').fill('0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95');
    await page.getByTestId('sens-limit').fill('');
    await page.getByTestId('sens-run').click();
    await expect(page.getByTestId('sens-cancel')).toBeEnabled();
    await expect(panel.locator('[data-testid=sens-table] td[data-value]').first()).toBeAttached();
    await page.getByTestId('sens-cancel').click();
    await expect(progress).toContainText('Cancelled');
    await expect(page.getByTestId('sens-run')).toBeEnabled();
    await expect(page.getByTestId('sens-ratios')).toBeEnabled();
    await page.getByTestId('sens-ratios').fill('0.5');
    await page.getByTestId('sens-limit').fill('200');
    await page.getByTestId('sens-run').click();
    await expect(progress).toContainText('Done: 3 tensors × 1 ratio on 200 samples');
  });

  await test.step('the default ratios (up to 0.95) give the allocation room: allocated ≥ uniform', async () => {
    await page.getByTestId('sens-ratios').fill('0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95');
    await page.getByTestId('sens-limit').fill('1000');
    await page.getByTestId('sens-allocate').click();
    // other ratios and samples than the last analysis: the curves are measured first
    await expect(progress).toContainText('Done: 3 tensors × 10 ratios on 1,000 samples');
    await expect(progress).toContainText('Allocated 90.0% overall');
    await expect(page.getByTestId('alloc-pinned')).toHaveCount(0);
    const compare = page.getByTestId('alloc-compare');
    const acc = async (name: string): Promise<number> => Number(await compare.locator(`tr[data-name="${name}"] td[data-col=accuracy]`).getAttribute('data-value'));
    expect(await acc('allocated')).toBeGreaterThanOrEqual(await acc('uniform per layer'));
    await page.getByTestId('sens-allocation').scrollIntoViewIfNeeded();
    await shot(page, 'sensitivity-allocate');
  });

  expect(errors).toEqual([]);
});

test('sensitivity of a CNN (resnet on Fashion-MNIST): waits for its data, ten curves equal to the CLI’s, the overlay', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resnet);
  await expect(page.getByTestId('status-file')).toContainText('resnet.onnx');
  await page.getByRole('tab', { name: 'Sensitivity' }).click();
  await expect(page.getByTestId('sens-dataset')).toHaveText('No labelled data chosen');
  await expect(page.getByTestId('sens-dataset-note')).toContainText('default only for the bundled sample');
  await expect(page.getByTestId('sens-run')).toBeDisabled();
  await expect(page.getByTestId('sens-run-note')).toContainText('waits for labelled data');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('sens-pick').click();
  await (await chooser).setFiles(fashionTest);
  await expect(page.getByTestId('sens-dataset-info')).toHaveText('10,000 samples · 28×28 · 10 classes');
  await page.getByTestId('sens-ratios').fill('0.5, 0.9');
  await page.getByTestId('sens-limit').fill('250');
  await page.getByTestId('sens-run').click();
  await expect(page.getByTestId('sens-progress')).toContainText(`Done: ${cliResnet.curves.length} tensors × 2 ratios on 250 samples`);
  await expect(page.getByTestId('sens-legend').locator('button')).toHaveCount(cliResnet.curves.length);
  for (const c of cliResnet.curves) {
    const cell = page.locator(`[data-testid=sens-table] tr[data-tensor="${c.tensor}"] td[data-ratio="0.9"]`);
    expect(Number(await cell.getAttribute('data-value'))).toBe(c.points.find((p) => p.ratio === 0.9)!.accuracy);
  }
  await page.getByTestId('overlay-select').selectOption({ label: 'Sensitivity' });
  const painted = await page.locator('[data-testid=graph] .gv-node[data-index]').evaluateAll((gs) =>
    gs.filter((g) => ((g.querySelector('.gv-box') as unknown as { style: { fill: string } } | null)?.style.fill ?? '') !== '').map((g) => g.getAttribute('data-index')),
  );
  expect(painted.length).toBe(new Set(cliResnet.curves.flatMap((c) => c.nodes)).size);
  // the chart, its legend and the table's first rows in view
  await page.getByTestId('sens-legend').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await shot(page, 'sensitivity-cnn');
  expect(errors).toEqual([]);
});
