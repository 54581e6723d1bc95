// `prunescope report` as a user runs it: the sample MLP with the bundled MNIST test set and a short
// ratio list gives one self-contained HTML file whose data holds every section (MACs checked against
// the layer sizes, the sweep's ratios as asked); without --data the report says there is no accuracy
// section; the model is never written over; --compare OTHER adds the diff (a pruned copy: the
// weights it zeroed, counted independently from the file) and --errors its per-node error.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalReferences, REPORT_DATA_ID } from '../../../src/core/report/html';
import type { ReportData } from '../../../src/engine/protocol';
import { prunescope, ROOT } from '../../support/cli';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const IMAGES = join(ROOT, 'resources/mnist/test-images-idx3-ubyte.gz');
const LABELS = join(ROOT, 'resources/mnist/test-labels-idx1-ubyte.gz');

const dir = mkdtempSync(join(tmpdir(), 'prunescope-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modelCopy(name: string): string {
  const p = join(dir, name);
  copyFileSync(SAMPLE, p);
  return p;
}

function reportData(html: string): ReportData {
  const m = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">([^<]*)</script>`).exec(html);
  if (!m) throw new Error('no report data element');
  return JSON.parse(m[1] ?? '') as ReportData;
}

describe('prunescope report', () => {
  it('writes one self-contained file with the model, its cost, histograms and the sweep', () => {
    const model = modelCopy('mlp.onnx');
    const out = join(dir, 'with-data.html');
    const r = prunescope(['report', model, '--data', IMAGES, LABELS, '--ratios', '0,0.5', '--limit', '200', '--batch', '50', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(externalReferences(html)).toEqual([]);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    const data = reportData(html);
    expect(data.format).toBe(2);
    expect(data.tool).toMatch(/^prunescope \d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(data.created))).toBe(false);
    expect(data.model.fileName).toBe('mlp.onnx');
    expect(data.model.graph.nodes.length).toBe(data.metrics.nodes.length);
    // 784→1000→1000→10 at batch 1: 784·1000 + 1000·1000 + 1000·10 MACs; weights and biases per Gemm.
    expect(data.metrics.totals.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    expect(data.metrics.nodes.filter((n) => n.opType === 'Gemm').map((n) => [n.macs, n.params])).toEqual([
      [784000, 784 * 1000 + 1000],
      [1000000, 1000 * 1000 + 1000],
      [10000, 1000 * 10 + 10],
    ]);
    // Every initializer (3 weights, 3 biases), 64 bins each, counting all its values.
    expect(data.histograms.map((s) => s.histogram.counts.length)).toEqual([64, 64, 64, 64, 64, 64]);
    for (const s of data.histograms) expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(s.count - s.nonFinite);
    expect(data.sweep?.samples).toBe(200);
    expect(data.sweep?.points.map((p) => p.ratio)).toEqual([0, 0.5]);
    expect(data.sweep?.points[0]?.results.some((m) => m.unavailable === undefined && m.accuracy > 0.9)).toBe(true);
    expect(data.omitted.map((o) => o.section)).toEqual(['sensitivity', 'diff', 'nodeErrors']);
  });

  it('without --data writes MODEL-report.html beside the model and says there is no accuracy section', () => {
    const model = modelCopy('plain.onnx');
    const before = readFileSync(model);
    const r = prunescope(['report', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no accuracy section');
    const data = reportData(readFileSync(join(dir, 'plain-report.html'), 'utf8'));
    expect(data.sweep).toBeUndefined();
    expect(data.omitted.find((o) => o.section === 'sweep')?.why).toMatch(/no test set/);
    expect(readFileSync(model).equals(before)).toBe(true);
  });

  it('refuses to write over the model, and asks for --data where a section needs it', () => {
    const model = modelCopy('same.onnx');
    const before = readFileSync(model);
    const r = prunescope(['report', model, '-o', model]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('the model');
    expect(readFileSync(model).equals(before)).toBe(true);
    const c = prunescope(['report', model, '--compare', SAMPLE, '--errors', '-o', join(dir, 'c.html')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--errors: give a test set with --data/);
    expect(existsSync(join(dir, 'c.html'))).toBe(false);
    const s = prunescope(['report', model, '--allocate', '0.5', '-o', join(dir, 's.html')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--allocate: give --sensitivity too/);
    const ratios = prunescope(['report', model, '--ratios', '0,0.5', '-o', join(dir, 'r.html')]);
    expect(ratios.code).toBe(2);
    expect(ratios.stderr).toMatch(/--ratios: give a test set with --data/);
  });

  it('--compare OTHER --errors: the diff counts the weights the prune zeroed, and the error of OTHER per node', () => {
    const model = modelCopy('a.onnx');
    const pruned = join(dir, 'a-pruned.onnx');
    expect(prunescope(['prune', model, '--ratio', '0.5', '-o', pruned]).code).toBe(0);
    const out = join(dir, 'compare.html');
    const r = prunescope(['report', model, '--compare', pruned, '--errors', '--data', IMAGES, LABELS, '--ratios', '0', '--limit', '64', '--batch', '0', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const data = reportData(readFileSync(out, 'utf8'));
    expect(data.diff?.other).toBe('a-pruned.onnx');
    // Half of each of the three weight matrices zeroed per layer (biases kept): counted from the model.
    const halves = [784 * 1000, 1000 * 1000, 1000 * 10].map((n) => Math.floor(n / 2));
    const changed = data.diff?.diff.tensors.filter((t) => t.status === 'values') ?? [];
    expect(changed.map((t) => t.changed)).toEqual(halves);
    expect(changed.every((t) => t.histogramA !== undefined && t.histogramB !== undefined)).toBe(true);
    expect(data.nodeErrors?.pruned).toBe('a-pruned.onnx');
    expect(data.nodeErrors?.report.samples).toBe(64);
    // The first Gemm reads a changed weight: its output differs; nodes before it (none read a weight) do not.
    const gemm = data.nodeErrors?.report.nodes.find((n) => n.opType === 'Gemm');
    expect(gemm?.outputs[0]?.relL2).toBeGreaterThan(0);
    expect(data.omitted.map((o) => o.section)).toEqual(['sensitivity']);
  });
});
