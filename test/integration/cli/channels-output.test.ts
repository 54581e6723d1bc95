// What `prunescope prune / export / eval` print for structured pruning, run as a user runs them:
// the structure is named, channel plans list the kept shapes and the plan's notes, the size printed
// is the written (smaller) file's, --channel-multiple is honoured (and refused without channels),
// an N:M row shows its pattern instead of "ratio 0", and a channels row's sparsity is the fraction
// of weights removed (worked out by hand for the sample MLP).
import { statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBin, prunescope, ROOT } from '../../support/cli';
import { SAMPLE } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-cli-channels-');
const RESNET = join(ROOT, 'test', 'models', 'cnn', 'resnet.onnx');

beforeAll(() => {
  cliBin();
});

/** "about 171.5 KB" → bytes. */
function aboutBytes(text: string): number {
  const m = /about ([\d.]+) (B|KB|MB)\)/.exec(text);
  if (!m) throw new Error(`no size in: ${text}`);
  return Number(m[1]) * (m[2] === 'MB' ? 1024 * 1024 : m[2] === 'KB' ? 1024 : 1);
}

describe('prunescope prune --structure channels', () => {
  it('names the structure, lists kept shapes and notes, prints the written file\'s size', () => {
    const file = join(tmp, 'resnet-ch.onnx');
    const r = prunescope(['prune', RESNET, '--structure', 'channels', '--ratio', '0.3', '-o', file], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^structure: channels .*multiples of 8/m);
    // blocks.2.a: 64 channels, 0.3 keeps 45, rounded to 48; its inputs are blocks.1's 32 → 24
    expect(r.stdout).toMatch(/blocks\.2\.a\.weight\s+64×32×3×3 → 48×24×3×3/);
    expect(r.stdout).toMatch(/^note: fc\.weight: channels kept \(it reaches the graph output/m);
    expect(r.stdout).toMatch(/the smaller model/);
    const real = statSync(file).size;
    expect(Math.abs(aboutBytes(r.stdout) - real) / real).toBeLessThan(0.03);
  });
  it('--channel-multiple 1 removes exactly round(ratio × channels)', () => {
    const r = prunescope(['prune', RESNET, '--structure', 'channels', '--ratio', '0.3', '--channel-multiple', '1', '-o', join(tmp, 'exact.onnx')], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blocks\.2\.a\.weight\s+64×32×3×3 → 45×/);
    expect(r.stdout).not.toMatch(/multiples of/);
  });
  it('refuses --channel-multiple without channels, or out of range, in one line, writing nothing', () => {
    for (const args of [['--ratio', '0.3', '--channel-multiple', '8'], ['--structure', 'channels', '--ratio', '0.3', '--channel-multiple', '0']]) {
      const file = join(tmp, 'refused.onnx');
      const r = prunescope(['prune', RESNET, ...args, '-o', file], tmp);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--channel-multiple/);
      expect(existsSync(file)).toBe(false);
    }
  });
  it('unstructured output names its structure too', () => {
    const r = prunescope(['prune', SAMPLE, '--ratio', '0.5', '-o', join(tmp, 'u.onnx')], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^structure: unstructured/m);
    expect(r.stdout).toMatch(/zeroed in place/);
  });
});

describe('prunescope eval table rows', () => {
  const evalArgs = ['--limit', '50', '--batch', '0', '--runtimes', 'dense'];
  const row = (out: string): string[] => out.trim().split('\n').find((l) => /^\S+\s+0\.\d{3}\s/.test(l))!.trim().split(/\s+/);
  it('N:M without --ratio: the pattern in the ratio column, sparsity 0.500', () => {
    const r = prunescope(['eval', SAMPLE, '--structure', '2:4', ...evalArgs], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2:4 \(ratio 0\.5\)/);
    expect(row(r.stdout).slice(0, 2)).toEqual(['2:4', '0.500']);
  });
  it('channels: the sparsity column is the fraction of weights removed', () => {
    // 0.5 exact: fc1 1000×784 → 500×784, fc2 1000×1000 → 500×500, fc3 10×1000 → 10×500:
    // (392000 + 750000 + 5000) / (784000 + 1000000 + 10000) = 0.6394
    const r = prunescope(['eval', SAMPLE, '--structure', 'channels', '--ratio', '0.5', '--channel-multiple', '1', ...evalArgs], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/channels: ratio of channels removed, sparsity of weights removed/);
    expect(row(r.stdout).slice(0, 2)).toEqual(['0.5', '0.639']);
  });
});
