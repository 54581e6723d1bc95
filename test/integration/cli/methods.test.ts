// `prunescope prune / eval / sweep --method …` run as a user runs them (a real subprocess on the
// bundled sample model and real files): written models are standard ONNX with exactly round(r·n)
// zeros per pruned tensor that onnxruntime-node runs with the accuracy Prunescope reports; the
// methods beat magnitude pruning at 90%; bad input is one line, exit 2, nothing written; Ctrl-C
// cancels without leaving a file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/core/dump';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { cliBin, prunescope, ROOT } from '../../support/cli';
import { accuracyOf, ortPredictions, SAMPLE, sampleDataset } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

// The private bundle lives in a temp folder: tell it where the bundled sample data is.
process.env.PRUNESCOPE_RESOURCES = join(ROOT, 'resources');
const tmp = fileTempDir('prunescope-cli-methods-');
const ds = sampleDataset();
const LIMIT = 1000;
const PRUNED = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
let magnitudeAccuracy = 0;

/** The accuracy columns of a one-row `eval` table, by header. */
function evalRow(stdout: string): Record<string, string> {
  const lines = stdout.split('\n');
  const h = lines.findIndex((l) => /^(method|ratio)\s/.test(l));
  const head = lines[h].trim().split(/\s{2,}/);
  const row = lines[h + 1].trim().split(/\s+/);
  return Object.fromEntries(head.map((k, i) => [k, row[i]]));
}

beforeAll(() => {
  cliBin();
  const r = prunescope(['eval', SAMPLE, '--ratio', '0.9', '--runtimes', 'sparse', '--no-batch1', '--batch', '500', '--limit', String(LIMIT)], tmp);
  expect(r.code, r.stderr).toBe(0);
  magnitudeAccuracy = Number(evalRow(r.stdout)['sparse acc']);
  expect(magnitudeAccuracy).toBeGreaterThan(0.5);
});

async function checkWritten(file: string, ratio: number): Promise<number> {
  const bytes = new Uint8Array(readFileSync(file));
  const model = decodeModel(bytes, file);
  for (const name of PRUNED) {
    const dense = model.graph.initializers.find((t) => t.name === name);
    if (dense) {
      const v = tensorToFloat32(dense);
      let zeros = 0;
      for (let i = 0; i < v.length; i++) if (v[i] === 0) zeros++;
      expect(zeros, name).toBe(Math.round(ratio * v.length));
    } else {
      // The sparse form: only the kept weights are stored, none of them zero.
      const sparse = model.graph.sparseInitializers.find((t) => t.values.name === name);
      expect(sparse, name).toBeDefined();
      const n = sparse!.dims.reduce((a, b) => a * b, 1);
      const values = tensorToFloat32(sparse!.values);
      expect(values.length, name).toBe(n - Math.round(ratio * n));
      expect(values.every((v) => v !== 0)).toBe(true);
    }
  }
  // onnxruntime-node, run here, against Prunescope's eval of the same file (both runtimes).
  const ortAccuracy = accuracyOf(await ortPredictions(bytes, ds, LIMIT), ds.labels.subarray(0, LIMIT));
  const r = prunescope(['eval', file, '--runtimes', 'sparse,onnxruntime', '--no-batch1', '--batch', '500', '--limit', String(LIMIT)], tmp);
  expect(r.code, r.stderr).toBe(0);
  const row = evalRow(r.stdout);
  expect(Number(row['sparse acc'])).toBe(ortAccuracy);
  expect(Number(row['ort acc'])).toBe(ortAccuracy);
  return ortAccuracy;
}

describe('prune --method', () => {
  it('reconstruct on the sample model (bundled training split by default)', async () => {
    const out = join(tmp, 'reconstruct.onnx');
    const r = prunescope(['prune', SAMPLE, '--ratio', '0.9', '--method', 'reconstruct', '--data-limit', '200', '-o', out], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^method: reconstruct$/m);
    expect(r.stdout).toMatch(/^fc2\.weight\s+1000×1000\s+1000000\s+100000\s+90\.0%/m);
    // Progress lines on stderr (not a terminal: one per tenth), ending at 100%.
    expect(r.stderr).toMatch(/^100% /m);
    const acc = await checkWritten(out, 0.9);
    // What reconstruction is for: it keeps far more accuracy than magnitude pruning.
    expect(acc).toBeGreaterThan(magnitudeAccuracy + 0.05);
  });

  it('finetune with one epoch on 500 training digits', async () => {
    const out = join(tmp, 'finetune.onnx');
    const r = prunescope(['prune', SAMPLE, '--ratio', '0.9', '--method', 'finetune', '--epochs', '1', '--data-limit', '500', '--sparse', '-o', out], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^method: finetune$/m);
    const acc = await checkWritten(out, 0.9);
    expect(acc).toBeGreaterThan(magnitudeAccuracy + 0.05);
  });

  it('finetune --start reconstruct: reconstruct first, then one step of training, both in the notes', async () => {
    const out = join(tmp, 'finetune-start.onnx');
    const r = prunescope(['prune', SAMPLE, '--ratio', '0.9', '--method', 'finetune', '--start', 'reconstruct', '--epochs', '1', '--data-limit', '500', '-o', out], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^note: started from reconstruct's mask and weights at ratio 0\.9 \(per layer\)$/m);
    expect(r.stdout).toMatch(/^note: reconstructed on 1000 calibration samples of "the bundled MNIST train split"/m);
    expect(r.stdout).toMatch(/^note: fine-tuned on 450 samples for 1 epoch/m);
    expect(r.stdout).not.toMatch(/gradual pruning/);
    const acc = await checkWritten(out, 0.9);
    expect(acc).toBeGreaterThan(magnitudeAccuracy + 0.05);
  });
});

describe('sweep --method', () => {
  it('magnitude and reconstruct in one table and CSV; reconstruct wins at 0.9', () => {
    const csv = join(tmp, 'methods.csv');
    const r = prunescope(
      ['sweep', SAMPLE, '--ratios', '0.5,0.9', '--method', 'magnitude,reconstruct', '--data-limit', '200', '--limit', '500', '--batch', '500', '--no-batch1', '--runtimes', 'sparse', '--csv', csv],
      tmp,
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^(magnitude|reconstruct)\s+0\.\d/.test(l));
    expect(rows.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['magnitude 0.5', 'magnitude 0.9', 'reconstruct 0.5', 'reconstruct 0.9']);
    const table = parseCsv(readFileSync(csv, 'utf8'));
    const col = (n: string): number => table[0].indexOf(n);
    expect(table.slice(1).map((row) => `${row[col('method')]} ${row[col('ratio')]}`)).toEqual(rows.map((l) => l.split(/\s+/).slice(0, 2).join(' ')));
    expect(new Set(table.slice(1).map((row) => row[col('runtime')]))).toEqual(new Set(['sparse']));
    const acc = (method: string, ratio: string): number => Number(table.find((row) => row[col('method')] === method && row[col('ratio')] === ratio)![col('accuracy')]);
    expect(acc('reconstruct', '0.9')).toBeGreaterThan(acc('magnitude', '0.9'));
  });
});

describe('bad input: one line, exit 2, nothing written', () => {
  const tiny = join(tmp, 'tiny.txt');
  // The sample's network under another producer name: a model that is not the bundled sample.
  const other = join(tmp, 'other-mlp.onnx');
  beforeAll(() => {
    writeFileSync(tiny, '0.1 0.2 0.3 1\n0.4 0.5 0.6 0\n');
    const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)), SAMPLE);
    writeFileSync(other, encodeModel({ ...m, producerName: 'someone-else' }));
  });

  const cases: { what: string; args: () => string[]; message: RegExp }[] = [
    {
      what: 'reconstruct on a model that is not the bundled sample, without --calib',
      args: () => ['prune', other, '--ratio', '0.95', '--method', 'reconstruct', '-o', join(tmp, 'out-1.onnx')],
      message: /--method reconstruct needs calibration samples: give --calib/,
    },
    {
      what: 'finetune on a model that is not the bundled sample, without --train',
      args: () => ['sweep', other, '--ratios', '0.9', '--method', 'magnitude,finetune', '--csv', join(tmp, 'out-2.csv')],
      message: /--method finetune needs labelled training samples: give --train/,
    },
    {
      what: 'a training set with the wrong image size',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'finetune', '--train', tiny, '-o', join(tmp, 'out-3.onnx')],
      message: new RegExp(`training set ${tiny.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: samples have shape \\[3\\] \\(3 values\\)`),
    },
    {
      what: 'an unknown method',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'obs', '-o', join(tmp, 'out-4.onnx')],
      message: /--method obs: expected magnitude, reconstruct, finetune or wanda/,
    },
    {
      what: '--epochs out of range',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'finetune', '--epochs', '0', '-o', join(tmp, 'out-5.onnx')],
      message: /--epochs 0: must be an integer from 1 to 100/,
    },
    {
      what: '--distill neither 0 nor 1',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'finetune', '--distill', '2', '-o', join(tmp, 'out-5b.onnx')],
      message: /--distill 2: must be 0 \(off\) or 1 \(on\)/,
    },
    {
      what: '--lr out of range',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'finetune', '--lr', '2', '-o', join(tmp, 'out-5c.onnx')],
      message: /--lr 2: must be a number in \(0, 1\], e.g\. 1e-3/,
    },
    {
      what: '--lr with a method that does not train',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--lr', '1e-3', '-o', join(tmp, 'out-5d.onnx')],
      message: /--lr applies to --method reconstruct, wanda or finetune only/,
    },
    {
      what: '--start neither magnitude nor reconstruct',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'finetune', '--start', 'wanda', '-o', join(tmp, 'out-5e.onnx')],
      message: /--start must be magnitude or reconstruct, got "wanda"/,
    },
    {
      what: '--start with a method that does not train',
      args: () => ['prune', SAMPLE, '--ratio', '0.5', '--method', 'reconstruct', '--start', 'reconstruct', '-o', join(tmp, 'out-5f.onnx')],
      message: /--start applies to --method finetune/,
    },
    {
      what: 'a data option with magnitude pruning',
      args: () => ['export', SAMPLE, '--ratio', '0.5', '--calib', tiny, '-o', join(tmp, 'out-6.onnx')],
      message: /--calib applies to --method reconstruct, wanda or finetune only/,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const r = prunescope(c.args(), tmp);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(c.message);
    });
  }

  it('wrote none of the outputs', () => {
    expect(readdirSync(tmp).filter((f) => f.startsWith('out-'))).toEqual([]);
  });
});

describe('Ctrl-C', () => {
  it('cancels a running reconstruct: exit 130, one line, no output file, no temp file', async () => {
    const dir = mkdtempSync(join(tmp, 'sigint-'));
    const out = join(dir, 'never.onnx');
    const child = spawn(process.execPath, [cliBin(), 'prune', SAMPLE, '--ratio', '0.8', '--method', 'reconstruct', '--data-limit', '1000', '-o', out], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The method is running once its first progress line is out.
      if (!sent && /^\d+% /m.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code, stderr).toBe(130);
    const errors = stderr.split('\n').filter((l) => l.startsWith('prunescope:'));
    expect(errors).toEqual(['prunescope: cancelled (Ctrl-C); nothing was written']);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('help', () => {
  it('prune, export, eval and sweep document the method options', () => {
    for (const cmd of ['prune', 'export', 'eval', 'sweep']) {
      const r = prunescope([cmd, '--help'], tmp);
      expect(r.code).toBe(0);
      for (const o of ['--method', '--calib', '--train', '--epochs', '--distill', '--lr', '--start', '--data-limit']) expect(r.stdout, `${cmd} ${o}`).toContain(o);
      expect(r.stdout).toMatch(/reconstruct/);
      expect(r.stdout).toMatch(/finetune/);
      expect(r.stdout).toMatch(/wanda/);
    }
  });
});
