// A language model in the Evaluate panel: the trained character-level GPT (test/models/language)
// with its held-out token ids (.npy [64, 32]). The bundled MNIST digits are not offered (they do not
// fit; the note says the model needs token ids); the dataset line says sequences × tokens and the
// vocabulary, a custom sweep gives perplexity per runtime (table and chart, y axis "perplexity"),
// magnitude 50% shows a higher perplexity than the unpruned model, and the right axis draws the
// time for the set.
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp, repo, shot, tab } from './helpers';

const model = resolve(repo, 'test/models/language/char-gpt.onnx');
const ids = resolve(repo, 'test/models/language/char-test.npy');

test('language model: token ids evaluated by perplexity in the Evaluate panel', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(model);
  await expect(page.getByTestId('status-file')).toContainText('char-gpt.onnx');
  await tab(page, 'Evaluate');
  // The bundled MNIST digits do not fit a token-id model: not offered; the note says what it needs.
  await expect(page.getByTestId('eval-bundled')).toBeHidden();
  await expect(page.getByTestId('eval-dataset-note')).toContainText('token ids int64 [N, T]');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('eval-pick').click();
  await (await chooser).setFiles(ids);
  await expect(page.getByTestId('eval-dataset-info')).toHaveText('64 sequences × 32 tokens, vocabulary 82 from the model');
  await page.getByTestId('eval-mode-custom').click();
  await page.getByTestId('eval-ratios').fill('0, 0.5');
  await expect(page.getByTestId('eval-run')).toBeEnabled();
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
  const ppl = async (ratio: number, runtime: string): Promise<number> => {
    const text = await page.getByTestId('eval-table').locator(`tbody tr[data-ratio="${ratio}"] [data-col=${runtime}-perplexity]`).first().textContent();
    return Number(/ppl ([\d.]+)/.exec(text ?? '')?.[1]);
  };
  // torch's held-out perplexity is 4.672 (the training script); onnxruntime-web and Prunescope agree.
  for (const r of ['sparse', 'onnxruntime']) expect(await ppl(0, r)).toBeCloseTo(4.672, 2);
  expect(await ppl(0.5, 'sparse')).toBeGreaterThan(1.2 * (await ppl(0, 'sparse')));
  await expect(page.getByTestId('eval-chart-caption')).toContainText('solid: perplexity');
  // Both axes draw: perplexity on the left, and on the right the time for the set (a language
  // model's sequences are timed in large batches), one point per ratio for every runtime.
  await expect(page.getByTestId('eval-chart-caption')).toContainText('dashed: time for the set');
  const legend = page.getByTestId('eval-legend');
  for (const r of ['sparse', 'dense', 'onnxruntime']) {
    await expect(legend.locator(`button[data-series="${r} perplexity"]`)).toHaveAttribute('data-points', '2');
    await expect(legend.locator(`button[data-series="${r} time"]`)).toHaveAttribute('data-points', '2');
  }
  await shot(page, 'language-model-evaluate');
  expect(pageErrors).toEqual([]);
});
