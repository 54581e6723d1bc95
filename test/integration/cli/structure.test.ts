// `prunescope prune --structure N:M | RxC` run as a user runs it on the bundled sample model: the
// written file is standard ONNX that onnxruntime-node runs, its weights follow the pattern exactly
// (equal to an independent brute-force mask of the original weights), and onnxruntime's
// predictions on it equal its predictions on the original model with that reference mask applied.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import type { Model } from '../../../src/core/onnx/model';
import { cliBin, prunescope } from '../../support/cli';
import { accuracyOf, ortPredictions, SAMPLE, sampleDataset } from '../../support/engine';
import { refBlocks, refBlocksLayer, refGroups, refLayout, refNm } from '../../unit/core/prune/grouped-reference';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-cli-structure-');
const NAMES = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
const ds = sampleDataset();
const LIMIT = 1000;
const original = decodeModel(new Uint8Array(readFileSync(SAMPLE)), SAMPLE);
const weights = (m: Model, name: string): Float32Array => m.graph.initializers.find((t) => t.name === name)!.data as Float32Array;
const dimsOf = (name: string): number[] => original.graph.initializers.find((t) => t.name === name)!.dims; // [N, K], transB 1

/** The original model with each weight multiplied by its reference keep-mask. */
function masked(keep: Map<string, Uint8Array>): Model {
  const initializers = original.graph.initializers.map((t) => {
    const k = keep.get(t.name);
    if (k === undefined) return t;
    const data = (t.data as Float32Array).map((v, i) => (k[i] === 1 ? v : 0));
    return { ...t, data };
  });
  return { ...original, graph: { ...original.graph, initializers } };
}

async function checkWritten(file: string, keep: Map<string, Uint8Array>): Promise<number> {
  const bytes = new Uint8Array(readFileSync(file));
  const out = decodeModel(bytes, file);
  for (const name of NAMES) {
    const w = weights(out, name);
    const src = weights(original, name);
    const k = keep.get(name)!;
    let wrong = 0;
    for (let i = 0; i < w.length; i++) if (w[i] !== (k[i] === 1 ? src[i] : 0)) wrong++;
    expect(wrong, name).toBe(0);
  }
  const got = await ortPredictions(bytes, ds, LIMIT);
  const want = await ortPredictions(encodeModel(masked(keep)), ds, LIMIT);
  expect(Array.from(got)).toEqual(Array.from(want));
  return accuracyOf(got, ds.labels.subarray(0, LIMIT));
}

beforeAll(() => {
  cliBin();
});

describe('prunescope prune --structure', () => {
  it('2:4 (no --ratio needed): every group of 4 inputs of each row keeps its 2 largest |w|; onnxruntime runs it', async () => {
    const file = join(tmp, 'nm.onnx');
    const r = prunescope(['prune', SAMPLE, '--structure', '2:4', '-o', file], tmp);
    expect(r.code, r.stderr).toBe(0);
    const keep = new Map(NAMES.map((n) => [n, refNm(weights(original, n), refLayout('gemmT', dimsOf(n)), 2, 4)]));
    const out = decodeModel(new Uint8Array(readFileSync(file)), file);
    for (const n of NAMES) {
      const w = weights(out, n);
      const l = refLayout('gemmT', dimsOf(n));
      expect(refGroups(l, 4).every((g) => g.filter((e) => w[e] !== 0).length === 2), n).toBe(true);
    }
    const acc = await checkWritten(file, keep);
    expect(acc).toBeGreaterThan(0.9);
  });
  it('4x1 blocks at 0.5: whole blocks of 4 output rows at one input are zero, as the brute force picks them', async () => {
    const file = join(tmp, 'blocks.onnx');
    const r = prunescope(['prune', SAMPLE, '--structure', '4x1', '--ratio', '0.5', '-o', file], tmp);
    expect(r.code, r.stderr).toBe(0);
    const keep = new Map(NAMES.map((n) => {
      const w = weights(original, n);
      return [n, refBlocksLayer(w, refBlocks(w, refLayout('gemmT', dimsOf(n)), 4, 1), 0.5)];
    }));
    await checkWritten(file, keep);
  });
  it('refuses an N:M override other than 0 in one line naming the tensor, writing nothing', () => {
    const file = join(tmp, 'refused.onnx');
    const r = prunescope(['prune', SAMPLE, '--structure', '2:4', '--override', 'fc3.weight=0.3', '-o', file], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/fc3\.weight/);
    expect(existsSync(file)).toBe(false);
  });
});
