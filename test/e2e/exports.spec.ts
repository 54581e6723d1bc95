// The browser build's exports beyond the pruned model: the graph as SVG and PNG, the histograms
// as PNG and the protobuf JSON rendering. Each download is checked as a file a user would get.

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { exportCommand, openApp, sampleModel } from './helpers';

async function download(page: Page, command: string): Promise<Buffer> {
  const event = page.waitForEvent('download');
  await exportCommand(page, command);
  return readFileSync(await (await event).path());
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('exports: graph as SVG and PNG, histograms as PNG, model as protobuf JSON', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await openApp(page);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();

  await test.step('graph as SVG: a standalone document with every node and weight shape', async () => {
    const svg = (await download(page, 'export-graph-svg')).toString('utf8');
    expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The sample is Flatten, 3 × Gemm, 2 × Relu (a fact of the model's structure).
    expect(svg.match(/>Gemm</g)?.length).toBe(3);
    expect(svg.match(/>Relu</g)?.length).toBe(2);
    for (const shape of ['⟨1000×784⟩', '⟨1000×1000⟩', '⟨10×1000⟩']) expect(svg).toContain(shape);
  });

  await test.step('graph as PNG: a real image of a tall graph', async () => {
    const { width, height } = pngSize(await download(page, 'export-graph-png'));
    expect(width).toBeGreaterThan(100);
    expect(height).toBeGreaterThan(width); // top-to-bottom layout of a chain of 6 nodes
  });

  await test.step('histograms as PNG: one image per weight of the selected Gemm', async () => {
    await page.locator('.gv-node[data-index]').filter({ hasText: '⟨1000×784⟩' }).first().click();
    await page.getByRole('tab', { name: 'Histograms' }).click();
    await expect(page.locator('[data-testid=hist-chart], canvas').first()).toBeVisible();
    const files: Buffer[] = [];
    page.on('download', async (d) => files.push(readFileSync(await d.path())));
    await exportCommand(page, 'export-histograms');
    // fc1.weight and fc1.bias
    await expect.poll(() => files.length).toBe(2);
    for (const f of files) expect(pngSize(f).width).toBeGreaterThan(100);
  });

  await test.step('model as protobuf JSON: field names, int64 as strings, bytes as base64', async () => {
    const json = JSON.parse((await download(page, 'export-json')).toString('utf8'));
    expect(json.irVersion).toBe('7');
    expect(json.graph.node.map((n: { opType: string }) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    const fc1 = json.graph.initializer.find((t: { name: string }) => t.name === 'fc1.weight');
    expect(fc1.dims).toEqual(['1000', '784']);
    const raw = Buffer.from(fc1.rawData, 'base64');
    expect(raw.length).toBe(1000 * 784 * 4);
    // The same bytes as the file's own copy of fc1.weight (located by searching the file).
    expect(readFileSync(sampleModel).indexOf(raw.subarray(0, 64))).toBeGreaterThan(0);
  });

  expect(errors).toEqual([]);
});
