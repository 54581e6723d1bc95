// The whole user flow in Chromium against the browser build (engine in a Web Worker): open the
// sample (empty-state button and the file input), see its Gemm nodes with weight shapes, select
// the first Gemm and see its histogram, prune at 0.8, evaluate, sweep, export and check the file
// in Node with onnxruntime-node, open a real model from another exporter, open a corrupt file.
// Every step saves a screenshot to docs/screenshots/.

import { readFileSync, statSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type TensorProto } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { exportCommand, ocrRecognizer, openApp, paintedPixels, sampleModel, shot, sileroVad, tab } from './helpers';

// Facts of the sample's architecture (DESIGN.md: an MLP 784→1000→1000→10 exported as Gemm + Relu,
// weights stored transposed as B ⟨out×in⟩), and of per-layer magnitude pruning at ratio r: each
// weight matrix of n entries keeps n − round(r·n).
const LAYERS = [
  { dims: [1000, 784], n: 784_000 },
  { dims: [1000, 1000], n: 1_000_000 },
  { dims: [10, 1000], n: 10_000 },
];
const keptAt = (r: number, n: number): number => n - Math.round(r * n);
const fmt = (n: number): string => n.toLocaleString('en-US');

/** Float weights of a TensorProto decoded here with the protobuf schema (independent of the app). */
function floats(t: TensorProto): Float32Array {
  if (t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData); // an aligned copy (rawData may be a view into a Buffer)
    return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  }
  return Float32Array.from(t.floatData);
}

async function selectFirstGemm(page: Page): Promise<void> {
  const graph = page.getByTestId('graph');
  // The node box's title is its op type; the first Gemm in document order is the first layer.
  const gemm = graph.getByText('Gemm', { exact: true }).first();
  await gemm.click();
  await expect(page.getByTestId('node-op')).toHaveText(/^Gemm/);
}

test('the whole flow: open, inspect, prune, evaluate, sweep, export, real model, corrupt file', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await test.step('empty state', async () => {
    await openApp(page);
    await expect(page.getByTestId('empty')).toBeVisible();
    await expect(page.getByTestId('empty-open')).toHaveText('Open a model…');
    await shot(page, '01-empty-state');
  });

  await test.step('open the sample from the empty state: Gemm nodes with their weight shapes', async () => {
    await page.getByTestId('empty-sample').click();
    const graph = page.getByTestId('graph');
    await expect(graph.getByText('B ⟨1000×784⟩').first()).toBeVisible();
    await expect(graph.getByText('B ⟨1000×1000⟩').first()).toBeVisible();
    await expect(graph.getByText('B ⟨10×1000⟩').first()).toBeVisible();
    await expect(page.getByTestId('status-file')).toContainText('sample-mlp.onnx');
    // 784·1000 + 1000 + 1000·1000 + 1000 + 1000·10 + 10 parameters.
    await expect(page.getByTestId('status-params')).toHaveText(fmt(1_796_010));
    await expect(page.getByTestId('properties')).toContainText('Parameters');
    await shot(page, '02-sample-graph');
  });

  await test.step('open the sample again as a file the user picked', async () => {
    // The same file name, graph and sizes as the open before: wait for this open to finish (the
    // "Opening…" indicator hidden again), or what follows races it (an open clears Find).
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        opensDone: number;
        document: { querySelector(selector: string): { hidden: boolean } };
        MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
      };
      const el = g.document.querySelector('[data-testid=loading]');
      g.opensDone = 0;
      new g.MutationObserver(() => {
        if (el.hidden) g.opensDone++;
      }).observe(el, { attributes: true, attributeFilter: ['hidden'] });
    });
    await page.locator('#open-model-input').setInputFiles(sampleModel);
    await page.waitForFunction(() => (globalThis as unknown as { opensDone: number }).opensDone > 0);
    await expect(page.getByTestId('status-file')).toContainText('sample-mlp.onnx');
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
    const mb = statSync(sampleModel).size / (1024 * 1024);
    await expect(page.getByTestId('properties')).toContainText(`${mb.toFixed(mb < 10 ? 2 : 1)} MB`);
  });

  await test.step('find by op type: matches counted, Enter selects the next one', async () => {
    await page.keyboard.press('Control+f');
    await expect(page.getByTestId('find')).toBeFocused();
    // Find matches node names, op types and tensor names, case-insensitively: count those in the file.
    const nodes = fromBinary(ModelProtoSchema, readFileSync(sampleModel)).graph?.node ?? [];
    const hits = nodes.filter((n) => [n.name, n.opType, ...n.input, ...n.output].some((t) => t.toLowerCase().includes('relu')));
    expect(hits.length).toBeGreaterThanOrEqual(2);
    await page.getByTestId('find').fill('relu');
    await expect(page.getByTestId('find-count')).toHaveText(`${hits.length} found`);
    await page.getByTestId('find').press('Enter');
    await expect(page.getByTestId('find-count')).toHaveText(`1 of ${hits.length}`);
    await expect(page.getByTestId('node-op')).toHaveText(hits[0].opType);
    await expect(page.getByTestId('node-name')).toContainText(hits[0].name);
    await page.getByTestId('find').fill('');
    await page.keyboard.press('Escape');
  });

  await test.step('select the first Gemm: properties and its weight histogram', async () => {
    await selectFirstGemm(page);
    await expect(page.getByTestId('properties')).toContainText('float32 ⟨1000×784⟩');
    await shot(page, '03-gemm-properties');
    await tab(page, 'Histograms');
    const cards = page.getByTestId('hist-card');
    await expect(cards.first()).toContainText('1000×784');
    await expect(cards.first().getByTestId('hist-stats')).toContainText(fmt(784_000));
    await expect.poll(() => paintedPixels(page, '[data-testid=hist-card] canvas')).toBeGreaterThan(2000);
    await page.getByTestId('hist-log').click();
    await page.getByTestId('hist-bins').selectOption('128');
    await expect(cards.first()).toContainText('1000×784');
    await shot(page, '04-histogram');
  });

  await test.step('prune at 0.8: per-layer kept counts, status bar, threshold on the histogram', async () => {
    await tab(page, 'Prune');
    await page.getByTestId('prune-ratio').fill('0.8');
    const table = page.getByTestId('prune-table');
    for (const layer of LAYERS) {
      const row = table.locator('tbody tr').filter({ hasText: layer.dims.join('×') });
      await expect(row.locator('[data-col=kept]')).toHaveText(fmt(keptAt(0.8, layer.n)));
      await expect(row.locator('[data-col=sparsity]')).toHaveText('80.0%');
    }
    const keptTotal = LAYERS.reduce((s, l) => s + keptAt(0.8, l.n), 0);
    await expect(page.getByTestId('prune-kept-total')).toHaveText(fmt(keptTotal));
    await expect(page.getByTestId('prune')).toContainText(`of ${fmt(1_794_000)} prunable`);
    await expect(page.getByTestId('status-sparsity')).toHaveText('80.0%');
    await expect(page.getByTestId('status-kept')).toHaveText(fmt(1_796_010 - (1_794_000 - keptTotal)));
    await shot(page, '05-prune-0.8');
    // Global mode: one |w| threshold over all layers; the total removed is still round(0.8·N).
    await page.getByTestId('mode-global').click();
    await expect(page.getByTestId('prune-kept-total')).toHaveText(fmt(1_794_000 - Math.round(0.8 * 1_794_000)));
    await expect.poll(async () => new Set(await table.locator('[data-col=threshold]').allTextContents()).size).toBe(1);
    await page.getByTestId('mode-layer').click();
    await expect(table.locator('tbody tr').first().locator('[data-col=sparsity]')).toHaveText('80.0%');
    await tab(page, 'Histograms');
    await expect(page.getByTestId('hist-card').first()).toContainText('1000×784');
    await page.getByTestId('hist-linear').click();
    await shot(page, '06-histogram-threshold');
  });

  await test.step('evaluate at the current ratio', async () => {
    await tab(page, 'Evaluate');
    // The sample was last opened as a file the user picked: the bundled digits are the user's explicit choice.
    await expect(page.getByTestId('eval-run')).toBeDisabled();
    await page.getByTestId('eval-bundled').click();
    await expect(page.getByTestId('eval-dataset-info')).toContainText('samples');
    await page.getByTestId('eval-mode-current').click();
    await page.getByTestId('eval-run').click();
    const row = page.getByTestId('eval-table').locator('tbody tr[data-ratio="0.8"]');
    await expect(row).toBeVisible({ timeout: 600_000 });
    const accuracy = Number(await row.locator('[data-col=sparse-accuracy]').textContent());
    // A trained MNIST MLP pruned 80% per layer stays far above chance (the experiment: 0.972).
    expect(accuracy).toBeGreaterThan(0.9);
    await expect(row.locator('[data-col=sparse-time]')).toHaveText(/\d+(\.\d+)? (ms|s)/);
    await shot(page, '07-evaluate');
  });

  await test.step('a short sweep: chart and table rows', async () => {
    await page.getByTestId('eval-mode-custom').click();
    await page.getByTestId('eval-ratios').fill('0, 0.5, 0.8, 0.9');
    await page.getByTestId('eval-limit').fill('1000');
    await page.getByTestId('eval-run').click();
    const rows = page.getByTestId('eval-table').locator('tbody tr');
    await expect(rows).toHaveCount(4, { timeout: 900_000 });
    await expect(page.getByTestId('eval-progress')).toContainText('Done', { timeout: 900_000 });
    const ratios = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ratio')));
    expect(ratios).toEqual(['0', '0.5', '0.8', '0.9']);
    // At ratio 0 nothing is pruned: the sparse and dense runtimes compute the same function.
    const zero = rows.first();
    expect(await zero.locator('[data-col=sparse-accuracy]').textContent()).toBe(await zero.locator('[data-col=dense-accuracy]').textContent());
    await expect.poll(() => paintedPixels(page, '[data-testid=eval-chart]')).toBeGreaterThan(2000);
    await shot(page, '08-sweep');
    const csv = page.waitForEvent('download');
    await page.getByTestId('eval-csv').click();
    const csvText = readFileSync(await (await csv).path(), 'utf8');
    expect(csvText.split('\n')[0]).toContain('ratio,sparsity,runtime');
    expect(csvText.trim().split('\n').length).toBeGreaterThanOrEqual(1 + 4 * 2);
  });

  await test.step('export the pruned model: onnxruntime-node loads it; pruned weights are 80% zeros', async () => {
    const download = page.waitForEvent('download');
    await exportCommand(page, 'export-model');
    const file = test.info().outputPath('exported.onnx');
    await (await download).saveAs(file);
    const bytes = readFileSync(file);
    const original = fromBinary(ModelProtoSchema, readFileSync(sampleModel));
    const pruned = fromBinary(ModelProtoSchema, bytes);
    const session = await ort.InferenceSession.create(bytes);
    // One all-zero sample shaped as the model's declared input (symbolic dims → 1).
    const inputInfo = original.graph?.input.find((i) => i.name === session.inputNames[0]);
    const dimsOf = inputInfo?.type?.value.case === 'tensorType' ? (inputInfo.type.value.value.shape?.dim ?? []) : [];
    const shape = dimsOf.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : 1));
    expect(shape.reduce((a, b) => a * b, 1)).toBe(784);
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(784), shape) });
    expect(result[session.outputNames[0]].dims).toEqual([1, 10]);

    const byName = new Map(pruned.graph?.initializer.map((t) => [t.name, t]));
    const gemms = (original.graph?.node ?? []).filter((n) => n.opType === 'Gemm');
    expect(gemms).toHaveLength(3);
    for (const gemm of gemms) {
      const before = original.graph?.initializer.find((t) => t.name === gemm.input[1]);
      const after = byName.get(gemm.input[1]);
      if (!before || !after) throw new Error(`weight ${gemm.input[1]} missing`);
      const w0 = floats(before);
      const w1 = floats(after);
      expect(w1.length).toBe(w0.length);
      const zeros = w1.reduce((s, v) => s + (v === 0 ? 1 : 0), 0);
      expect(zeros / w1.length).toBeCloseTo(0.8, 6);
      // The survivors are the largest |w|: every kept weight is unchanged and at least as large as any zeroed one.
      let minKept = Infinity;
      let maxDropped = 0;
      let changed = 0;
      for (let i = 0; i < w0.length; i++) {
        if (w1[i] === 0) maxDropped = Math.max(maxDropped, Math.abs(w0[i]));
        else {
          if (w1[i] !== w0[i]) changed++;
          minKept = Math.min(minKept, Math.abs(w0[i]));
        }
      }
      expect(changed).toBe(0);
      expect(minKept).toBeGreaterThanOrEqual(maxDropped);
      // Biases are left alone.
      const bias0 = original.graph?.initializer.find((t) => t.name === gemm.input[2]);
      const bias1 = byName.get(gemm.input[2]);
      if (bias0 && bias1) expect(Array.from(floats(bias1))).toEqual(Array.from(floats(bias0)));
    }
  });

  await test.step('dumps: a 1000×784 matrix in a virtualized viewer', async () => {
    await tab(page, 'Dumps');
    await page.getByTestId('dump-show').click();
    await expect(page.getByTestId('dump-info')).toContainText('1,000 rows × 784 columns');
    const lines = page.getByTestId('dump-viewer').locator('.viewer-line');
    const inDom = await lines.count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(200);
    await page.getByTestId('dump-viewer').evaluate((el) => (el.scrollTop = 18 * 900));
    const row901 = lines.filter({ has: page.locator('.ln', { hasText: /^901$/ }) });
    await expect(row901).toHaveCount(1);
    // Row 901 of the first layer's weight matrix, compared with the file decoded here.
    const original = fromBinary(ModelProtoSchema, readFileSync(sampleModel));
    const firstGemm = original.graph?.node.find((n) => n.opType === 'Gemm');
    const weights = original.graph?.initializer.find((t) => t.name === firstGemm?.input[1]);
    if (!weights) throw new Error('first Gemm weight not found');
    // The viewer draws the columns in view (a row is ~8,000 characters): the complete numbers shown
    // at the left are the row's first values.
    const text = (await row901.textContent()) ?? '';
    const tokens = text.replace(/^901/, '').trim().split(/\s+/);
    const values = tokens.slice(0, -1).map(Number);
    expect(values.length).toBeGreaterThan(5);
    const w = floats(weights);
    // The text is float32's shortest round-trip form: parsing it back to float32 gives the stored value.
    expect(values.map((v) => Math.fround(v))).toEqual(Array.from(w.subarray(900 * 784, 900 * 784 + values.length)));
    // The whole row, as Save this… writes it: 784 values.
    const saved = page.waitForEvent('download');
    await page.getByTestId('dump-save').click();
    const savedRow = readFileSync(await (await saved).path(), 'utf8').split('\n')[900].trim().split(/\s+/).map(Number);
    expect(savedRow.map((v) => Math.fround(v))).toEqual(Array.from(w.subarray(900 * 784, 901 * 784)));
    await shot(page, '09-dumps-matrix');
  });

  await test.step('a real model from another exporter: the PaddleOCR recognizer', async () => {
    const nodes = fromBinary(ModelProtoSchema, readFileSync(ocrRecognizer)).graph?.node.length ?? 0;
    await page.locator('#open-model-input').setInputFiles(ocrRecognizer);
    await expect(page.getByTestId('status-file')).toContainText('ch_PP-OCRv4_rec_infer.onnx', { timeout: 300_000 });
    await tab(page, 'Properties');
    await expect(page.getByTestId('properties')).toContainText(fmt(nodes));
    await expect(page.getByTestId('graph').getByText('Conv', { exact: true }).first()).toBeVisible({ timeout: 300_000 });
    // Its weights are Constant nodes, not initializers: the first Conv's kernel still gets a histogram.
    const firstConv = fromBinary(ModelProtoSchema, readFileSync(ocrRecognizer)).graph?.node.find((n) => n.opType === 'Conv');
    await page.getByTestId('find').fill(firstConv?.name ?? 'Conv');
    await page.getByTestId('find').press('Enter');
    await expect(page.getByTestId('node-op')).toHaveText('Conv');
    await tab(page, 'Histograms');
    await expect(page.getByTestId('hist-card').first()).toContainText(firstConv?.input[1] ?? '');
    await expect.poll(() => paintedPixels(page, '[data-testid=hist-card] canvas')).toBeGreaterThan(500);
    await shot(page, '10-paddleocr');
  });

  await test.step('a model dropped on the window: Silero VAD (If subgraphs)', async () => {
    const base64 = readFileSync(sileroVad).toString('base64');
    // Built in the page: a DataTransfer holding the file, as the browser makes for a real drop.
    interface PageGlobals {
      atob(data: string): string;
      DataTransfer: new () => { items: { add(file: unknown): void } };
      File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
    }
    const transfer = await page.evaluateHandle((data) => {
      const w = globalThis as unknown as PageGlobals;
      const bytes = Uint8Array.from(w.atob(data), (c) => c.charCodeAt(0));
      const dt = new w.DataTransfer();
      dt.items.add(new w.File([bytes], 'silero_vad_v5.onnx', { type: 'application/octet-stream' }));
      return dt;
    }, base64);
    await page.getByTestId('center').dispatchEvent('dragenter', { dataTransfer: transfer });
    await page.getByTestId('center').dispatchEvent('drop', { dataTransfer: transfer });
    await expect(page.getByTestId('status-file')).toContainText('silero_vad_v5.onnx');
    await tab(page, 'Properties');
    await expect(page.getByTestId('properties')).toContainText('If ×');
    await shot(page, '11-silero-dropped');
  });

  await test.step('a corrupt file: a readable error naming it, the app keeps working', async () => {
    let seed = 12345;
    const junk = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 0xff));
    await page.locator('#open-model-input').setInputFiles({ name: 'bad.onnx', mimeType: 'application/octet-stream', buffer: junk });
    const banner = page.getByTestId('banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('bad.onnx');
    await expect(page.getByTestId('status-file')).toContainText('silero_vad_v5.onnx');
    await shot(page, '12-corrupt-file');
  });

  await test.step('dark theme and the shortcuts dialog', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('theme').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByTestId('sample').click();
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
    await tab(page, 'Histograms');
    await expect(page.getByTestId('hist-card').first()).toBeVisible();
    await shot(page, '13-dark-theme');
    await page.locator('body').press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await shot(page, '14-shortcuts');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  expect(consoleErrors).toEqual([]);
});
