// Channels as the engine's clients see them: the preview and the export honour channelMultiple
// (default 8, counts worked out by hand), the plan's notes reach the report, the size estimate is
// the written file's, and a selection channels cannot follow is refused in the preview with every
// method unavailable for the reason (PaddleOCR's rec model: a Shape node) instead of failing later.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineRequestError } from '../../../src/engine/client';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { specKey } from '../../../src/engine/methods/cache';
import { ROOT } from '../../support/cli';
import { fileTempDir } from '../../support/temp-dir';

const { client } = inProcessEngine(nodePlatform({ ort: false }).platform);
const tmp = fileTempDir('prunescope-channels-preview-');
const RESNET = join(ROOT, 'test', 'models', 'cnn', 'resnet.onnx');
const REC = join(ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
let resnet = 0;
let rec = 0;

beforeAll(async () => {
  resnet = (await client.request({ type: 'open', source: { kind: 'path', path: RESNET } }).promise).modelId;
  rec = (await client.request({ type: 'open', source: { kind: 'path', path: REC } }).promise).modelId;
});

const keptOut = (r: { layers: { tensor: string; keptDims?: number[] }[] }, name: string): number | undefined => r.layers.find((l) => l.tensor === name)?.keptDims?.[0];

describe('prunePreview with channels', () => {
  it('rounds kept channels to multiples of 8 by default, exactly with channelMultiple 1', async () => {
    const spec = { ratio: 0.3, mode: 'layer' as const, structure: 'channels' };
    const dflt = await client.request({ type: 'prunePreview', modelId: resnet, spec }).promise;
    const exact = await client.request({ type: 'prunePreview', modelId: resnet, spec: { ...spec, channelMultiple: 1 } }).promise;
    const four = await client.request({ type: 'prunePreview', modelId: resnet, spec: { ...spec, channelMultiple: 4 } }).promise;
    // blocks.2.a: 64 channels; 0.3 removes round(19.2) = 19, keeps 45; nearest multiple of 8: 48, of 4: 44
    expect(keptOut(exact, 'blocks.2.a.weight')).toBe(45);
    expect(keptOut(dflt, 'blocks.2.a.weight')).toBe(48);
    expect(keptOut(four, 'blocks.2.a.weight')).toBe(44);
  });
  it('carries the plan notes: the classifier reaches the graph output and keeps its channels', async () => {
    const r = await client.request({ type: 'prunePreview', modelId: resnet, spec: { ratio: 0.3, mode: 'layer', structure: 'channels' } }).promise;
    expect(r.notes?.some((n) => /fc\.weight/.test(n) && /graph output/.test(n))).toBe(true);
    const plain = await client.request({ type: 'prunePreview', modelId: resnet, spec: { ratio: 0.3, mode: 'layer' } }).promise;
    expect(plain.notes).toBeUndefined();
  });
  it('estimates the size of the file export writes (the smaller model), within 3%', async () => {
    const spec = { ratio: 0.3, mode: 'layer' as const, structure: 'channels' };
    const r = await client.request({ type: 'prunePreview', modelId: resnet, spec }).promise;
    const path = join(tmp, 'resnet-channels.onnx');
    await client.request({ type: 'export', modelId: resnet, spec, format: 'dense', path }).promise;
    const real = statSync(path).size;
    expect(Math.abs(r.denseBytes - real) / real).toBeLessThan(0.03);
  });
  it('refuses a channelMultiple that is not an integer from 1 to 64', async () => {
    const e = await client.request({ type: 'prunePreview', modelId: resnet, spec: { ratio: 0.3, mode: 'layer', structure: 'channels', channelMultiple: 0 } }).promise.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(EngineRequestError);
    expect((e as Error).message).toMatch(/channelMultiple/);
  });
  it('a selection channels cannot follow: the preview says why and no method is available', async () => {
    const chosen = (await client.request({ type: 'prunePreview', modelId: rec, spec: { ratio: 0.3, mode: 'layer' } }).promise).layers.map((l) => l.tensor);
    const r = await client.request({ type: 'prunePreview', modelId: rec, spec: { ratio: 0.3, mode: 'layer', structure: 'channels', select: chosen } }).promise;
    // a Conv output reshaped to a shape computed at run time (the neck before the sequence model)
    expect(r.refused).toMatch(/Reshape node "p2o\.Reshape\.64" has an input of unknown shape/);
    expect(r.layers).toHaveLength(0);
    for (const m of ['magnitude', 'reconstruct', 'finetune'] as const) expect(r.methods?.[m]).toMatch(/Reshape node "p2o\.Reshape\.64"/);
    // unstructured, the same selection prunes and magnitude is available
    const u = await client.request({ type: 'prunePreview', modelId: rec, spec: { ratio: 0.3, mode: 'layer' } }).promise;
    expect(u.refused).toBeUndefined();
    expect(u.methods?.magnitude).toBeUndefined();
  });
  it('the default selection: what channels cannot follow is kept whole and named, the rest shrinks, methods stay available', async () => {
    const r = await client.request({ type: 'prunePreview', modelId: rec, spec: { ratio: 0.3, mode: 'layer', structure: 'channels' } }).promise;
    expect(r.refused).toBeUndefined();
    expect(r.notes?.some((n) => /channels kept \(Reshape node "p2o\.Reshape\.64"/.test(n)), JSON.stringify(r.notes)).toBe(true);
    expect(r.layers.some((l) => l.kept < l.n)).toBe(true);
    expect(r.methods?.magnitude).toBeUndefined();
  });
});

describe('the pruned-model cache key', () => {
  it('tells channel multiples apart; the default 8 equals 8 given; other structures ignore it', () => {
    const spec = { ratio: 0.3, mode: 'layer' as const, structure: 'channels', method: 'reconstruct' as const };
    expect(specKey({ ...spec, channelMultiple: 1 })).not.toBe(specKey(spec));
    expect(specKey({ ...spec, channelMultiple: 8 })).toBe(specKey(spec));
    expect(specKey({ ...spec, structure: '4x1', channelMultiple: 1 })).toBe(specKey({ ...spec, structure: '4x1' }));
  });
});
