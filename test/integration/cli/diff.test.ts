// `prunescope diff A B` as a user runs it: the summary table, changed nodes and the tensor table for
// the sample model against its 50% pruned export, --json with the same counts, "no differences"
// for a model against itself (exit 0 both ways), and one clear line naming a bad file (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import type { ModelDiff } from '../../../src/engine/protocol';
import { cliBin, prunescope, ROOT } from '../../support/cli';
import { SAMPLE } from '../../support/engine';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir('prunescope-cli-diff-');

beforeAll(() => {
  cliBin();
});

/** Weights of `file` by name. */
function weights(file: string): Map<string, Float32Array> {
  const m = decodeModel(new Uint8Array(readFileSync(file)), file);
  return new Map(m.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
}

describe('prunescope diff', () => {
  it('sample vs its pruned export: summary, changed Gemm nodes, the tensors that differ; --json agrees', () => {
    const pruned = join(dir(), 'pruned.onnx');
    const p = prunescope(['prune', SAMPLE, '--ratio', '0.5', '-o', pruned]);
    expect(p.code, p.stderr).toBe(0);
    const r = prunescope(['diff', SAMPLE, pruned]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^A: sample-mlp\.onnx\nB: pruned\.onnx\ndifferences: 3 nodes changed, 3 tensors changed\n/);
    expect(out).toMatch(/nodes\s+6\s+6/);
    expect(out).toMatch(/nodes matched by name\s+6/);
    expect(out).toContain('Changed nodes (3):');
    // the changed counts of the table, checked against the decoded files
    const a = weights(SAMPLE);
    const b = weights(pruned);
    const rows = out.split('\n').filter((l) => /^fc\d\.(weight|bias) /.test(l));
    expect(rows.length).toBe(3);
    for (const row of rows) {
      const name = row.split(/\s+/)[0];
      const x = a.get(name)!;
      const y = b.get(name)!;
      let changed = 0;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) changed++;
      expect(row).toContain(`${changed.toLocaleString('en-US')} of ${x.length.toLocaleString('en-US')}`);
      expect(row).toMatch(/0\.00% → 50\.00%/);
    }
    const j = prunescope(['diff', SAMPLE, pruned, '--json', '--bins', '8']);
    expect(j.code, j.stderr).toBe(0);
    const d = JSON.parse(j.stdout) as ModelDiff & { fileA: string; fileB: string };
    expect([d.fileA, d.fileB]).toEqual(['sample-mlp.onnx', 'pruned.onnx']);
    expect(d.summary.changed).toBe(3);
    expect(d.summary.tensorsChanged).toBe(3);
    const fc2 = d.tensors.find((t) => t.nameA === 'fc2.weight')!;
    expect(fc2.histogramA!.counts.length).toBe(8);
    expect(fc2.histogramB!.counts[0] + fc2.histogramB!.counts[7]).toBeLessThan(fc2.count);
  });

  it('a channel-pruned export (--structure channels): the shrunken weights and activations, as the written file has them', () => {
    const resnet = join(ROOT, 'test/models/cnn/resnet.onnx');
    const pruned = join(dir(), 'channels.onnx');
    const p = prunescope(['prune', resnet, '--ratio', '0.5', '--structure', 'channels', '-o', pruned]);
    expect(p.code, p.stderr).toBe(0);
    const r = prunescope(['diff', resnet, pruned]);
    expect(r.code, r.stderr).toBe(0);
    const before = weights(resnet);
    const after = weights(pruned);
    const shrunk = [...before.keys()].filter((n) => after.has(n) && after.get(n)!.length < before.get(n)!.length);
    expect(shrunk.length).toBeGreaterThan(0);
    const rows = r.stdout.split('\n').filter((l) => l.includes('shape (shrank)'));
    expect(rows.map((l) => l.split(/\s+/)[0]).sort()).toEqual([...shrunk].sort());
    expect(r.stdout).toMatch(/output 0 \S+: float32\[N,16,28,28\] → float32\[N,\d+,28,28\]/);
  });

  it('a model against a copy of itself: "no differences", exit 0', () => {
    const copy = join(dir(), 'copy.onnx');
    writeFileSync(copy, readFileSync(SAMPLE));
    const r = prunescope(['diff', SAMPLE, copy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe('no differences');
    expect(r.stdout).not.toContain('Tensors that differ');
    const j = JSON.parse(prunescope(['diff', SAMPLE, copy, '--json']).stdout) as ModelDiff;
    expect(j.summary.identical).toBe(true);
  });

  it('a bad model: one line naming the file, exit 2; one argument: usage error', () => {
    const bad = join(dir(), 'broken.onnx');
    writeFileSync(bad, 'not a model at all');
    const r = prunescope(['diff', SAMPLE, bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('broken.onnx');
    const missing = prunescope(['diff', join(dir(), 'nope.onnx'), SAMPLE]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.onnx');
    const one = prunescope(['diff', SAMPLE]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('expected two MODEL arguments');
  });
});
