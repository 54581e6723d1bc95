// SessionPool with real worker threads running the real worker bundle (out/cli/parallel-worker.js,
// built once per run by test/global-setup.ts), on the sample model.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../../src/core/data';
import { decodeModel } from '../../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../../src/core/onnx/encode';
import { applyPrune, planPrune } from '../../../../../src/core/prune';
import { Session } from '../../../../../src/core/runtime';
import { chunkSize, SessionPool } from '../../../../../src/engine/node/parallel';
import { CLI_OUT } from '../../../../support/paths';

const ROOT = join(__dirname, '../../../../..');
const MODEL = join(ROOT, 'resources/sample-mlp.onnx');
const dir = mkdtempSync(join(tmpdir(), 'prunescope-parallel-'));
const workerFile = join(CLI_OUT, 'parallel-worker.js');

beforeAll(async () => {
  await build({
    entryPoints: { driver: join(__dirname, 'fixtures/driver.ts') },
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['onnxruntime-node', 'electron'],
    logLevel: 'warning',
  });
  // The driver finds its worker script beside itself, as the CLI bundle does.
  copyFileSync(workerFile, join(dir, 'parallel-worker.js'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('SessionPool', () => {
  it('gives the outputs of a single Session for batches of 1, 2, 3 and 1000 real digits (model pruned at 0.9)', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(MODEL)), MODEL);
    const pruned = applyPrune(model, planPrune(model, { ratio: 0.9, mode: 'layer' }));
    const files = ['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => join(ROOT, 'resources/mnist', f));
    const ds = parseDataset(files.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
    const single = Session.create(pruned, { kernels: 'sparse' });
    const pool = await SessionPool.create(encodeModel(pruned), { workers: 2, workerFile });
    try {
      expect(pool.size).toBe(2);
      // 1 .. 3 go in equal shards; 1000, 1001 and 250 (after the first run) are shared out in
      // chunks the workers take from a shared counter: every sample exactly once, in its place.
      for (const batch of [1, 2, 3, 1000, 3, 1001, 250]) {
        const x = ds.images.subarray(0, batch * 784);
        const want = single.runFloat(x, batch).slice();
        const got = await pool.runBatch(x, batch);
        expect(got.length).toBe(batch * 10);
        expect(maxDiff(got, want), `batch ${batch}`).toBeLessThanOrEqual(1e-6);
        expect(pool.lastShares.reduce((a, b) => a + b, 0), `batch ${batch}`).toBe(batch);
        if (batch <= 3) expect(pool.lastShares).toEqual(batch === 1 ? [1] : [Math.ceil(batch / 2), Math.floor(batch / 2)]);
        else expect(pool.lastShares.length).toBe(2);
      }
      expect(chunkSize(1000, 2) % 24).toBe(0);
      expect(Math.ceil(1000 / chunkSize(1000, 2))).toBeGreaterThanOrEqual(8);
      // Two calls at once are queued, not mixed.
      const a = ds.images.subarray(0, 7 * 784);
      const b = ds.images.subarray(7 * 784, 20 * 784);
      const [ya, yb] = await Promise.all([pool.runBatch(a, 7), pool.runBatch(b, 13)]);
      expect(maxDiff(ya, single.runFloat(a, 7).slice())).toBeLessThanOrEqual(1e-6);
      expect(maxDiff(yb, single.runFloat(b, 13).slice())).toBeLessThanOrEqual(1e-6);
      // An input already in shared memory, at an offset, is read in place.
      const sab = new Float32Array(new SharedArrayBuffer(40 * 784 * 4));
      sab.set(ds.images.subarray(100 * 784, 140 * 784));
      const view = sab.subarray(9 * 784, 30 * 784);
      expect(maxDiff(await pool.runBatch(view, 21), single.runFloat(ds.images.subarray(109 * 784, 130 * 784), 21).slice())).toBeLessThanOrEqual(1e-6);
    } finally {
      await pool.dispose();
    }
  });

  it('load() replaces the model in every worker; a batch on the first worker only gives the same outputs', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(MODEL)), MODEL);
    const pruned = applyPrune(model, planPrune(model, { ratio: 0.95, mode: 'layer' }));
    const files = ['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => join(ROOT, 'resources/mnist', f));
    const ds = parseDataset(files.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
    const x = ds.images.subarray(0, 500 * 784);
    const pool = SessionPool.start({ workers: 2, workerFile });
    try {
      for (const m of [model, pruned, model]) {
        await pool.load(encodeModel(m));
        const want = Session.create(m, { kernels: 'sparse' }).runFloat(x, 500).slice();
        for (const use of [2, 1, 2]) {
          expect(maxDiff(await pool.runBatch(x, 500, use), want)).toBeLessThanOrEqual(1e-6);
          expect(pool.lastShares.length).toBe(use);
        }
      }
      // The two models answer differently: the reload did take effect.
      const a = await pool.runBatch(x, 500);
      await pool.load(encodeModel(pruned));
      expect(maxDiff(await pool.runBatch(x, 500), a)).toBeGreaterThan(1e-3);
      await expect(pool.load(new Uint8Array([0x08, 0x07, 0xff, 0xff]))).rejects.toThrow(/parallel worker \d could not load the model/);
    } finally {
      await pool.dispose();
    }
  });

  it('rejects with the worker\'s problem when the model bytes are bad', async () => {
    const junk = new Uint8Array([0x08, 0x07, 0xff, 0xff, 0xff, 0x12, 0x99, 0x01, 0x02]);
    await expect(SessionPool.create(junk, { workers: 2, workerFile, label: 'junk.onnx' })).rejects.toThrow(/junk\.onnx: parallel worker \d could not load the model: .+/);
  });

  it('rejects a run whose input does not fit the model, naming the worker, and keeps working', async () => {
    const pool = await SessionPool.create(new Uint8Array(readFileSync(MODEL)), { workers: 2, workerFile, label: 'sample' });
    try {
      await expect(pool.runBatch(new Float32Array(2 * 100), 2)).rejects.toThrow(/sample: parallel worker \d: .*(100|784)/);
      const y = await pool.runBatch(new Float32Array(2 * 784), 2);
      expect(y.length).toBe(20);
    } finally {
      await pool.dispose();
    }
    await expect(pool.runBatch(new Float32Array(784), 1)).rejects.toThrow(/disposed/);
  });

  it('runs from a bundle as a real process that ends by itself after dispose', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'driver.js'), MODEL]);
    const out = JSON.parse(stdout) as { length: number; first: number[] };
    const single = Session.create(decodeModel(new Uint8Array(readFileSync(MODEL)), MODEL), { kernels: 'sparse' });
    const want = single.runFloat(new Float32Array(5 * 784).fill(0.5), 5);
    expect(out.length).toBe(50);
    out.first.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-6));
  });
});
