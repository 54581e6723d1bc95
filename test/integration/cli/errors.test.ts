// `prunescope errors` on the real CLI: the table in graph order agrees with --json, the worst five
// are the five largest rel L2 in descending order, PRUNED as a file gives the same report as
// --ratio, a channel-pruned CNN shows its changed shapes, and bad invocations are one line, exit 2.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, prunescope } from '../../support/cli';
import type { NodeErrorReport } from '../../../src/engine/protocol';
import { fileTempDir } from '../../support/temp-dir';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const tmp = fileTempDir('prunescope-errors-');
const RESNET = join(ROOT, 'test/models/cnn/resnet.onnx');
const FASHION = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => join('/usr/share/datasets/fashion-mnist', f));

/** 4 significant digits, as the table prints rel L2. */
const sig4 = (x: number): string => (x === 0 ? '0' : String(Number(x.toPrecision(4))));

describe('prunescope errors', () => {
  it('prints the outputs, the agreement, a table in graph order matching --json and the worst five', () => {
    const args = ['errors', SAMPLE, '--ratio', '0.8', '--samples', '40'];
    const t = prunescope(args);
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const j = prunescope([...args, '--json']);
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout) as NodeErrorReport & { model: string };
    expect(report.model).toBe('sample-mlp.onnx');
    const lines = t.stdout.split('\n');
    expect(lines[0]).toMatch(/^sample-mlp\.onnx against pruned 0\.8: 40 samples of /);
    expect(lines[1]).toBe(`model output logits: rel L2 ${sig4(report.outputs[0].relL2!)}, cosine ${report.outputs[0].cosine!.toFixed(6)}`);
    expect(lines[2]).toBe(`top-1 agreement: ${(report.top1Agreement! * 100).toFixed(1)}% (${Math.round(report.top1Agreement! * 40)} of 40 samples)`);
    const head = lines.findIndex((l) => /^\s*#\s+node\s+op\s+rel L2\s+cosine$/.test(l));
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 2, head + 8).map((l) => l.trim().split(/\s+/));
    const names = ['/Flatten', '/fc1/Gemm', '/Relu', '/fc2/Gemm', '/Relu_1', '/fc3/Gemm'];
    rows.forEach((r, i) => {
      expect(r[0]).toBe(String(i));
      expect(r[1]).toBe(names[i]);
      expect(r[3]).toBe(sig4(report.nodes[i].outputs[0].relL2!));
      expect(r[4]).toBe(report.nodes[i].outputs[0].cosine!.toFixed(6));
    });
    expect(Number(rows[1][3])).toBeGreaterThan(0);
    const worst = lines.find((l) => l.startsWith('worst 5 by rel L2: '))!;
    const order = [...report.nodes].sort((a, b) => b.outputs[0].relL2! - a.outputs[0].relL2!).slice(0, 5);
    expect(worst).toBe(`worst 5 by rel L2: ${order.map((n) => `${n.name} (${n.opType}) ${sig4(n.outputs[0].relL2!)}`).join(', ')}`);
  });

  it('with PRUNED (written by prune) gives the report of --ratio', () => {
    const out = join(tmp, 'pruned.onnx');
    expect(prunescope(['prune', SAMPLE, '--ratio', '0.8', '-o', out]).code).toBe(0);
    const a = JSON.parse(prunescope(['errors', SAMPLE, out, '--samples', '30', '--json']).stdout) as NodeErrorReport & { pruned: string };
    const b = JSON.parse(prunescope(['errors', SAMPLE, '--ratio', '0.8', '--samples', '30', '--json']).stdout) as NodeErrorReport & { pruned: string };
    expect(a.pruned).toBe('pruned.onnx');
    expect(a.nodes).toEqual(b.nodes);
    expect(a.outputs).toEqual(b.outputs);
    expect(a.top1Agreement).toBe(b.top1Agreement);
  });

  it('shows the changed shapes of a channel-pruned CNN', () => {
    const r = prunescope(['errors', RESNET, '--ratio', '0.5', '--structure', 'channels', '--data', ...FASHION, '--samples', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s*#\s+node\s+op\s+rel L2\s+cosine\s+note$/m);
    // Half of the stem's 16 channels gone; the logits keep their 10 classes and get a number.
    expect(r.stdout).toMatch(/^\s*2\s+\/stem\/stem\.0\/Conv\s+Conv\s+-\s+-\s+shape changed 16×28×28 → 8×28×28$/m);
    expect(r.stdout).toMatch(/^model output logits: rel L2 [0-9.]+, cosine -?[0-9.]+$/m);
  });

  it('refuses PRUNED with prune options, and neither PRUNED nor --ratio, in one line', () => {
    const both = prunescope(['errors', SAMPLE, SAMPLE, '--ratio', '0.5']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('prunescope: errors: --ratio prunes MODEL; with PRUNED given, leave it out');
    const none = prunescope(['errors', SAMPLE]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('prunescope: errors: give the pruned model PRUNED, or --ratio R to prune MODEL');
  });
});
