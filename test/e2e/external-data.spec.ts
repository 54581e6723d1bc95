// The browser build opens a model together with its external data files: the sample MLP with its
// weights moved to sample-mlp.onnx.data (written here with the project's encoder), picked as two
// files and as their folder; the graph and the histograms show (the weights read from the File
// objects on demand). The .onnx alone names the missing data file; a model whose data is more than
// the browser build opens (a sparse 2 GB data file: nothing is read) is refused in one line.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { decodeModel } from '../../src/core/onnx/decode';
import { encodeModel } from '../../src/core/onnx/encode';
import { DataType, type Model, type Tensor } from '../../src/core/onnx/model';
import { openApp, paintedPixels, sampleModel, shot, tab } from './helpers';

let dir = '';

/** The sample MLP in `folder`, every initializer in sample-mlp.onnx.data (64-byte aligned). */
function writeExternalSample(folder: string): { model: string; data: string } {
  const model = decodeModel(new Uint8Array(readFileSync(sampleModel)), 'sample-mlp.onnx');
  const fd = openSync(join(folder, 'sample-mlp.onnx.data'), 'w');
  let at = 0;
  const initializers: Tensor[] = model.graph.initializers.map((t) => {
    const d = t.data as Float32Array;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    writeSync(fd, bytes, 0, bytes.length, at);
    const external = { location: 'sample-mlp.onnx.data', offset: at, length: bytes.length, entries: [] };
    at += Math.ceil(bytes.length / 64) * 64;
    return { name: t.name, dataType: t.dataType, dims: t.dims, external };
  });
  closeSync(fd);
  writeFileSync(join(folder, 'sample-mlp.onnx'), encodeModel({ ...model, graph: { ...model.graph, initializers } }));
  return { model: join(folder, 'sample-mlp.onnx'), data: join(folder, 'sample-mlp.onnx.data') };
}

/** A model of one [524288, 1024] float32 weight (2 GB) in a sparse data file (no disk used). */
function writeHuge(folder: string): { model: string; data: string } {
  const data = join(folder, 'huge.onnx.data');
  const fd = openSync(data, 'w');
  ftruncateSync(fd, 2 ** 31);
  closeSync(fd);
  const m: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'prunescope-test', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'huge', valueInfo: [], sparseInitializers: [],
      nodes: [{ name: 'mm', opType: 'MatMul', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: [] }],
      initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [524288, 1024], external: { location: 'huge.onnx.data', offset: 0, length: 2 ** 31, entries: [] } }],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 524288] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 1024] } }],
    },
  };
  writeFileSync(join(folder, 'huge.onnx'), encodeModel(m));
  return { model: join(folder, 'huge.onnx'), data };
}

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-e2e-external-'));
});
test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('browser: a model opened with its external data files, or refused plainly', async ({ page }) => {
  const folder = join(dir, 'mlp-external');
  mkdirSync(folder);
  const sample = writeExternalSample(folder);
  await openApp(page);

  await test.step('the .onnx alone: the missing data file is named', async () => {
    await page.locator('#open-model-input').setInputFiles(sample.model);
    const banner = page.getByTestId('banner');
    await expect(banner).toContainText('sample-mlp.onnx: its external data file sample-mlp.onnx.data was not picked; open the .onnx together with it (select several files, or the folder)');
    await shot(page, 'external-data-missing');
  });

  await test.step('the .onnx with its data file: graph and histograms', async () => {
    await page.locator('#open-model-input').setInputFiles([sample.model, sample.data]);
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
    await expect(page.getByTestId('banner')).toBeHidden();
    await tab(page, 'Histograms');
    const cards = page.getByTestId('hist-card');
    await expect(cards.first()).toContainText('1000×784');
    await expect(cards.first().getByTestId('hist-stats')).toContainText('784,000');
    await expect.poll(() => paintedPixels(page, '[data-testid=hist-card] canvas')).toBeGreaterThan(2000);
    await shot(page, 'external-data');
  });

  await test.step('the folder: the same model', async () => {
    await page.locator('#open-model-folder-input').setInputFiles(folder);
    await expect(page.getByTestId('graph').getByText('B ⟨1000×784⟩').first()).toBeVisible();
    await expect(page.getByTestId('banner')).toBeHidden();
  });

  await test.step('data over the browser build limit: refused before reading', async () => {
    const huge = writeHuge(dir);
    await page.locator('#open-model-input').setInputFiles([huge.model, huge.data]);
    await expect(page.getByTestId('banner')).toContainText(/huge\.onnx: its external data is 2\.00 GB; the browser build opens models with up to \d\.\d\d GB of data; use the desktop app or the CLI/);
    await shot(page, 'external-data-too-big');
  });
});
