// loadModelFile on a real model, and writeFileAtomic: whole file or nothing, never over the protected one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeModel } from '../../src/core/onnx/decode';
import { deepDiff } from '../../src/core/onnx/equal';
import { OnnxError } from '../../src/core/onnx/errors';
import { loadModelFile, writeFileAtomic } from '../../src/engine/files';
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
    expect((e as OnnxError).message).toMatch(/^model\.onnx: refusing to overwrite/);
    expect(readFileSync(original, 'utf8')).toBe('original');
  });

  test('a failed write removes its temporary file and leaves the target as it was', async () => {
    // The target is a non-empty directory: the rename fails after the data was written.
    const target = path.join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    const e = await writeFileAtomic(target, 'data').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).message).toMatch(/^busy: cannot write/);
    expect(readdirSync(dir).filter((f) => f.includes('busy') && f !== 'busy')).toEqual([]);
    expect(existsSync(path.join(target, 'keep'))).toBe(true);
  });

  test('a missing folder is an error naming the file', async () => {
    const e = await writeFileAtomic(path.join(dir, 'nope', 'x.onnx'), 'data').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).message).toBe('x.onnx: cannot write (folder does not exist)');
  });
});
