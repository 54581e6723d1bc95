// Repeated blocks in the browser build: a generated 24-layer BERT-shaped encoder (about 2,000 ops,
// torch-style names) opens with its layers collapsed into one box, which expands with a click and
// collapses again from its frame's control; Find reaches a node inside a collapsed run (expanding
// it); Enter on a focused run expands it.

import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { bertGraph, bertGraphBytes } from '../support/bert-graph';
import { openApp, shot } from './helpers';

const LAYERS = 24;

test('repeated blocks: collapsed run, expand, collapse, find inside, Enter', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const file = test.info().outputPath('bert-24-layers.onnx');
  writeFileSync(file, bertGraphBytes({ layers: LAYERS }));
  const nodes = bertGraph({ layers: LAYERS }).graph.nodes;
  const inLayers = nodes.filter((n) => n.name.startsWith('/encoder/layer.')).length;
  const outside = nodes.length - inLayers;
  expect(inLayers).toBeGreaterThan(1500);

  await openApp(page);
  const graph = page.getByTestId('graph');
  await page.locator('#open-model-input').setInputFiles(file);

  await test.step('one collapsed box for the 24 layers, the rest drawn as ops', async () => {
    const group = graph.locator('.gv-node[data-group]');
    await expect(group).toHaveCount(1);
    await expect(group).toContainText(`Encoder layer × ${LAYERS}`);
    await expect(group).toContainText(`${inLayers / LAYERS} ops per block, ${inLayers} in all`);
    await expect(graph.locator('.gv-node[data-index]')).toHaveCount(outside);
    await shot(page, 'blocks-collapsed');
  });

  await test.step('a click expands it; the frame control collapses it again', async () => {
    // A tall graph may open at a readable scale showing its top (whether it does depends on the
    // fonts' widths, so on the machine): Fit first, as a user looking for the run would.
    await page.getByTestId('zoom-fit').click();
    await expect(graph.locator('.gv-node[data-group]')).toBeInViewport();
    await graph.locator('.gv-node[data-group]').click();
    await expect(graph.locator('.gv-node[data-index]')).toHaveCount(nodes.length);
    await expect(graph.locator('.gv-node[data-group]')).toHaveCount(0);
    const control = graph.locator('[data-collapse]');
    await expect(control).toHaveCount(1);
    await shot(page, 'blocks-expanded');
    await control.click();
    await expect(graph.locator('.gv-node[data-group]')).toHaveCount(1);
    await expect(graph.locator('.gv-node[data-index]')).toHaveCount(outside);
  });

  await test.step('Find reaches a node inside the collapsed run', async () => {
    const name = '/encoder/layer.17/attention/self/Softmax';
    const index = nodes.findIndex((n) => n.name === name);
    expect(index).toBeGreaterThan(0);
    await page.getByTestId('find').fill(name);
    const box = graph.locator(`.gv-node[data-index="${index}"]`);
    await expect(box).toHaveClass(/gv-match/);
    await expect(box).toBeInViewport();
    await shot(page, 'blocks-find');
    await page.getByTestId('find').fill('');
  });

  await test.step('the toolbar toggle collapses all; Enter on a focused run expands it', async () => {
    await graph.getByTestId('blocks-toggle').click();
    const group = graph.locator('.gv-node[data-group]');
    await expect(group).toHaveCount(1);
    await group.focus();
    await page.keyboard.press('Enter');
    await expect(graph.locator('.gv-node[data-index]')).toHaveCount(nodes.length);
  });
  expect(errors).toEqual([]);
});
