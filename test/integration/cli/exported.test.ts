// The exported file's columns of `prunescope sweep` / `eval` as a user runs them: parameters, MACs,
// file sizes and onnxruntime time ×original in the table, timed in alternation with the unpruned
// model (unstructured zeros leave every shape as it is, so onnxruntime cannot run the exported file
// faster: the true ratio is 1; removing channels makes it smaller: below 1), the note that says how,
// 'too few' where too few samples were timed, and the same fields in --json.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SAMPLE } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-exported-');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/prunescope.js'), ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the exported file in the CLI', () => {
  it('sweep: params, MACs, file sizes and onnxruntime ×orig columns; unstructured 0.9 reads about 1×', () => {
    const r = cli('sweep', SAMPLE, '--ratios', '0,0.9', '--limit', '500', '--batch', '100', '--runtimes', 'dense,onnxruntime', '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('ratio'));
    const head = lines[at].trim().split(/\s{2,}/);
    expect(head.slice(-7)).toEqual(['params', 'nonzero', 'MACs', 'file', 'sparse file', 'ort b1 ×orig', 'ort b100 ×orig']);
    const cell = (line: string, name: string): string => line.trim().split(/\s{2,}/)[head.indexOf(name)];
    expect(cell(lines[at + 1], 'params')).toBe('1.80M');
    expect(cell(lines[at + 1], 'MACs')).toBe('1.79M');
    expect(cell(lines[at + 2], 'nonzero')).toMatch(/^18\dk$/);
    // The same shapes as the original: a wide band around the true 1 (not a time limit).
    for (const row of [lines[at + 1], lines[at + 2]]) {
      for (const col of ['ort b1 ×orig', 'ort b100 ×orig']) {
        const x = Number(/^(\d+\.\d\d)×$/.exec(cell(row, col))?.[1]);
        expect(x).toBeGreaterThanOrEqual(0.7);
        expect(x).toBeLessThanOrEqual(1.4);
      }
    }
    expect(r.stdout).toContain('in alternation with the original');
    expect(r.stdout).toContain('median of 7 rounds');
  });

  it('sweep --structure channels 0.7: the smaller exported file runs faster than the original', () => {
    const r = cli('sweep', SAMPLE, '--ratios', '0.7', '--structure', 'channels', '--limit', '500', '--batch', '100', '--runtimes', 'onnxruntime', '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('ratio'));
    const head = lines[at].trim().split(/\s{2,}/);
    const row = lines[at + 1].trim().split(/\s{2,}/);
    // 784→300→300→10 against 784→1000→1000→10: about a fifth of the MACs.
    for (const col of ['ort b1 ×orig', 'ort b100 ×orig']) expect(Number(/^(\d+\.\d\d)×$/.exec(row[head.indexOf(col)])?.[1])).toBeLessThan(1);
  });

  it('too few samples for a stable figure: the cells and the note say so', () => {
    const r = cli('eval', SAMPLE, '--ratio', '0.5', '--limit', '40', '--batch', '20', '--runtimes', 'onnxruntime', '--workers', '1');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('ratio'));
    const head = lines[at].trim().split(/\s{2,}/);
    const row = lines[at + 1].trim().split(/\s{2,}/);
    expect(row[head.indexOf('ort b1 ×orig')]).toBe('too few');
    expect(row[head.indexOf('ort b20 ×orig')]).toBe('too few');
    expect(r.stdout).toContain('too few for a stable figure');
  });

  it('eval --json: the point with its exported facts and its timing in alternation with the original', () => {
    const r = cli('eval', SAMPLE, '--ratio', '0.5', '--limit', '100', '--batch', '50', '--runtimes', 'onnxruntime', '--workers', '1', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { model: string; points: { ratio: number; exported: Record<string, number>; original: { batch1: { rounds: number; samples: number; originalSeconds: number; ratio: number } } }[] };
    expect(out.model).toBe('sample-mlp.onnx');
    const [p] = out.points;
    expect(p.ratio).toBe(0.5);
    expect(p.exported.params).toBe(784 * 1000 + 1000 + 1000 * 1000 + 1000 + 10 * 1000 + 10);
    expect(p.exported.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    expect(p.original.batch1.rounds).toBe(7);
    expect(p.original.batch1.samples).toBeGreaterThanOrEqual(100);
    expect(p.original.batch1.originalSeconds).toBeGreaterThan(0);
    expect(p.original.batch1.ratio).toBeGreaterThan(0);
  });
});
