// decode → encode → decode gives an equal model, for the whole ONNX conformance corpus and real models.
import { equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { allTensors } from '../../../../src/core/onnx/external';
import type { Graph, Model } from '../../../../src/core/onnx/model';
import { modelTo } from '../../../../src/core/onnx/to-proto';
import { REAL_MODELS, corpusModels, readBytes, shortName } from './corpus';

function roundTrip(file: string): string | undefined {
  const bytes = readBytes(file);
  const model = decodeModel(bytes, shortName(file));
  const encoded = encodeModel(model);
  const again = decodeModel(encoded, 'reencoded');
  const d = deepDiff(model, again);
  if (d) return d;
  // Encoding is deterministic: the re-decoded model encodes to the very same bytes.
  const twice = encodeModel(again);
  if (Buffer.compare(Buffer.from(encoded), Buffer.from(twice)) !== 0) return 'second encoding differs from the first';
  return undefined;
}

function subgraphCount(g: Graph): number {
  let n = 0;
  for (const node of g.nodes) {
    for (const a of node.attributes) {
      if (a.type === 'graph') n += 1 + subgraphCount(a.value);
      if (a.type === 'graphs') for (const s of a.value) n += 1 + subgraphCount(s);
    }
  }
  return n;
}

describe('round trip', () => {
  test('every model.onnx of libonnx-testdata', () => {
    const files = corpusModels();
    expect(files.length).toBeGreaterThanOrEqual(1000);
    const failures: string[] = [];
    for (const f of files) {
      try {
        const d = roundTrip(f);
        if (d) failures.push(`${shortName(f)}: ${d}`);
      } catch (e) {
        failures.push(`${shortName(f)}: ${(e as Error).message}`);
      }
    }
    console.log(`round trip: ${files.length - failures.length} passed / ${files.length} total`);
    if (failures.length) console.log(failures.join('\n'));
    expect(failures).toEqual([]);
  });

  test.each(REAL_MODELS.map((f) => [shortName(f), f]))('%s', (_name, file) => {
    const model: Model = decodeModel(readBytes(file), shortName(file));
    expect(model.graph.nodes.length).toBeGreaterThan(0);
    expect(allTensors(model).some((t) => t.data !== undefined && t.data.length > 0)).toBe(true);
    expect(roundTrip(file)).toBeUndefined();
  });

  test('the Silero VAD models carry If/Loop subgraphs, and they survive the round trip', () => {
    for (const file of REAL_MODELS.filter((f) => f.includes('silero'))) {
      const model = decodeModel(readBytes(file));
      const ops = new Set(model.graph.nodes.map((n) => n.opType));
      expect(ops.has('If') || ops.has('Loop')).toBe(true);
      const subs = subgraphCount(model.graph);
      expect(subs).toBeGreaterThan(0);
      const again = decodeModel(encodeModel(model));
      expect(subgraphCount(again.graph)).toBe(subs);
    }
  });
});

describe('large tensors are spliced into the output, not pushed through the protobuf writer', () => {
  test.each(REAL_MODELS.map((f) => [shortName(f), f]))('%s: the spliced bytes parse to the same message as a plain toBinary', (_name, file) => {
    const model = decodeModel(readBytes(file));
    let rawBytes = 0;
    for (const t of allTensors(model)) if (t.data && !Array.isArray(t.data)) rawBytes += t.data.byteLength;
    const spliced = encodeModel(model);
    const plain = toBinary(ModelProtoSchema, modelTo(model));
    expect(spliced.byteLength).toBe(plain.byteLength);
    expect(equals(ModelProtoSchema, fromBinary(ModelProtoSchema, spliced), fromBinary(ModelProtoSchema, plain))).toBe(true);
    // A model with under 64 KiB of raw data is not spliced: the bytes are toBinary's exactly.
    if (rawBytes < 1 << 16) expect(Buffer.compare(Buffer.from(spliced), Buffer.from(plain))).toBe(0);
    else expect(Buffer.compare(Buffer.from(spliced), Buffer.from(plain))).not.toBe(0);
  });
});
