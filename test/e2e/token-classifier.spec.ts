// A BERT-style classifier with the inputs Hugging Face exports give it (input_ids, attention_mask,
// token_type_ids) in the Evaluate panel: the note says it needs ids with labels, the chosen .npz of
// integer ids is described with what the other inputs are fed, and Evaluate gives every runtime
// the accuracy torch measured (test/models/segments/README.md); the Sensitivity panel's curves on
// it equal the CLI's (whose points the integration tests check against onnxruntime); a model with an
// extra input nobody can fill has every runtime disabled before Run, the reason said once.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { torchAccuracy, withInputRenamed } from '../support/licence-model';
import { openApp, repo, shot, tab } from './helpers';

const dir = resolve(repo, 'test/models/segments');

test('token classifier: ids with labels, the mask and segments said, accuracy equal to torch', async ({ page }) => {
  const torch = torchAccuracy();
  expect(torch).toBeGreaterThan(0.5);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resolve(dir, 'licence-bert.onnx'));
  await expect(page.getByTestId('status-file')).toContainText('licence-bert.onnx');
  await tab(page, 'Evaluate');
  await expect(page.getByTestId('eval-bundled')).toBeHidden();
  await expect(page.getByTestId('eval-dataset-note')).toContainText('token ids int64 [N, T] with labels 0..2 (a classifier)');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('eval-pick').click();
  await (await chooser).setFiles(resolve(dir, 'licence-test.npz'));
  await expect(page.getByTestId('eval-dataset-info')).toHaveText('300 samples · 32 · 3 classes');
  await expect(page.getByTestId('ds-conversion')).toHaveText('Values: x: integer ids.');
  await expect(page.getByTestId('ds-fed')).toHaveText(
    "The model's other inputs are fed: attention_mask: all ones (every token attended: the sequences are taken as unpadded); token_type_ids: all zeros (one segment).",
  );
  await expect(page.getByTestId('eval-run')).toBeEnabled();
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 600_000 });
  for (const r of ['sparse', 'dense', 'onnxruntime']) {
    const text = await page.getByTestId('eval-table').locator(`tbody tr[data-ratio="0"] [data-col=${r}-accuracy]`).first().textContent();
    expect(Number(text), r).toBeCloseTo(torch, 3);
  }
  await shot(page, 'token-classifier-evaluate');
  expect(pageErrors).toEqual([]);
});

test('token classifier: sensitivity in the panel equals the CLI\'s', async ({ page }) => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: repo, stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } });
  const args = ['out/cli/prunescope.js', 'sensitivity', resolve(dir, 'licence-bert.onnx'), '--data', resolve(dir, 'licence-test.npz'), '--ratios', '0.5,0.9', '--json'];
  const cli = JSON.parse(execFileSync(process.execPath, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as {
    curves: { tensor: string; points: { ratio: number; accuracy: number }[] }[];
  };
  expect(cli.curves.length).toBe(10);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(resolve(dir, 'licence-bert.onnx'));
  await expect(page.getByTestId('status-file')).toContainText('licence-bert.onnx');
  await page.getByRole('tab', { name: 'Sensitivity' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('sens-pick').click();
  await (await chooser).setFiles(resolve(dir, 'licence-test.npz'));
  await expect(page.getByTestId('sens-dataset-info')).toHaveText('300 samples · 32 · 3 classes');
  await page.getByTestId('sens-ratios').fill('0.5, 0.9');
  await page.getByTestId('sens-run').click();
  await expect(page.getByTestId('sens-progress')).toContainText('Done: 10 tensors × 2 ratios on 300 samples');
  for (const c of cli.curves) {
    const cell = page.locator(`[data-testid=sens-table] tr[data-tensor="${c.tensor}"] td[data-ratio="0.9"]`);
    expect(Number(await cell.getAttribute('data-value')), c.tensor).toBe(c.points.find((p) => p.ratio === 0.9)!.accuracy);
  }
  expect(pageErrors).toEqual([]);
});

test('token classifier: an extra input nobody can fill disables every runtime, saying which', async ({ page }) => {
  const file = test.info().outputPath('speaker.onnx');
  writeFileSync(file, withInputRenamed('token_type_ids', 'speaker_ids'));
  await openApp(page);
  await page.locator('#open-model-input').setInputFiles(file);
  await expect(page.getByTestId('status-file')).toContainText('speaker.onnx');
  await tab(page, 'Evaluate');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('eval-pick').click();
  await (await chooser).setFiles(resolve(dir, 'licence-test.npz'));
  await expect(page.getByTestId('eval-dataset-info')).toHaveText('300 samples · 32 · 3 classes');
  const why = 'input "speaker_ids" cannot be fed: beside the data input "input_ids" Prunescope fills only attention_mask (ones), token_type_ids (zeros) and position_ids (0..T−1)';
  await expect(page.getByTestId('eval-run-note')).toHaveText(`No runtime can run speaker.onnx: ${why}`);
  await expect(page.getByTestId('eval-run')).toBeDisabled();
});
