// loadModelFile on a real model, and writeFileAtomic: whole file or nothing, never over the protected one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, ModelProtoSchema, TensorProtoSchema, type TensorProto } from 'onnx-buf';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { OnnxError } from '../../../../src/core/onnx/errors';
import { loadModelFile, writeFileAtomic } from '../../../../src/engine/node/files';
import { REAL_MODELS, readBytes } from './corpus';

describe('files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prunescope-onnx-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('loadModelFile returns the decoded model, the bytes its tensors view, and the base name', async () => {
    const file = REAL_MODELS.find((f) => f.includes('silero_vad_v5'))!;
    const { model, bytes, fileName } = await loadModelFile(file);
    expect(fileName).toBe('silero_vad_v5.onnx');
    expect(bytes.byteLength).toBe(readFileSync(file).byteLength);
    expect(deepDiff(model, decodeModel(readBytes(file)))).toBeUndefined();
  });

  test('a model whose writer left raw_data unaligned opens without copies and with the right values', async () => {
    // Written by @bufbuild/protobuf's own writer (no alignment), one-character doc strings after
    // each tensor's raw_data shifting the next tensors by 3 bytes each.
    const f32 = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 1e3);
    const i64 = BigInt64Array.from({ length: 37 }, (_, i) => BigInt(i) * -123456789012n);
    const f16 = Uint16Array.from({ length: 51 }, (_, i) => 0x3c00 + i);
    const bytesOf = (a: ArrayBufferView): Uint8Array<ArrayBuffer> => Uint8Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const tensor = (name: string, dataType: number, dims: number[], raw: Uint8Array<ArrayBuffer>, docString: string): TensorProto =>
      create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt), rawData: raw, docString });
    const inits = [
      tensor('a', 1, [1001], bytesOf(f32), 'x'),
      tensor('b', 7, [37], bytesOf(i64), 'y'),
      tensor('c', 10, [51], bytesOf(f16), 'z'),
      tensor('d', 1, [1001], bytesOf(f32), 'w'),
      tensor('e', 1, [1001], bytesOf(f32), ''),
    ];
    const constant = tensor('k', 1, [1001], bytesOf(f32), 'v');
    const proto = create(ModelProtoSchema, {
      irVersion: 8n,
      docString: 'u',
      opsetImport: [{ domain: '', version: 13n }],
      graph: {
        name: 'g',
        node: [{ opType: 'Constant', output: ['k'], attribute: [{ name: 'value', type: AttributeProto_AttributeType.TENSOR, t: constant }] }],
        initializer: inits,
        output: [{ name: 'k' }],
      },
    });
    const file = path.join(dir, 'unaligned.onnx');
    writeFileSync(file, toBinary(ModelProtoSchema, proto));
    // The file really is unaligned for some tensors.
    const raw = new Uint8Array(readFileSync(file));
    const parsed = fromBinary(ModelProtoSchema, raw);
    const skews = parsed.graph!.initializer.map((t) => t.rawData.byteOffset % 4);
    expect(skews.some((k) => k !== 0)).toBe(true);

    const { model, bytes } = await loadModelFile(file);
    const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
    for (const name of ['a', 'd', 'e']) {
      const data = byName.get(name)!.data as Float32Array;
      expect(data).toBeInstanceOf(Float32Array);
      expect(Array.from(data)).toEqual(Array.from(f32));
      expect(data.buffer).toBe(bytes.buffer); // a view on the file's bytes, not a copy
    }
    const b = byName.get('b')!.data as BigInt64Array;
    expect(Array.from(b)).toEqual(Array.from(i64));
    expect(b.buffer).toBe(bytes.buffer);
    expect(Array.from(byName.get('c')!.data as Uint16Array)).toEqual(Array.from(f16));
    expect(model.graph.initializers.map((t) => t.docString ?? '')).toEqual(['x', 'y', 'z', 'w', '']);
    const k = model.graph.nodes[0].attributes[0];
    expect(k.type).toBe('tensor');
    expect(Array.from((k.value as { data: Float32Array }).data)).toEqual(Array.from(f32));
    // Same model as the copying decoder gives from an untouched buffer.
    expect(deepDiff(model, decodeModel(new Uint8Array(readFileSync(file))))).toBeUndefined();
  });

  test('decodeModel without realignInPlace leaves the bytes untouched', () => {
    const file = path.join(dir, 'unaligned.onnx');
    const raw = new Uint8Array(readFileSync(file));
    const before = raw.slice();
    decodeModel(raw, 'unaligned.onnx');
    expect(Buffer.compare(Buffer.from(raw), Buffer.from(before))).toBe(0);
    decodeModel(raw, 'unaligned.onnx', { realignInPlace: true });
    expect(Buffer.compare(Buffer.from(raw), Buffer.from(before))).not.toBe(0);
  });

  test('writeFileAtomic writes and replaces a file, leaving no temporary file', async () => {
    const target = path.join(dir, 'out.json');
    await writeFileAtomic(target, '{"a":1}');
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}');
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff);
    await writeFileAtomic(target, bytes);
    expect(Buffer.compare(readFileSync(target), Buffer.from(bytes))).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('refuses to write over the protected path; the original is untouched', async () => {
    const original = path.join(dir, 'model.onnx');
    writeFileSync(original, 'original');
    const e = await writeFileAtomic(path.join(dir, '.', 'model.onnx'), 'new', { protect: original }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).message).toBe(`${original}: refusing to write over the model ${original}; choose another file`);
    expect(readFileSync(original, 'utf8')).toBe('original');
  });

  test('a failed write removes its temporary file and leaves the target as it was', async () => {
    // The target is a non-empty directory: refused before anything is written.
    const target = path.join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    const e = await writeFileAtomic(target, 'data').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).message).toBe(`${target}: is a directory`);
    expect(readdirSync(dir).filter((f) => f.includes('busy') && f !== 'busy')).toEqual([]);
    expect(existsSync(path.join(target, 'keep'))).toBe(true);
  });

  test('a missing folder is an error naming the file', async () => {
    const e = await writeFileAtomic(path.join(dir, 'nope', 'x.onnx'), 'data').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).message).toBe(`${path.join(dir, 'nope', 'x.onnx')}: folder does not exist`);
  });
});
