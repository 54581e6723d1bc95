// Errors carry a kind from core to the client: each kind reaches an EngineClient as its protocol
// code, through a real in-process engine and real inputs, and the mapping is one table.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/core/data';
import { CancelledError, PROBLEM_KINDS, ProblemError } from '../../../src/core/errors';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import { OnnxError } from '../../../src/core/onnx/errors';
import { PruneError } from '../../../src/core/prune';
import { UnsupportedOpError } from '../../../src/core/runtime';
import { EngineRequestError } from '../../../src/engine/client';
import { CODE_OF_KIND, toEngineError } from '../../../src/engine/errors';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import type { ErrorCode } from '../../../src/engine/protocol';
import { SAMPLE } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-errors-');
const { client } = inProcessEngine(nodePlatform().platform);
let modelId = 0;

beforeAll(async () => {
  modelId = (await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise).modelId;
});

async function codeOf(p: Promise<unknown>): Promise<ErrorCode> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(EngineRequestError);
  return (e as EngineRequestError).code;
}

describe('core error kinds reach the client as protocol codes', () => {
  it('a file that is not ONNX: bad-model', async () => {
    const file = join(tmp, 'not-a-model.onnx');
    writeFileSync(file, 'hello, this is text and not a protobuf model\n'.repeat(10));
    expect(await codeOf(client.request({ type: 'open', source: { kind: 'path', path: file } }).promise)).toBe('bad-model');
  });

  it('a file that does not exist: not-found', async () => {
    expect(await codeOf(client.request({ type: 'open', source: { kind: 'path', path: join(tmp, 'nowhere.onnx') } }).promise)).toBe('not-found');
  });

  it('a dataset that cannot be read: bad-dataset', async () => {
    const file = join(tmp, 'bad.txt');
    writeFileSync(file, '0.1 0.2 zebra 1\n');
    expect(await codeOf(client.request({ type: 'dataset', source: { kind: 'paths', paths: [file] } }).promise)).toBe('bad-dataset');
  });

  it('a calibration set that does not fit the method: bad-dataset', async () => {
    const file = join(tmp, 'short.txt');
    writeFileSync(file, '0.1 0.2 0.3 1\n');
    const spec = { ratio: 0.5, mode: 'layer' as const, method: 'reconstruct' as const, calibration: { kind: 'paths' as const, paths: [file] } };
    expect(await codeOf(client.request({ type: 'prune', modelId, spec }).promise)).toBe('bad-dataset');
  });

  it('an operator the method does not handle: unsupported', async () => {
    // The sample MLP with its first Relu turned into an op of another domain: the runtime cannot
    // compute the inputs of the layers after it.
    const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)), SAMPLE);
    const i = m.graph.nodes.findIndex((n) => n.opType === 'Relu');
    const nodes = m.graph.nodes.map((n, k) => (k === i ? { ...n, opType: 'Mystery', domain: 'com.example' } : n));
    const file = join(tmp, 'selu.onnx');
    writeFileSync(file, encodeModel({ ...m, graph: { ...m.graph, nodes } }));
    const id = (await client.request({ type: 'open', source: { kind: 'path', path: file } }).promise).modelId;
    const spec = { ratio: 0.5, mode: 'layer' as const, method: 'reconstruct' as const, calibration: { kind: 'sample' as const, split: 'train' as const }, dataLimit: 50 };
    expect(await codeOf(client.request({ type: 'prune', modelId: id, spec }).promise)).toBe('unsupported');
    await client.request({ type: 'close', modelId: id }).promise;
  });

  it('options that cannot be carried out: bad-request', async () => {
    const spec = { ratio: 0.5, mode: 'layer' as const, overrides: { 'no.such.tensor': 0.1 } };
    expect(await codeOf(client.request({ type: 'prunePreview', modelId, spec }).promise)).toBe('bad-request');
  });

  it('a cancel during reconstruction: cancelled, and the engine keeps serving', async () => {
    let sent = false;
    const spec = { ratio: 0.8, mode: 'layer' as const, method: 'reconstruct' as const, calibration: { kind: 'sample' as const, split: 'train' as const }, dataLimit: 1000 };
    const job = client.request(
      { type: 'prune', modelId, spec },
      {
        onProgress: () => {
          if (!sent) client.cancel(job.id);
          sent = true;
        },
      },
    );
    expect(await codeOf(job.promise)).toBe('cancelled');
    expect(sent).toBe(true);
    const preview = await client.request({ type: 'prunePreview', modelId, spec: { ratio: 0.5, mode: 'layer' } }).promise;
    expect(preview.layers.length).toBeGreaterThan(0);
  });
});

describe('toEngineError: one table from kind to code', () => {
  it('maps every core error class by its kind, with its file', () => {
    const cases: [unknown, ErrorCode][] = [
      [new OnnxError('not-onnx', 'not an ONNX model', 'm.onnx'), 'bad-model'],
      [new OnnxError('not-found', 'no such file', 'm.onnx'), 'not-found'],
      [new OnnxError('io', 'read failed', 'm.onnx'), 'io'],
      [new DatasetError('d.txt', 'line 3: 2 values'), 'bad-dataset'],
      [new UnsupportedOpError([{ opType: 'Foo', name: 'n0' }]), 'unsupported'],
      [new PruneError('bad ratio'), 'bad-request'],
      [new PruneError('not a chain', 'unsupported'), 'unsupported'],
      [new PruneError('too few samples', 'bad-dataset'), 'bad-dataset'],
      [new CancelledError(), 'cancelled'],
      // An error that crossed a worker boundary as a plain object keeps its kind.
      [{ name: 'DatasetError', kind: 'bad-dataset', message: 'x' }, 'bad-dataset'],
      [new Error('a bug'), 'internal'],
    ];
    for (const [e, code] of cases) expect(toEngineError(e).code, String((e as Error).message)).toBe(code);
    expect(toEngineError(new OnnxError('not-onnx', 'x', 'm.onnx')).file).toBe('m.onnx');
    expect(toEngineError(new DatasetError('d.txt', 'x')).file).toBe('d.txt');
  });

  it('has a code for every kind', () => {
    expect(Object.keys(CODE_OF_KIND).sort()).toEqual([...PROBLEM_KINDS].sort());
    for (const kind of PROBLEM_KINDS) expect(toEngineError(new ProblemError(kind, 'x')).code).toBe(CODE_OF_KIND[kind]);
  });
});
