// Structure in the app (issue 15), in Chromium against the browser build with the real engine in
// its Web Worker: open the sample MLP, choose N:M by keyboard and see the ratio locked with the
// reason in words, a bad free N:M entry refused beside the field (nothing sent), Blocks, then
// Channels at 0.5: the live table shows each weight's kept shape, the graph the new widths
// (`B ⟨1000×784⟩ → ⟨500×784⟩` with the channel multiple 1; 504 with the default 8), the plan's note
// under the table, kept when fine-tune with channels is applied; Properties lists
// the removed channels; back to Unstructured clears them.
// Screenshots: structure-nm.png, structure-channel-multiple.png, structure-graph.png, structure-table.png, structure-properties.png.

import { expect, test, type Page } from '@playwright/test';
import { openSample, shot, tab } from './helpers';

// The sample is 784→1000→1000→10 (Gemm, B stored out×in). Channels at 0.5 per layer removes
// round(0.5 × 1000) = 500 neurons of each hidden layer; the last layer feeds the graph output and
// keeps its 10 outputs, losing only the 500 input columns of the removed neurons.
const NEW_WIDTHS = ['B ⟨1000×784⟩ → ⟨500×784⟩', 'C ⟨1000⟩ → ⟨500⟩', 'B ⟨1000×1000⟩ → ⟨500×500⟩', 'B ⟨10×1000⟩ → ⟨10×500⟩'];

async function pruneRow(page: Page, tensor: string): Promise<ReturnType<Page['locator']>> {
  return page.getByTestId('prune-table').locator(`tr[data-tensor="${tensor}"]`);
}

test('structure: N:M locks the ratio, a bad entry says why, channels show new widths and removed channels', async ({ page }) => {
  const pageErrors = await openSample(page);
  await tab(page, 'Prune');

  await test.step('N:M by keyboard: 2:4 locks the ratio at 50% and says why', async () => {
    // Focus the checked radio (Unstructured) and move right twice with the arrow key: N:M.
    await page.getByTestId('structure-unstructured').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('structure-channels')).toBeChecked();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('structure-nm')).toBeChecked();
    await expect(page.locator('#structure-nm-preset')).toHaveValue('2:4');
    await expect(page.getByTestId('prune-ratio-lock')).toHaveText('2:4 removes half of every group of 4: the ratio is fixed at 50%');
    await expect(page.getByTestId('prune-slider')).toBeDisabled();
    await expect(page.getByTestId('prune-ratio')).toBeDisabled();
    await expect(page.getByTestId('prune-ratio')).toHaveValue('0.5');
    // Every group of 4 keeps 2: exactly half of each weight goes (784000, 1000000, 10000 are multiples of 4).
    const fc1 = await pruneRow(page, 'fc1.weight');
    await expect(fc1.locator('[data-col="pattern"]')).toHaveText('2:4');
    await expect(fc1.locator('[data-col="sparsity"]')).toHaveText('50.0%');
    await expect(page.getByTestId('prune-sparsity')).toHaveText('50.0%');
    // Overrides can only leave a tensor dense.
    await expect(fc1.getByRole('checkbox', { name: 'Leave fc1.weight dense (override 0)' })).toBeVisible();
  });

  await test.step('a free N:M entry that does not read is refused beside the field; a good one is sent', async () => {
    await page.locator('#structure-nm-preset').selectOption('other');
    const entry = page.getByTestId('structure-nm-entry');
    await expect(entry).toBeFocused();
    await entry.fill('4:2');
    await expect(page.getByTestId('structure-error')).toContainText('N must be smaller than M');
    await expect(entry).toHaveAttribute('aria-invalid', 'true');
    // Nothing was sent: the table and the lock still say 2:4.
    await expect(page.getByTestId('prune-ratio-lock')).toContainText('2:4 removes half');
    await expect((await pruneRow(page, 'fc1.weight')).locator('[data-col="pattern"]')).toHaveText('2:4');
    await entry.fill('1:4');
    await expect(page.getByTestId('structure-error')).toBeHidden();
    await expect(page.getByTestId('prune-ratio-lock')).toHaveText('1:4 removes 3 of every group of 4: the ratio is fixed at 75%');
    await expect((await pruneRow(page, 'fc1.weight')).locator('[data-col="sparsity"]')).toHaveText('75.0%');
    await shot(page, 'structure-nm');
  });

  await test.step('blocks: 4×1 by default, the ratio free again', async () => {
    await page.getByTestId('structure').getByText('Blocks', { exact: true }).click();
    await expect(page.locator('#structure-blocks-preset')).toHaveValue('4x1');
    await expect(page.getByTestId('prune-slider')).toBeEnabled();
    await expect(page.getByTestId('prune-ratio-lock')).toBeHidden();
    await expect((await pruneRow(page, 'fc1.weight')).locator('[data-col="pattern"]')).toHaveText('4×1');
    await page.locator('#structure-blocks-preset').selectOption('4x4');
    await expect((await pruneRow(page, 'fc1.weight')).locator('[data-col="pattern"]')).toHaveText('4×4');
  });

  await test.step('channels at 0.5: kept shapes in the table, new widths on the graph', async () => {
    await page.getByTestId('structure').getByText('Channels', { exact: true }).click();
    await expect(page.getByTestId('prune-slider')).toBeEnabled();
    await expect(page.getByTestId('importance-l1')).toBeChecked();
    await expect(page.getByTestId('channel-multiple')).toHaveValue('8');
    await page.getByTestId('prune-ratio').fill('0.5');
    const fc1 = await pruneRow(page, 'fc1.weight');
    // Kept channels in multiples of 8 by default: 1000 × 0.5 = 500 kept, the nearest multiple of 8 is 504.
    await expect(fc1.locator('[data-col="shape"]')).toHaveText('1000×784 → 504×784');
    // The plan's note under the table: fc3 feeds the graph output and keeps its 10 outputs.
    await expect(page.getByTestId('prune-notes')).toContainText('fc3.weight: channels kept');
    await page.getByTestId('channel-multiple').scrollIntoViewIfNeeded();
    await shot(page, 'structure-channel-multiple');
    // 1 (exact): round(0.5 × 1000) = 500 removed.
    await page.getByTestId('channel-multiple').selectOption('1');
    await expect(fc1.locator('[data-col="shape"]')).toHaveText('1000×784 → 500×784');
    await expect((await pruneRow(page, 'fc2.weight')).locator('[data-col="shape"]')).toHaveText('1000×1000 → 500×500');
    await expect((await pruneRow(page, 'fc3.weight')).locator('[data-col="shape"]')).toHaveText('10×1000 → 10×500');
    await expect(fc1.locator('[data-col="pattern"]')).toHaveText('channels');
    const graph = page.getByTestId('graph');
    for (const text of NEW_WIDTHS) await expect(graph.locator('text.gv-changed', { hasText: text }).first()).toBeVisible();
    // fc3's bias keeps its 10 entries: drawn as before, not as changed.
    await expect(graph.locator('text.gv-weight:not(.gv-changed)', { hasText: 'C ⟨10⟩' })).toHaveCount(1);
    await expect(graph.locator('.gv-node.gv-pruned')).toHaveCount(3);
    // The hidden activations carry 500 features now (Gemm and Relu outputs of both hidden layers).
    await expect(graph.locator('text.gv-edge-label.gv-changed', { hasText: 'N×500' })).toHaveCount(4);
    await page.getByTestId('zoom-fit').click();
    await shot(page, 'structure-graph');
    await page.getByTestId('prune-table').scrollIntoViewIfNeeded();
    await shot(page, 'structure-table');
  });

  await test.step('Apply fine-tune with channels: the applied report keeps the new widths on the graph', async () => {
    await page.getByTestId('prune-method-finetune').check();
    await page.getByLabel('Training samples').fill('500');
    await page.getByLabel('Training samples').press('Tab');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Epochs').press('Tab');
    await page.getByTestId('prune-apply').click();
    await expect(page.getByTestId('prune-method-state')).toContainText('Applied finetune at 0.5 (channels)', { timeout: 300_000 });
    await expect(page.getByTestId('prune-error')).toBeHidden();
    const graph = page.getByTestId('graph');
    for (const text of NEW_WIDTHS) await expect(graph.locator('text.gv-changed', { hasText: text }).first()).toBeVisible();
  });

  await test.step('Properties: the removed channels of the selected Gemm', async () => {
    // The second Gemm (fc2) in the graph: its box holds the 1000×1000 weight.
    await page.getByTestId('graph').locator('.gv-node', { hasText: 'B ⟨1000×1000⟩' }).click();
    await tab(page, 'Properties');
    const pruned = page.getByTestId('node-pruned');
    await expect(pruned).toContainText('Pruned channels');
    const fc2 = pruned.locator('[data-tensor="fc2.weight"]');
    await expect(fc2).toContainText('⟨1000×1000⟩ → ⟨500×500⟩');
    await expect(fc2.getByTestId('removed-count')).toHaveText(['removed 500 of 1,000', 'removed 500 of 1,000']);
    const ranges = await fc2.getByTestId('removed-channels').first().textContent();
    // The ranges list exactly 500 indices below 1000.
    expect(countIndices(ranges ?? '')).toBe(500);
    await expect(pruned.locator('[data-tensor="fc2.bias"]')).toContainText('⟨1000⟩ → ⟨500⟩');
    await shot(page, 'structure-properties');
  });

  await test.step('back to Unstructured: the graph and Properties show the model as it is', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('structure').getByText('Unstructured', { exact: true }).click();
    await expect(page.getByTestId('graph').locator('text.gv-changed')).toHaveCount(0);
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩', { exact: true })).toBeVisible();
    await tab(page, 'Properties');
    await expect(page.getByTestId('node-pruned')).toBeEmpty();
  });
  expect(pageErrors).toEqual([]);
});

/** How many indices compact ranges list ("0–3, 7, 12–15" lists 4 + 1 + 4 = 9), each below 1000. */
function countIndices(text: string): number {
  let n = 0;
  for (const part of text.split(', ')) {
    const [a, b] = part.split('–').map(Number);
    if (a === undefined || !Number.isInteger(a) || a >= 1000) throw new Error(`bad range ${part}`);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}
