// The one Node atomic writer: whole buffers (sync and async) and streamed pieces; a failure leaves
// the target as it was and no temporary file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sameFile, writeAtomic, writeAtomicSync } from '../../../../src/engine/node/atomic-write';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);

describe('writeAtomicSync', () => {
  it('writes strings and bytes, replacing an existing file, leaving no temp file', () => {
    const target = join(dir, 'sweep.csv');
    writeFileSync(target, 'old');
    writeAtomicSync(target, 'ratio,accuracy\n0,0.98\n');
    expect(readFileSync(target, 'utf8')).toBe('ratio,accuracy\n0,0.98\n');
    const png = join(dir, 'h.png');
    writeAtomicSync(png, bytes);
    expect(new Uint8Array(readFileSync(png))).toEqual(bytes);
    expect(readdirSync(dir).sort()).toEqual(['h.png', 'sweep.csv']);
  });

  it('throws the file system error when the rename fails, keeping the target and no temp file', () => {
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => writeAtomicSync(target, 'data')).toThrow(expect.objectContaining({ code: expect.any(String) }));
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['keep']);
  });
});

describe('writeAtomic', () => {
  it('writes a whole buffer and a stream of mixed pieces', async () => {
    const target = join(dir, 'm.txt');
    await writeAtomic(target, bytes);
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
    function* rows(): Generator<string | Uint8Array> {
      for (let r = 0; r < 1000; r++) yield `${r} ${r * 2}\n`;
      yield new TextEncoder().encode('end\n');
    }
    await writeAtomic(target, rows());
    const lines = readFileSync(target, 'utf8').split('\n');
    expect(lines.length).toBe(1002);
    expect(lines[0]).toBe('0 0');
    expect(lines[999]).toBe('999 1998');
    expect(lines[1000]).toBe('end');
    expect(readdirSync(dir)).toEqual(['m.txt']);
  });

  it('a stream that fails halfway leaves the old target and no temporary file', async () => {
    const target = join(dir, 'm.txt');
    writeFileSync(target, 'old');
    function* broken(): Generator<string> {
      yield 'x'.repeat(5_000_000); // more than one batch: something reached the temp file
      throw new Error('tensor went away');
    }
    await expect(writeAtomic(target, broken())).rejects.toThrow('tensor went away');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['m.txt']);
  });

  it('a missing folder rejects with ENOENT and creates nothing', async () => {
    await expect(writeAtomic(join(dir, 'nope', 'x.onnx'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('sameFile', () => {
  it('sees the same file through another spelling or a hard link, not a different file', () => {
    const model = join(dir, 'model.onnx');
    writeFileSync(model, 'MODEL');
    const link = join(dir, 'alias.onnx');
    linkSync(model, link);
    expect(sameFile(join(dir, '.', 'model.onnx'), model)).toBe(true);
    expect(sameFile(link, model)).toBe(true);
    expect(sameFile(join(dir, 'other.onnx'), model)).toBe(false);
  });
});
