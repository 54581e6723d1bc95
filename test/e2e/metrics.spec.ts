// Per-node metrics in the browser build (issue 16): Colour by MAC share gives the sample MLP's three
// Gemm boxes three different fills and a legend whose ticks are the smallest and largest shares
// (fc3: 1000·10 / 1,794,000 = 0.56%; fc2: 1000·1000 / 1,794,000 = 55.7%); Find queries by op and
// metric, and a bad term named beside the box; after a magnitude prune at 0.5, Properties shows the
// first Gemm's sparsity before → after (392,000 zeros of its 784,000 + 1,000 elements = 49.9%);
// a CNN (resnet) coloured by MAC share.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { exportCommand, openApp, openSample, repo, shot, tab } from './helpers';

const resnet = resolve(repo, 'test/models/cnn/resnet.onnx');

/** The inline fill of each op box, by node index ('' = unpainted). */
async function fills(page: Page): Promise<Map<number, string>> {
  const list = await page.locator('[data-testid=graph] .gv-node[data-index]').evaluateAll((gs) =>
    gs.map((g) => [Number(g.getAttribute('data-index')), (g.querySelector('.gv-box') as unknown as { style: { fill: string } } | null)?.style.fill ?? ''] as [number, string]),
  );
  return new Map(list);
}

test('metrics: MAC share overlay and legend, Find queries, Properties before → after a prune', async ({ page }) => {
  const errors = await openSample(page);

  await test.step('Colour by MAC share: three Gemm fills, Relu and Flatten neutral, a legend', async () => {
    await expect(page.getByTestId('status-macs')).toHaveText('1.79M');
    await page.getByTestId('overlay-select').selectOption({ label: 'MAC share' });
    const legend = page.getByTestId('overlay-legend');
    await expect(legend).toContainText('MAC share');
    await expect(legend.getByTestId('legend-min')).toHaveText('0.6%');
    await expect(legend.getByTestId('legend-max')).toHaveText('55.7%');
    await expect(legend).toContainText('no value');
    const f = await fills(page);
    // Flatten 0, Gemm 1, Relu 2, Gemm 3, Relu 4, Gemm 5
    const gemm = [1, 3, 5].map((i) => f.get(i) ?? '');
    expect(gemm.every((c) => c !== '')).toBe(true);
    expect(new Set(gemm).size).toBe(3);
    expect([0, 2, 4].map((i) => f.get(i))).toEqual(['', '', '']);
    await shot(page, 'metrics-overlay');
  });

  await test.step('the SVG export carries the fills and the legend', async () => {
    const event = page.waitForEvent('download');
    await exportCommand(page, 'export-graph-svg');
    const svg = readFileSync(await (await event).path(), 'utf8');
    expect(svg).toContain('MAC share (batch 1)');
    expect(svg).toContain('no value');
    expect(svg).toContain('55.7%');
    const boxFills = [...svg.matchAll(/class="gv-box"[^>]*style="fill: ([^;"]+)/g)].map((m) => m[1]);
    expect(new Set(boxFills).size).toBe(3);
  });

  await test.step('Find: op:Gemm, metric comparisons, a bad term', async () => {
    const find = page.getByTestId('find');
    const count = page.getByTestId('find-count');
    await find.fill('op:Gemm');
    await expect(count).toHaveText('3 found');
    // only the Gemms have weights: the Relus have no sparsity and never match
    await find.fill('sparsity<0.5');
    await expect(count).toHaveText('3 found');
    await find.fill('op:gemm macs>900k');
    await expect(count).toHaveText('1 found');
    await find.fill('params>1M');
    await expect(count).toHaveText('1 found');
    // a bare word also matches tensors: the Gemms that read a Relu's output
    await find.fill('relu');
    await expect(count).toHaveText('4 found');
    await find.fill('op:relu');
    await expect(count).toHaveText('2 found');
    await find.fill('sparsity<abc');
    await expect(count).toContainText('"sparsity<abc"');
    await find.fill('');
    await page.keyboard.press('Escape');
  });

  await test.step('prune at 0.5: the first Gemm’s metrics before → after, the overlay stays', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.5');
    await expect(page.getByTestId('status-sparsity')).toHaveText('50.0%');
    await page.getByTestId('overlay-select').selectOption({ label: 'sparsity' });
    await page.locator('[data-testid=graph] .gv-node[data-index="1"]').click();
    await tab(page, 'Properties');
    const metrics = page.getByTestId('node-metrics');
    await expect(metrics.locator('[data-metric=Sparsity]')).toHaveText('0.0% → 49.9%');
    await expect(metrics.locator('[data-metric=Parameters]')).toHaveText('785,000');
    await expect(metrics.locator('[data-metric="MACs (batch 1)"]')).toHaveText('784,000 (43.7%)');
    await expect(page.getByTestId('overlay-legend')).toContainText('Weight sparsity');
    await expect.poll(async () => (await fills(page)).get(1)).not.toBe('');
    await shot(page, 'metrics-properties');
  });
  expect(errors).toEqual([]);
});

test('metrics: a CNN (resnet) coloured by MAC share', async ({ page }) => {
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resnet);
  await expect(page.getByTestId('status-file')).toContainText('resnet.onnx');
  await expect(page.getByTestId('status-macs')).not.toHaveText('–');
  await page.getByTestId('overlay-select').selectOption({ label: 'MAC share' });
  await expect(page.getByTestId('overlay-legend')).toContainText('MAC share');
  const painted = async (): Promise<string[]> => [...(await fills(page)).values()].filter((c) => c !== '');
  // the 9 Conv and the Gemm carry MACs (the graph may still be laid out: poll); their shares differ
  await expect.poll(async () => (await painted()).length).toBe(10);
  expect(new Set(await painted()).size).toBeGreaterThan(1);
  await shot(page, 'metrics-resnet');
});
