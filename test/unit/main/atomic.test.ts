import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaveError, sameFile, saveUserFile, writeFileAtomicSync } from '../../../src/main/atomic';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic saves', () => {
  it('writes strings and bytes, replacing an existing file, leaving no temp file', () => {
    const target = join(dir, 'sweep.csv');
    writeFileSync(target, 'old');
    writeFileAtomicSync(target, 'ratio,accuracy\n0,0.98\n');
    expect(readFileSync(target, 'utf8')).toBe('ratio,accuracy\n0,0.98\n');
    const png = join(dir, 'h.png');
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);
    writeFileAtomicSync(png, bytes);
    expect(new Uint8Array(readFileSync(png))).toEqual(bytes);
    expect(readdirSync(dir).sort()).toEqual(['h.png', 'sweep.csv']);
  });

  it('leaves nothing behind when the folder does not exist', () => {
    const target = join(dir, 'missing', 'x.svg');
    expect(() => saveUserFile(target, '<svg/>', [])).toThrow(SaveError);
    expect(() => saveUserFile(target, '<svg/>', [])).toThrow(/missing\/x\.svg: could not be written \(ENOENT\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never writes over the open model, even through a hard link', () => {
    const model = join(dir, 'model.onnx');
    writeFileSync(model, 'MODEL');
    const link = join(dir, 'alias.onnx');
    linkSync(model, link);
    expect(sameFile(link, model)).toBe(true);
    expect(sameFile(join(dir, 'other.onnx'), model)).toBe(false);
    expect(() => saveUserFile(model, 'x', [model])).toThrow(/refusing to overwrite the open model/);
    expect(() => saveUserFile(link, 'x', [model])).toThrow(SaveError);
    expect(readFileSync(model, 'utf8')).toBe('MODEL');
    expect(saveUserFile(join(dir, 'ok.png'), new Uint8Array([1]), [model])).toBe(join(dir, 'ok.png'));
  });
});
