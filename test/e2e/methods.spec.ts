// Pruning methods in the app (issue 5), in Chromium against the browser build with the real engine
// in its Web Worker: choose Reconstruct by keyboard, Apply at 0.9 with a small calibration set and
// see progress then the report; a calibration file that is not a dataset gives an error in the
// panel naming it; a sweep of magnitude + reconstruct shows one curve per method and a table where
// reconstruct at 0.9 beats magnitude (the premise: magnitude alone falls off a cliff at 90%,
// reconstruction from calibration samples keeps most of the accuracy); a fine-tune job is cancelled
// and the panel recovers. Screenshots: prune-methods.png, sweep-methods.png.

import { expect, test, type Page } from '@playwright/test';
import { openSample, paintedPixels, shot, tab } from './helpers';
import { METHOD_REGISTRY } from '../../src/core/prune/method-registry';

interface TextNode {
  textContent: string | null;
}
interface RecorderGlobals {
  __texts?: string[];
  document: { querySelector(selector: string): TextNode | null };
  MutationObserver: new (callback: () => void) => { observe(target: TextNode, options: Record<string, boolean>): void };
}

/** Starts recording every text the element shows (a MutationObserver in the page). */
async function recordTexts(page: Page, testid: string): Promise<void> {
  await page.evaluate((id) => {
    const w = globalThis as unknown as RecorderGlobals;
    const el = w.document.querySelector(`[data-testid="${id}"]`);
    if (!el) throw new Error(`no element ${id}`);
    const texts: string[] = [];
    w.__texts = texts;
    new w.MutationObserver(() => texts.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  }, testid);
}

async function recorded(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as RecorderGlobals).__texts ?? []);
}

test('pruning methods: reconstruct with progress, a bad calibration file, per-method sweep, cancelled fine-tune', async ({ page }) => {
  const pageErrors = await openSample(page);
  await tab(page, 'Prune');

  await test.step('the method radios are labelled, described and reachable by Tab; arrows choose', async () => {
    const magnitude = page.getByRole('radio', { name: 'Magnitude' });
    await expect(magnitude).toBeChecked();
    await expect(magnitude).toHaveAccessibleDescription(/smallest \|w\|/);
    await expect(page.getByRole('radio', { name: 'Reconstruct (calibration)' })).toHaveAccessibleDescription(/unlabelled samples/);
    await expect(page.getByRole('radio', { name: 'Fine-tune (training data)' })).toHaveAccessibleDescription(/labelled data/);
    await expect(page.getByTestId('prune-method-box')).toBeHidden();
    // From the checked structure radio (the group after the mode buttons), Tab lands on the checked method; ArrowDown picks the next one.
    await page.getByTestId('structure-unstructured').focus();
    await page.keyboard.press('Tab');
    await expect(magnitude).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('radio', { name: 'Reconstruct (calibration)' })).toBeChecked();
    await expect(page.getByTestId('prune-method-box')).toBeVisible();
    await expect(page.getByTestId('prune-data')).toHaveText('Bundled MNIST train split');
    await expect(page.getByLabel('Calibration samples')).toHaveValue('1000');
    await expect(page.getByLabel('Training samples')).toBeHidden();
    // The bundled training split: 8,000 digits, disjoint from the 2,000 of the test split.
    await expect(page.getByTestId('prune-data-info')).toHaveText('8,000 samples · 28×28 · 10 classes');
  });

  await test.step('reconstruct at 0.9 with 256 calibration samples: progress, then the report', async () => {
    await page.getByTestId('prune-ratio').fill('0.9');
    await page.getByLabel('Calibration samples').fill('256');
    await page.getByLabel('Calibration samples').press('Tab');
    await expect(page.getByTestId('prune-method-state')).toContainText('Not applied yet');
    await expect(page.getByTestId('prune-method-state')).toContainText('256 calibration samples of Bundled MNIST train split');
    await recordTexts(page, 'prune-progress');
    await page.getByTestId('prune-apply').click();
    await expect(page.getByTestId('prune-method-state')).toContainText('Applied reconstruct at 0.9', { timeout: 300_000 });
    // Progress came from the engine while it ran: texts other than the start and the end.
    const texts = await recorded(page);
    expect(texts.filter((t) => t !== '' && !t.startsWith('Starting') && !t.startsWith('Done')).length).toBeGreaterThan(0);
    await expect(page.getByTestId('prune-progress')).toContainText('Done: 256 calibration samples');
    await expect(page.getByTestId('prune-apply')).toBeEnabled();
    await expect(page.getByTestId('prune-sparsity')).toHaveText('90.0%');
    await expect(page.getByTestId('status-sparsity')).toHaveText('90.0%');
    await expect(page.getByTestId('prune-error')).toBeHidden();
    await shot(page, 'prune-methods');
  });

  await test.step('a calibration file that is not a dataset: an error in the panel naming it', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('prune-data-pick').click();
    await (await chooser).setFiles({ name: 'not-digits.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, this is not a dataset\n') });
    await expect(page.getByTestId('prune-data')).toHaveText('not-digits.txt');
    const error = page.getByTestId('prune-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('not-digits.txt');
    // The engine's own reading of the file: its first value is a word, not a number.
    await expect(error).toContainText('is not a number');
    await expect(page.getByTestId('prune-method-state')).toContainText('Not applied yet');
    // Back to the bundled split: the error goes, the applied reconstruction is current again.
    await page.getByTestId('prune-data-bundled').click();
    await expect(error).toBeHidden();
    await expect(page.getByTestId('prune-method-state')).toContainText('Applied reconstruct at 0.9');
  });

  await test.step('sweep magnitude + reconstruct at 0.5 and 0.9: two curves, both methods in the table', async () => {
    await tab(page, 'Evaluate');
    await page.getByTestId('eval-mode-custom').click();
    await page.getByTestId('eval-ratios').fill('0.5, 0.9');
    await page.getByTestId('eval-limit').fill('500');
    await page.locator('[data-runtime=dense]').uncheck();
    await expect(page.getByTestId('eval-method-magnitude')).toBeChecked();
    await expect(page.getByTestId('eval-method-reconstruct')).not.toBeChecked();
    await page.getByRole('checkbox', { name: 'reconstruct' }).check();
    await expect(page.getByTestId('eval-method-note')).toContainText('takes minutes');
    await page.getByTestId('eval-run').click();
    const rows = page.getByTestId('eval-table').locator('tbody tr');
    await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
    await expect(rows).toHaveCount(4);
    const keys = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-method')}@${tr.getAttribute('data-ratio')}`));
    expect(keys).toEqual(['magnitude@0.5', 'reconstruct@0.5', 'magnitude@0.9', 'reconstruct@0.9']);
    const accuracy = async (method: string, ratio: string): Promise<number> =>
      Number(await rows.and(page.locator(`[data-method=${method}][data-ratio="${ratio}"]`)).locator('[data-col=sparse-accuracy]').textContent());
    const magnitude90 = await accuracy('magnitude', '0.9');
    const reconstruct90 = await accuracy('reconstruct', '0.9');
    expect(reconstruct90).toBeGreaterThan(magnitude90);
    // Still a digit classifier far above chance after removing 90% of every weight matrix.
    expect(reconstruct90).toBeGreaterThan(0.9);
    const legend = page.getByTestId('eval-legend');
    await expect(legend.getByRole('button', { name: 'magnitude accuracy' })).toBeVisible();
    await expect(legend.getByRole('button', { name: 'reconstruct accuracy' })).toBeVisible();
    await expect(legend.getByRole('button')).toHaveCount(4);
    await expect.poll(() => paintedPixels(page, '[data-testid=eval-chart]')).toBeGreaterThan(2000);
    // The picture: the method choice, the chart with its legend and the table in one view.
    await page.getByTestId('eval-methods').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, 'sweep-methods');
    // A legend entry hides its curve and says so to screen readers.
    const entry = legend.getByRole('button', { name: 'magnitude time' });
    await entry.click();
    await expect(entry).toHaveAttribute('aria-pressed', 'false');
    await entry.click();
    await expect(entry).toHaveAttribute('aria-pressed', 'true');
  });

  await test.step('cancel a fine-tune job: the panel recovers and the report is unchanged', async () => {
    await tab(page, 'Prune');
    await page.getByRole('radio', { name: 'Fine-tune (training data)' }).check();
    // One default for the app and the CLI: the registry's (the CLI's default is checked in test/unit/cli).
    await expect(page.getByLabel('Epochs')).toHaveValue(String(METHOD_REGISTRY.finetune.defaults.epochs));
    await expect(page.getByLabel('Calibration samples')).toBeHidden();
    // Start from reconstruct's result (the CLI's --start reconstruct): said before Apply; cancelled in its reconstruct phase.
    await expect(page.getByLabel('Start from')).toHaveValue('magnitude');
    await page.getByLabel('Start from').selectOption('reconstruct');
    await expect(page.getByTestId('prune-method-state')).toContainText("from reconstruct's mask");
    const keptBefore = await page.getByTestId('prune-kept-total').textContent();
    await page.getByTestId('prune-apply').click();
    await expect(page.getByTestId('prune-cancel')).toBeEnabled();
    await expect(page.getByRole('radio', { name: 'Magnitude' })).toBeDisabled();
    // Wait until the engine reports progress, then cancel.
    await expect(page.getByTestId('prune-progress')).not.toHaveText(/^(Idle|Starting…)$/);
    await page.getByTestId('prune-cancel').click();
    await expect(page.getByTestId('prune-progress')).toContainText('Cancelled');
    await expect(page.getByTestId('prune-apply')).toBeEnabled();
    await expect(page.getByTestId('prune-cancel')).toBeDisabled();
    await expect(page.getByRole('radio', { name: 'Magnitude' })).toBeEnabled();
    await expect(page.getByTestId('prune-error')).toBeHidden();
    await expect(page.getByTestId('prune-method-state')).toContainText('Not applied yet');
    await expect(page.getByTestId('prune-kept-total')).toHaveText(keptBefore ?? '');
    await page.getByLabel('Start from').selectOption('magnitude');
    await expect(page.getByTestId('prune-method-state')).not.toContainText("from reconstruct's mask");
    // Magnitude is instant again: no Apply needed.
    await page.getByRole('radio', { name: 'Magnitude' }).check();
    await expect(page.getByTestId('prune-method-box')).toBeHidden();
    await expect(page.getByTestId('prune-sparsity')).toHaveText('90.0%');
  });

  await test.step('cancel a sweep with fine-tune: the Evaluate panel recovers', async () => {
    await tab(page, 'Evaluate');
    await page.getByRole('checkbox', { name: 'reconstruct' }).uncheck();
    await page.getByRole('checkbox', { name: 'finetune' }).check();
    await expect(page.getByTestId('eval-method-note')).toContainText('finetune prunes once per ratio');
    await expect(page.getByTestId('eval-method-note')).toContainText('starting from the model fine-tuned at the ratio below');
    await page.getByTestId('eval-run').click();
    await expect(page.getByTestId('eval-cancel')).toBeEnabled();
    await expect(page.getByTestId('eval-method-finetune')).toBeDisabled();
    await expect(page.getByTestId('eval-progress')).toContainText('finetune');
    await page.getByTestId('eval-cancel').click();
    await expect(page.getByTestId('eval-progress')).toHaveText('Cancelled');
    await expect(page.getByTestId('eval-run')).toBeEnabled();
    await expect(page.getByTestId('eval-cancel')).toBeDisabled();
    await expect(page.getByTestId('eval-method-finetune')).toBeEnabled();
    await expect(page.getByTestId('banner')).toHaveCount(0);
  });

  expect(pageErrors).toEqual([]);
});
