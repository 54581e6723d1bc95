// Bad input gives an OnnxError that names the file and says what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import { OnnxError, type OnnxErrorCode } from '../../../../src/core/onnx/errors';
import { loadModelFile } from '../../../../src/engine/node/files';
import { REAL_MODELS, readBytes } from './corpus';
import { fBytes, fString, fVarint } from './wire';
import { rejectionOf, thrownBy } from '../../../support/errors';

const errorOf = (fn: () => unknown): OnnxError => thrownBy(fn, OnnxError);

function expectError(fn: () => unknown, code: OnnxErrorCode, file: string, text: RegExp): void {
  const e = errorOf(fn);
  expect(e.code).toBe(code);
  expect(e.file).toBe(file);
  expect(e.message.startsWith(`${file}: `)).toBe(true);
  expect(e.message).toMatch(text);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const cls = REAL_MODELS.find((f) => f.includes('cls_infer'))!;

describe('decodeModel on bad input', () => {
  test('an empty file', () => {
    expectError(() => decodeModel(new Uint8Array(0), 'empty.onnx'), 'not-onnx', 'empty.onnx', /empty file/);
  });

  test('random bytes (several seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      expectError(() => decodeModel(randomBytes(4096, seed * 7919), 'noise.onnx'), 'not-onnx', 'noise.onnx', /not an? (valid )?ONNX model/);
    }
  });

  test('a text file', () => {
    const text = new TextEncoder().encode('These are my notes about the model.\nLayer sizes: 784, 1000, 10.\n');
    expectError(() => decodeModel(text, 'notes.txt'), 'not-onnx', 'notes.txt', /not an ONNX model \(protobuf parse failed at byte \d+/);
  });

  test('a JSON file', () => {
    const json = new TextEncoder().encode(JSON.stringify({ irVersion: '7', graph: { node: [] } }));
    expectError(() => decodeModel(json, 'model.json'), 'not-onnx', 'model.json', /not an ONNX model/);
  });

  test('a real model cut short at several points is reported as truncated', () => {
    const bytes = readBytes(cls);
    for (const frac of [0.01, 0.1, 0.5, 0.9, 0.999]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * frac));
      expectError(() => decodeModel(cut, 'cls.onnx'), 'truncated', 'cls.onnx', /truncated: field graph at byte \d+ declares \d+ bytes/);
    }
  });

  test('a protobuf message that is not a model (a TensorProto)', () => {
    const tensor = new Uint8Array([...fVarint(1, 2), ...fVarint(2, 1), ...fString(8, 'w'), ...fBytes(9, new Uint8Array(8))]);
    expectError(() => decodeModel(tensor, 'tensor.pb'), 'not-onnx', 'tensor.pb', /not an ONNX model/);
  });

  test('a model with an IR version but no graph', () => {
    const m = new Uint8Array([...fVarint(1, 8), ...fString(2, 'me')]);
    expectError(() => decodeModel(m, 'nograph.onnx'), 'bad-model', 'nograph.onnx', /no graph/);
  });

  test('decodeTensor on a truncated tensor', () => {
    const t = new Uint8Array([...fVarint(2, 1), ...fBytes(9, new Uint8Array(40))]).subarray(0, 20);
    const e = errorOf(() => decodeTensor(t, 'input_0.pb'));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/^input_0\.pb: truncated/);
  });
});

describe('loadModelFile on bad files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prunescope-onnx-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const loadError = (name: string): Promise<OnnxError> =>
    rejectionOf(() => loadModelFile(path.join(dir, name)), OnnxError, `${name} loaded without an error`);

  test('a missing file', async () => {
    const e = await loadError('missing.onnx');
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('missing.onnx: no such file');
  });

  test('empty, random, text and truncated files', async () => {
    writeFileSync(path.join(dir, 'empty.onnx'), '');
    writeFileSync(path.join(dir, 'random.onnx'), randomBytes(10_000, 42));
    writeFileSync(path.join(dir, 'readme.txt'), 'Prunescope inspects ONNX models.\n');
    writeFileSync(path.join(dir, 'cut.onnx'), readBytes(cls).subarray(0, 300_000));
    expect((await loadError('empty.onnx')).message).toMatch(/^empty\.onnx: empty file/);
    expect((await loadError('random.onnx')).code).toBe('not-onnx');
    expect((await loadError('readme.txt')).message).toMatch(/^readme\.txt: not an ONNX model/);
    const cut = await loadError('cut.onnx');
    expect(cut.code).toBe('truncated');
    expect(cut.message).toMatch(/^cut\.onnx: truncated/);
  });

  test('a directory', async () => {
    const e = await loadError('.');
    expect(e.code).toBe('io');
  });
});

describe('inconsistent tensors', () => {
  test('raw data shorter than the dims ask for', () => {
    // TensorProto { dims: [3], data_type: FLOAT, name: "w", raw_data: 8 bytes }
    const t = new Uint8Array([...fVarint(1, 3), ...fVarint(2, 1), ...fString(8, 'w'), ...fBytes(9, new Uint8Array(8))]);
    expect(() => decodeTensor(t, 'w.pb')).toThrow(/^w\.pb: tensor "w": dims \[3\] need 3 stored elements, the data holds 2$/);
  });
});
