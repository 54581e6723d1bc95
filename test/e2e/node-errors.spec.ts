// Per-node error in the browser build (issue 16, where pruning hurts): the sample MLP pruned at 0.8
// (magnitude, per layer), measured on 64 samples of the bundled test set in Evaluate › Per-node
// error. The first Gemm's relative L2 must equal what the CLI's engine process measures for the
// same prune (`prunescope errors … --ratio 0.8 --samples 64 --json`: another process, another
// build of the engine); the graph is then coloured by the error. On resnet with channels removed
// the changed values show both shapes; Cancel stops a long run (the 10,000 Fashion-MNIST test images).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSample, repo, shot, tab } from './helpers';

const resnet = resolve(repo, 'test/models/cnn/resnet.onnx');
const fashion = '/usr/share/datasets/fashion-mnist';
const fashionTest = [`${fashion}/t10k-images-idx3-ubyte.gz`, `${fashion}/t10k-labels-idx1-ubyte.gz`];

interface CliReport {
  samples: number;
  nodes: { index: number; opType: string; outputs: { relL2?: number; cosine?: number }[] }[];
  top1Agreement?: number;
}

/** The CLI's measurement of the same prune (builds the CLI bundle first when it is not there). */
function cliReport(): CliReport {
  if (!existsSync(resolve(repo, 'out/cli/prunescope.js'))) execFileSync('npm', ['run', 'build:cli'], { cwd: repo, stdio: 'ignore' });
  const out = execFileSync('node', ['bin/prunescope.js', 'errors', 'resources/sample-mlp.onnx', '--ratio', '0.8', '--samples', '64', '--json'], { cwd: repo, encoding: 'utf8' });
  return JSON.parse(out) as CliReport;
}

/** The inline fill of each op box, by node index ('' = unpainted). */
async function fills(page: Page): Promise<Map<number, string>> {
  const list = await page.locator('[data-testid=graph] .gv-node[data-index]').evaluateAll((gs) =>
    gs.map((g) => [Number(g.getAttribute('data-index')), (g.querySelector('.gv-box') as unknown as { style: { fill: string } } | null)?.style.fill ?? ''] as [number, string]),
  );
  return new Map(list);
}

test('per-node error: table, the CLI’s value, sorting, selecting, the overlay', async ({ page }) => {
  const errors = await openSample(page);
  const cli = cliReport();
  const section = page.getByTestId('node-errors');

  await test.step('prune at 0.8, run on 64 bundled samples', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.8');
    await expect(page.getByTestId('status-sparsity')).toHaveText('80.0%');
    await tab(page, 'Evaluate');
    await expect(page.getByTestId('eval-dataset')).toHaveText('Bundled MNIST test set');
    await expect(section.getByTestId('node-errors-empty')).toBeVisible();
    await expect(section.getByTestId('node-errors-hint')).toContainText('ratio 0.8 (per layer, magnitude)');
    await expect(section.getByTestId('node-errors-samples')).toHaveValue('256');
    await section.getByTestId('node-errors-samples').fill('64');
    await section.getByTestId('node-errors-run').click();
    await expect(section.getByTestId('node-errors-progress')).toHaveText('Done: 6 nodes on 64 samples');
  });

  await test.step('the outputs on top, one row per node, the first Gemm as the CLI measured it', async () => {
    await expect(section.getByTestId('node-errors-caption')).toContainText('64 samples of Bundled MNIST test set');
    const summary = section.getByTestId('node-errors-summary');
    await expect(summary).toContainText('Model output logits: rel L2');
    const agree = cli.top1Agreement ?? NaN;
    await expect(summary).toContainText(`Top-1 agreement: ${(agree * 100).toFixed(1)}% (${Math.round(agree * 64)} of 64 samples)`);
    const rows = section.locator('tbody tr');
    await expect(rows).toHaveCount(6);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-op')))).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    for (const index of [1, 3, 5]) {
      const shown = Number(await section.locator(`tbody tr[data-index="${index}"]`).getAttribute('data-rel-l2'));
      const expected = cli.nodes[index].outputs[0].relL2 ?? NaN;
      expect(expected).toBeGreaterThan(0.01);
      expect(Math.abs(shown - expected) / expected).toBeLessThan(1e-5);
    }
    // Flatten only reshapes the input: no error.
    await expect(section.locator('tbody tr[data-index="0"] td').nth(3)).toHaveText('0');
    // the worst are highlighted: a quarter of the 5 rows with an error, rounded up (2): the largest two of the CLI's
    const largest = cli.nodes.map((n) => ({ i: n.index, e: n.outputs[0].relL2 ?? -1 })).sort((a, b) => b.e - a.e).slice(0, 2).map((x) => String(x.i));
    expect(await section.locator('tbody tr.worst').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-index')))).toEqual([...largest].sort());
    await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, 'errors-table');
  });

  await test.step('sort by error: the largest first; back to graph order', async () => {
    const worst = cli.nodes.map((n) => ({ i: n.index, e: n.outputs[0].relL2 ?? -1 })).sort((a, b) => b.e - a.e)[0].i;
    await section.getByTestId('node-errors-sort').click();
    await expect(section.locator('tbody tr').first()).toHaveAttribute('data-index', String(worst));
    await section.getByTestId('node-errors-sort').click();
    await expect(section.locator('tbody tr').first()).toHaveAttribute('data-index', '0');
  });

  await test.step('a row selects its node in the graph', async () => {
    await section.locator('tbody tr[data-index="3"]').click();
    await expect(page.locator('[data-testid=graph] .gv-node[data-index="3"]')).toHaveClass(/gv-selected/);
    await expect(section.locator('tbody tr[data-index="3"]')).toHaveClass(/selected/);
    // and a node picked in the graph marks its row
    await page.locator('[data-testid=graph] .gv-node[data-index="5"]').click();
    await expect(section.locator('tbody tr[data-index="5"]')).toHaveClass(/selected/);
    await expect(section.locator('tbody tr[data-index="3"]')).not.toHaveClass(/selected/);
    await tab(page, 'Evaluate');
    await section.locator('tbody tr[data-index="3"]').click();
  });

  await test.step('the run switched Colour by to the error: every measured box painted, a legend', async () => {
    await expect(page.getByTestId('overlay-select')).toHaveValue('node-error');
    await expect(page.getByTestId('overlay-legend')).toContainText('Output error (rel L2)');
    await expect.poll(async () => {
      const f = await fills(page);
      return [1, 3, 5].every((i) => (f.get(i) ?? '') !== '');
    }).toBe(true);
    const f = await fills(page);
    // three different errors, three different fills
    expect(new Set([1, 3, 5].map((i) => f.get(i))).size).toBe(3);
    // a node drawn as a title bar only (Relu) carries the colour on that bar
    await expect.poll(() => page.locator('[data-testid=graph] .gv-node[data-index="2"] .gv-head').evaluate((p) => (p as unknown as { style: { fill: string } }).style.fill)).toBe(f.get(2));
    expect(f.get(2)).not.toBe('');
    await page.mouse.move(700, 880);
    await shot(page, 'errors-overlay');
  });

  await test.step('a changed prune says the table is stale', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.5');
    await tab(page, 'Evaluate');
    await expect(section.getByTestId('node-errors-stale')).toContainText('Measured at ratio 0.8');
  });
  expect(errors).toEqual([]);
});

test('per-node error: Cancel stops a long run (resnet, Fashion-MNIST)', async ({ page }) => {
  test.skip(!existsSync(fashionTest[0]), 'Debian dataset-fashion-mnist is not installed');
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resnet);
  await expect(page.getByTestId('status-file')).toContainText('resnet.onnx');
  await tab(page, 'Evaluate');
  const section = page.getByTestId('node-errors');
  // no test set chosen: Run waits and says why
  await expect(section.getByTestId('node-errors-run')).toBeDisabled();
  await expect(section.getByTestId('node-errors-note')).toContainText('waits for a test set');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('eval-pick').click();
  await (await chooser).setFiles(fashionTest);
  await expect(page.getByTestId('eval-dataset-info')).toHaveText('10,000 samples · 28×28 · 10 classes');
  await test.step('channels removed: those values say "shape changed", the others have a number', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('structure').getByText('Channels', { exact: true }).click();
    await page.getByTestId('prune-ratio').fill('0.5');
    await expect(page.getByTestId('status-sparsity')).not.toHaveText('0.0%');
    await tab(page, 'Evaluate');
    await expect(section.getByTestId('node-errors-hint')).toContainText('ratio 0.5 (channels, per layer, magnitude)');
    await section.getByTestId('node-errors-samples').fill('32');
    await section.getByTestId('node-errors-run').click();
    await expect(section.getByTestId('node-errors-progress')).toHaveText(/^Done: \d+ nodes on 32 samples$/);
    const changed = section.locator('tbody td.ne-note', { hasText: 'shape' });
    expect(await changed.count()).toBeGreaterThan(0);
    expect(await section.locator('tbody tr[data-rel-l2]').count()).toBeGreaterThan(0);
    await expect(section.getByTestId('node-errors-summary')).toContainText('Model output logits: rel L2');
    await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, 'errors-channels');
  });
  await section.getByTestId('node-errors-samples').fill('10000');
  await section.getByTestId('node-errors-run').click();
  const progress = section.getByTestId('node-errors-progress');
  await expect(progress).toContainText(/of 10000 samples/);
  await section.getByTestId('node-errors-cancel').click();
  await expect(progress).toHaveText('Cancelled');
  await expect(section.getByTestId('node-errors-run')).toBeEnabled();
  // the cancelled run left the last result as it was
  await expect(section.getByTestId('node-errors-caption')).toContainText('on 32 samples of');
});
