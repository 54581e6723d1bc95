// The graph view in the browser build: the PaddleOCR recognizer opened through the app's file input
// (time to drawn graph reported, not asserted), every node in the DOM, pan, zoom, find, the sample
// MLP like Netron, and a Silero VAD If subgraph entered and left through the breadcrumb.

import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { expect, type Page, test } from '@playwright/test';
import { ModelProtoSchema } from 'onnx-buf';
import { ocrRecognizer, openApp, sampleModel, shot, sileroVad } from './helpers';

async function transform(page: Page): Promise<string> {
  return (await page.locator('[data-testid=graph] .gv-viewport').getAttribute('transform')) ?? '';
}

function drawnOpCount(path: string): number {
  // Every node except input-less Constants (folded into the boxes that use them) is a box.
  const nodes = fromBinary(ModelProtoSchema, readFileSync(path)).graph?.node ?? [];
  return nodes.filter((n) => !(n.opType === 'Constant' && n.input.every((i) => i === ''))).length;
}

test('graph view: OCR recognizer, pan, zoom, find; sample MLP; Silero subgraph', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await openApp(page);
  const graph = page.getByTestId('graph');

  await test.step('open the PaddleOCR recognizer and draw every node', async () => {
    const expected = drawnOpCount(ocrRecognizer);
    const t0 = Date.now();
    await page.locator('#open-model-input').setInputFiles(ocrRecognizer);
    await expect(graph.locator('.gv-node[data-index]')).toHaveCount(expected, { timeout: 300_000 });
    console.log(`graph e2e: OCR recognizer (${expected} boxes) drawn ${Date.now() - t0} ms after the file was chosen`);
    await expect(graph.locator('.gv-node[data-io=input]')).toHaveCount(1);
    await expect(graph.locator('.gv-edge').first()).toBeAttached();
    await shot(page, 'graph-ocr-fit');
  });

  await test.step('pan with a mouse drag changes the transform', async () => {
    const before = await transform(page);
    const box = (await graph.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + 160, { steps: 8 });
    await page.mouse.up();
    expect(await transform(page)).not.toBe(before);
  });

  await test.step('zoom buttons scale the drawing', async () => {
    const scale = async (): Promise<number> => Number(/scale\(([\d.e-]+)/.exec(await transform(page))?.[1] ?? 'NaN');
    const k0 = await scale();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(scale).toBeGreaterThan(k0);
    const k1 = await scale();
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(scale).toBeLessThan(k1);
  });

  await test.step('find highlights the matching nodes', async () => {
    const convs = fromBinary(ModelProtoSchema, readFileSync(ocrRecognizer)).graph?.node.filter((n) => n.opType === 'Conv').length ?? 0;
    expect(convs).toBeGreaterThan(10);
    await page.getByTestId('find').fill('conv');
    // "conv" matches every Conv op and any node whose name or tensors contain it.
    await expect.poll(() => graph.locator('.gv-node.gv-match').count()).toBeGreaterThanOrEqual(convs);
    const first = graph.locator('.gv-node.gv-match').first();
    await first.click();
    await expect(first).toHaveClass(/gv-selected/);
    await shot(page, 'graph-ocr-find');
    await page.getByTestId('find').fill('');
  });

  await test.step('the sample MLP looks like Netron', async () => {
    await page.locator('#open-model-input').setInputFiles(sampleModel);
    await expect(graph.getByText('B ⟨1000×784⟩')).toBeVisible();
    await expect(graph.getByText('C ⟨10⟩')).toBeVisible();
    await expect(graph.locator('.gv-edge-label', { hasText: /×1000$/ }).first()).toBeAttached();
    await shot(page, 'graph-mlp');
    await page.getByTestId('theme').click();
    await shot(page, 'graph-mlp-dark');
    await page.getByTestId('theme').click();
  });

  await test.step('enter a Silero VAD If subgraph and come back', async () => {
    await page.locator('#open-model-input').setInputFiles(sileroVad);
    const ifNode = graph.locator('.gv-node[data-index]', { has: page.locator('.gv-badge') }).first();
    await expect(ifNode).toBeVisible({ timeout: 120_000 });
    const mainCount = await graph.locator('.gv-node').count();
    await shot(page, 'graph-silero');
    await ifNode.dblclick();
    const menu = graph.locator('.gv-menu button');
    if ((await menu.count()) > 0) await menu.first().click();
    await expect(graph.locator('.gv-crumbs button')).not.toHaveCount(0);
    await expect(graph.locator('.gv-crumbs button').first()).toHaveText('Main');
    await expect(graph.locator('.gv-node[data-index]').first()).toBeVisible();
    await shot(page, 'graph-silero-subgraph');
    await graph.locator('.gv-crumbs button', { hasText: 'Main' }).click();
    await expect(graph.locator('.gv-crumbs button')).toHaveCount(0);
    await expect(graph.locator('.gv-node')).toHaveCount(mainCount);
  });

  expect(errors).toEqual([]);
});
