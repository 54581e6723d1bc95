// External data read as the model's folder allows: real paths (links followed) must stay inside
// it, only regular files are read (never a device or a FIFO), and only the declared byte range.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { OnnxError } from '../../../../src/core/onnx/errors';
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { loadModelFile } from '../../../../src/engine/node/files';
import { rejectionOf } from '../../../support/errors';

const W = Float32Array.from({ length: 12 }, (_, i) => i * 0.25 - 1.5);

function ext(name: string, dims: number[], location: string, offset: number, length?: number): Tensor {
  return { name, dataType: DataType.FLOAT, dims, external: { location, offset, ...(length === undefined ? {} : { length }), entries: [] } };
}

function model(w: Tensor): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'prunescope-test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g',
      inputs: [{ name: 'X', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [3, 4] } }],
      outputs: [{ name: 'Y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [3, 4] } }],
      valueInfo: [],
      nodes: [{ name: 'add', opType: 'Add', domain: '', inputs: ['X', 'W'], outputs: ['Y'], attributes: [] }],
      initializers: [w],
      sparseInitializers: [],
    },
  };
}

/**
 * A FIFO with a writer waiting in a child process: a reader that opens the FIFO releases the writer,
 * which then closes it empty. So code that does read the FIFO gets an empty file instead of hanging
 * the test run; code that refuses it never waits. The writer is killed at the end either way.
 */
async function withFifo<T>(fifo: string, fn: () => Promise<T>): Promise<T> {
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'exec cat /dev/null > "$1"', 'sh', fifo], { stdio: 'ignore' });
  try {
    return await fn();
  } finally {
    writer.kill('SIGKILL');
  }
}

const loadError = (file: string): Promise<OnnxError> => rejectionOf(() => loadModelFile(file), OnnxError, `${file} loaded without an error`);

describe('external data files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'prunescope-ext-files-'));
  const dir = path.join(root, 'model');
  const modelPath = path.join(dir, 'model.onnx');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  });

  test('a symlinked file that leads out of the model folder (to /etc/passwd) is refused', async () => {
    symlinkSync('/etc/passwd', path.join(dir, 'weights.bin'));
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', 0, 48))));
    const e = await loadError(modelPath);
    expect(e.message).toMatch(/^model\.onnx: external data file weights\.bin is refused \(through a link, it leaves the model's folder\)/);
  });

  test('a symlinked folder that leads out of the model folder is refused; one inside it is fine', async () => {
    const outside = path.join(root, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'weights.bin'), new Uint8Array(W.buffer));
    symlinkSync(outside, path.join(dir, 'data'));
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'data/weights.bin', 0, 48))));
    expect((await loadError(modelPath)).message).toMatch(/external data file data\/weights\.bin is refused \(through a link, it leaves the model's folder\)/);

    // A link that stays inside the (real) model folder is followed.
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'weights.bin'), new Uint8Array(W.buffer));
    symlinkSync('real', path.join(dir, 'alias'));
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'alias/weights.bin', 0, 48))));
    const { model: m } = await loadModelFile(modelPath);
    expect(Array.from(m.graph.initializers[0].data as Float32Array)).toEqual(Array.from(W));
  });

  test('the model opened through a symlinked folder still finds its own external data', async () => {
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(W.buffer));
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', 0, 48))));
    const link = path.join(root, 'link-to-model');
    rmSync(link, { force: true });
    symlinkSync(dir, link);
    const { model: m } = await loadModelFile(path.join(link, 'model.onnx'));
    expect(Array.from(m.graph.initializers[0].data as Float32Array)).toEqual(Array.from(W));
  });

  test('a FIFO as external data is refused at once (never waits for a writer)', async () => {
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', 0, 48))));
    const e = await withFifo(path.join(dir, 'weights.bin'), () => loadError(modelPath));
    expect(e.message).toMatch(/^model\.onnx: external data file weights\.bin is refused \(it is a FIFO \(named pipe\), not a regular file\)/);
  }, 20_000);

  test('a FIFO or a device given as the model itself is refused at once', async () => {
    const fifo = path.join(dir, 'pipe.onnx');
    expect((await withFifo(fifo, () => loadError(fifo))).message).toBe('pipe.onnx: is a FIFO (named pipe), not a model file');
    expect((await loadError('/dev/zero')).message).toBe('zero: is a device, not a model file');
  }, 20_000);

  test('a device through a link inside the folder (/dev/zero) is refused, not read without end', async () => {
    symlinkSync('/dev/zero', path.join(dir, 'weights.bin'));
    // No length: "to the end of the file", which a device does not have.
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', 0))));
    expect((await loadError(modelPath)).message).toMatch(/^model\.onnx: external data file weights\.bin is refused/);
  }, 20_000);

  test('an external data file over 2 GiB: only the tensor\'s range is read', async () => {
    // A sparse 3 GiB file: the tensor's 48 bytes sit 200 KB before its end.
    const big = path.join(dir, 'weights.bin');
    const size = 3 * 2 ** 30;
    const offset = size - 200_000;
    const fd = openSync(big, 'w');
    try {
      ftruncateSync(fd, size);
      writeSync(fd, new Uint8Array(W.buffer), 0, 48, offset);
    } finally {
      closeSync(fd);
    }
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', offset, 48))));
    const { model: m } = await loadModelFile(modelPath);
    expect(Array.from(m.graph.initializers[0].data as Float32Array)).toEqual(Array.from(W));
    // A range whose size does not match the dims is refused before anything is read.
    writeFileSync(modelPath, encodeModel(model(ext('W', [3, 4], 'weights.bin', 0))));
    expect((await loadError(modelPath)).message).toMatch(/^model\.onnx: tensor "W": dims \[3, 4\] need 48 bytes, external data file weights\.bin holds 3221225472 for it/);
  }, 60_000);
});
