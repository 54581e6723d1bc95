// `prunescope export MODEL --external-data`: the weights of any model streamed into OUT.data beside
// OUT; onnxruntime-node loads the pair and answers as the same export written in one file does,
// with the expected zeros; sparse with external data is refused in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { ROOT, SAMPLE } from '../../support/engine';
import { fileTempDir } from '../../support/temp-dir';

const tmp = fileTempDir('prunescope-export-external-');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/prunescope.js'), ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function run(path: string, x: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [4, 1, 28, 28]) });
  const y = out[s.outputNames[0]].data as Float32Array;
  await s.release();
  return y;
}

describe('prunescope export --external-data', () => {
  it('writes OUT + OUT.data that onnxruntime runs like the one-file export, half of each weight zero', async () => {
    const ext = join(tmp, 'ext.onnx');
    const one = join(tmp, 'one.onnx');
    const r = cli('export', SAMPLE, '--ratio', '0.5', '--external-data', '-o', ext);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('the weights in ext.onnx.data beside it');
    expect(cli('export', SAMPLE, '--ratio', '0.5', '-o', one).status).toBe(0);
    // The .onnx holds the graph and small tensors only; the data file every weight (7.2 MB).
    expect(statSync(ext).size).toBeLessThan(100_000);
    expect(statSync(`${ext}.data`).size).toBeGreaterThan(7_000_000);
    const model = decodeModel(new Uint8Array(readFileSync(ext)), 'ext.onnx');
    const fc1 = model.graph.initializers.find((t) => t.name === 'fc1.weight')!;
    expect(fc1.external?.location).toBe('ext.onnx.data');
    const data = readFileSync(`${ext}.data`);
    const w = new Float32Array(data.buffer.slice(data.byteOffset + fc1.external!.offset, data.byteOffset + fc1.external!.offset + fc1.external!.length!));
    expect(w.length).toBe(784_000);
    expect(w.filter((v) => v === 0).length).toBe(392_000);
    const x = new Float32Array(4 * 784).map((_, i) => ((i * 37) % 255) / 255);
    const [a, b] = [await run(ext, x), await run(one, x)];
    expect([...a]).toEqual([...b]);
  });

  it('refuses sparse initializers as external data in one line', () => {
    const r = cli('export', SAMPLE, '--format', 'sparse', '--external-data', '-o', join(tmp, 's.onnx'));
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe('prunescope: --external-data writes dense weights; sparse initializers stay inside the .onnx (drop --format sparse)');
    expect(existsSync(join(tmp, 's.onnx'))).toBe(false);
  });
});
