// The exported file of each evaluated point, as a client sees it (a real EngineHost in process, the
// sample MLP, real onnxruntime-node): its parameters and nonzero parameters equal a count read from
// the exported protobuf by an independent wire-format reader written here; its dense and sparse file
// sizes equal the bytes the export request writes; its MACs equal the layer shapes' products; and
// every point carries its onnxruntime timing in alternation with the unpruned model (rounds of the
// same samples on both; the ratio-0 point, the unpruned model itself, reads about 1×).
import { beforeAll, describe, expect, it } from 'vitest';
import { ortTimeRatio, ROUNDS } from '../../../src/core/eval';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { EvalOptions, EvalPoint, Progress } from '../../../src/engine/protocol';
import { SAMPLE } from '../../support/engine';

const { client } = inProcessEngine(nodePlatform().platform);
let modelId = 0;
const OPTIONS: EvalOptions = { runtimes: ['dense', 'onnxruntime'], batch: 100, limit: 200, workers: 1 };

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});

/** Protobuf wire format, read by hand: (field number, wire type, value or bytes) of one message. */
function* fields(b: Uint8Array): Generator<{ field: number; wire: number; value: bigint; bytes: Uint8Array }> {
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const c = b[i++];
      v |= BigInt(c & 0x7f) << shift;
      if ((c & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const wire = key & 7;
    const field = key >> 3;
    if (wire === 0) yield { field, wire, value: varint(), bytes: new Uint8Array() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { field, wire, value: 0n, bytes: b.subarray(i, i + n) };
      i += n;
    } else if (wire === 5) {
      yield { field, wire, value: 0n, bytes: b.subarray(i, i + 4) };
      i += 4;
    } else if (wire === 1) {
      yield { field, wire, value: 0n, bytes: b.subarray(i, i + 8) };
      i += 8;
    } else throw new Error(`wire type ${wire}`);
  }
}

/** Elements and nonzero float32 elements of a TensorProto (dims: field 1; raw_data: field 9). */
function tensorCount(t: Uint8Array): { n: number; nonzero: number } {
  let n = 1;
  let nonzero = 0;
  for (const f of fields(t)) {
    if (f.field === 1 && f.wire === 0) n *= Number(f.value);
    if (f.field === 9) {
      const copy = f.bytes.slice();
      const v = new Float32Array(copy.buffer, 0, copy.length / 4);
      for (const x of v) if (x !== 0) nonzero++;
    }
  }
  return { n, nonzero };
}

/** ModelProto.graph (7) → GraphProto.initializer (5): every element and the nonzero ones. */
function protobufParams(model: Uint8Array): { n: number; nonzero: number } {
  let n = 0;
  let nonzero = 0;
  for (const m of fields(model)) {
    if (m.field !== 7) continue;
    for (const g of fields(m.bytes)) {
      if (g.field !== 5) continue;
      const c = tensorCount(g.bytes);
      n += c.n;
      nonzero += c.nonzero;
    }
  }
  return { n, nonzero };
}

async function exportBytes(ratio: number, format: 'dense' | 'sparse'): Promise<Uint8Array> {
  const r = await client.request({ type: 'export', modelId, spec: { ratio, mode: 'layer' }, format }).promise;
  return new Uint8Array(r.bytes!);
}

const ort = (p: EvalPoint): EvalPoint['results'][number] => p.results.find((m) => m.runtime === 'onnxruntime')!;

describe('the exported file of each point', () => {
  it('a sweep: exported facts per point, each point timed in alternation with the unpruned model', async () => {
    const progressed: EvalPoint[] = [];
    const points = await client.request(
      { type: 'sweep', modelId, spec: { mode: 'layer' }, ratios: [0.5, 0.9], dataset: { kind: 'sample' }, options: OPTIONS },
      { onProgress: (p: Progress) => p.point && progressed.push(p.point) },
    ).promise;
    expect(progressed).toEqual(points);
    for (const p of points) {
      const dense = await exportBytes(p.ratio, 'dense');
      const sparse = await exportBytes(p.ratio, 'sparse');
      const count = protobufParams(dense);
      expect(count.n).toBe(784 * 1000 + 1000 + 1000 * 1000 + 1000 + 10 * 1000 + 10);
      expect(p.exported!.params).toBe(count.n);
      expect(p.exported!.nonzeroParams).toBe(count.nonzero);
      expect(p.exported!.denseBytes).toBe(dense.length);
      expect(p.exported!.sparseBytes).toBe(sparse.length);
      // Unstructured zeros leave the dense graph's MACs as they are.
      expect(p.exported!.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
      expect(p.exported!.macsUnknown).toBeUndefined();
    }
    // Pruning 90% of the weights: about a tenth of them remain (the biases are not pruned).
    const weights = 784 * 1000 + 1000 * 1000 + 10 * 1000;
    expect(points[1].exported!.nonzeroParams).toBeLessThan(0.11 * weights + 2010);
    expect(points[1].exported!.sparseBytes).toBeLessThan(points[1].exported!.denseBytes / 2);
    // Each point timed in alternation: the 14 chunks cover the 200 samples at least once (more runs
    // when a chunk would be under 20 ms); the ratios are what ×original reads.
    for (const p of points) {
      const o = p.original!;
      expect(o.unavailable).toBeUndefined();
      expect(o.batch1).toMatchObject({ rounds: ROUNDS });
      expect(o.batch1!.runs).toBeGreaterThanOrEqual(200);
      expect(o.batch).toMatchObject({ rounds: ROUNDS, batch: 100, workers: 1 });
      expect(o.batch!.runs).toBeGreaterThanOrEqual(2 * ROUNDS);
      expect(o.batch!.samples).toBe(100 * o.batch!.runs);
      expect(o.batch1!.originalSeconds).toBeGreaterThan(0);
      expect(o.batch!.exportedSeconds).toBeGreaterThan(0);
      expect(ortTimeRatio(p)).toEqual({ batch1: o.batch1!.ratio, batch: o.batch!.ratio });
    }
  });

  it('a sweep from ratio 0: the unpruned model against itself reads about 1×', async () => {
    const points = await client.request({ type: 'sweep', modelId, spec: { mode: 'layer' }, ratios: [0, 0.8], dataset: { kind: 'sample' }, options: OPTIONS }).promise;
    // The same model on both sides: the true ratio is 1 (a wide band for a shared machine, no time limit).
    const r = ortTimeRatio(points[0]);
    expect(r.batch1).toBeGreaterThan(0.7);
    expect(r.batch1).toBeLessThan(1.4);
    expect(r.batch).toBeGreaterThan(0.7);
    expect(r.batch).toBeLessThan(1.4);
    // Ratio 0: the exported file is the model as it is (its nonzeros are all of its parameters but its zeros).
    expect(points[0].exported!.nonzeroParams).toBe(protobufParams(await exportBytes(0, 'dense')).nonzero);
  });

  it('channels: the exported file is the smaller dense model, its parameters and MACs drop with the neurons removed', async () => {
    // channelMultiple 1: exactly round(0.5 × 1000) removed (the default 8 keeps 504)
    const spec = { ratio: 0.5, mode: 'layer' as const, structure: 'channels', channelMultiple: 1 };
    const p = await client.request({ type: 'evaluate', modelId, spec, dataset: { kind: 'sample' }, options: { ...OPTIONS, runtimes: ['onnxruntime'] } }).promise;
    const r = await client.request({ type: 'export', modelId, spec, format: 'dense' }).promise;
    const dense = new Uint8Array(r.bytes!);
    // Half of each hidden layer's 1000 neurons removed (the output layer's 10 stay): 784→500→500→10.
    expect(protobufParams(dense).n).toBe(784 * 500 + 500 + 500 * 500 + 500 + 500 * 10 + 10);
    expect(p.exported!.params).toBe(protobufParams(dense).n);
    expect(p.exported!.macs).toBe(784 * 500 + 500 * 500 + 500 * 10);
    expect(p.exported!.denseBytes).toBe(dense.length);
    expect(ort(p).unavailable).toBeUndefined();
    // The sparsity counts the removed weights as pruned: of fc1 (784·1000), fc2 (1000·1000) and fc3
    // (10·1000), 784·500 + (1000·1000 − 500·500) + 10·500 are gone (a trained model holds no zeros).
    expect(p.sparsity).toBeCloseTo((784 * 500 + 750_000 + 10 * 500) / (784_000 + 1_000_000 + 10_000), 9);
  });

  it('evaluate at one ratio carries the same fields; without onnxruntime there is no original', async () => {
    const p = await client.request({ type: 'evaluate', modelId, spec: { ratio: 0.7, mode: 'layer' }, dataset: { kind: 'sample' }, options: OPTIONS }).promise;
    expect(p.original?.batch1?.rounds).toBe(ROUNDS);
    expect(p.exported!.denseBytes).toBe((await exportBytes(0.7, 'dense')).length);
    const own = await client.request({ type: 'evaluate', modelId, spec: { ratio: 0.7, mode: 'layer' }, dataset: { kind: 'sample' }, options: { ...OPTIONS, runtimes: ['dense'] } }).promise;
    expect(own.original).toBeUndefined();
    expect(own.exported).toEqual(p.exported);
  });
});
