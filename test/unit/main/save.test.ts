// main's saves of renderer-made files: atomic, never over the open model (even through a link).
import { describe, expect, it } from 'vitest';
import { linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaveError, saveUserFile } from '../../../src/main/save';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir('prunescope-save-');

describe('saveUserFile', () => {
  it('writes over an existing file and returns the full path', () => {
    const target = join(dir(), 'sweep.csv');
    writeFileSync(target, 'old');
    expect(saveUserFile(target, 'ratio,accuracy\n0,0.98\n', [])).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('ratio,accuracy\n0,0.98\n');
    expect(readdirSync(dir())).toEqual(['sweep.csv']);
  });

  it('leaves nothing behind when the folder does not exist', () => {
    const target = join(dir(), 'missing', 'x.svg');
    expect(() => saveUserFile(target, '<svg/>', [])).toThrow(SaveError);
    expect(() => saveUserFile(target, '<svg/>', [])).toThrow(/missing\/x\.svg: could not be written \(ENOENT\)/);
    expect(readdirSync(dir())).toEqual([]);
  });

  it('never writes over the open model, even through a hard link', () => {
    const model = join(dir(), 'model.onnx');
    writeFileSync(model, 'MODEL');
    const link = join(dir(), 'alias.onnx');
    linkSync(model, link);
    expect(() => saveUserFile(model, 'x', [model])).toThrow(/refusing to overwrite the open model/);
    expect(() => saveUserFile(link, 'x', [model])).toThrow(SaveError);
    expect(readFileSync(model, 'utf8')).toBe('MODEL');
    expect(saveUserFile(join(dir(), 'ok.png'), new Uint8Array([1]), [model])).toBe(join(dir(), 'ok.png'));
  });
});
