// Issue 19's rough edges in the app: Esc clears Find; the side panel has a keyboard-accessible
// resize handle whose width is remembered; an error banner goes when the failed action succeeds and
// notices dismiss themselves; the graph keeps its centre when the window resizes; an empty tensor's
// statistics say "empty" instead of "NaN / NaN"; a log-scale histogram's count axis starts below 1.

import { expect, test, type Page } from '@playwright/test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { openApp, tab } from './helpers';

/** A real ONNX file: y = Identity(w) where w is a float32 initializer of shape [0] (no elements). */
function emptyTensorModel(): Buffer {
  const model = create(ModelProtoSchema, {
    irVersion: 7n,
    opsetImport: [{ domain: '', version: 13n }],
    producerName: 'rough-edges.spec',
    graph: {
      name: 'empty',
      node: [{ name: 'id', opType: 'Identity', input: ['w'], output: ['y'] }],
      initializer: [{ name: 'w', dims: [0n], dataType: TensorProto_DataType.FLOAT }],
      output: [{ name: 'y', type: { value: { case: 'tensorType', value: { elemType: TensorProto_DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 0n } }] } } } } }],
    },
  });
  return Buffer.from(toBinary(ModelProtoSchema, model));
}

/** The zoom transform of the graph's drawing: [tx, ty, k]. */
async function graphTransform(page: Page): Promise<[number, number, number]> {
  const t = await page.locator('[data-testid=graph] g.gv-viewport').first().getAttribute('transform');
  const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)\s*scale\(([-\d.e]+)\)/.exec(t ?? '');
  if (!m) throw new Error(`no zoom transform in "${t}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

test('rough edges: Find, side panel width, banners, resize, empty tensors, log histograms', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.getByTestId('empty-sample').click();
  await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();

  await test.step('Esc in Find clears the query and its "no match"', async () => {
    await page.getByTestId('find').fill('no-such-node');
    await expect(page.getByTestId('find-count')).toHaveText('no match');
    await page.getByTestId('find').press('Escape');
    await expect(page.getByTestId('find-count')).toHaveText('');
    await expect(page.getByTestId('find')).toHaveValue('');
  });

  await test.step('the side panel resizes by keyboard and keeps its width after a reload', async () => {
    const sidebar = page.getByTestId('sidebar');
    const before = (await sidebar.boundingBox())?.width ?? 0;
    const handle = page.getByRole('separator', { name: 'Resize the side panel' });
    await handle.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Math.round((await sidebar.boundingBox())?.width ?? 0)).toBe(Math.round(before + 5 * 16));
    await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(before + 80)));
    // Dragging it right by 100 px narrows the panel by as much.
    const box = await handle.boundingBox();
    if (!box) throw new Error('no handle box');
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 100, box.y + 200, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => Math.round((await sidebar.boundingBox())?.width ?? 0)).toBe(Math.round(before - 20));
    await page.reload();
    await expect(page.getByTestId('status-engine')).toContainText('ready');
    await expect.poll(async () => Math.round((await page.getByTestId('sidebar').boundingBox())?.width ?? 0)).toBe(Math.round(before - 20));
    await page.getByTestId('empty-sample').click();
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
  });

  await test.step('an error banner goes when the failed action succeeds; a notice dismisses itself', async () => {
    await tab(page, 'Evaluate');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('eval-pick').click();
    await (await chooser).setFiles({ name: 'not-a-dataset.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    const banner = page.getByTestId('banner');
    await expect(banner).toContainText('not-a-dataset.txt');
    await page.getByTestId('eval-bundled').click();
    await expect(page.getByTestId('eval-dataset-info')).toContainText('samples');
    await expect(banner).toHaveCount(0);
    // A notice ("Exported …") leaves by itself after a few seconds.
    await page.getByTestId('export-menu').click();
    await page.getByRole('menuitem', { name: 'Pruned model (.onnx)' }).click();
    await expect(banner).toContainText('Exported');
    await expect(banner).toHaveCount(0, { timeout: 20_000 });
  });

  await test.step('the graph keeps its centre when the window resizes', async () => {
    const [tx, ty, k] = await graphTransform(page);
    const size = page.viewportSize() ?? { width: 1440, height: 900 };
    await page.setViewportSize({ width: size.width - 200, height: size.height - 100 });
    // The centre area is 200 px narrower and 100 px lower: the drawing moves by half of each.
    await expect.poll(async () => (await graphTransform(page)).map((v) => Math.round(v))).toEqual([Math.round(tx - 100), Math.round(ty - 50), Math.round(k)]);
    await page.setViewportSize(size);
  });

  await test.step('a log-scale histogram shows bins of a single weight (its axis starts below 1)', async () => {
    await page.getByTestId('graph').getByText('Gemm', { exact: true }).first().click();
    await tab(page, 'Histograms');
    await page.getByTestId('hist-log').click();
    const card = page.getByTestId('hist-card').first();
    await expect(card).toBeVisible();
    // The chart's computed count axis (the canvas carries it as data-y-min).
    await expect(card.locator('canvas')).toHaveAttribute('data-y-min', /.+/);
    const min = Number(await card.locator('canvas').getAttribute('data-y-min'));
    expect(min).toBeLessThan(1);
  });

  await test.step('an empty tensor says "empty" in its statistics', async () => {
    await page.locator('#open-model-input').setInputFiles({ name: 'empty-tensor.onnx', mimeType: 'application/octet-stream', buffer: emptyTensorModel() });
    await expect(page.getByTestId('status-file')).toContainText('empty-tensor.onnx');
    await page.getByTestId('graph').getByText('Identity', { exact: true }).first().click();
    await tab(page, 'Properties');
    await expect(page.getByTestId('properties')).toContainText('empty: no elements');
    await expect(page.getByTestId('properties')).not.toContainText('NaN');
    await tab(page, 'Histograms');
    await expect(page.getByTestId('hist-card').first()).toContainText('empty: no elements');
    await expect(page.getByTestId('hist-card').first()).not.toContainText('NaN');
  });

  expect(pageErrors).toEqual([]);
});
