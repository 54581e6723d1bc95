import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDroppedPath } from '../../../src/main/drop';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir('prunescope-drop-');

describe('checkDroppedPath', () => {
  it('accepts existing .onnx files, any case of the extension, and links to them', () => {
    const a = join(dir(), 'a.onnx');
    const b = join(dir(), 'B.ONNX');
    writeFileSync(a, 'x');
    writeFileSync(b, 'x');
    symlinkSync(a, join(dir(), 'link.onnx'));
    expect(checkDroppedPath(a)).toEqual({ ok: true, path: a });
    expect(checkDroppedPath(b)).toEqual({ ok: true, path: b });
    expect(checkDroppedPath(join(dir(), 'link.onnx'))).toEqual({ ok: true, path: join(dir(), 'link.onnx') });
    expect(checkDroppedPath(join(dir(), 'sub', '..', 'a.onnx'))).toEqual({ ok: true, path: a });
  });

  it('refuses other files, folders, missing files, relative paths and non-strings, saying why', () => {
    const txt = join(dir(), 'data.txt');
    writeFileSync(txt, 'x');
    mkdirSync(join(dir(), 'folder.onnx'));
    expect(checkDroppedPath(txt)).toEqual({ ok: false, reason: `${txt}: not an .onnx file` });
    expect(checkDroppedPath(join(dir(), 'folder.onnx'))).toEqual({ ok: false, reason: `${join(dir(), 'folder.onnx')}: no such file` });
    expect(checkDroppedPath(join(dir(), 'gone.onnx'))).toEqual({ ok: false, reason: `${join(dir(), 'gone.onnx')}: no such file` });
    expect(checkDroppedPath('a.onnx')).toEqual({ ok: false, reason: 'a.onnx: not an absolute path' });
    expect(checkDroppedPath('')).toEqual({ ok: false, reason: 'not a file on disk' });
    expect(checkDroppedPath(undefined)).toEqual({ ok: false, reason: 'not a file on disk' });
    expect(checkDroppedPath(`${dir()}/a\0.onnx`).ok).toBe(false);
  });
});
