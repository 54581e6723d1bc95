// The exported file's columns of `prunescope sweep` / `eval` as a user runs them: parameters, MACs,
// file sizes and onnxruntime time ×original in the table (1.00× on the unpruned row itself, which is
// the original), the note that says so, and the same fields in --json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SAMPLE } from '../../support/engine';

const tmp = mkdtempSync(join(tmpdir(), 'prunescope-exported-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/prunescope.js'), ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the exported file in the CLI', () => {
  it('sweep: params, MACs, file sizes and onnxruntime ×orig columns; the ratio-0 row is the original', () => {
    const r = cli('sweep', SAMPLE, '--ratios', '0,0.9', '--limit', '100', '--batch', '50', '--runtimes', 'dense,onnxruntime', '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('ratio'));
    const head = lines[at].trim().split(/\s{2,}/);
    expect(head.slice(-7)).toEqual(['params', 'nonzero', 'MACs', 'file', 'sparse file', 'ort b1 ×orig', 'ort b50 ×orig']);
    const cell = (line: string, name: string): string => line.trim().split(/\s{2,}/)[head.indexOf(name)];
    expect(cell(lines[at + 1], 'ort b1 ×orig')).toBe('1.00×');
    expect(cell(lines[at + 1], 'ort b50 ×orig')).toBe('1.00×');
    expect(cell(lines[at + 1], 'params')).toBe('1.80M');
    expect(cell(lines[at + 1], 'MACs')).toBe('1.79M');
    expect(cell(lines[at + 2], 'nonzero')).toMatch(/^18\dk$/);
    expect(cell(lines[at + 2], 'ort b1 ×orig')).toMatch(/^\d+\.\d\d×$/);
    expect(r.stdout).toContain('×orig: the exported file');
    expect(r.stdout).toContain('the unpruned first row');
  });

  it('eval --json: the point with its exported facts and the separately measured original', () => {
    const r = cli('eval', SAMPLE, '--ratio', '0.5', '--limit', '100', '--batch', '50', '--runtimes', 'onnxruntime', '--workers', '1', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { model: string; points: { ratio: number; exported: Record<string, number>; original: { source: string; batch1Seconds: number } }[] };
    expect(out.model).toBe('sample-mlp.onnx');
    const [p] = out.points;
    expect(p.ratio).toBe(0.5);
    expect(p.exported.params).toBe(784 * 1000 + 1000 + 1000 * 1000 + 1000 + 10 * 1000 + 10);
    expect(p.exported.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    expect(p.original.source).toBe('separate');
    expect(p.original.batch1Seconds).toBeGreaterThan(0);
  });
});
