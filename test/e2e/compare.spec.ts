// Compare in the browser build (issue 16): the sample MLP against itself pruned at 0.5 (exported by
// the app itself): the summary says 3 changed nodes and 3 tensors changed, each tensor's changed
// count as the spec counts it by decoding both files with the project's decoder (elements whose
// float32 values differ); the graph marks the three Gemms as changed; a row's overlaid histograms
// draw; then the sample against itself (dropped with Alt held): "No differences"; closing the
// comparison brings the empty state back.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decodeModel } from '../../src/core/onnx/decode';
import { tensorToFloat32 } from '../../src/core/onnx/tensor';
import { exportCommand, openApp, openSample, paintedPixels, repo, sampleModel, shot, tab } from './helpers';

/** Elements that differ per initializer present in both files with the same shape (only those that differ). */
function changedCounts(a: Uint8Array, b: Uint8Array): Map<string, { changed: number; count: number }> {
  const ma = decodeModel(a);
  const mb = decodeModel(b);
  const out = new Map<string, { changed: number; count: number }>();
  for (const ta of ma.graph.initializers) {
    const tb = mb.graph.initializers.find((t) => t.name === ta.name);
    if (!tb) continue;
    const x = tensorToFloat32(ta);
    const y = tensorToFloat32(tb);
    expect(y.length, ta.name).toBe(x.length);
    let changed = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) changed++;
    if (changed > 0) out.set(ta.name, { changed, count: x.length });
  }
  return out;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The inline fill of each op box, by node index ('' = unpainted). */
async function fills(page: Page): Promise<Map<number, string>> {
  const list = await page.locator('[data-testid=graph] .gv-node[data-index]').evaluateAll((gs) =>
    gs.map((g) => [Number(g.getAttribute('data-index')), (g.querySelector('.gv-box') as unknown as { style: { fill: string } } | null)?.style.fill ?? ''] as [number, string]),
  );
  return new Map(list);
}

/** Drops `bytes` as a file on the window, with Alt held (dragenter, dragover, drop). */
async function altDrop(page: Page, name: string, bytes: Buffer): Promise<void> {
  const script = `(() => {
    const dt = new DataTransfer();
    const data = Uint8Array.from(atob('${bytes.toString('base64')}'), (c) => c.charCodeAt(0));
    dt.items.add(new File([data], ${JSON.stringify(name)}, { type: 'application/octet-stream' }));
    const init = { dataTransfer: dt, altKey: true, bubbles: true, cancelable: true };
    for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, init));
  })()`;
  await page.evaluate(script);
}

const compareTab = (page: Page) => page.getByRole('tab', { name: 'Compare' }).click();

test('compare: the sample against itself pruned at 0.5, then against itself', async ({ page }) => {
  const errors = await openSample(page);
  const sampleBytes = readFileSync(sampleModel);

  await test.step('the empty state says how to start', async () => {
    await compareTab(page);
    await expect(page.getByTestId('compare-empty')).toContainText('Compare… in the toolbar');
    await expect(page.getByTestId('compare-empty')).toContainText('Alt or Shift');
    await shot(page, 'compare-empty');
  });

  let prunedPath = '';
  await test.step('export the sample pruned at 0.5', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.5');
    await expect(page.getByTestId('status-sparsity')).toHaveText('50.0%');
    const download = page.waitForEvent('download');
    await exportCommand(page, 'export-model');
    prunedPath = await (await download).path();
    await page.keyboard.press('Escape'); // the "Exported" banner
  });
  const expected = changedCounts(new Uint8Array(sampleBytes), new Uint8Array(readFileSync(prunedPath)));
  expect(expected.size).toBe(3);

  await test.step('Compare… picks the pruned file: summary, nodes, tensors', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('compare-with').click();
    await (await chooser).setFiles({ name: 'sample-pruned.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(prunedPath) });
    const summary = page.getByTestId('compare-summary');
    await expect(summary).toBeVisible();
    await expect(page.getByTestId('compare-b')).toHaveText('sample-pruned.onnx');
    await expect(page.getByTestId('compare-verdict')).toHaveText('3 nodes changed, 3 tensors changed');
    await expect(summary.locator('tr[data-row=changed] td')).toHaveText('3');
    await expect(summary.locator('tr[data-row=tensors-changed] td')).toHaveText('3');
    await expect(summary.locator('tr[data-row=added] td')).toHaveText('0');
    await expect(summary.locator('tr[data-row=removed] td')).toHaveText('0');
    const zeroed = [...expected.values()].reduce((s, e) => s + e.changed, 0);
    const params = decodeModel(new Uint8Array(sampleBytes)).graph.initializers.reduce((s, t) => s + tensorToFloat32(t).length, 0);
    await expect(summary.locator('tr[data-row=params] td')).toHaveText(count(params));
    // the sample's weights have no zeros of their own: every changed value became zero
    await expect(summary.locator('tr[data-row=nonzeros] td')).toHaveText(`${count(params)} → ${count(params - zeroed)}`);
    const nodes = page.getByTestId('compare-nodes').locator('tbody tr');
    await expect(nodes).toHaveCount(3);
    await expect(nodes.first()).toContainText('Gemm');
    await expect(nodes.first()).toContainText('input 1 (fc1.weight) differs');
    const rows = page.getByTestId('compare-tensors').locator('tbody tr');
    await expect(rows).toHaveCount(3);
    for (const [name, e] of expected) {
      await expect(page.getByTestId('compare-tensors').locator(`tr[data-tensor="${name}"] [data-col=changed]`)).toHaveText(`${count(e.changed)} / ${count(e.count)}`);
    }
  });

  await test.step('the graph marks the three Gemms as changed, a row selects its node', async () => {
    await expect(page.getByTestId('overlay-select')).toHaveValue('diff');
    await expect(page.getByTestId('overlay-legend')).toContainText('changed');
    const f = await fills(page);
    // Flatten 0, Gemm 1, Relu 2, Gemm 3, Relu 4, Gemm 5
    expect([1, 3, 5].map((i) => f.get(i))).toEqual(['rgb(240, 140, 0)', 'rgb(240, 140, 0)', 'rgb(240, 140, 0)']);
    expect([0, 2, 4].map((i) => f.get(i))).toEqual(['', '', '']);
    await page.getByTestId('compare-nodes').locator('tbody tr[data-index="3"]').click();
    await expect(page.locator('[data-testid=graph] .gv-node[data-index="3"]')).toHaveClass(/selected/);
    await shot(page, 'compare-graph');
  });

  await test.step('a tensor row opens its overlaid histograms; the columns sort', async () => {
    const table = page.getByTestId('compare-tensors');
    const first = [...expected.keys()][0];
    await table.locator(`tr[data-tensor="${first}"]`).click();
    await expect(page.getByTestId('compare-hist')).toBeVisible();
    await expect.poll(() => paintedPixels(page, '[data-testid=compare-hist-canvas]')).toBeGreaterThan(2000);
    await shot(page, 'compare-summary');
    await table.locator('th[data-sort=name]').click();
    const names = await table.locator('tbody tr[data-tensor]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-tensor') ?? ''));
    expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)));
  });

  await test.step('the sample against itself (Alt-drop): no differences, no marks', async () => {
    await altDrop(page, 'sample-copy.onnx', sampleBytes);
    await expect(page.getByTestId('compare-b')).toHaveText('sample-copy.onnx');
    await expect(page.getByTestId('compare-verdict')).toHaveText('No differences');
    await expect(page.getByTestId('compare-nodes-none')).toBeVisible();
    // the open model is still the sample (the drop compared, it did not open)
    await expect(page.getByTestId('compare-a')).toHaveText('sample-mlp.onnx');
    const f = await fills(page);
    expect([...f.values()].every((v) => v === '')).toBe(true);
  });

  await test.step('a file that is no model: one banner naming it, the open model and tab stay', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('compare-with').click();
    await (await chooser).setFiles({ name: 'junk.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an ONNX model') });
    const banner = page.getByTestId('banner');
    await expect(banner).toContainText('Could not compare with junk.onnx');
    await expect(page.getByTestId('status-file')).toContainText('sample-mlp.onnx');
    await expect(page.getByTestId('compare-empty')).toBeVisible();
    await page.keyboard.press('Escape');
  });

  await test.step('closing the comparison', async () => {
    await altDrop(page, 'sample-copy.onnx', sampleBytes);
    await expect(page.getByTestId('compare-verdict')).toHaveText('No differences');
    await page.getByTestId('compare-close').click();
    await expect(page.getByTestId('compare-empty')).toBeVisible();
    const f = await fills(page);
    expect([...f.values()].every((v) => v === '')).toBe(true);
  });
  expect(errors).toEqual([]);
});

test('compare: a CNN against its channel prune (exported by the CLI): shapes shrink, no histograms for them', async ({ page }) => {
  const resnet = resolve(repo, 'test/models/cnn/resnet.onnx');
  if (!existsSync(resolve(repo, 'out/cli/prunescope.js'))) execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: repo, stdio: 'inherit' });
  const out = test.info().outputPath('resnet-channels.onnx');
  execFileSync(process.execPath, ['bin/prunescope.js', 'export', resnet, '-o', out, '--ratio', '0.5', '--structure', 'channels'], { cwd: repo });
  const a = decodeModel(new Uint8Array(readFileSync(resnet)));
  const b = decodeModel(new Uint8Array(readFileSync(out)));
  const size = (t: { dims: readonly number[] }): number => t.dims.reduce((p, d) => p * d, 1);
  const paramsA = a.graph.initializers.reduce((p, t) => p + size(t), 0);
  const paramsB = b.graph.initializers.reduce((p, t) => p + size(t), 0);
  expect(paramsB).toBeLessThan(paramsA);

  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resnet);
  await expect(page.getByTestId('status-file')).toContainText('resnet.onnx');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('compare-with').click();
  await (await chooser).setFiles(out);
  const summary = page.getByTestId('compare-summary');
  await expect(summary.locator('tr[data-row=params] td')).toHaveText(`${count(paramsA)} → ${count(paramsB)}`);
  await expect(page.getByTestId('compare-nodes').locator('tbody tr').first()).toContainText('→');
  // a shrunk weight: its shape A → B, no value comparison, no histograms
  const conv = a.graph.initializers.find((t) => t.dims.length === 4 && b.graph.initializers.some((u) => u.name === t.name && u.dims[0] < t.dims[0]));
  expect(conv).toBeDefined();
  const bDims = b.graph.initializers.find((u) => u.name === conv?.name)?.dims ?? [];
  const row = page.getByTestId('compare-tensors').locator(`tr[data-tensor="${conv?.name}"]`);
  await expect(row).toContainText(`${conv?.dims.join('×')} → ${bDims.join('×')}`);
  await expect(row.locator('[data-col=changed]')).toHaveText('shape differs');
  await shot(page, 'compare-cnn');
  await row.click();
  await expect(page.getByTestId('compare-tensors')).toContainText('No histograms: the shapes differ');
});
