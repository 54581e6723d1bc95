// issue 16: sensitivity — `prunescope sensitivity` and `prunescope prune --allocate` as a user runs
// them: the table, --json with the loss, the allocation and comparison, the written model's zeros
// per layer, and the clear errors (no --data, --ratio with --allocate).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { prunescope } from '../../support/cli';
import { MNIST, SAMPLE } from '../../support/engine';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('ps-allocate-');

describe('prunescope sensitivity', () => {
  it('prints one row per tensor with the accuracy at each ratio; --json adds the loss', () => {
    const r = prunescope(['sensitivity', SAMPLE, '--data', ...MNIST, '--ratios', '0.5,0.9', '--limit', '200']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1].split(/\s+/)).toEqual(['tensor', 'params', '0', '0.5', '0.9']);
    expect(lines.slice(3).map((l) => l.split(/\s+/)[0])).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    const j = JSON.parse(prunescope(['sensitivity', SAMPLE, '--data', ...MNIST, '--ratios', '0.5,0.9', '--limit', '200', '--json']).stdout);
    expect(j.curves).toHaveLength(3);
    expect(j.curves[0].points.map((p: { ratio: number }) => p.ratio)).toEqual([0.5, 0.9]);
    expect(typeof j.curves[0].points[1].loss).toBe('number');
  });

  it('needs --data', () => {
    const r = prunescope(['sensitivity', SAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs labelled data: give --data/);
  });
});

describe('prunescope prune --allocate', () => {
  it('prints the allocation and the comparison, then writes the model pruned at the allocated ratios', () => {
    const dir = tempDir();
    const out = join(dir, 'allocated.onnx');
    const r = prunescope(['prune', SAMPLE, '--allocate', '0.9', '--data', ...MNIST, '--limit', '500', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/allocation for 90\.0% overall sparsity/);
    for (const name of ['allocated', 'uniform per layer', 'global']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+90\\.0%`, 'm'));
    const ratios = new Map([...r.stdout.matchAll(/^(fc\d\.weight)\s+\d+\s+([\d.]+)%\s+[\d.]+$/gm)].map((m) => [m[1], Number(m[2]) / 100]));
    expect([...ratios.keys()]).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    const model = decodeModel(new Uint8Array(readFileSync(out)));
    let zeros = 0;
    let total = 0;
    for (const [name, ratio] of ratios) {
      const w = model.graph.initializers.find((t) => t.name === name)!.data as Float32Array;
      const z = w.filter((v) => v === 0).length;
      expect(Math.abs(z / w.length - ratio)).toBeLessThan(0.0006);
      zeros += z;
      total += w.length;
    }
    expect(Math.abs(zeros / total - 0.9)).toBeLessThan(0.005);
  });

  it('refuses --allocate without --data, and with --ratio', () => {
    const dir = tempDir();
    const noData = prunescope(['prune', SAMPLE, '--allocate', '0.9', '-o', join(dir, 'x.onnx')]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/prune --allocate needs labelled data: give --data/);
    const both = prunescope(['prune', SAMPLE, '--allocate', '0.9', '--ratio', '0.5', '--data', ...MNIST, '-o', join(dir, 'x.onnx')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--allocate SPARSITY or --ratio R, not both/);
  });
});
