// Fit on a tall graph (the PaddleOCR recognizer, ~440 boxes in a long column): after Fit (the
// toolbar button, and key 0 after panning away) every drawn box lies inside the graph view. Also:
// its CNN edges carry shape labels although the model records no value_info (core's shape inference).

import { expect, type Locator, type Page, test } from '@playwright/test';
import { ocrRecognizer, openApp } from './helpers';

/** The page's document, as the function given to page.evaluate sees it (the tests type-check without the DOM lib). */
declare const document: {
  querySelectorAll(selector: string): Iterable<{
    getBoundingClientRect(): { left: number; top: number; right: number; bottom: number };
    getAttribute(name: string): string | null;
  }>;
};

async function allBoxesInside(page: Page, graph: Locator): Promise<string[]> {
  const view = (await graph.locator('svg').first().boundingBox())!;
  return page.evaluate((v) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('[data-testid=graph] .gv-node')) {
      const r = el.getBoundingClientRect();
      if (r.left < v.x - 0.5 || r.top < v.y - 0.5 || r.right > v.x + v.width + 0.5 || r.bottom > v.y + v.height + 0.5) {
        out.push(`${el.getAttribute('data-index') ?? el.getAttribute('data-io')}: ${r.left},${r.top},${r.right},${r.bottom}`);
      }
    }
    return out;
  }, view);
}

test('Fit fits the whole PaddleOCR recognizer; its conv edges are labelled with shapes', async ({ page }) => {
  await openApp(page);
  const graph = page.getByTestId('graph');
  await page.locator('#open-model-input').setInputFiles(ocrRecognizer);
  await expect(graph.locator('.gv-node[data-index]').first()).toBeAttached({ timeout: 300_000 });
  await expect(graph.locator('.gv-edge').first()).toBeAttached();
  expect(await graph.locator('.gv-node').count()).toBeGreaterThan(300);

  // The first Conv's output is 1×3×48×W → 16 channels at stride 2: "?×16×24×?" (long symbols read '?').
  await expect(graph.locator('.gv-edge-label', { hasText: /^\?×16×24×\?$/ }).first()).toBeAttached();
  expect(await graph.locator('.gv-edge-label').count()).toBeGreaterThan(300);

  await page.getByTestId('zoom-fit').click();
  await expect.poll(() => allBoxesInside(page, graph)).toEqual([]);

  // Pan away and zoom in, then key 0 fits again.
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  expect((await allBoxesInside(page, graph)).length).toBeGreaterThan(0);
  await graph.locator('svg').first().click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('0');
  await expect.poll(() => allBoxesInside(page, graph)).toEqual([]);
});
