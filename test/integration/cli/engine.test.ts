// The engine-backed CLI commands run as a user runs them: `node bin/prunescope.js …` in a subprocess,
// on the bundled sample and on bad input.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/core/dump';
import { decodeModel } from '../../../src/core/onnx/decode';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { accuracyOf, ortPredictions, ROOT, SAMPLE, sampleDataset } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-cli-');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/prunescope.js'), ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('prunescope sweep', () => {
  it('prints the table with all three runtimes and writes the CSV', async () => {
    const csv = join(tmp, 'sweep.csv');
    const r = cli('sweep', SAMPLE, '--ratios', '0,0.9', '--limit', '200', '--batch', '100', '--csv', csv);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('ratio'));
    expect(lines[head]).toMatch(/sparse acc.*dense acc.*ort acc/);
    expect(lines[head + 1].split(/\s+/)[0]).toBe('0');
    expect(lines[head + 2].split(/\s+/)[0]).toBe('0.9');
    // One record per ratio and runtime, naming the model and the dataset.
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    expect(rows).toHaveLength(1 + 2 * 3);
    const col = (name: string): number => rows[0].indexOf(name);
    const at = (ratio: string, runtime: string): string[] => rows.find((r) => r[col('ratio')] === ratio && r[col('runtime')] === runtime)!;
    expect(rows.slice(1).map((r) => `${r[col('ratio')]} ${r[col('runtime')]}`)).toEqual(['0 sparse', '0 dense', '0 onnxruntime', '0.9 sparse', '0.9 dense', '0.9 onnxruntime']);
    for (const r of rows.slice(1)) expect([r[col('model')], r[col('method')], r[col('samples')]]).toEqual(['sample-mlp.onnx', 'magnitude', '200']);
    expect(new Set(rows.slice(1).map((r) => r[col('dataset')])).size).toBe(1);
    // onnxruntime's accuracy at ratio 0 on the first 200 digits, computed here independently
    // (k / 200 is exact at 3 decimals, the resolution of 200 samples).
    const ds = sampleDataset();
    const oracle = accuracyOf(await ortPredictions(new Uint8Array(readFileSync(SAMPLE)), ds, 200), ds.labels.subarray(0, 200));
    expect(Number(at('0', 'onnxruntime')[col('accuracy')])).toBe(Number(oracle.toFixed(3)));
    expect(Number(at('0.9', 'sparse')[col('sparsity')])).toBeCloseTo(0.9, 3);
    // Seconds to the millisecond, throughput to whole samples per second.
    expect(at('0', 'sparse')[col('batch1_seconds')]).toMatch(/^\d+(\.\d{1,3})?$/);
    expect(at('0', 'sparse')[col('throughput_per_s')]).toMatch(/^\d+$/);
  });

  it('one point with eval', () => {
    const r = cli('eval', SAMPLE, '--ratio', '0.5', '--limit', '100', '--batch', '50', '--runtimes', 'sparse');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0\.5\s+0\.500\s+0\.\d{4}/m);
  });

  it('fails with one line and exit 2 on bad input', () => {
    const bad = join(tmp, 'bad.onnx');
    writeFileSync(bad, 'this is not a model\n'.repeat(20));
    for (const args of [
      ['sweep', bad, '--ratios', '0'],
      ['sweep', join(tmp, 'missing.onnx')],
      ['sweep', SAMPLE, '--ratios', '0,2'],
      ['sweep', SAMPLE, '--data', bad],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(cli('sweep', bad).stderr).toContain('bad.onnx');
    expect(cli('sweep', join(tmp, 'missing.onnx')).stderr).toContain('missing.onnx');
  });
});

describe('prunescope prune', () => {
  it('writes the pruned model and prints the per-layer report', async () => {
    const out = join(tmp, 'pruned.onnx');
    const r = cli('prune', SAMPLE, '--ratio', '0.8', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // A plain Uint8Array: decodeModel given a Node Buffer reads unaligned tensors wrongly (Buffer.slice is a view; reported).
    const model = decodeModel(new Uint8Array(readFileSync(out)), 'pruned.onnx');
    const gemmWeights = model.graph.nodes.filter((n) => n.opType === 'Gemm').map((n) => n.inputs[1]);
    for (const name of gemmWeights) {
      const t = model.graph.initializers.find((x) => x.name === name)!;
      const v = tensorToFloat32(t);
      let zeros = 0;
      for (const x of v) if (x === 0) zeros++;
      expect(zeros).toBe(Math.round(0.8 * v.length));
      expect(r.stdout).toContain(`${v.length - zeros}`);
      expect(r.stdout).toContain(name);
    }
    const ds = sampleDataset();
    const acc = accuracyOf(await ortPredictions(readFileSync(out), ds), ds.labels);
    expect(acc).toBeGreaterThan(0.8);
  });

  it('writes the sparse form, refuses to overwrite the model, and needs a ratio', () => {
    const out = join(tmp, 'pruned-sparse.onnx');
    expect(cli('prune', SAMPLE, '--ratio', '0.9', '--sparse', '-o', out).status).toBe(0);
    expect(decodeModel(new Uint8Array(readFileSync(out)), 'x').graph.sparseInitializers.length).toBe(3);
    const before = statSync(SAMPLE).mtimeMs;
    const same = cli('prune', SAMPLE, '--ratio', '0.5', '-o', SAMPLE);
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/refusing to write over the model/);
    expect(statSync(SAMPLE).mtimeMs).toBe(before);
    const noRatio = cli('prune', SAMPLE, '-o', join(tmp, 'x.onnx'));
    expect(noRatio.status).toBe(2);
    expect(noRatio.stderr).toMatch(/--ratio/);
  });

  it('export writes a re-encoded sparse model that predicts like the original', async () => {
    const out = join(tmp, 'export-sparse.onnx');
    expect(cli('export', SAMPLE, '--format', 'sparse', '-o', out).status).toBe(0);
    const ds = sampleDataset();
    const a = await ortPredictions(readFileSync(SAMPLE), ds, 500);
    const b = await ortPredictions(readFileSync(out), ds, 500);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
